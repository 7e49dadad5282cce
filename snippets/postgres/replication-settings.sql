-- name: replication-settings
-- summary: The settings logical and physical replication depend on (wal_level, slots, senders, rds.logical_replication where present)
-- targets: postgres
-- danger: read
SELECT name, setting, unit, context, short_desc AS description
FROM pg_settings
WHERE name IN ('wal_level', 'max_replication_slots', 'max_wal_senders', 'wal_keep_size',
               'max_slot_wal_keep_size', 'hot_standby', 'hot_standby_feedback',
               'wal_sender_timeout', 'max_logical_replication_workers', 'rds.logical_replication')
ORDER BY name;
