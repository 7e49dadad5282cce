-- name: vacuum-progress
-- summary: Running VACUUMs (manual and autovacuum) and how far each has got
-- targets: postgres
-- danger: read
SELECT p.pid, p.datname AS database, p.relid::regclass AS table, p.phase,
       p.heap_blks_total, p.heap_blks_scanned,
       round(100.0 * p.heap_blks_scanned / nullif(p.heap_blks_total, 0), 1) AS pct_scanned,
       p.index_vacuum_count, now() - a.xact_start AS running_for
FROM pg_stat_progress_vacuum p
JOIN pg_stat_activity a ON a.pid = p.pid
ORDER BY running_for DESC;
