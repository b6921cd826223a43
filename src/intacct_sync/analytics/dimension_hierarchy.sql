-- One dimension's members (department, location, class or project), each with its chain of
-- parents, root first: level_1 is the top of its tree and level_<depth> the member itself.
-- PARENTKEY is followed up to 10 levels with plain joins (no recursion, so it runs on every
-- warehouse). A member in a cycle, under a parent that does not exist (or was deleted), or
-- deeper than 10 levels says so in `issue`; its levels show the chain as far as it goes.
WITH members AS (
  SELECT recordno, {id_column} AS id, {name_column} AS name, parentkey, status
  FROM (
    SELECT *, row_number() OVER (PARTITION BY recordno ORDER BY _synced_at DESC) AS _pick
    FROM {dimension}
    WHERE NOT coalesce(_deleted, false)
  ) AS live
  WHERE _pick = 1
),
walk AS (
  SELECT m.recordno, m.id, m.name, m.status, m.parentkey,
    filter(array(
      named_struct('key', m.recordno, 'id', m.id, 'label', coalesce(m.name, m.id), 'parent', m.parentkey),
      named_struct('key', p1.recordno, 'id', p1.id, 'label', coalesce(p1.name, p1.id), 'parent', p1.parentkey),
      named_struct('key', p2.recordno, 'id', p2.id, 'label', coalesce(p2.name, p2.id), 'parent', p2.parentkey),
      named_struct('key', p3.recordno, 'id', p3.id, 'label', coalesce(p3.name, p3.id), 'parent', p3.parentkey),
      named_struct('key', p4.recordno, 'id', p4.id, 'label', coalesce(p4.name, p4.id), 'parent', p4.parentkey),
      named_struct('key', p5.recordno, 'id', p5.id, 'label', coalesce(p5.name, p5.id), 'parent', p5.parentkey),
      named_struct('key', p6.recordno, 'id', p6.id, 'label', coalesce(p6.name, p6.id), 'parent', p6.parentkey),
      named_struct('key', p7.recordno, 'id', p7.id, 'label', coalesce(p7.name, p7.id), 'parent', p7.parentkey),
      named_struct('key', p8.recordno, 'id', p8.id, 'label', coalesce(p8.name, p8.id), 'parent', p8.parentkey),
      named_struct('key', p9.recordno, 'id', p9.id, 'label', coalesce(p9.name, p9.id), 'parent', p9.parentkey)
    ), x -> x.key IS NOT NULL) AS chain
  FROM members AS m
  LEFT JOIN members AS p1 ON p1.recordno = m.parentkey
  LEFT JOIN members AS p2 ON p2.recordno = p1.parentkey
  LEFT JOIN members AS p3 ON p3.recordno = p2.parentkey
  LEFT JOIN members AS p4 ON p4.recordno = p3.parentkey
  LEFT JOIN members AS p5 ON p5.recordno = p4.parentkey
  LEFT JOIN members AS p6 ON p6.recordno = p5.parentkey
  LEFT JOIN members AS p7 ON p7.recordno = p6.parentkey
  LEFT JOIN members AS p8 ON p8.recordno = p7.parentkey
  LEFT JOIN members AS p9 ON p9.recordno = p8.parentkey
),
checked AS (
  SELECT *,
    reverse(array_distinct(chain)) AS path_items,
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
  id,
  name,
  status,
  parentkey AS parent_key,
  try_element_at(path_items, 1).label AS level_1,
  try_element_at(path_items, 2).label AS level_2,
  try_element_at(path_items, 3).label AS level_3,
  try_element_at(path_items, 4).label AS level_4,
  try_element_at(path_items, 5).label AS level_5,
  try_element_at(path_items, 6).label AS level_6,
  try_element_at(path_items, 7).label AS level_7,
  try_element_at(path_items, 8).label AS level_8,
  try_element_at(path_items, 9).label AS level_9,
  try_element_at(path_items, 10).label AS level_10,
  array_join(transform(path_items, x -> x.label), ' > ') AS path,
  array_join(transform(path_items, x -> x.id), ' > ') AS id_path,
  size(path_items) AS depth,
  issue
FROM checked
