#!/usr/bin/env bash
# Makes a PostgreSQL reachable for the store tests and prints its URL on stdout (everything
# else goes to stderr). With DATABASE_URL set, that server is used as given. Otherwise the
# machine's PostgreSQL is installed (apt, as root) when missing, started when down, and a
# `loupe_test` role and database are created when absent. Quick when all of that is done.
# Usage: LOUPE_TEST_DATABASE_URL="$(bash scripts/ensure-postgres.sh)"
set -euo pipefail

say() { echo "loupe: $*" >&2; }

if [ -n "${DATABASE_URL:-}" ]; then
  echo "$DATABASE_URL"
  exit 0
fi

ROLE=loupe_test
DB=loupe_test
PORT=5432
URL="postgres://${ROLE}:${ROLE}@127.0.0.1:${PORT}/${DB}"

as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else sudo -n -u postgres bash -c "$1"; fi; }

# Fast path: the test role can already connect.
if command -v psql >/dev/null 2>&1 && PGCONNECT_TIMEOUT=2 psql "$URL" -Atqc 'SELECT 1' >/dev/null 2>&1; then
  echo "$URL"
  exit 0
fi

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  say "installing postgresql for the store tests (needs apt and root)"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-contrib >&2
fi

# The newest installed cluster; create one when the package left none.
CLUSTER="$(pg_lsclusters -h | sort -k1,1n | tail -n 1 || true)"
if [ -z "$CLUSTER" ]; then
  VERSION="$(ls /usr/lib/postgresql | sort -n | tail -n 1)"
  say "creating PostgreSQL $VERSION cluster main"
  pg_createcluster "$VERSION" main >&2
  CLUSTER="$(pg_lsclusters -h | sort -k1,1n | tail -n 1)"
fi
VERSION="$(echo "$CLUSTER" | awk '{print $1}')"
NAME="$(echo "$CLUSTER" | awk '{print $2}')"
PORT="$(echo "$CLUSTER" | awk '{print $3}')"
URL="postgres://${ROLE}:${ROLE}@127.0.0.1:${PORT}/${DB}"
if [ "$(echo "$CLUSTER" | awk '{print $4}')" != online ]; then
  say "starting PostgreSQL $VERSION/$NAME"
  pg_ctlcluster "$VERSION" "$NAME" start >&2
fi
for _ in $(seq 1 50); do
  pg_isready -q -h 127.0.0.1 -p "$PORT" && break
  sleep 0.2
done

as_postgres "psql -p $PORT -v ON_ERROR_STOP=1 -q" >&2 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${ROLE}') THEN
    CREATE ROLE ${ROLE} LOGIN PASSWORD '${ROLE}';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE ${DB} OWNER ${ROLE}' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '${DB}')\gexec
\c ${DB}
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
SQL

PGCONNECT_TIMEOUT=5 psql "$URL" -Atqc 'SELECT 1' >/dev/null
echo "$URL"
