#!/usr/bin/env bash
# `npm test`: install what the tests need, type-check, and run every test once.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
npx tsc --noEmit -p tsconfig.json
npx vitest run "$@"
