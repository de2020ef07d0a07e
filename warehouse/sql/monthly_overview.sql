-- One region's month at a glance, beside its previous reported month of the year.
-- Parameters: $region, $year, $month.
WITH months AS (
    SELECT month,
           count(DISTINCT item_no) AS items,
           count(*) AS rows,
           round(avg(completion_pct), 1) AS avg_completion_pct,
           count(DISTINCT item_no) FILTER (WHERE is_lagging) AS items_lagging
    FROM progress
    WHERE region = $region AND year = $year AND month <= $month
    GROUP BY month
),
complete AS (
    SELECT month, count(*) AS items_complete
    FROM (SELECT month, item_no FROM progress
          WHERE region = $region AND year = $year AND month <= $month
          GROUP BY month, item_no HAVING min(completion_pct) >= 100)
    GROUP BY month
),
ranked AS (
    SELECT m.*, coalesce(c.items_complete, 0) AS items_complete,
           lag(m.month) OVER (ORDER BY m.month) AS previous_month,
           lag(m.avg_completion_pct) OVER (ORDER BY m.month) AS previous_avg_completion_pct,
           lag(m.items_lagging) OVER (ORDER BY m.month) AS previous_items_lagging,
           lag(coalesce(c.items_complete, 0)) OVER (ORDER BY m.month) AS previous_items_complete
    FROM months m LEFT JOIN complete c USING (month)
)
SELECT r.*, rep.source_name, rep.source_format, rep.status, rep.rows_quarantined
FROM ranked r
LEFT JOIN (
    -- the month's report, not the corrections loaded after it (they are current too)
    SELECT * FROM reports
    WHERE region = $region AND year = $year AND superseded_by IS NULL AND status <> 'rejected'
    QUALIFY row_number() OVER (PARTITION BY month ORDER BY ingested_at, report_id) = 1
) rep ON rep.month = r.month
WHERE r.month = $month;
