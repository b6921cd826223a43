-- Trial balance of each month's activity: per period and account, the debits and credits
-- posted and balance = debit - credit, in base currency. In every period the debits equal the
-- credits (each journal entry balances), so the balances add up to zero.
SELECT
  period,
  base_currency,
  accountno,
  max(account_title) AS account_title,
  max(account_type) AS account_type,
  max(normal_balance) AS normal_balance,
  sum(debit) AS debit,
  sum(credit) AS credit,
  CAST(sum(debit) - sum(credit) AS DECIMAL(38, 10)) AS balance
FROM {gl_balance_by_period}
GROUP BY period, base_currency, accountno
