-- name: tables
-- summary: Tables and views (SQLite's and D1's own internal ones left out)
-- targets: sqlite, d1
-- danger: read
SELECT name, type
FROM sqlite_schema
WHERE type IN ('table', 'view')
  AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT LIKE '\_cf\_%' ESCAPE '\'
ORDER BY name;
