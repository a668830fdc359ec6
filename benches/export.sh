#!/usr/bin/env bash
# `citelock export --style apa` against `pandoc --citeproc` with the same APA
# style (TeX Live's apa.csl) on the same generated CSL-JSON items, in one go:
# cold at 1,000 / 3,000 / 10,000 entries, then warm (one entry changed, the
# render cache in place) at 10,000. Needs pandoc and TeX Live's
# citation-style-language package (in texlive-bibtex-extra) for apa.csl.
# Usage: bash benches/export.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q
bin=$PWD/target/release/citelock
csl=$(kpsewhich apa.csl 2>/dev/null || find /usr/share/texlive -name apa.csl | head -1)
[ -n "$csl" ] || { echo "apa.csl not found (apt-get install texlive-bibtex-extra)" >&2; exit 2; }
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
python3 - "$d" <<'PY'
import json, random, sys
random.seed(7)
fam = ["Smith", "Jones", "Garcia", "Müller", "Nguyen", "Kim", "Rossi", "Dubois", "Kowalski", "Silva"] + [f"Name{i}" for i in range(2000)]
giv = ["Anna", "Ben", "Chen", "Dana", "Eva", "Farid", "Gita", "Hugo", "Ines", "Jon"]
words = "study analysis model theory data system network learning evidence method review effect impact design policy".split()
def item(i):
    return {"id": f"k{i}", "type": "article-journal",
            "title": " ".join(random.choice(words) for _ in range(random.randint(4, 9))).capitalize(),
            "author": [{"family": random.choice(fam), "given": random.choice(giv)} for _ in range(random.randint(1, 4))],
            "issued": {"date-parts": [[random.randint(1990, 2024)]]},
            "container-title": f"Journal of {random.choice(words).title()}", "volume": str(random.randint(1, 60)),
            "issue": str(random.randint(1, 12)), "page": f"{random.randint(1, 500)}-{random.randint(501, 900)}",
            "DOI": f"10.1000/x{i}"}
for n in (1000, 3000, 10000):
    json.dump([item(i) for i in range(n)], open(f"{sys.argv[1]}/items{n}.json", "w"))
PY
secs() { /usr/bin/time -f "%e" -o "$d/t" "$@" > /dev/null 2>&1; cat "$d/t"; }
printf -- "---\nnocite: '[@*]'\n---\n" > "$d/nocite.md"
pandoc_apa() { echo pandoc --citeproc --csl "$csl" --bibliography "$1" -t plain -o "$d/p.txt" "$d/nocite.md"; }
printf "%-8s %-14s %-14s %-10s\n" entries citelock pandoc ratio
for n in 1000 3000 10000; do
  mkdir -p "$d/r$n" && "$bin" -C "$d/r$n" -q init && "$bin" -C "$d/r$n" -q add --csl-json "$d/items$n.json" > /dev/null 2>&1 || true
  ours=$(secs "$bin" -C "$d/r$n" export --style apa --no-cache -o "$d/o.txt")
  theirs=$(secs $(pandoc_apa "$d/items$n.json"))
  ours2=$(secs "$bin" -C "$d/r$n" export --style apa --no-cache -o "$d/o.txt")
  theirs2=$(secs $(pandoc_apa "$d/items$n.json"))
  best() { python3 -c "print(min($1, $2))"; }
  o=$(best "$ours" "$ours2"); t=$(best "$theirs" "$theirs2")
  printf "%-8s %-14s %-14s %-10s\n" "$n" "$ours,$ours2 s" "$theirs,$theirs2 s" "$(python3 -c "print(f'{$o/$t:.2f}x')")"
done
n=10000
"$bin" -C "$d/r$n" -q export --style apa -o "$d/o.txt"            # fills the render cache
sed -i '0,/^  title: /s/^  title: /  title: Revised /' "$d/r$n/references/library.yml"
warm=$(secs "$bin" -C "$d/r$n" export --style apa -o "$d/warm.txt")
"$bin" -C "$d/r$n" -q export --style apa --no-cache -o "$d/cold.txt"
cmp -s "$d/warm.txt" "$d/cold.txt" && same=identical || same=DIFFERENT
theirs=$(secs $(pandoc_apa "$d/items$n.json"))
echo "warm, one entry changed, $n entries: citelock $warm s, pandoc $theirs s ($(python3 -c "print(f'{$theirs/$warm:.1f}')")x faster); output $same to a cold render"
