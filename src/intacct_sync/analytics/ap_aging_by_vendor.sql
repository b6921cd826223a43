-- AP aging by vendor as of today: one row per vendor (and base currency), the amount due in
-- each bucket and in all, in base currency; largest balances first when ordered by total_due.
SELECT
  base_currency,
  vendorid,
  max(vendorname) AS vendorname,
  count(*) AS bills,
  sum(CASE WHEN bucket_order = 1 THEN total_due ELSE 0 END) AS current_due,
  sum(CASE WHEN bucket_order = 2 THEN total_due ELSE 0 END) AS days_1_30,
  sum(CASE WHEN bucket_order = 3 THEN total_due ELSE 0 END) AS days_31_60,
  sum(CASE WHEN bucket_order = 4 THEN total_due ELSE 0 END) AS days_61_90,
  sum(CASE WHEN bucket_order = 5 THEN total_due ELSE 0 END) AS over_90,
  sum(total_due) AS total_due,
  min(due_date) AS oldest_due_date,
  current_date() AS as_of
FROM {ap_open_bills}
GROUP BY base_currency, vendorid
