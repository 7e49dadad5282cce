-- name: dead-tuples
-- summary: Tables with the most dead rows, with when they were last vacuumed and analyzed
-- targets: postgres
-- danger: read
-- param: limit int = 20  How many tables to show
SELECT schemaname AS schema, relname AS table, n_live_tup AS live_rows, n_dead_tup AS dead_rows,
       round(100.0 * n_dead_tup / nullif(n_live_tup + n_dead_tup, 0), 1) AS pct_dead,
       last_vacuum, last_autovacuum, last_analyze, last_autoanalyze
FROM pg_stat_user_tables
ORDER BY n_dead_tup DESC, 1, 2
LIMIT :limit;
