-- The analyses of docs/analysis.md, one statement each, for any SQL client that opens the
-- warehouse read-only (see docs/warehouse.md, "Opening the warehouse in a SQL client").
-- The test suite runs this file against the bundled months (tests/fixtures/months/text and
-- tests/fixtures/months/yongjia); the results quoted in docs/analysis.md are from there.

-- name: renumbered_projects
-- An item's months, joined by project: September's (46) carries August's (47).
SELECT month, item_no, item_key, completion_pct, change_pct, previous_month, previous_item_no
FROM item_history
WHERE region = '乐清市' AND item_key IN ('40', '40@9', '47') AND sub_no = 1
ORDER BY item_key, month;

-- name: numbering_warnings
-- What the validation reports said about items whose number or text changed.
SELECT source_line, check_name, message
FROM validation_issues
WHERE check_name LIKE 'item_%'
ORDER BY source_line;

-- name: latest_month_per_region
SELECT region, month, count(*) AS rows, round(avg(completion_pct), 1) AS avg_pct
FROM latest_progress
GROUP BY region, month
ORDER BY region;

-- name: behind_schedule
-- Rows behind schedule in each region's latest month, with how long they have been.
SELECT region, month, item_no, department, leader, completion_pct, change_pct,
       consecutive_months, behind_since
FROM lagging_items;

-- name: departments_by_month
SELECT department, month, items, avg_completion_pct, items_lagging, items_complete,
       lagging_item_nos
FROM department_summary
WHERE region = '乐清市' AND department IN ('市水利局', '市公安局', '市科协', '市老龄办')
ORDER BY department, month;
