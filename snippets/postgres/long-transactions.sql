-- name: long-transactions
-- summary: Open transactions older than a threshold, oldest first (they hold back vacuum)
-- targets: postgres
-- danger: read
-- param: older_than interval = '5 minutes'  Only transactions open longer than this
SELECT pid, usename AS user, datname AS database, state,
       now() - xact_start AS transaction_age, now() - state_change AS in_state_for,
       backend_xmin, left(query, 200) AS last_query
FROM pg_stat_activity
WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid()
  AND now() - xact_start > :older_than::interval
ORDER BY xact_start;
