-- name: users
-- summary: Roles with their attributes and memberships (built-in pg_ roles left out)
-- targets: postgres
-- danger: read
SELECT r.rolname AS role, r.rolsuper AS superuser, r.rolcanlogin AS login,
       r.rolcreaterole AS create_role, r.rolcreatedb AS create_db, r.rolreplication AS replication,
       r.rolconnlimit AS conn_limit, r.rolvaliduntil AS valid_until,
       ARRAY(SELECT b.rolname FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid
             WHERE m.member = r.oid ORDER BY 1) AS member_of
FROM pg_roles r
WHERE r.rolname !~ '^pg_'
ORDER BY 1;
