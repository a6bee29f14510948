#!/usr/bin/env bash
# Restores a dump made by backup-database.sh into an EMPTY database, all or nothing; then start
# the server on it (pending migrations of a newer server version run at start).
#   createdb medbuddy_restored
#   DATABASE_URL=postgres://user:pass@host:5432/medbuddy_restored fhir-server/scripts/restore-database.sh medbuddy.dump
# Documents: mc mirror <folder> medbuddy/medbuddy-documents
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the empty database to restore into}"
source="${1:?usage: restore-database.sh <file.dump>}"
tables=$(psql --dbname="$DATABASE_URL" --tuples-only --no-align --command="SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" != "0" ]; then
  echo "refusing to restore: the database at DATABASE_URL is not empty ($tables tables)" >&2
  exit 1
fi
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$DATABASE_URL" "$source"
echo "restored $source"
