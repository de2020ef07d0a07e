-- Reported months of each region, latest first.
SELECT region, year, month, count(*) AS rows
FROM progress
GROUP BY region, year, month
ORDER BY year DESC, month DESC, region;
