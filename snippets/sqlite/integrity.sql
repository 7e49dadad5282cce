-- name: integrity
-- summary: PRAGMA quick_check: "ok", or the problems found in the database file
-- targets: sqlite, d1
-- danger: read
PRAGMA quick_check;
