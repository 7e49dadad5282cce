-- name: table-sizes
-- summary: Largest tables: table, indexes and total size, with estimated rows
-- targets: postgres
-- danger: read
-- param: limit int = 20  How many tables to show
SELECT n.nspname AS schema, c.relname AS table,
       pg_size_pretty(pg_table_size(c.oid)) AS table_size,
       pg_size_pretty(pg_indexes_size(c.oid)) AS indexes_size,
       pg_size_pretty(pg_total_relation_size(c.oid)) AS total_size,
       c.reltuples::bigint AS estimated_rows
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_toast'
ORDER BY pg_total_relation_size(c.oid) DESC, 1, 2
LIMIT :limit;
