-- name: index-usage
-- summary: Share of scans that used an index, per table (many sequential scans on a big table: a missing index?)
-- targets: postgres
-- danger: read
-- param: limit int = 20  How many tables to show
SELECT schemaname AS schema, relname AS table, seq_scan, coalesce(idx_scan, 0) AS idx_scan,
       CASE WHEN seq_scan + coalesce(idx_scan, 0) > 0
            THEN round(100.0 * coalesce(idx_scan, 0) / (seq_scan + coalesce(idx_scan, 0)), 1)
       END AS pct_index_scans,
       n_live_tup AS live_rows
FROM pg_stat_user_tables
ORDER BY n_live_tup DESC, 1, 2
LIMIT :limit;
