#!/bin/sh
# Runs once, when the PostgreSQL volume is new: one database and one owner per service,
# each password from .env (<SERVICE>_DB_PASSWORD). A service can reach only its own database.
set -eu
for service in ${DEALER_SERVICES:-leads orders inventory after_sales reporting}; do
  var="$(echo "$service" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
  password=$(printenv "$var") || { echo "$var is not set" >&2; exit 1; }
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
       -v name="$service" -v password="$password" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
done
