-- Every open AR invoice: live, posted (not Draft or Submitted) and with an amount still due,
-- with its days past WHENDUE as of today and its aging bucket and due week, as ap_open_bills.
-- total_due is TOTALDUE, in the base currency (base_currency); trx_total_due is TRX_TOTALDUE,
-- in the invoice's own currency (currency). ar_aging reads this definition.
WITH invoices AS (
  SELECT
    recordno,
    recordid,
    customerid,
    customername,
    state,
    whencreated,
    whendue,
    basecurr,
    currency,
    totaldue,
    trx_totaldue,
    _entity,
    greatest(datediff(current_date(), coalesce(whendue, current_date())), 0) AS days_past_due
  FROM {ar_invoice}
  WHERE NOT coalesce(_deleted, false)
    AND coalesce(totaldue, 0) <> 0
    AND coalesce(state, '') NOT IN ('Draft', 'Submitted')
)
SELECT
  recordno,
  recordid,
  customerid,
  customername,
  state,
  whencreated AS invoice_date,
  whendue AS due_date,
  days_past_due,
  CASE
    WHEN days_past_due = 0 THEN 1
    WHEN days_past_due <= 30 THEN 2
    WHEN days_past_due <= 60 THEN 3
    WHEN days_past_due <= 90 THEN 4
    ELSE 5
  END AS bucket_order,
  CASE
    WHEN days_past_due = 0 THEN 'current'
    WHEN days_past_due <= 30 THEN '1-30'
    WHEN days_past_due <= 60 THEN '31-60'
    WHEN days_past_due <= 90 THEN '61-90'
    ELSE 'over 90'
  END AS bucket,
  CASE
    WHEN days_past_due > 0 THEN NULL
    ELSE CAST(date_trunc('WEEK', coalesce(whendue, current_date())) AS DATE)
  END AS due_week,
  basecurr AS base_currency,
  totaldue AS total_due,
  currency,
  trx_totaldue AS trx_total_due,
  _entity AS entity,
  current_date() AS as_of
FROM invoices
