-- Longitudinal views over progress. Rows of a superseded report are deleted on load, so
-- progress holds exactly one report per (region, year, month).

-- Each item row per month, with the change since the previous reported month of its year.
CREATE OR REPLACE VIEW item_history AS
SELECT
    region, year, month, item_no, sub_no, content,
    completion_pct, is_lagging, department, leader,
    completion_pct - lag(completion_pct) OVER w AS change_pct,
    lag(month) OVER w AS previous_month,
    report_id
FROM progress
WINDOW w AS (PARTITION BY region, year, item_no, sub_no ORDER BY month);

-- Each item row of a year at the latest month it was reported.
CREATE OR REPLACE VIEW latest_progress AS
SELECT *
FROM progress
QUALIFY row_number() OVER (PARTITION BY region, year, item_no, sub_no ORDER BY month DESC) = 1;

-- Rows behind schedule in each region's latest reported month, with how many reported
-- months in a row (ending with that one) they have been behind.
CREATE OR REPLACE VIEW lagging_items AS
WITH periods AS (
    SELECT region, year, month,
           dense_rank() OVER (PARTITION BY region ORDER BY year, month) AS period_rank
    FROM (SELECT DISTINCT region, year, month FROM progress)
),
latest AS (
    SELECT region, max(period_rank) AS latest_rank FROM periods GROUP BY region
),
behind AS (
    SELECT p.*, r.period_rank,
           r.period_rank - row_number() OVER (
               PARTITION BY p.region, p.year, p.item_no, p.sub_no ORDER BY r.period_rank
           ) AS streak
    FROM progress p JOIN periods r USING (region, year, month)
    WHERE p.is_lagging
),
streaks AS (
    SELECT region, year, item_no, sub_no, streak, count(*) AS consecutive_months
    FROM behind GROUP BY region, year, item_no, sub_no, streak
)
SELECT b.region, b.year, b.month, b.item_no, b.sub_no, b.department, b.leader,
       b.completion_pct, s.consecutive_months, b.content, b.completion_raw
FROM behind b
JOIN latest l ON l.region = b.region AND l.latest_rank = b.period_rank
JOIN streaks s
  ON s.region = b.region AND s.year = b.year AND s.item_no = b.item_no
 AND s.sub_no = b.sub_no AND s.streak = b.streak
ORDER BY b.region, b.year, b.item_no, b.sub_no;

-- Per department and month: items, mean completion, items behind and items complete.
CREATE OR REPLACE VIEW department_summary AS
SELECT region, year, month, department,
       count(DISTINCT item_no) AS items,
       round(avg(completion_pct), 1) AS avg_completion_pct,
       count(DISTINCT item_no) FILTER (WHERE is_lagging) AS items_lagging,
       count(DISTINCT item_no) FILTER (WHERE completion_pct >= 100) AS items_complete
FROM progress
GROUP BY region, year, month, department;
