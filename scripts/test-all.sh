#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the tests need, then runs
#   1. formatting and lints (cargo fmt --check, cargo clippy -D warnings),
#   2. every Rust test of the workspace (SQLite always; PostgreSQL on 127.0.0.1:5432 — the
#      PostgreSQL tests fail loudly when it is not reachable),
#   3. the browser test in headless Debian Chromium,
#   4. with FAZHI_EXTRA_CHECKS=1 only, until each has had a clean run on the merged tree:
#      schemathesis against the served OpenAPI (scripts/schemathesis.sh; bounded examples per
#      operation and a time limit) and the crash test: kill -9 during concurrent writes, on
#      SQLite and PostgreSQL (scripts/crash-test.sh; bounded rounds and a time limit).
# The authorization matrix and the fuzzing (bounded proptests) are Rust tests of step 2.
# .ci/run calls exactly this script.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need_apt+=(fonts-noto-cjk)
command -v soffice >/dev/null 2>&1 || need_apt+=(libreoffice-writer-nogui)   # DOCX layout test
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)            # PDF measurements
if ((${#need_apt[@]})); then
  echo "==> apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# PostgreSQL: the machine runs one on 127.0.0.1:5432; start it if it is installed but stopped.
if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
fi

echo "==> npm ci (tests/browser)"
(cd tests/browser && npm ci --no-audit --no-fund --silent)

echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "==> cargo test"
cargo test --workspace
echo "==> browser test"
cargo build -p fazhi
scripts/browser-test.sh target/debug/fazhi
if [[ "${FAZHI_EXTRA_CHECKS:-0}" == 1 ]]; then
  echo "==> schemathesis"
  ST_MAX_EXAMPLES="${ST_MAX_EXAMPLES:-15}" ST_TIME_LIMIT="${ST_TIME_LIMIT:-300}" \
    scripts/schemathesis.sh target/debug/fazhi
  echo "==> crash test"
  CRASH_ROUNDS="${CRASH_ROUNDS:-3}" CRASH_TIME_LIMIT="${CRASH_TIME_LIMIT:-300}" \
    scripts/crash-test.sh target/debug/fazhi
else
  echo "==> schemathesis and crash test skipped (FAZHI_EXTRA_CHECKS=1 runs them)"
fi
echo "==> all tests passed"
