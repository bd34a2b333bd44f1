#!/usr/bin/env bash
# `npm test`: install what the tests need, type-check server and dashboard, build the
# dashboard (the server tests serve it), and run every test once.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
# Browser tests drive Debian's Chromium; install it when missing (this needs apt and root).
if [ ! -x /usr/bin/chromium ]; then
  echo "loupe: installing chromium for the browser tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# The store contract suite runs on PostgreSQL too: start (or install) the machine's server,
# or use DATABASE_URL when the caller gives one.
LOUPE_TEST_DATABASE_URL="$(bash scripts/ensure-postgres.sh)"
export LOUPE_TEST_DATABASE_URL
npx tsc --noEmit -p tsconfig.json
npx tsc -p web/tsconfig.json
npx vite build --config web/vite.config.ts --logLevel warn
npx vitest run "$@"
