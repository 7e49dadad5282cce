-- name: idle-in-transaction
-- summary: Sessions idle inside an open transaction (they hold locks and block vacuum)
-- targets: postgres
-- danger: read
-- param: idle_for interval = '0 seconds'  Only sessions idle longer than this
SELECT pid, usename AS user, datname AS database, state, client_addr,
       now() - state_change AS idle_for, now() - xact_start AS transaction_age,
       left(query, 200) AS last_query
FROM pg_stat_activity
WHERE state IN ('idle in transaction', 'idle in transaction (aborted)')
  AND now() - state_change > :idle_for::interval
ORDER BY state_change;
