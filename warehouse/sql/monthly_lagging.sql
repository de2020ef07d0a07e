-- Rows behind schedule in one region's month, longest streak first.
-- Parameters: $region, $year, $month.
SELECT item_no, sub_no, content, department, leader, completion_pct, change_pct,
       consecutive_months, behind_since, item_key, completion_raw
FROM lagging_streaks
WHERE region = $region AND year = $year AND month = $month
ORDER BY consecutive_months DESC, item_no, sub_no;
