-- name: fk-check
-- summary: Rows whose foreign keys point at nothing (PRAGMA foreign_key_check); no rows means all is well
-- targets: sqlite, d1
-- danger: read
PRAGMA foreign_key_check;
