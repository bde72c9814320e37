#!/usr/bin/env bash
# Schemathesis against the served OpenAPI document (issue 16): a server on 127.0.0.1 with a fresh
# database, every API operation exercised with a bounded number of generated
# examples, authenticated with an API token of a handler. Fails on any 5xx and on any
# answer that does not match the documented schema (status code, content type, body).
#
#   scripts/schemathesis.sh [path/to/fazhi]      (default: builds target/debug/fazhi)
#
# Bounded: ST_MAX_EXAMPLES examples per operation (default 15) and a budget of ST_TIME_LIMIT
# seconds (default 180) for the run. Installs schemathesis with pip into a private venv if it is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BIN="${1:-}"
if [[ -z "$BIN" ]]; then
  cargo build -q -p fazhi
  BIN=target/debug/fazhi
fi
MAX_EXAMPLES="${ST_MAX_EXAMPLES:-15}"
TIME_LIMIT="${ST_TIME_LIMIT:-180}"
VENV="${ST_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/fazhi-schemathesis}"
if [[ ! -x "$VENV/bin/schemathesis" ]]; then
  echo "==> pip install schemathesis (into $VENV)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q schemathesis
fi

DATA="$(mktemp -d)"
PORT="${ST_PORT:-$((20000 + RANDOM % 20000))}"
# A fresh SQLite database with a street, its administrator and a handler (`fazhi init`: seconds,
# where loading the demo takes minutes in a debug build).
export FAZHI_DATABASE_URL="sqlite://$DATA/st.db"
PASSWORD="Schemathesis-2026"
FAZHI_PASSWORD="$PASSWORD" "$BIN" init --unit-name 望江街道办事处 --level 街道 \
  --division-code 330106001 --admin-login admin >"$DATA/init.log" 2>&1
FAZHI_PASSWORD="$PASSWORD" "$BIN" user add --login handler --name 承办人 --unit 330106001 \
  --role handler >>"$DATA/init.log" 2>&1
"$BIN" serve --port "$PORT" >"$DATA/server.log" 2>&1 &
SERVER=$!
cleanup() {
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 600); do
  curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$DATA/server.log"; echo "server exited"; exit 1; }
  sleep 0.5
done
curl -fsS "$BASE/healthz" >/dev/null

# An API token of the handler: machines call the API with tokens.
TOKEN="$(curl -fsS -u "handler:$PASSWORD" -H 'content-type: application/json' \
  -d '{"name":"schemathesis"}' "$BASE/api/v1/tokens" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"

echo "==> schemathesis: $MAX_EXAMPLES examples per operation, at most ${TIME_LIMIT}s"
# --max-time is the run's budget (fuzzing repeats until it is spent); `timeout` only stops a hung
# run, which then fails.
timeout --signal=INT "$((TIME_LIMIT + 300))" "$VENV/bin/schemathesis" run "$BASE/api/openapi.json" \
  --url "$BASE" \
  --header "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "$MAX_EXAMPLES" \
  --seed 16 \
  --workers 1 \
  --max-time "$TIME_LIMIT" \
  --exclude-path "/api/v1/tokens/{id}"
