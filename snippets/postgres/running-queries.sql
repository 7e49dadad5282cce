-- name: running-queries
-- summary: Statements running now, longest first (not this session)
-- targets: postgres
-- danger: read
-- param: longer_than interval = '0 seconds'  Only statements running longer than this
SELECT pid, usename AS user, datname AS database, client_addr, state,
       now() - query_start AS running_for, wait_event_type, wait_event,
       left(query, 200) AS query
FROM pg_stat_activity
WHERE state NOT IN ('idle') AND pid <> pg_backend_pid() AND backend_type = 'client backend'
  AND now() - query_start > :longer_than::interval
ORDER BY running_for DESC;
