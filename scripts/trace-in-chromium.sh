#!/usr/bin/env bash
# Renders the HTML claims page of the example report in headless Chromium and
# writes screenshots at desktop (1400 px) and phone (400 px) widths, to see
# what an editor sees. Not part of CI.
# Usage: bash scripts/trace-in-chromium.sh [OUT-PREFIX]   (needs Debian's chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/citelock-claims}
command -v chromium >/dev/null || { echo "apt-get install chromium" >&2; exit 2; }
mkdir -p .citelock
cargo run --locked -q -- trace report.md --to html -o .citelock/claims.html
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
for width in 1400 400; do
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --window-size=$width,1000 --screenshot="$out-$width.png" \
    "file://$PWD/.citelock/claims.html" 2>/dev/null
  echo "screenshot: $out-$width.png"
done
