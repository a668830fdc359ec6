#!/usr/bin/env bash
# The long differential runs: citelock's reading of generated reports against
# the reference tools' (pandoc for Markdown). Usage: bash scripts/parity.sh [DOCS]
# (3000 by default), with a random first seed that a failure prints.
set -euo pipefail
cd "$(dirname "$0")/.."
docs=${1:-3000}
seed=${CITELOCK_PARITY_SEED:-$(( (RANDOM << 15 | RANDOM) + 1 ))}
echo "parity: $docs documents from seed $seed (replay: CITELOCK_PARITY_SEED=$seed)"
CITELOCK_PARITY_DOCS=$docs CITELOCK_PARITY_SEED=$seed \
  cargo test --locked -q --test integration parity -- --nocapture
