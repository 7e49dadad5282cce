-- name: temp-files
-- summary: Temporary files written per database since the statistics were reset (work_mem too small?)
-- targets: postgres
-- danger: read
SELECT datname AS database, temp_files, pg_size_pretty(temp_bytes) AS temp_size, stats_reset
FROM pg_stat_database
WHERE datname IS NOT NULL
ORDER BY temp_bytes DESC;
