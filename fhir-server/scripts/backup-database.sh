#!/usr/bin/env bash
# Backs up the MedBuddy PostgreSQL database to one file (pg_dump custom format: compressed,
# consistent snapshot while the server runs, restorable with restore-database.sh).
#   DATABASE_URL=postgres://user:pass@host:5432/medbuddy fhir-server/scripts/backup-database.sh medbuddy.dump
# Documents in MinIO are backed up separately: mc mirror medbuddy/medbuddy-documents <folder>
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
target="${1:?usage: backup-database.sh <file.dump>}"
pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$target.partial"
# Only a complete dump takes the final name.
mv "$target.partial" "$target"
echo "backed up to $target"
