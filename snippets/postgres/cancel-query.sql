-- name: cancel-query
-- summary: Cancel the statement a backend is running (the session stays connected)
-- targets: postgres
-- danger: destructive
-- param: pid int  Backend process id (see running-queries)
-- confirm: pid
-- preview: SELECT pid, usename, datname, state, now() - query_start AS running_for, left(query, 200) AS query FROM pg_stat_activity WHERE pid = :pid
-- refuse: SELECT format('pid %s is this opsql session', :pid::int) WHERE :pid::int = pg_backend_pid() UNION ALL SELECT format('there is no backend with pid %s', :pid::int) WHERE NOT EXISTS (SELECT FROM pg_stat_activity WHERE pid = :pid::int)
SELECT pg_cancel_backend(:pid) AS cancelled;
