#!/usr/bin/env bash
# `npm start`: install what is missing, build, and serve gateway + API + dashboard on :4000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
npm run --silent build
mkdir -p "${LOUPE_DATA_DIR:-./data}"
exec node dist/src/main.js serve "$@"
