-- Completion by month, up to the given month, of the projects behind schedule in it.
-- Parameters: $region, $year, $month.
SELECT h.item_key, h.sub_no, h.month, h.item_no, h.completion_pct, h.is_lagging
FROM item_history h
JOIN (SELECT DISTINCT item_key, sub_no FROM lagging_streaks
      WHERE region = $region AND year = $year AND month = $month) l USING (item_key, sub_no)
WHERE h.region = $region AND h.year = $year AND h.month <= $month
ORDER BY h.item_key, h.sub_no, h.month;
