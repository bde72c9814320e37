#!/usr/bin/env bash
# Crash test (issue 16): kill -9 of the server during concurrent creates and transitions, on
# SQLite and on PostgreSQL (127.0.0.1:5432); after each restart every acknowledged write must be
# there, nothing unacknowledged half there, and `fazhi audit verify` must pass.
# See scripts/crash_test.py for the checks.
#
#   scripts/crash-test.sh [path/to/fazhi]      (default: builds target/debug/fazhi)
#
# Bounded: CRASH_ROUNDS kills per database (default 3), each after at most CRASH_MAX_SECONDS
# (default 3) of load from CRASH_WORKERS clients (default 8); the whole script is stopped after
# CRASH_TIME_LIMIT seconds (default 300).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BIN="${1:-}"
if [[ -z "$BIN" ]]; then
  cargo build -q -p fazhi
  BIN=target/debug/fazhi
fi
ROUNDS="${CRASH_ROUNDS:-3}"
MAX_SECONDS="${CRASH_MAX_SECONDS:-3}"
WORKERS="${CRASH_WORKERS:-8}"
LIMIT="${CRASH_TIME_LIMIT:-300}"
for backend in sqlite postgres; do
  echo "==> crash test ($backend): $ROUNDS kill -9 runs"
  timeout "$LIMIT" python3 scripts/crash_test.py --bin "$BIN" --backend "$backend" \
    --rounds "$ROUNDS" --workers "$WORKERS" --max-seconds "$MAX_SECONDS"
done
