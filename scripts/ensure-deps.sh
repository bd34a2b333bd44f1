#!/usr/bin/env bash
# Installs the locked dependencies when node_modules is missing or older than the lockfile.
# `npm install` rather than `npm ci`: the lockfile lists DuckDB's bindings for linux-x64 only
# (the registry it was resolved against answers 404 for the macOS, Windows and arm64 ones), and
# `npm ci` refuses a lockfile without every optional package; `npm install` adds the machine's.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "loupe: installing dependencies"
  npm install --no-audit --no-fund --loglevel=error
fi
