#!/usr/bin/env bash
# Every .bib file TeX Live ships in texlive-bibtex-extra, imported by
# `citelock add --bibtex` and by pandoc (`-f bibtex -t csljson`): entries in
# the file (counted by a regular expression, independently of both readers),
# entries each imports, and what citelock reported about the rest. Then the
# time and peak memory of both on the largest file.
# Usage: bash benches/texlive-bib.sh [DIR]   (release build)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-/usr/share/texlive/texmf-dist/bibtex/bib}
cargo build --release --locked -q
bin=$PWD/target/release/citelock
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '| file | entries | citelock | %% | failed, named in findings | pandoc | %% |\n|---|---|---|---|---|---|---|\n'
total=0; ours_total=0; theirs_total=0
largest=
while read -r f; do
  entries=$(python3 -c "
import re,sys
t=open(sys.argv[1],encoding='utf-8',errors='replace').read()
print(sum(1 for m in re.finditer(r'@\s*([A-Za-z]+)\s*[{(]',t) if m.group(1).lower() not in ('string','preamble','comment')))" "$f")
  [ "$entries" -gt 0 ] || continue
  rm -rf "$work/repo"; mkdir "$work/repo"; "$bin" -C "$work/repo" -q init
  label=${f#"$dir"/}
  "$bin" -C "$work/repo" --format json add --bibtex "$f" >"$work/out.json" 2>"$work/err" || true
  if grep -q 'not UTF-8' "$work/err"; then # no encoding declared: name it, as biber's --input-encoding
    "$bin" -C "$work/repo" --format json add --bibtex "$f" --encoding latin1 >"$work/out.json" 2>"$work/err" || true
    label="$label (--encoding latin1)"
  fi
  ours=$(grep -c '^[^ #].*:$' "$work/repo/references/library.yml" || true)
  failed=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for f in d['findings'] if f['code']=='import-failed'))" "$work/out.json" 2>/dev/null || echo "?")
  theirs=$(pandoc -f bibtex -t csljson "$f" 2>/dev/null | python3 -c "import json,sys; print(len(json.load(sys.stdin)))" 2>/dev/null || echo 0)
  total=$((total + entries)); ours_total=$((ours_total + ours)); theirs_total=$((theirs_total + theirs))
  printf '| %s | %d | %d | %.1f | %s | %d | %.1f |\n' "$label" "$entries" "$ours" "$(echo "100*$ours/$entries" | bc -l)" "$failed" "$theirs" "$(echo "100*$theirs/$entries" | bc -l)"
  if [ -z "$largest" ] || [ "$(stat -c %s "$f")" -gt "$(stat -c %s "$largest")" ]; then largest=$f; fi
done < <(find "$dir" -name '*.bib' | sort)
printf '| **all** | %d | %d | %.2f | | %d | %.2f |\n' "$total" "$ours_total" "$(echo "100*$ours_total/$total" | bc -l)" "$theirs_total" "$(echo "100*$theirs_total/$total" | bc -l)"
echo
echo "largest file: ${largest#"$dir"/} ($(du -h "$largest" | cut -f1))"
rm -rf "$work/repo"; mkdir "$work/repo"; "$bin" -C "$work/repo" -q init
/usr/bin/time -f "citelock add: %e s, %M KB peak" "$bin" -C "$work/repo" -q add --bibtex "$largest" >/dev/null 2>"$work/err" || true
tail -1 "$work/err"
/usr/bin/time -f "pandoc -f bibtex -t csljson: %e s, %M KB peak" pandoc -f bibtex -t csljson "$largest" >/dev/null 2>"$work/err" || true
tail -1 "$work/err"
