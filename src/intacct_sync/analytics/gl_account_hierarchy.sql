-- Every live GL account with its chain of account groups, root first (level_1 .. level_10,
-- as in gl_account_group_hierarchy). An account belongs to the groups whose GLACCTRANGE holds
-- its number (RANGEFROM <= ACCOUNTNO <= RANGETO, compared as text as Intacct does, so 6300.11
-- falls in 6000..6999); one row per chain, so an account in two reports has two rows. Accounts
-- in no group have the single level "Ungrouped" and no account_groupkey.
WITH accounts AS (
  SELECT recordno, accountno, title, accounttype, normalbalance, status
  FROM (
    SELECT *, row_number() OVER (PARTITION BY recordno ORDER BY _synced_at DESC) AS _pick
    FROM {gl_account}
    WHERE NOT coalesce(_deleted, false)
  ) AS live
  WHERE _pick = 1
),
placed AS (
  SELECT DISTINCT a.recordno AS accountkey, r.parentkey AS groupkey
  FROM accounts AS a
  JOIN {gl_account_range} AS r
    ON a.accountno BETWEEN r.rangefrom AND r.rangeto
  JOIN {gl_account_group} AS g
    ON g.recordno = r.parentkey
  WHERE NOT coalesce(r._deleted, false) AND NOT coalesce(g._deleted, false)
)
SELECT
  a.recordno AS accountkey,
  a.accountno,
  a.title AS account_title,
  a.accounttype AS account_type,
  a.normalbalance AS normal_balance,
  a.status,
  h.recordno AS account_groupkey,
  coalesce(h.name, 'Ungrouped') AS account_group,
  coalesce(h.level_1, 'Ungrouped') AS level_1,
  h.level_2,
  h.level_3,
  h.level_4,
  h.level_5,
  h.level_6,
  h.level_7,
  h.level_8,
  h.level_9,
  h.level_10,
  coalesce(h.path, 'Ungrouped') AS path,
  coalesce(h.depth, 1) AS depth,
  h.issue
FROM accounts AS a
LEFT JOIN placed AS p ON p.accountkey = a.recordno
LEFT JOIN {gl_account_group_hierarchy} AS h ON h.recordno = p.groupkey
