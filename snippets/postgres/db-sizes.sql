-- name: db-sizes
-- summary: Size of each database, largest first
-- targets: postgres
-- danger: read
SELECT datname AS database, pg_size_pretty(pg_database_size(datname)) AS size
FROM pg_database
WHERE datallowconn
ORDER BY pg_database_size(datname) DESC;
