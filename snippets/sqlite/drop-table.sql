-- name: drop-table
-- summary: Drop a table and everything in it (the preview counts its rows; type the table name to confirm on production)
-- targets: sqlite, d1
-- danger: destructive
-- param: table ident  The table to drop
-- confirm: table
-- preview: SELECT :'table' AS "table", count(*) AS "rows" FROM :"table"
-- refuse: SELECT 'there is no table named ' || :'table' WHERE NOT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = :'table')
DROP TABLE :"table";
