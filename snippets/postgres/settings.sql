-- name: settings
-- summary: Settings changed from their defaults, and where each was set
-- targets: postgres
-- danger: read
-- param: like text = '%'  Only settings whose name matches this LIKE pattern
SELECT name, setting, unit, source, sourcefile, sourceline, pending_restart
FROM pg_settings
WHERE source NOT IN ('default', 'override') AND name LIKE :like
ORDER BY name;
