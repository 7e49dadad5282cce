-- name: index-sizes
-- summary: Largest indexes with the table they belong to
-- targets: postgres
-- danger: read
-- param: limit int = 20  How many indexes to show
SELECT n.nspname AS schema, t.relname AS table, c.relname AS index,
       pg_size_pretty(pg_relation_size(c.oid)) AS size
FROM pg_class c
JOIN pg_index i ON i.indexrelid = c.oid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'i' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_toast'
ORDER BY pg_relation_size(c.oid) DESC, 1, 2, 3
LIMIT :limit;
