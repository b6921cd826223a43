-- AR aging as of today: open invoices by days past WHENDUE, every bucket listed (current, 1-30,
-- 31-60, 61-90, over 90) even when empty, per base currency. total_due in base currency.
WITH buckets AS (
  SELECT * FROM VALUES
    (1, 'current'), (2, '1-30'), (3, '31-60'), (4, '61-90'), (5, 'over 90')
    AS buckets(bucket_order, bucket)
),
currencies AS (
  SELECT DISTINCT base_currency FROM {ar_open_invoices}
),
totals AS (
  SELECT base_currency, bucket_order, count(*) AS invoices, sum(total_due) AS total_due
  FROM {ar_open_invoices}
  GROUP BY base_currency, bucket_order
)
SELECT
  c.base_currency,
  b.bucket_order,
  b.bucket,
  coalesce(t.invoices, 0) AS invoices,
  coalesce(t.total_due, CAST(0 AS DECIMAL(38, 10))) AS total_due,
  current_date() AS as_of
FROM currencies AS c
CROSS JOIN buckets AS b
LEFT JOIN totals AS t
  ON t.base_currency <=> c.base_currency AND t.bucket_order = b.bucket_order
