-- name: top-queries
-- summary: Statements that took the most total time (needs the pg_stat_statements extension)
-- targets: postgres
-- danger: read
-- param: limit int = 10  How many statements to show
-- refuse: SELECT 'pg_stat_statements is not installed here: add it to shared_preload_libraries, restart, then CREATE EXTENSION pg_stat_statements' WHERE NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_stat_statements')
SELECT left(query, 120) AS query, calls,
       round(total_exec_time::numeric, 1) AS total_ms, round(mean_exec_time::numeric, 2) AS mean_ms,
       rows, round((100 * total_exec_time / nullif(sum(total_exec_time) OVER (), 0))::numeric, 1) AS pct_of_total
FROM pg_stat_statements
ORDER BY total_exec_time DESC
LIMIT :limit;
