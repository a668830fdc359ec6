"""A real editor, headless: Debian's Neovim and its built-in LSP client
(neovim.lua) against `citelock lsp`; the test reads what it saw and the files
after its rename."""

import json
import os
import pathlib
import subprocess

from conftest import CITELOCK, run

HERE = pathlib.Path(__file__).parent


def test_neovim_sees_diagnostics_hovers_completes_and_renames(repo, tmp_path_factory):
    out = tmp_path_factory.mktemp("nvim") / "out.json"
    env = dict(os.environ, CITELOCK=CITELOCK, REPO=str(repo), OUT=str(out), HOME=str(repo))
    subprocess.run(
        ["nvim", "--headless", "-u", "NONE", "-i", "NONE", "-n", "report.md", "-c", f"luafile {HERE / 'neovim.lua'}"],
        cwd=repo, env=env, timeout=180, check=True, capture_output=True,
    )
    seen = json.loads(out.read_text())
    assert seen.get("error") is None, seen
    codes = sorted(d["code"] for d in seen["diagnostics"])
    assert codes == ["no-snapshot", "quote-not-found", "quote-unverifiable", "unknown-citation"], seen
    unknown = next(d for d in seen["diagnostics"] if d["code"] == "unknown-citation")
    line = (repo / "report.md").read_text().splitlines()[unknown["lnum"]]
    # Neovim reports byte columns: the key starts where the bytes say, past the emoji.
    assert line.encode()[unknown["col"]:].startswith(b"alpah"), (line, unknown)
    assert "Alpha Page" in seen["hover"] and "Snapshot" in seen["hover"], seen["hover"]
    assert sorted(seen["completion"]) == ["alpha", "gamma"], seen
    assert seen["renamed"], seen
    report = (repo / "report.md").read_text()
    assert report.count("[@alpha-2020") == 2, report
    assert "alpha-2020:" in (repo / "references" / "library.yml").read_text()
    assert (repo / "archive" / "captures" / "alpha-2020.yml").is_file()
    assert run(repo, "verify").returncode == 0
