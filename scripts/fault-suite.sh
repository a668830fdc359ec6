#!/usr/bin/env bash
# The long fault-injection run: 100 seeded SIGKILLs of `archive` (the test
# suite runs 20), then every crash point and injected ENOSPC/EIO. Prints the
# seed so a failure replays: CITELOCK_TEST_SEED=<seed> bash scripts/fault-suite.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CITELOCK_TEST_KILLS=${CITELOCK_TEST_KILLS:-100}
cargo test --locked --test integration -- --nocapture \
  sigkills crash_at_any_point injected_faults verify_runs_clean 2>&1 | grep -E "seed|kills:|test result|panicked|FAILED"
