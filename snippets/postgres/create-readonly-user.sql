-- name: create-readonly-user
-- summary: Create a login role that can read one schema of this database, now and for tables created later by you; the generated password is shown once
-- targets: postgres
-- danger: destructive
-- param: name ident  Name of the new role
-- param: schema ident = public  The schema it may read
-- param: password secret  Its password (give ? to type it; left out, one is generated)
-- reveal: password
CREATE ROLE :"name" LOGIN PASSWORD :'password';
GRANT CONNECT ON DATABASE :"DBNAME" TO :"name";
GRANT USAGE ON SCHEMA :"schema" TO :"name";
GRANT SELECT ON ALL TABLES IN SCHEMA :"schema" TO :"name";
GRANT SELECT ON ALL SEQUENCES IN SCHEMA :"schema" TO :"name";
ALTER DEFAULT PRIVILEGES IN SCHEMA :"schema" GRANT SELECT ON TABLES TO :"name";
