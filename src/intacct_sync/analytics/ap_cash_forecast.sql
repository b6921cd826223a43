-- Cash needed for AP: open bills by the week (Monday) they fall due, with everything already
-- overdue in one "past due" row (week_start null, sorted first). total_due in base currency;
-- its sum equals the AP aging total.
SELECT
  base_currency,
  CASE WHEN due_week IS NULL THEN 'past due' ELSE CAST(due_week AS STRING) END AS due_week,
  due_week AS week_start,
  count(*) AS bills,
  sum(total_due) AS total_due,
  current_date() AS as_of
FROM {ap_open_bills}
GROUP BY base_currency, due_week
