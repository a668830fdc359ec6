"""Shared setup of the real-client tests of `citelock lsp`: a repository made
with the citelock binary (CITELOCK, default target/debug/citelock), with one
snapshot attached from a file the test writes."""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CITELOCK = os.environ.get("CITELOCK", str(ROOT / "target" / "debug" / "citelock"))

FIXTURES = ROOT / "tests" / "fixtures" / "lsp"
LIBRARY = (FIXTURES / "library.yml").read_text()

ALPHA = (FIXTURES / "alpha.txt").read_text()

# An emoji (two UTF-16 units) and CJK (one unit, three UTF-8 bytes each) before the citations.
REPORT = (
    "# Report 😀 漢字\n\n"
    "😀 漢字: \u201cthe quick brown fox jumps over the lazy dog\u201d [@alpha].\n"
    "It also claims \u201cthe slow brown fox jumps over the lazy dog\u201d [@alpha, p. 2].\n"
    "The book says \u201csomething we cannot check here\u201d [@gamma].\n"
    "🎉 See [@alpah].\n"
)


def run(repo, *args):
    return subprocess.run([CITELOCK, "-C", str(repo), *args], capture_output=True, text=True)


@pytest.fixture
def repo(tmp_path):
    assert run(tmp_path, "init").returncode == 0
    (tmp_path / "references" / "library.yml").write_text(LIBRARY)
    (tmp_path / "alpha.txt").write_text(ALPHA)
    assert run(tmp_path, "archive", "--attach", "alpha", "alpha.txt").returncode == 0
    (tmp_path / "report.md").write_text(REPORT)
    return tmp_path
