#!/usr/bin/env bash
# The release binary against a generated 100,000-entry library: `lint` (load +
# lint) and a one-entry `add` with duplicate detection, wall time and peak RSS.
# Usage: bash benches/add.sh [ENTRIES]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
cargo build --release --locked -q
bin=$PWD/target/release/citelock
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
"$bin" -C "$d" -q init
ENTRIES=$n WRITE="$d/references/library.yml" cargo bench --bench library -q >/dev/null
bench=$(ls -t target/release/deps/library-* | grep -v '\.d$' | head -1)
printf '@article{fresh2025, title={A Fresh Entry}, author={Doe, Jane}, year=2025, doi={10.9999/fresh}}\n' >"$d/one.bib"
measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$d/time" "$@" >/dev/null 2>&1 || true
  read -r secs kb <"$d/time"
  printf '%-28s %6.2f s  %7.1f MB peak\n' "$label" "$secs" "$(echo "$kb/1024" | bc -l)"
}
echo "entries: $n ($(du -h "$d/references/library.yml" | cut -f1))"
measure "bare hayagriva from_yaml_str" env BARE="$d/references/library.yml" "$bench"
measure "citelock lint" "$bin" -C "$d" -q lint
cp "$d/references/library.yml" "$d/backup.yml"
measure "citelock add (1 entry)" "$bin" -C "$d" -q add --bibtex "$d/one.bib"
grep -q '^fresh2025:' "$d/references/library.yml" && echo "(the entry was added)"
measure "citelock add (duplicate)" "$bin" -C "$d" -q add --bibtex "$d/one.bib"
