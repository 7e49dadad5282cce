-- name: schema
-- summary: The CREATE statement of every table, index, view and trigger
-- targets: sqlite, d1
-- danger: read
SELECT type, name, tbl_name AS "table", sql
FROM sqlite_schema
WHERE sql IS NOT NULL
  AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT LIKE '\_cf\_%' ESCAPE '\'
ORDER BY tbl_name, type DESC, name;
