#!/bin/sh
# Run once by the postgres image when its data volume is new (docker-entrypoint-initdb.d), as the
# image's superuser: create the two roles the service uses and hand the database to the owner.
#   mda_owner  owns the schema: the migrate job runs migrations and grant_app_role as it
#   mda_app    the application (web, worker, beat): owns nothing, no superuser, no CREATEROLE;
#              grant_app_role gives it DML on the tables but only SELECT and INSERT on the audit
#              tables
# The passwords come from docker/secrets (docker/generate-secrets writes them).
set -eu
secrets=${MDA_SECRETS_DIR:-/run/secrets}
owner_password=$(cat "$secrets/db_owner_password")
app_password=$(cat "$secrets/db_app_password")
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner_password="$owner_password" -v app_password="$app_password" <<'SQL'
CREATE ROLE mda_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
  PASSWORD :'owner_password';
CREATE ROLE mda_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD :'app_password';
ALTER DATABASE mda OWNER TO mda_owner;
ALTER SCHEMA public OWNER TO mda_owner;
REVOKE ALL ON DATABASE mda FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE mda TO mda_owner, mda_app;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
