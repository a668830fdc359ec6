#!/usr/bin/env bash
# Bibliographies against the reference CSL processor: each library (real
# .bib files TeX Live ships, read into CSL-JSON by pandoc so every processor
# sees the same items) in each of the 15 styles TeX Live ships, rendered by
# citelock (`export --style FILE.csl --to text`), by citeproc-js (npm
# `citeproc`, the processor Zotero uses) and by pandoc (`--citeproc`),
# compared entry by entry with citeproc-js's output: identical entries,
# identical and in the same place, differences grouped by cause, and the
# time of citelock and pandoc.
# Usage: bash benches/fidelity.sh [STYLE…]   (release build; node, pandoc, texlive-bibtex-extra)
# FIDELITY_LIBRARIES="font tugboat" picks libraries (default: all three).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q
bin=$PWD/target/release/citelock
here=$PWD/benches/fidelity
[ -d "$here/node_modules/citeproc" ] || (cd "$here" && npm ci --no-audit --no-fund -q)
styles_dir=$(dirname "$(find /usr/share/texlive -name apa.csl | head -1)")
bibs=/usr/share/texlive/texmf-dist/bibtex/bib
libraries=("biblatex:$bibs/biblatex/biblatex/biblatex-examples.bib" "bibtex:$bibs/beebe/font.bib" "bibtex:$bibs/beebe/tugboat.bib")
styles=("$@")
[ ${#styles[@]} -gt 0 ] || styles=($(cd "$styles_dir" && ls *.csl | sed 's/\.csl$//'))
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
secs() { /usr/bin/time -f "%e" -o "$d/t" "$@" >/dev/null 2>&1 || true; cat "$d/t"; }
printf -- "---\nnocite: '[@*]'\n---\n" > "$d/nocite.md"
echo "| library | style | entries | citelock identical | same place | pandoc identical | citelock s | pandoc s | ratio | citelock's differences by cause |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for lib in "${libraries[@]}"; do
  format=${lib%%:*}; file=${lib#*:}; name=$(basename "$file" .bib)
  case " ${FIDELITY_LIBRARIES:-$name} " in *" $name "*) ;; *) continue ;; esac
  pandoc -f "$format" -t csljson "$file" > "$d/$name.json"
  rm -rf "$d/repo"; mkdir "$d/repo"; "$bin" -C "$d/repo" -q init
  "$bin" -C "$d/repo" -q add --csl-json "$d/$name.json" >/dev/null 2>&1 || true
  for style in "${styles[@]}"; do
    csl=$styles_dir/$style.csl
    # Both processors get the locale file citeproc.js reads (TeX Live's copy of
    # the CSL locales), so that locale versions do not count as differences.
    lang=$(grep -o 'default-locale="[^"]*"' "$csl" | head -1 | cut -d'"' -f2 || true); lang=${lang:-en-US}
    locale_file=$styles_dir/../locales/csl-locales-$lang.xml
    locale_args=(); [ -f "$locale_file" ] && locale_args=(--locale "$locale_file")
    node "$here/citeproc.js" "$d/$name.json" "$csl" > "$d/ref.jsonl" 2>/dev/null || { echo "| $name | $style | citeproc-js failed |"; continue; }
    ours_s=$(secs "$bin" -C "$d/repo" export --style "$csl" "${locale_args[@]}" --to text --no-cache -o "$d/ours.txt")
    theirs_s=$(secs pandoc --citeproc --csl "$csl" --bibliography "$d/$name.json" -t plain --wrap=none -o "$d/pandoc.txt" "$d/nocite.md")
    python3 "$here/compare.py" "$d/ref.jsonl" "$d/ours.txt" > "$d/ours.cmp"
    python3 "$here/compare.py" "$d/ref.jsonl" "$d/pandoc.txt" > "$d/pandoc.cmp"
    python3 - "$d/ours.cmp" "$d/pandoc.cmp" "$name" "$style" "$ours_s" "$theirs_s" <<'PY'
import json, sys
ours, theirs = (json.load(open(p)) for p in sys.argv[1:3])
name, style, os_, ts = sys.argv[3:7]
pct = lambda d, k: 100.0 * d[k] / max(d["entries"], 1)
causes = ", ".join(f"{k} {v}" for k, v in ours["causes"].items())
ratio = float(os_) / max(float(ts), 0.01)
print(f"| {name} | {style} | {ours['entries']} | {pct(ours, 'identical'):.1f}% | {pct(ours, 'same_place'):.1f}% | "
      f"{pct(theirs, 'identical'):.1f}% | {float(os_):.2f} | {float(ts):.2f} | {ratio:.2f} | {causes} |")
PY
    if [ -n "${FIDELITY_EXAMPLES:-}" ]; then python3 -c "import json,sys; [print('   ', k, '|', v[0][:160], '|', v[1][:160]) for k, v in json.load(open(sys.argv[1]))['examples'].items()]" "$d/ours.cmp" >&2; fi
  done
done
