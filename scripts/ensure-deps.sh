#!/usr/bin/env bash
# Installs the locked dependencies when node_modules is missing or older than the lockfile.
# `npm install` rather than `npm ci`: npm 11 leaves other platforms' optional packages (the
# DuckDB bindings for macOS, Windows, arm64) out of the lockfile and then refuses `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "loupe: installing dependencies"
  npm install --no-audit --no-fund --loglevel=error
fi
