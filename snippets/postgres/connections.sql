-- name: connections
-- summary: Client connections by database, user and state, against max_connections
-- targets: postgres
-- danger: read
SELECT datname AS database, usename AS user, state, count(*) AS connections,
       current_setting('max_connections')::int AS max_connections,
       round(100.0 * count(*) / current_setting('max_connections')::int, 1) AS pct_of_max
FROM pg_stat_activity
WHERE backend_type = 'client backend'
GROUP BY datname, usename, state
ORDER BY count(*) DESC, 1, 2, 3;
