"""Compares bibliographies entry by entry against citeproc-js's.

Usage: python3 compare.py REFERENCE.jsonl OURS.txt [LABEL]
REFERENCE.jsonl: one JSON string per entry (citeproc.js); OURS.txt: entries
separated by blank lines (`citelock export --to text`, `pandoc -t plain`).
Prints one JSON line: entries, identical (as a multiset), identical in the
same position, and the differences grouped by cause with an example each.
"""
import collections
import difflib
import json
import re
import sys
import unicodedata


def norm(s):
    s = unicodedata.normalize("NFC", s).replace("\u00a0", " ")
    return " ".join(s.split())


def cause(ref, ours):
    if ref.lower() == ours.lower():
        return "case"
    strip_suffix = lambda s: re.sub(r"(\d{4}|n\.d\.)(-?[a-z])\b", r"\1", s)
    if strip_suffix(ref) == strip_suffix(ours):
        return "year suffix"
    if ref.replace("\u2013", "-") == ours.replace("\u2013", "-"):
        return "dash"
    punct = lambda s: re.sub(r"[\W_]+", "", s)
    if punct(ref) == punct(ours):
        return "punctuation or spacing"
    if punct(ref).lower() == punct(ours).lower():
        return "case and punctuation"
    if "(2" in ours and ",)" in ours:
        return "empty date part"
    return "other"


def main():
    ref = [norm(json.loads(line)) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
    ours = [norm(p) for p in re.split(r"\n\s*\n", open(sys.argv[2], encoding="utf-8").read()) if p.strip()]
    ours = [p for p in ours if p not in ("References", "## References")]
    same_place = sum(1 for a, b in zip(ref, ours) if a == b)
    left = collections.Counter(ours)
    identical = 0
    unmatched = []
    for r in ref:
        if left[r] > 0:
            left[r] -= 1
            identical += 1
        else:
            unmatched.append(r)
    rest = list(left.elements())
    # Candidates by their first word (the author, mostly): comparing every
    # pair is quadratic, and slow for thousands of entries.
    by_head = collections.defaultdict(list)
    for o in rest:
        by_head[o.split(" ", 1)[0]].append(o)
    causes = collections.Counter()
    examples = {}
    for r in unmatched:
        pool = [o for o in by_head.get(r.split(" ", 1)[0], []) if left[o] > 0][:40] or rest[:40]
        best = difflib.get_close_matches(r, pool, n=1, cutoff=0.3)
        if best:
            left[best[0]] -= 1
        if not best:
            causes["missing"] += 1
            examples.setdefault("missing", [r, ""])
            continue
        if best[0] in rest:
            rest.remove(best[0])
        c = cause(r, best[0])
        causes[c] += 1
        examples.setdefault(c, [r, best[0]])
    print(json.dumps({
        "label": sys.argv[3] if len(sys.argv) > 3 else "",
        "entries": len(ref),
        "ours": len(ours),
        "identical": identical,
        "same_place": same_place,
        "causes": dict(causes.most_common()),
        "examples": examples,
    }, ensure_ascii=False))


main()
