#!/usr/bin/env bash
# Fuzzes every parser of untrusted input for SECONDS each (default 60) with
# cargo-fuzz (`cargo install cargo-fuzz --locked`, outside the project). On
# stable Rust, RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its -Z flags. New
# inputs grow fuzz/work/<target>/ (git-ignored), seeded from fuzz/corpus/,
# which holds the committed seeds that tests/cli/fuzz_corpus.rs replays in
# CI; a crash is saved under fuzz/artifacts/<target>/ and goes into
# fuzz/corpus/<target>/ once fixed, with a regression test named after it.
# Usage: bash scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(ls fuzz_targets | sed 's/\.rs$//')
export RUSTC_BOOTSTRAP=1
for t in "${targets[@]}"; do
  echo "== $t (${seconds}s)"
  mkdir -p "work/$t"
  cargo fuzz run -O "$t" "work/$t" "corpus/$t" -- -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 2>&1 \
    | grep -a -E "^#[0-9]+.*(DONE|pulse)|Done [0-9]+ runs|ERROR|SUMMARY|panicked|crash-" | tail -4
done
