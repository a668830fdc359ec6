#!/usr/bin/env bash
# The release profile's settings, measured (issue 18): each variant built
# from nothing into its own target directory, its build time, the size of
# its stripped binary, and the time of real workloads on TeX Live's
# tugboat.bib (4,839 entries, read into CSL-JSON by pandoc): `export` with
# the bundled APA and with TeX Live's chicago-author-date.csl (CSL
# rendering, collation), and `lint` (YAML reading). Best of three runs each.
# Usage: bash benches/profile.sh [VARIANT…]   (variants: profile no-lto thin-lto opt-s)
# PROFILE_TARGETS=DIR keeps the target directories (default: a temporary one).
set -euo pipefail
cd "$(dirname "$0")/.."
bib=/usr/share/texlive/texmf-dist/bibtex/bib/beebe/tugboat.bib
chicago=$(find /usr/share/texlive -name chicago-author-date.csl | head -1)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
targets=${PROFILE_TARGETS:-$d/targets}
variants=("$@")
[ ${#variants[@]} -gt 0 ] || variants=(profile no-lto thin-lto opt-s)
settings() {
  case $1 in
    profile) echo "" ;;  # Cargo.toml: lto = true (fat), codegen-units = 1, opt-level 3, strip
    no-lto) echo "CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16" ;;
    thin-lto) echo "CARGO_PROFILE_RELEASE_LTO=thin CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16" ;;
    opt-s) echo "CARGO_PROFILE_RELEASE_OPT_LEVEL=s" ;;
    *) echo "unknown variant $1" >&2; exit 2 ;;
  esac
}
best() {  # best wall time of three runs of "$@", in seconds
  local t b=""
  for _ in 1 2 3; do
    /usr/bin/time -f "%e" -o "$d/t" "$@" >/dev/null 2>&1
    t=$(cat "$d/t")
    if [ -z "$b" ] || awk "BEGIN{exit !($t < $b)}"; then b=$t; fi
  done
  echo "$b"
}
pandoc -f bibtex -t csljson "$bib" > "$d/tug.json"
echo "| variant | settings | build from nothing | stripped binary | export, bundled apa | export, chicago-author-date.csl | lint |"
echo "|---|---|---|---|---|---|---|"
for v in "${variants[@]}"; do
  vars=$(settings "$v")
  start=$(date +%s)
  env $vars cargo build --release --locked -q --target-dir "$targets/$v"
  built=$(( $(date +%s) - start ))
  bin=$targets/$v/release/citelock
  size=$(stat -c %s "$bin")
  repo=$d/repo-$v
  mkdir -p "$repo"
  "$bin" -C "$repo" -q init
  "$bin" -C "$repo" -q add --csl-json "$d/tug.json" >/dev/null 2>&1 || true
  apa=$(best "$bin" -C "$repo" export --style apa --no-cache)
  chi=$(best "$bin" -C "$repo" export --style "$chicago" --no-cache)
  lint=$(best "$bin" -C "$repo" lint)
  printf "| %s | %s | %d s | %.1f MB | %s s | %s s | %s s |\n" "$v" "${vars:-Cargo.toml}" "$built" \
    "$(echo "$size / 1000000" | bc -l)" "$apa" "$chi" "$lint"
done
