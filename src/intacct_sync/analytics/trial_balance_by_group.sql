-- The trial balance rolled up the account group tree: per period, every group at every
-- level (group_path names it from its top group down) with the debits, credits and balance
-- of the accounts under it, in base currency. An account counts once in a group however many
-- chains lead there; accounts in no group (or not in gl_account) roll up into "Ungrouped".
WITH chains AS (
  SELECT accountno, filter(array(level_1, level_2, level_3, level_4, level_5, level_6, level_7, level_8, level_9, level_10), x -> x IS NOT NULL) AS levels
  FROM {gl_account_hierarchy}
),
memberships AS (
  SELECT DISTINCT
    c.accountno,
    element_at(c.levels, 1) AS top_group,
    g.pos + 1 AS group_level,
    g.group_name,
    array_join(slice(c.levels, 1, g.pos + 1), ' > ') AS group_path
  FROM chains AS c
  LATERAL VIEW posexplode(c.levels) g AS pos, group_name
)
SELECT
  t.period,
  t.base_currency,
  coalesce(m.top_group, 'Ungrouped') AS top_group,
  coalesce(m.group_level, 1) AS group_level,
  coalesce(m.group_name, 'Ungrouped') AS group_name,
  coalesce(m.group_path, 'Ungrouped') AS group_path,
  count(DISTINCT t.accountno) AS accounts,
  sum(t.debit) AS debit,
  sum(t.credit) AS credit,
  sum(t.balance) AS balance
FROM {trial_balance} AS t
LEFT JOIN memberships AS m ON m.accountno = t.accountno
GROUP BY
  t.period,
  t.base_currency,
  coalesce(m.top_group, 'Ungrouped'),
  coalesce(m.group_level, 1),
  coalesce(m.group_name, 'Ungrouped'),
  coalesce(m.group_path, 'Ungrouped')
