-- name: terminate-idle
-- summary: Terminate sessions idle (in transaction) for longer than a threshold; type how many to confirm
-- targets: postgres
-- danger: destructive
-- param: expect int  How many sessions you expect to terminate (the preview lists them)
-- param: idle_for interval = '10 minutes'  Idle for longer than this
-- param: which enum(in-transaction|idle|both) = in-transaction  Idle in transaction, plain idle, or both
-- confirm: expect
-- preview: SELECT pid, usename, datname, state, now() - state_change AS idle_for, left(query, 120) AS last_query FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' AND now() - state_change > :idle_for::interval AND ((:'which' IN ('in-transaction', 'both') AND state LIKE 'idle in transaction%') OR (:'which' IN ('idle', 'both') AND state = 'idle')) ORDER BY state_change
-- refuse: SELECT format('%s sessions match, not %s: check the preview and run it again', count(*), :expect::int) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' AND now() - state_change > :idle_for::interval AND ((:'which' IN ('in-transaction', 'both') AND state LIKE 'idle in transaction%') OR (:'which' IN ('idle', 'both') AND state = 'idle')) HAVING count(*) <> :expect::int
SELECT pid, usename, datname, pg_terminate_backend(pid) AS terminated
FROM pg_stat_activity
WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'
  AND now() - state_change > :'idle_for'::interval
  AND ((:'which' IN ('in-transaction', 'both') AND state LIKE 'idle in transaction%')
    OR (:'which' IN ('idle', 'both') AND state = 'idle'));
