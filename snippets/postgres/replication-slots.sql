-- name: replication-slots
-- summary: Replication slots with the WAL each one retains, most first (an inactive slot fills the disk)
-- targets: postgres
-- danger: read
SELECT slot_name, slot_type, plugin, database, active, active_pid, wal_status,
       pg_size_pretty(pg_wal_lsn_diff(
         CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END,
         restart_lsn)) AS retained_wal,
       pg_size_pretty(safe_wal_size) AS safe_wal_size
FROM pg_replication_slots
ORDER BY pg_wal_lsn_diff(
  CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END,
  restart_lsn) DESC NULLS LAST;
