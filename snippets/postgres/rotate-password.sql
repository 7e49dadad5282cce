-- name: rotate-password
-- summary: Give a role a new password (generated when not given, and shown once)
-- targets: postgres
-- danger: destructive
-- param: name ident  The role
-- param: password secret  The new password (give ? to type it; left out, one is generated)
-- reveal: password
-- refuse: SELECT format('there is no role named %s', :'name') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name')
ALTER ROLE :"name" PASSWORD :'password';
