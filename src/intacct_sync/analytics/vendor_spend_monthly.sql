-- What each vendor billed per month: posted, live bills by their date (WHENCREATED, the bill
-- date, not the time it was entered), summed as TOTALENTERED in base currency.
SELECT
  CAST(date_trunc('MONTH', whencreated) AS DATE) AS month,
  basecurr AS base_currency,
  vendorid,
  max(vendorname) AS vendorname,
  count(*) AS bills,
  sum(totalentered) AS amount
FROM {ap_bill}
WHERE NOT coalesce(_deleted, false)
  AND coalesce(state, '') NOT IN ('Draft', 'Submitted', 'Partially Approved', 'Declined')
GROUP BY CAST(date_trunc('MONTH', whencreated) AS DATE), basecurr, vendorid
