-- name: index-cache-hit
-- summary: Cache hit ratio per index, most disk reads first
-- targets: postgres
-- danger: read
-- param: limit int = 20  How many indexes to show
SELECT schemaname AS schema, relname AS table, indexrelname AS index,
       idx_blks_hit AS hits, idx_blks_read AS reads,
       round(idx_blks_hit::numeric / nullif(idx_blks_hit + idx_blks_read, 0), 4) AS hit_ratio
FROM pg_statio_user_indexes
ORDER BY idx_blks_read DESC, 1, 2, 3
LIMIT :limit;
