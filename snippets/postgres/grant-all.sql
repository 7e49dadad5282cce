-- name: grant-all
-- summary: Give a role every privilege on a schema's tables and sequences, and use of the schema
-- targets: postgres
-- danger: destructive
-- param: role ident  The role to grant to
-- param: schema ident = public  The schema
-- confirm: role
GRANT USAGE, CREATE ON SCHEMA :"schema" TO :"role";
GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA :"schema" TO :"role";
GRANT ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA :"schema" TO :"role";
