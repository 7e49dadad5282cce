-- name: blocking
-- summary: Sessions waiting on locks and the sessions blocking them (pg_blocking_pids)
-- targets: postgres
-- danger: read
SELECT blocked.pid AS blocked_pid, blocked.usename AS blocked_user,
       now() - blocked.query_start AS waiting_for, left(blocked.query, 120) AS blocked_query,
       blocker.pid AS blocking_pid, blocker.usename AS blocking_user, blocker.state AS blocking_state,
       now() - blocker.xact_start AS blocking_xact_age, left(blocker.query, 120) AS blocking_query
FROM pg_stat_activity AS blocked
CROSS JOIN LATERAL unnest(pg_blocking_pids(blocked.pid)) AS b(pid)
JOIN pg_stat_activity AS blocker ON blocker.pid = b.pid
ORDER BY waiting_for DESC;
