-- name: cache-hit
-- summary: Buffer cache hit ratio for tables and indexes (below 0.99 on a busy OLTP database deserves a look)
-- targets: postgres
-- danger: read
SELECT 'tables' AS kind,
       round(sum(heap_blks_hit)::numeric / nullif(sum(heap_blks_hit) + sum(heap_blks_read), 0), 4) AS hit_ratio,
       sum(heap_blks_hit) AS hits, sum(heap_blks_read) AS reads
FROM pg_statio_user_tables
UNION ALL
SELECT 'indexes',
       round(sum(idx_blks_hit)::numeric / nullif(sum(idx_blks_hit) + sum(idx_blks_read), 0), 4),
       sum(idx_blks_hit), sum(idx_blks_read)
FROM pg_statio_user_indexes;
