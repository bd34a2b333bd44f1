#!/usr/bin/env bash
# Runs every benchmark in turn (npm run bench). Each prints its figures with a baseline
# measured in the same run; docs/BENCHMARKS.md records them with these commands.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
run() {
  echo
  echo "== $*"
  npx tsx "$@"
}
run bench/ingest.bench.ts 15
run bench/logs.bench.ts 1000000
for extra in bench/analytics.bench.ts bench/demo.bench.ts bench/export.bench.ts; do
  if [ -f "$extra" ]; then run "$extra"; fi
done
