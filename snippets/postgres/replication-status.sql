-- name: replication-status
-- summary: Connected standbys and subscribers with their lag (pg_stat_replication)
-- targets: postgres
-- danger: read
SELECT pid, usename AS user, application_name, client_addr, state, sync_state,
       pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)) AS replay_lag_size,
       write_lag, flush_lag, replay_lag
FROM pg_stat_replication
ORDER BY application_name;
