#!/usr/bin/env bash
# Evidence passages and numbers against WiCE (Kamoi et al., EMNLP 2023): the
# development split's 349 Wikipedia claims, each with the text of the page it
# cites and the sentences annotators marked as supporting it. The data stays in
# ../shared/eval/wice (WICE=DIR to point elsewhere); this builds repositories
# from it in a temp dir with its make_repo.py, scores `trace --to json` with
# its score.py, and scores numbers at token level with benches/wice/tokens.py.
# Usage: bash benches/wice.sh   (release build)
set -euo pipefail
cd "$(dirname "$0")/.."
wice=${WICE:-$PWD/../shared/eval/wice}
cargo build --release --locked -q
bin=$PWD/target/release/citelock
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
python3 "$wice/make_repo.py" "$wice/claim-dev.jsonl" "$d/claims" --citelock "$bin" >/dev/null
# Ten passages per claim, so that score.py's recall at 5 and 10 means something.
sed -i 's/^# passages = 3 /passages = 10/' "$d/claims/citelock.toml"
/usr/bin/time -f "trace of 349 claims: %e s, %M KB peak" "$bin" -C "$d/claims" -q trace report.md --to json 2>&1 >/dev/null | tail -1
python3 "$wice/score.py" "$d/claims" --citelock "$bin" | head -4
python3 "$wice/make_repo.py" "$wice/tokens-dev.jsonl" "$d/tokens" --citelock "$bin" >/dev/null
python3 benches/wice/tokens.py "$wice/tokens-dev.jsonl" "$d/tokens" --citelock "$bin"
