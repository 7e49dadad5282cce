-- name: make-superuser
-- summary: Make a role a superuser (it can then do anything, including reading every file the server can)
-- targets: postgres
-- danger: destructive
-- param: name ident  The role
-- confirm: name
-- preview: SELECT rolname, rolsuper, rolcanlogin, rolcreaterole FROM pg_roles WHERE rolname = :'name'
-- refuse: SELECT format('there is no role named %s', :'name') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name')
ALTER ROLE :"name" SUPERUSER;
