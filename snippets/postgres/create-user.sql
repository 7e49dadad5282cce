-- name: create-user
-- summary: Create a login role with a password (generated when not given, and shown once)
-- targets: postgres
-- danger: destructive
-- param: name ident  Name of the new role
-- param: password secret  Its password (give ? to type it; left out, one is generated)
-- reveal: password
CREATE ROLE :"name" LOGIN PASSWORD :'password';
