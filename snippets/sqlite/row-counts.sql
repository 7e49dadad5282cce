-- name: row-counts
-- summary: Exact number of rows in a table (a full scan: mind large tables on D1, it counts rows read)
-- targets: sqlite, d1
-- danger: read
-- param: table ident  The table to count
-- refuse: SELECT 'there is no table named ' || :'table' WHERE NOT EXISTS (SELECT 1 FROM sqlite_schema WHERE type IN ('table', 'view') AND name = :'table')
SELECT :'table' AS "table", count(*) AS "rows" FROM :"table";
