-- Longitudinal views over progress. Rows of a superseded report are deleted on load, so
-- progress holds exactly one report per (region, year, month). Every view keeps regions
-- apart: each window, join and group includes region.
--
-- Layouts without a completion column load completion_pct NULL: change_pct is then NULL,
-- and department_summary's avg_completion_pct and items_complete are NULL for a department
-- none of whose rows has a completion rate (unknown, not 0). is_lagging comes from the
-- completion cell (滞后), else from the 备注 column; a layout with neither marks no row.
-- period_kind says what a report covers (month, quarter, half_year, year); month is the
-- period's last month, so a year-end report is month 12 and a third-quarter report month 9.

-- progress with the project each row belongs to. Months are joined by item_key, not by
-- number, so a renumbered project keeps its history and a new project under an old number
-- starts its own. Rows without a computed key fall back to their number.
CREATE OR REPLACE VIEW progress_keyed AS
SELECT p.*,
       coalesce(k.item_key, CAST(p.item_no AS VARCHAR)) AS item_key,
       k.match AS item_match
FROM progress p
LEFT JOIN item_keys k
  ON k.region = p.region AND k.year = p.year AND k.month = p.month AND k.item_no = p.item_no;

-- Each item row per month, with the change since the project's previous reported month.
CREATE OR REPLACE VIEW item_history AS
SELECT
    region, year, month, item_no, sub_no, item_key, content,
    completion_pct, is_lagging, department, leader,
    completion_pct - lag(completion_pct) OVER w AS change_pct,
    lag(month) OVER w AS previous_month,
    lag(item_no) OVER w AS previous_item_no,
    lag(department) OVER w AS previous_department,
    completion_raw, item_match, report_id, period_kind, note
FROM progress_keyed
WINDOW w AS (PARTITION BY region, year, item_key, sub_no ORDER BY month);

-- Each item row of a year at the latest month it was reported.
CREATE OR REPLACE VIEW latest_progress AS
SELECT *
FROM progress_keyed
QUALIFY row_number() OVER (PARTITION BY region, year, item_no, sub_no ORDER BY month DESC) = 1;

-- Every row behind schedule, with how many of the region's reported months in a row
-- (ending with this one) the project's row has been behind. A month the region did not
-- report neither breaks nor extends a streak; a reported month where the row is not
-- behind, or is missing, breaks it. Gaps and islands: within a streak the region's period
-- rank and the row's count of behind months rise together.
CREATE OR REPLACE VIEW lagging_streaks AS
WITH periods AS (
    SELECT region, year, month,
           dense_rank() OVER (PARTITION BY region ORDER BY year, month) AS period_rank
    FROM (SELECT DISTINCT region, year, month FROM progress)
),
behind AS (
    SELECT h.*, r.period_rank,
           r.period_rank - row_number() OVER (
               PARTITION BY h.region, h.year, h.item_key, h.sub_no ORDER BY r.period_rank
           ) AS island
    FROM item_history h JOIN periods r USING (region, year, month)
    WHERE h.is_lagging
)
SELECT region, year, month, item_no, sub_no, department, leader, completion_pct,
       count(*) OVER s AS consecutive_months,
       min(month) OVER s AS behind_since,
       change_pct, item_key, content, completion_raw, period_rank, period_kind
FROM behind
WINDOW s AS (PARTITION BY region, year, item_key, sub_no, island ORDER BY period_rank
             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW);

-- Rows behind schedule in each region's latest reported month (latest among all its
-- reports: a latest report with no row behind lists none, not an older month's).
CREATE OR REPLACE VIEW lagging_items AS
SELECT region, year, month, item_no, sub_no, department, leader, completion_pct,
       consecutive_months, behind_since, change_pct, item_key, content, completion_raw,
       period_kind
FROM lagging_streaks
SEMI JOIN (
    SELECT region, max(year * 100 + month) AS latest FROM progress GROUP BY region
) l ON l.region = lagging_streaks.region
   AND l.latest = lagging_streaks.year * 100 + lagging_streaks.month
ORDER BY region, year, item_no, sub_no;

-- Per department and month. An item counts once per department even when it has several
-- rows there (its completion is their mean; behind if any row is; complete if all are).
CREATE OR REPLACE VIEW department_summary AS
WITH per_item AS (
    SELECT region, year, month, department, item_no,
           avg(completion_pct) AS completion_pct,
           bool_or(is_lagging) AS is_lagging,
           min(completion_pct) >= 100 AS is_complete,
           any_value(period_kind) AS period_kind
    FROM progress
    GROUP BY region, year, month, department, item_no
)
SELECT region, year, month, department,
       count(*) AS items,
       round(avg(completion_pct), 1) AS avg_completion_pct,
       count(*) FILTER (WHERE is_lagging) AS items_lagging,
       CASE WHEN count(completion_pct) > 0
            THEN count(*) FILTER (WHERE is_complete) END AS items_complete,
       min(completion_pct) AS min_completion_pct,
       string_agg('(' || item_no || ')', ' ' ORDER BY item_no) FILTER (WHERE is_lagging)
           AS lagging_item_nos,
       any_value(period_kind) AS period_kind
FROM per_item
GROUP BY region, year, month, department;
