#!/usr/bin/env python3
"""Token-level check of `number-not-in-source` on WiCE's tokens-dev.jsonl.

Reads `citelock trace report.md --to json` from a repository that make_repo.py
built from tokens-dev.jsonl. A claim token with a digit is "flagged" when a
number citelock found not in the source overlaps it; it is "unsupported" when
WiCE's annotators marked it so. Prints precision and recall of the flags over
numeric tokens.

usage: tokens.py TOKENS.jsonl REPO --citelock PATH
"""
import argparse
import json
import re
import subprocess


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tokens")
    ap.add_argument("repo")
    ap.add_argument("--citelock", required=True)
    a = ap.parse_args()
    rows = [json.loads(line) for line in open(a.tokens, encoding="utf-8")]
    report = open(f"{a.repo}/report.md", encoding="utf-8").read()
    out = subprocess.run([a.citelock, "-C", a.repo, "trace", "report.md", "--to", "json"],
                         capture_output=True, text=True).stdout
    claims = {c["key"]: c for c in json.loads(out)["claims"] if c.get("key")}
    tp = fp = fn = tn = 0
    for r in rows:
        key = "wice-" + r["meta"]["id"]
        claim = r["claim"].strip()
        body = claim[:-1] if claim.endswith(".") else claim
        base = report.find(body + f" [@{key}]")
        if base < 0:
            continue
        bad = [(n["start"], n["end"]) for n in claims[key].get("numbers", []) if n.get("found") is False]
        at = 0
        for tok, unsupported in zip(r["claim_tokens"], r["non_supported_spans"]):
            i = body.find(tok, at)
            if i < 0:
                continue
            at = i + len(tok)
            if not re.search(r"\d", tok):
                continue
            s, e = base + i, base + i + len(tok)
            flagged = any(min(e, y) > max(s, x) for x, y in bad)
            tp += flagged and unsupported
            fp += flagged and not unsupported
            fn += (not flagged) and unsupported
            tn += (not flagged) and not unsupported
    prec = tp / max(tp + fp, 1)
    rec = tp / max(tp + fn, 1)
    print(f"numeric tokens: {tp + fp + fn + tn}; unsupported {tp + fn}; flagged {tp + fp} "
          f"(precision {prec:.3f}, recall {rec:.3f})")


if __name__ == "__main__":
    main()
