-- Departments of one region's month, with the change in mean completion since the
-- department's previous reported month. Parameters: $region, $year, $month.
WITH d AS (
    SELECT *,
           avg_completion_pct - lag(avg_completion_pct) OVER w AS change_pct,
           lag(month) OVER w AS previous_month
    FROM department_summary
    WHERE region = $region AND year = $year AND month <= $month
    WINDOW w AS (PARTITION BY department ORDER BY month)
)
SELECT department, items, avg_completion_pct, round(change_pct, 1) AS change_pct,
       items_lagging, items_complete, lagging_item_nos, previous_month
FROM d
WHERE month = $month
ORDER BY items_lagging DESC, avg_completion_pct, department;
