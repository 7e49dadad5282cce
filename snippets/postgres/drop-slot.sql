-- name: drop-slot
-- summary: Drop an inactive replication slot (frees the WAL it retains; its consumer must resync)
-- targets: postgres
-- danger: destructive
-- param: slot text  Replication slot name (see replication-slots)
-- confirm: slot
-- preview: SELECT slot_name, slot_type, database, active, active_pid, pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)) AS retained_wal FROM pg_replication_slots WHERE slot_name = :'slot'
-- refuse: SELECT format('slot %s is active (used by pid %s): stop its consumer first', slot_name, active_pid) FROM pg_replication_slots WHERE slot_name = :'slot' AND active UNION ALL SELECT format('there is no replication slot named %s', :'slot') WHERE NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = :'slot')
SELECT pg_drop_replication_slot(:slot);
