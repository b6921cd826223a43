-- Every account group with its chain of parent groups, root first: level_1 is a top group
-- (a statement, a report) and level_<depth> the group itself. A group that belongs to several
-- parents has one row per chain. GLACCTGRPMEMBER links a parent (PARENTKEY -> RECORDNO) to a
-- child group (CHILDNAME -> NAME); the walk goes up to 10 levels with plain joins. A group in
-- a cycle, linked to a parent that does not exist, or deeper than 10 levels says so in `issue`.
WITH groups AS (
  SELECT recordno, name, title, membertype, normal_balance
  FROM (
    SELECT *, row_number() OVER (PARTITION BY recordno ORDER BY _synced_at DESC) AS _pick
    FROM {gl_account_group}
    WHERE NOT coalesce(_deleted, false)
  ) AS live
  WHERE _pick = 1
),
links AS (
  SELECT DISTINCT childname, parentkey
  FROM {gl_account_group_member}
  WHERE NOT coalesce(_deleted, false)
),
walk AS (
  SELECT g0.recordno, g0.name, g0.title, g0.membertype, g0.normal_balance,
    filter(array(
      named_struct('key', g0.recordno, 'label', g0.name, 'parent', l1.parentkey),
      named_struct('key', g1.recordno, 'label', g1.name, 'parent', l2.parentkey),
      named_struct('key', g2.recordno, 'label', g2.name, 'parent', l3.parentkey),
      named_struct('key', g3.recordno, 'label', g3.name, 'parent', l4.parentkey),
      named_struct('key', g4.recordno, 'label', g4.name, 'parent', l5.parentkey),
      named_struct('key', g5.recordno, 'label', g5.name, 'parent', l6.parentkey),
      named_struct('key', g6.recordno, 'label', g6.name, 'parent', l7.parentkey),
      named_struct('key', g7.recordno, 'label', g7.name, 'parent', l8.parentkey),
      named_struct('key', g8.recordno, 'label', g8.name, 'parent', l9.parentkey),
      named_struct('key', g9.recordno, 'label', g9.name, 'parent', l10.parentkey)
    ), x -> x.key IS NOT NULL) AS chain
  FROM groups AS g0
  LEFT JOIN links AS l1 ON l1.childname = g0.name
  LEFT JOIN groups AS g1 ON g1.recordno = l1.parentkey
  LEFT JOIN links AS l2 ON l2.childname = g1.name
  LEFT JOIN groups AS g2 ON g2.recordno = l2.parentkey
  LEFT JOIN links AS l3 ON l3.childname = g2.name
  LEFT JOIN groups AS g3 ON g3.recordno = l3.parentkey
  LEFT JOIN links AS l4 ON l4.childname = g3.name
  LEFT JOIN groups AS g4 ON g4.recordno = l4.parentkey
  LEFT JOIN links AS l5 ON l5.childname = g4.name
  LEFT JOIN groups AS g5 ON g5.recordno = l5.parentkey
  LEFT JOIN links AS l6 ON l6.childname = g5.name
  LEFT JOIN groups AS g6 ON g6.recordno = l6.parentkey
  LEFT JOIN links AS l7 ON l7.childname = g6.name
  LEFT JOIN groups AS g7 ON g7.recordno = l7.parentkey
  LEFT JOIN links AS l8 ON l8.childname = g7.name
  LEFT JOIN groups AS g8 ON g8.recordno = l8.parentkey
  LEFT JOIN links AS l9 ON l9.childname = g8.name
  LEFT JOIN groups AS g9 ON g9.recordno = l9.parentkey
  LEFT JOIN links AS l10 ON l10.childname = g9.name
),
checked AS (
  SELECT DISTINCT recordno, name, title, membertype, normal_balance,
    reverse(transform(
      array_distinct(transform(chain, x -> named_struct('key', x.key, 'label', x.label))),
      x -> x.label
    )) AS path_items,
    CASE
      WHEN size(array_distinct(transform(chain, x -> x.key))) < size(chain) THEN 'cycle'
      WHEN element_at(chain, -1).parent IS NULL THEN NULL
      WHEN size(chain) < 10 THEN concat('missing parent ', CAST(element_at(chain, -1).parent AS STRING))
      ELSE 'deeper than 10 levels'
    END AS issue
  FROM walk
)
SELECT
  recordno,
  name,
  title,
  membertype,
  normal_balance,
  try_element_at(path_items, 1) AS level_1,
  try_element_at(path_items, 2) AS level_2,
  try_element_at(path_items, 3) AS level_3,
  try_element_at(path_items, 4) AS level_4,
  try_element_at(path_items, 5) AS level_5,
  try_element_at(path_items, 6) AS level_6,
  try_element_at(path_items, 7) AS level_7,
  try_element_at(path_items, 8) AS level_8,
  try_element_at(path_items, 9) AS level_9,
  try_element_at(path_items, 10) AS level_10,
  array_join(path_items, ' > ') AS path,
  size(path_items) AS depth,
  issue
FROM checked
