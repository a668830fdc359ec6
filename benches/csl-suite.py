"""The CSL test suite's bibliography fixtures through citelock.

Each fixture in MODE bibliography: its INPUT (CSL-JSON) added with
`citelock add --csl-json`, its CSL rendered with `citelock export --style
FILE.csl --to html` (the items its CITATION-ITEMS cite, else all), and the
entries compared with its RESULT after whitespace between tags is dropped
(and a link citelock puts on a URL it prints, and an entry's leading and
trailing spaces).
Fixtures with CITATIONS (clusters and positions) are counted as not run.
Prints the passing fixtures' names to --list FILE when asked, and a summary.

Usage: python3 benches/csl-suite.py [FIXTURES_DIR] [--list FILE]
(release build; FIXTURES_DIR defaults to ../shared/eval/csl-test-suite/fixtures)
"""
import json
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.join(HERE, "..", "target", "release", "citelock")


def sections(text):
    return {m.group(1): m.group(2) for m in re.finditer(r">>=+ ([A-Z-]+) =+>>\n(.*?)\n<<=+ \1 =+<<", text, re.S)}


def norm(html):
    # citelock links a URL it prints in HTML (citeproc-js does not), and
    # trims an entry's leading and trailing spaces: neither is counted.
    html = re.sub(r'<a href="([^"]*)">\1</a>', r"\1", html)
    html = re.sub(r'(<div class="csl-(?:entry|right-inline)">)\s+', r"\1", html)
    html = re.sub(r"\s+</div>", "</div>", html)
    html = re.sub(r'\s+id="[^"]*"', "", html)
    html = re.sub(r'\s+data-style="[^"]*"', "", html)
    html = re.sub(r">\s+<", "><", html.strip())
    html = html.replace("&#38;", "&amp;").replace("&#x26;", "&amp;")
    return " ".join(html.split())


def body(html):
    m = re.search(r'(<div class="csl-bib-body".*</div>)\s*</body>', html, re.S)
    return m.group(1) if m else html


def run(path):
    name = os.path.basename(path)
    s = sections(open(path, encoding="utf-8").read())
    if s.get("MODE", "").strip() != "bibliography":
        return name, None
    if "CITATIONS" in s:
        return name, "not run (CITATIONS)"
    with tempfile.TemporaryDirectory() as d:
        items = json.loads(s["INPUT"])
        open(os.path.join(d, "items.json"), "w").write(json.dumps(items))
        open(os.path.join(d, "style.csl"), "w").write(s["CSL"])
        subprocess.run([BIN, "-C", d, "-q", "init"], capture_output=True)
        subprocess.run([BIN, "-C", d, "-q", "add", "--csl-json", "items.json", "--force"], capture_output=True)
        keys = []
        if "CITATION-ITEMS" in s:
            keys = [str(i["id"]) for cluster in json.loads(s["CITATION-ITEMS"]) for i in cluster]
            if any(k.isdigit() for k in keys):
                keys = []
        out = subprocess.run([BIN, "-C", d, "export", *dict.fromkeys(keys), "--style", "style.csl", "--to", "html", "--no-cache"],
                             capture_output=True, text=True)
        ours = norm(body(out.stdout))
        expected = norm(s["RESULT"])
        return name, "pass" if ours == expected else "fail"


def main():
    args = [a for a in sys.argv[1:] if a != "--list"]
    listing = None
    if "--list" in sys.argv:
        listing = sys.argv[sys.argv.index("--list") + 1]
        args.remove(listing)
    folder = args[0] if args else os.path.join(HERE, "..", "..", "shared", "eval", "csl-test-suite", "fixtures")
    files = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".txt"))
    with multiprocessing.Pool(os.cpu_count()) as pool:
        results = [r for r in pool.map(run, files) if r[1] is not None]
    passed = sorted(n for n, r in results if r == "pass")
    not_run = sum(1 for _, r in results if r and r.startswith("not run"))
    print(f"bibliography fixtures: {len(results)}, passed {len(passed)}, failed {len(results) - len(passed) - not_run}, not run {not_run}")
    if listing:
        open(listing, "w").write("\n".join(passed) + "\n")


main()
