-- Rows behind schedule in the previous reported month that are no longer behind.
-- Parameters: $region, $year, $month.
SELECT h.item_no, h.sub_no, h.content, h.department, h.completion_pct, h.change_pct,
       h.previous_month, h.item_key
FROM item_history h
JOIN item_history p
  ON p.region = h.region AND p.year = h.year AND p.item_key = h.item_key
 AND p.sub_no = h.sub_no AND p.month = h.previous_month
WHERE h.region = $region AND h.year = $year AND h.month = $month
  AND p.is_lagging AND NOT h.is_lagging
ORDER BY h.item_no, h.sub_no;
