#!/usr/bin/env bash
# npm run demo [-- --calls N ...]: builds if needed, then fills the store with demo data
# (directly when no server holds it; pass --url and --key to go through a running server).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
if [ ! -f dist/src/main.js ] || [ -n "$(find src -newer dist/src/main.js -name '*.ts' -print -quit)" ]; then
  npx tsc -p tsconfig.json
fi
exec node dist/src/main.js demo "$@"
