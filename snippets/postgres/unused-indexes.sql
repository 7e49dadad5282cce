-- name: unused-indexes
-- summary: Indexes never scanned since the statistics were reset (not unique, not primary keys), largest first
-- targets: postgres
-- danger: read
SELECT s.schemaname AS schema, s.relname AS table, s.indexrelname AS index,
       pg_size_pretty(pg_relation_size(s.indexrelid)) AS size, s.idx_scan AS scans
FROM pg_stat_user_indexes s
JOIN pg_index i ON i.indexrelid = s.indexrelid
WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary
ORDER BY pg_relation_size(s.indexrelid) DESC, 1, 2, 3;
