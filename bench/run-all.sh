#!/usr/bin/env bash
# Runs every benchmark in turn (npm run bench). Each prints its figures with a baseline
# measured in the same run; docs/BENCHMARKS.md records them with these commands.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
# The gateway and export benchmarks run Loupe from built JavaScript (dist/).
npx tsc -p tsconfig.json
run() {
  echo
  echo "== $*"
  npx tsx "$@"
}
run bench/ingest.bench.ts 15
run bench/logs.bench.ts 1000000
run bench/gateway.bench.ts 8
run bench/analytics.bench.ts 1000000
run bench/people-sessions-fold.bench.ts 1000000 20000
run bench/export.bench.ts 1000000
run bench/postgres-store.bench.ts 1000000 100000
run bench/dashboard.bench.ts 1000000
run bench/search-words.bench.ts 10000 9
run bench/search-words-js.bench.ts
run bench/search-postings.bench.ts 20000 5
run bench/search-postings-memory.bench.ts 50000
run bench/search-merge-memory.bench.ts 200000
run bench/budget-guard.bench.ts 2000 6000
run bench/call-metrics.bench.ts 1000000 5
run bench/overview-members.bench.ts 10000000
