-- The general ledger by month: posted journal entry lines (the entry not Draft, Submitted,
-- Partially Approved or Declined; statistical lines left out) summed per period (the month of
-- ENTRY_DATE), account and dimension IDs. debit and credit are AMOUNT by TR_TYPE (1 debit,
-- -1 credit), in base currency (TRX_AMOUNT, the transaction currency, is not summed: it mixes
-- currencies); net = debit - credit. running_balance, for balance-sheet accounts only, is the
-- combination's balance at the end of the period: the sum of its nets up to and including it.
WITH accounts AS (
  SELECT accountno, title, accounttype, normalbalance
  FROM (
    SELECT *, row_number() OVER (PARTITION BY accountno ORDER BY _synced_at DESC) AS _pick
    FROM {gl_account}
    WHERE NOT coalesce(_deleted, false)
  ) AS live
  WHERE _pick = 1
),
lines AS (
  SELECT
    CAST(date_trunc('MONTH', e.entry_date) AS DATE) AS period,
    e.basecurr,
    e.accountno,
    e.department,
    e.location,
    e.classid,
    e.projectid,
    e.customerid,
    e.vendorid,
    e.employeeid,
    e.itemid,
    CASE WHEN e.tr_type = 1 THEN e.amount ELSE 0 END AS debit,
    CASE WHEN e.tr_type = -1 THEN e.amount ELSE 0 END AS credit
  FROM {gl_entry} AS e
  JOIN {gl_batch} AS b ON b.recordno = e.batchno
  WHERE NOT coalesce(e._deleted, false)
    AND NOT coalesce(b._deleted, false)
    AND coalesce(b.state, '') NOT IN ('Draft', 'Submitted', 'Partially Approved', 'Declined')
    AND NOT coalesce(e.statistical, false)
),
sums AS (
  SELECT
    period, basecurr, accountno, department, location, classid, projectid, customerid,
    vendorid, employeeid, itemid,
    sum(debit) AS debit,
    sum(credit) AS credit
  FROM lines
  GROUP BY
    period, basecurr, accountno, department, location, classid, projectid, customerid,
    vendorid, employeeid, itemid
)
SELECT
  s.period,
  s.basecurr AS base_currency,
  s.accountno,
  a.title AS account_title,
  a.accounttype AS account_type,
  a.normalbalance AS normal_balance,
  s.department AS departmentid,
  s.location AS locationid,
  s.classid,
  s.projectid,
  s.customerid,
  s.vendorid,
  s.employeeid,
  s.itemid,
  s.debit,
  s.credit,
  CAST(s.debit - s.credit AS DECIMAL(38, 10)) AS net,
  CASE WHEN a.accounttype = 'balancesheet' THEN
    CAST(sum(s.debit - s.credit) OVER (
      PARTITION BY s.basecurr, s.accountno, s.department, s.location, s.classid, s.projectid,
        s.customerid, s.vendorid, s.employeeid, s.itemid
      ORDER BY s.period
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS DECIMAL(38, 10))
  END AS running_balance
FROM sums AS s
LEFT JOIN accounts AS a ON a.accountno = s.accountno
