-- name: wraparound
-- summary: Transaction ID age per database and how close it is to wraparound
-- targets: postgres
-- danger: read
SELECT datname AS database, age(datfrozenxid) AS xid_age,
       round(100.0 * age(datfrozenxid) / 2147483647, 2) AS pct_to_wraparound,
       current_setting('autovacuum_freeze_max_age')::bigint AS autovacuum_freeze_max_age
FROM pg_database
ORDER BY age(datfrozenxid) DESC;
