"""`citelock lsp` driven by pytest-lsp's client (pygls), announcing the
recorded capabilities of real editors: Neovim, VS Code and Emacs."""

import asyncio
import json
import time
import sys

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from conftest import CITELOCK, REPORT, run

EDITORS = ["neovim", "visual-studio-code", "emacs"]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[CITELOCK, "lsp"]), params=EDITORS)
async def client(lsp_client: LanguageClient, request, repo):
    registrations = []

    # The recorded editors watch files on request; this client notes what is asked.
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams):
        registrations.extend(params.registrations)

    caps = client_capabilities(request.param)
    params = types.InitializeParams(capabilities=caps, root_uri=repo.as_uri())
    result = await lsp_client.initialize_session(params)
    lsp_client.repo = repo
    lsp_client.encoding = result.capabilities.position_encoding or "utf-16"
    lsp_client.registrations = registrations
    code_action = caps.text_document and caps.text_document.code_action
    support = code_action and code_action.resolve_support
    lsp_client.resolve_edits = bool(support and "edit" in support.properties)
    yield
    await lsp_client.shutdown_session()


def units(text, encoding):
    """A string's length in the negotiated position units."""
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode())
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def where(text, needle, encoding, after=0):
    """The position of `needle` in `text`, in the negotiated units."""
    i = text.index(needle) + after
    line = text.count("\n", 0, i)
    start = text.rfind("\n", 0, i) + 1
    return types.Position(line=line, character=units(text[start:i], encoding))


async def open_report(client, text=REPORT, name="report.md"):
    uri = (client.repo / name).as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=text)
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return uri


def codes(client, uri):
    return sorted(d.code for d in client.diagnostics[uri])


async def test_diagnostics_follow_incremental_edits(client: LanguageClient):
    uri = await open_report(client)
    assert codes(client, uri) == ["no-snapshot", "quote-not-found", "quote-unverifiable", "unknown-citation"]
    unknown = next(d for d in client.diagnostics[uri] if d.code == "unknown-citation")
    assert unknown.range.start == where(REPORT, "alpah", client.encoding)
    assert unknown.code_description.href.endswith("#finding-codes")
    # Fix the key past the emoji, as the editor sends it: a range in the negotiated units.
    start = where(REPORT, "alpah", client.encoding)
    end = types.Position(line=start.line, character=start.character + 5)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangePartial(range=types.Range(start=start, end=end), text="alpha")],
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert codes(client, uri) == ["no-snapshot", "quote-not-found", "quote-unverifiable"]


async def test_hover_completion_definition_references(client: LanguageClient):
    uri = await open_report(client)
    at = where(REPORT, "alpha]", client.encoding, after=2)
    doc = types.TextDocumentIdentifier(uri=uri)
    hover = await client.text_document_hover_async(types.HoverParams(text_document=doc, position=at))
    assert "Alpha Page" in hover.contents.value and "**Snapshot**" in hover.contents.value
    assert "quick brown fox" in hover.contents.value
    quote = where(REPORT, "slow", client.encoding)
    hover = await client.text_document_hover_async(types.HoverParams(text_document=doc, position=quote))
    assert "near-miss" in hover.contents.value and "quick" in hover.contents.value

    definition = await client.text_document_definition_async(types.DefinitionParams(text_document=doc, position=at))
    assert definition.uri.endswith("references/library.yml") and definition.range.start.line == 0
    refs = await client.text_document_references_async(
        types.ReferenceParams(text_document=doc, position=at, context=types.ReferenceContext(include_declaration=True))
    )
    assert len(refs) == 3

    at_key = where(REPORT, "[@gamma]", client.encoding, after=2)
    done = await client.text_document_completion_async(types.CompletionParams(text_document=doc, position=at_key))
    items = {i.label: i for i in done.items}
    assert set(items) == {"alpha", "gamma"}
    assert "no snapshot" in items["gamma"].detail and "snapshot archived" in items["alpha"].detail
    resolved = await client.completion_item_resolve_async(items["alpha"])
    text = resolved.documentation if isinstance(resolved.documentation, str) else resolved.documentation.value
    assert "Alpha Page" in text and "snapshot archived" in text


async def test_rename_applied_and_rechecked(client: LanguageClient):
    uri = await open_report(client)
    doc = types.TextDocumentIdentifier(uri=uri)
    at = where(REPORT, "alpha]", client.encoding, after=1)
    prepared = await client.text_document_prepare_rename_async(types.PrepareRenameParams(text_document=doc, position=at))
    assert prepared.placeholder == "alpha"
    edit = await client.text_document_rename_async(types.RenameParams(text_document=doc, position=at, new_name="alpha-2020"))
    apply(edit, client.encoding)
    report = (client.repo / "report.md").read_text()
    assert report.count("[@alpha-2020") == 2
    assert (client.repo / "archive" / "captures" / "alpha-2020.yml").is_file()
    checked = json.loads(run(client.repo, "--format", "json", "check", "report.md").stdout)
    found = sorted({f["code"] for f in checked["findings"]})
    assert "unknown-citation" in found  # alpah, as before
    assert all(f["data"].get("key") != "alpha-2020" for f in checked["findings"] if f["code"] == "unknown-citation")
    assert run(client.repo, "verify").returncode == 0


async def test_snapshot_attached_while_open(client: LanguageClient):
    text = "The book says \u201csomething we cannot check here\u201d [@gamma].\n"
    uri = await open_report(client, text, "book.md")
    assert codes(client, uri) == ["no-snapshot", "quote-unverifiable"]
    (client.repo / "gamma.txt").write_text("Chapter one. Here is something we cannot check here, it said.\n")
    assert run(client.repo, "archive", "--attach", "gamma", "gamma.txt").returncode == 0
    log = (client.repo / "archive" / "captures" / "gamma.yml").as_uri()
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=log, type=types.FileChangeType.Created)])
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert codes(client, uri) == []


async def test_code_lens_and_actions(client: LanguageClient):
    uri = await open_report(client)
    doc = types.TextDocumentIdentifier(uri=uri)
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(text_document=doc))
    assert lenses[0].command.title == "4 citations · 1 quotation verified · 1 near-miss · 1 unverifiable"
    line = REPORT.splitlines()[3]
    rng = types.Range(start=types.Position(line=3, character=0), end=types.Position(line=3, character=units(line, client.encoding)))
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(text_document=doc, range=rng, context=types.CodeActionContext(diagnostics=[]))
    )
    titles = [a.title for a in actions]
    assert titles == ["Use the archived wording", "Allow this `quote-not-found` here"]


CSL = (
    '{"type":"article-journal","title":"Signals over noisy lines","author":[{"family":"Okonkwo","given":"Ada"}],'
    '"container-title":"Journal of Lines","issued":{"date-parts":[[1999,3]]},"volume":"4","page":"1-9","DOI":"10.1234/abc"}'
)


@pytest.fixture
def doi_server():
    """A loopback imitation of the DOI resolver: CSL-JSON for 10.1234/abc, and
    for 10.1234/slow after three seconds."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/10.1234/slow":
                time.sleep(3)
            body = CSL.encode() if self.path in ("/10.1234/abc", "/10.1234/slow") else b""
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/vnd.citationstyles.csl+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def use_resolver(client, doi_server):
    """Points the repository's DOI lookups at the loopback resolver."""
    (client.repo / "citelock.toml").write_text(
        f'[fetch]\nallow-hosts = ["{doi_server}"]\ndoi-resolver = "http://{doi_server}/"\n'
    )


async def actions_at(client, text, name, word):
    """Opens a report and asks for the code actions at `word`: its document and the actions."""
    uri = await open_report(client, text, name)
    doc = types.TextDocumentIdentifier(uri=uri)
    at = where(text, word, client.encoding)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(text_document=doc, range=types.Range(start=at, end=at), context=types.CodeActionContext(diagnostics=[]))
    )
    return doc, actions


async def test_an_unknown_key_added_from_a_doi_in_its_paragraph(client: LanguageClient, doi_server):
    use_resolver(client, doi_server)
    text = "Noise halves the rate [@okonkwo99] (doi:10.1234/ABC).\n"
    (client.repo / "noise.md").write_text(text)
    uri = await open_report(client, text, "noise.md")
    assert codes(client, uri) == ["unknown-citation"]
    doc = types.TextDocumentIdentifier(uri=uri)
    rng = types.Range(start=where(text, "okonkwo", client.encoding), end=where(text, "okonkwo", client.encoding))
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(text_document=doc, range=rng, context=types.CodeActionContext(diagnostics=[]))
    )
    titles = [a.title for a in actions]
    offered = "Add `okonkwo99` from DOI 10.1234/abc"
    if offered not in titles:
        # Offered only to clients that resolve an action's edit.
        assert not client.resolve_edits, titles
        return
    action = next(a for a in actions if a.title == offered)
    assert action.edit is None, "nothing is looked up until the action is picked"
    resolved = await client.code_action_resolve_async(action)
    apply(resolved.edit, client.encoding)
    shown = json.loads(run(client.repo, "show", "okonkwo99", "--to", "json").stdout)
    assert shown["title"] == "Signals over noisy lines" and shown["date"] == "1999-03"
    checked = json.loads(run(client.repo, "--format", "json", "check", "noise.md").stdout)
    assert "unknown-citation" not in {f["code"] for f in checked["findings"]}
    assert run(client.repo, "lint").returncode == 0

    # A DOI the resolver does not know: an error reply that says so, and no edit.
    before = (client.repo / "references" / "library.yml").read_text()
    _, actions = await actions_at(client, "Echoes too [@echo01] (10.1234/missing).\n", "echo.md", "echo01")
    missing = next(a for a in actions if a.title == "Add `echo01` from DOI 10.1234/missing")
    with pytest.raises(Exception, match="not found"):
        await client.code_action_resolve_async(missing)
    assert (client.repo / "references" / "library.yml").read_text() == before


async def test_a_doi_lookup_does_not_hold_up_other_requests(client: LanguageClient, doi_server):
    use_resolver(client, doi_server)
    doc, actions = await actions_at(client, "Slow lines [@slow01] (doi:10.1234/slow).\n", "slow.md", "slow01")
    offered = [a for a in actions if a.title == "Add `slow01` from DOI 10.1234/slow"]
    if not offered:
        assert not client.resolve_edits
        return
    started = time.monotonic()
    lookup = asyncio.ensure_future(client.code_action_resolve_async(offered[0]))
    await asyncio.sleep(0.2)
    links = await client.text_document_document_link_async(types.DocumentLinkParams(text_document=doc))
    answered = time.monotonic() - started
    assert not lookup.done() and answered < 2, f"answered after {answered:.1f} s, while the lookup waited"
    assert links is not None
    resolved = await lookup
    assert resolved.edit is not None and time.monotonic() - started >= 3


def apply(edit, encoding):
    """Applies a WorkspaceEdit on disk, as an editor does."""
    import pathlib
    from urllib.parse import unquote, urlparse

    path = lambda uri: pathlib.Path(unquote(urlparse(uri).path))
    for change in edit.document_changes:
        if isinstance(change, types.RenameFile):
            path(change.old_uri).rename(path(change.new_uri))
            continue
        p = path(change.text_document.uri)
        text = p.read_text()
        for e in sorted(change.edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
            text = replace(text, e.range, e.new_text, encoding)
        p.write_text(text)


def replace(text, rng, new, encoding):
    def offset(pos):
        lines = text.split("\n")
        start = sum(len(l) + 1 for l in lines[: pos.line])
        line, n = lines[pos.line], 0
        for i, ch in enumerate(line):
            if n >= pos.character:
                return start + i
            n += units(ch, encoding)
        return start + len(line)

    return text[: offset(rng.start)] + new + text[offset(rng.end) :]
