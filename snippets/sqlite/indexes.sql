-- name: indexes
-- summary: Indexes with their table and definition
-- targets: sqlite, d1
-- danger: read
SELECT name AS "index", tbl_name AS "table", sql
FROM sqlite_schema
WHERE type = 'index'
  AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT LIKE '\_cf\_%' ESCAPE '\'
ORDER BY tbl_name, name;
