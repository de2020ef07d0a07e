-- Every row of one region's month with its change since the project's previous month.
-- Parameters: $region, $year, $month.
SELECT item_no, sub_no, content, department, completion_pct, change_pct, previous_month,
       previous_item_no, is_lagging, item_key
FROM item_history
WHERE region = $region AND year = $year AND month = $month AND change_pct IS NOT NULL
ORDER BY change_pct DESC, item_no, sub_no;
