//! `citelock lsp` driven over stdio by a minimal client written here (the
//! protocol's framing and JSON, nothing of citelock's): every feature, and the
//! bad input a server meets. Real editors' clients drive it in
//! tests/lsp/ (pytest-lsp, headless Neovim).

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

use super::Env;

const WAIT: Duration = Duration::from_secs(60);

/// A client: the server's stdin, and its messages as they come.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: mpsc::Receiver<Value>,
    next: i64,
    held: Vec<Value>,
}

impl Client {
    fn start(env: &Env, encodings: &[&str]) -> Client {
        Client::start_with(env, encodings, &[])
    }

    fn start_with(env: &Env, encodings: &[&str], vars: &[(&str, &str)]) -> Client {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("citelock"))
            .arg("lsp")
            .current_dir(env.root())
            .env("HOME", env.root())
            .envs(vars.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if out.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    if line == "\r\n" {
                        break;
                    }
                    // Anything on stdout that is not a header is a broken promise.
                    let (name, value) = line.split_once(": ").unwrap_or_else(|| panic!("not a header: {line:?}"));
                    assert_eq!(name, "Content-Length", "{line:?}");
                    length = Some(value.trim().parse::<usize>().unwrap());
                }
                let mut body = vec![0; length.expect("Content-Length")];
                out.read_exact(&mut body).unwrap();
                let v: Value = serde_json::from_slice(&body).expect("a JSON message");
                assert_eq!(v["jsonrpc"], "2.0");
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        let stdin = child.stdin.take();
        let mut c = Client { child, stdin, rx, next: 0, held: Vec::new() };
        let uri = uri(env, "");
        let caps = json!({"general": {"positionEncodings": encodings},
            "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
        let init = c.request("initialize", json!({"processId": null, "rootUri": uri, "capabilities": caps}));
        assert!(init["result"]["capabilities"]["hoverProvider"] == true, "{init}");
        c.notify("initialized", json!({}));
        c
    }

    fn raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    fn send(&mut self, v: Value) {
        let body = v.to_string();
        self.raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its reply, keeping what else arrives.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(|m| m["id"] == id && m.get("method").is_none())
    }

    /// The first message (held or new) that satisfies `pick`.
    fn wait(&mut self, pick: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.held.iter().position(&pick) {
            return self.held.remove(i);
        }
        loop {
            let m = self.rx.recv_timeout(WAIT).expect("the server answered in time");
            if pick(&m) {
                return m;
            }
            self.held.push(m);
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let m = self.wait(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri);
        m["params"]["diagnostics"].as_array().unwrap().clone()
    }

    fn open(&mut self, uri: &str, text: &str) -> Vec<Value> {
        let doc = json!({"uri": uri, "languageId": "markdown", "version": 1, "text": text});
        self.notify("textDocument/didOpen", json!({"textDocument": doc}));
        self.diagnostics(uri)
    }

    fn at(&mut self, method: &str, uri: &str, line: u32, character: u32) -> Value {
        self.request(method, json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}))
    }

    /// Shuts down as a client should; the exit code.
    fn stop(mut self) -> i32 {
        let r = self.request("shutdown", Value::Null);
        assert!(r.get("error").is_none(), "{r}");
        self.notify("exit", Value::Null);
        self.child.wait().unwrap().code().unwrap()
    }
}

fn uri(env: &Env, rel: &str) -> String {
    url::Url::from_file_path(env.path(rel)).unwrap().to_string().trim_end_matches('/').to_owned()
}

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics.iter().map(|d| d["code"].as_str().unwrap()).collect()
}

const LIB: &str = include_str!("../fixtures/lsp/library.yml");

const ALPHA: &str = include_str!("../fixtures/lsp/alpha.txt");

const REPORT: &str = "# Report\n\n\
As the source puts it, \u{201c}the quick brown fox jumps over the lazy dog\u{201d} [@alpha].\n\
It also claims \u{201c}the slow brown fox jumps over the lazy dog\u{201d} [@alpha, p. 2].\n\
The book says \u{201c}something we cannot check here\u{201d} [@gamma].\n\
See [@alpah].\n";

fn env() -> Env {
    let env = Env::new();
    env.write("references/library.yml", LIB);
    env.write("alpha.txt", ALPHA);
    assert_eq!(env.run(&["archive", "--attach", "alpha", "alpha.txt"]).code, 0);
    env.write("report.md", REPORT);
    env
}

#[test]
fn diagnostics_hover_completion_definition_references_links_and_lens() {
    let env = env();
    let mut c = Client::start(&env, &[]);
    let doc = uri(&env, "report.md");
    let d = c.open(&doc, REPORT);
    let found = codes(&d);
    for code in ["quote-not-found", "quote-unverifiable", "unknown-citation", "no-snapshot"] {
        assert!(found.contains(&code), "{code}: {d:?}");
    }
    let near = d.iter().find(|x| x["code"] == "quote-not-found").unwrap();
    assert_eq!(near["range"]["start"], json!({"line": 3, "character": 15}), "{near}");
    assert_eq!(near["severity"], 1);
    assert!(near["codeDescription"]["href"].as_str().unwrap().ends_with("#finding-codes"));
    assert_eq!(near["data"]["data"]["verdict"], "near-miss");
    let unknown = d.iter().find(|x| x["code"] == "unknown-citation").unwrap();
    assert!(unknown["message"].as_str().unwrap().contains("did you mean `alpha`?"), "{unknown}");

    let hover = c.at("textDocument/hover", &doc, 2, 73);
    let text = hover["result"]["contents"]["value"].as_str().unwrap();
    for part in ["**alpha**", "Alpha Page", "**Snapshot**", "captured", "**Best passage**", "quick brown fox"] {
        assert!(text.contains(part), "{part}: {text}");
    }
    let hover = c.at("textDocument/hover", &doc, 3, 20);
    let text = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(text.contains("near-miss") && text.contains("Archived:") && text.contains("quick"), "{text}");
    assert_eq!(c.at("textDocument/hover", &doc, 0, 2)["result"], Value::Null);

    let def = c.at("textDocument/definition", &doc, 2, 73);
    assert_eq!(def["result"]["uri"], uri(&env, "references/library.yml"));
    assert_eq!(def["result"]["range"]["start"], json!({"line": 0, "character": 0}));
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": doc}, "position": {"line": 2, "character": 73},
               "context": {"includeDeclaration": false}}),
    );
    assert_eq!(refs["result"].as_array().unwrap().len(), 2, "{refs}");

    let links = c.request("textDocument/documentLink", json!({"textDocument": {"uri": doc}}));
    let links = links["result"].as_array().unwrap();
    assert_eq!(links.len(), 2, "{links:?}");
    assert!(links[0]["target"].as_str().unwrap().contains("/archive/objects/sha256/"), "{links:?}");
    let lens = c.request("textDocument/codeLens", json!({"textDocument": {"uri": doc}}));
    assert_eq!(
        lens["result"][0]["command"]["title"], "4 citations · 1 quotation verified · 1 near-miss · 1 unverifiable",
        "{lens}"
    );

    // Typing `[@` on a new last line offers every key, with what it is; `[@al`, alpha alone.
    let edit = json!({"range": {"start": {"line": 6, "character": 0}, "end": {"line": 6, "character": 0}},
                      "text": "New [@"});
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": doc, "version": 2}, "contentChanges": [edit]}));
    let done = c.at("textDocument/completion", &doc, 6, 6);
    let items = done["result"]["items"].as_array().unwrap();
    let alpha = items.iter().find(|i| i["label"] == "alpha").expect("alpha offered");
    assert_eq!(alpha["textEdit"]["range"]["start"], json!({"line": 6, "character": 6}));
    assert!(alpha["detail"].as_str().unwrap().contains("snapshot archived"), "{alpha}");
    let gamma = items.iter().find(|i| i["label"] == "gamma").unwrap();
    assert!(gamma["detail"].as_str().unwrap().contains("Writer (1999) · no snapshot"), "{gamma}");
    // The chosen item's documentation: the entry in the configured style (APA here).
    let resolved = c.request("completionItem/resolve", gamma.clone());
    let doc_text = resolved["result"]["documentation"].to_string();
    assert!(doc_text.contains("Writer, G. (1999). *Gamma Book*.") && doc_text.contains("no snapshot"), "{resolved}");
    let edit =
        json!({"range": {"start": {"line": 6, "character": 6}, "end": {"line": 6, "character": 6}}, "text": "al"});
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": doc, "version": 3}, "contentChanges": [edit]}));
    let done = c.at("textDocument/completion", &doc, 6, 8);
    let labels: Vec<&str> =
        done["result"]["items"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["alpha"]);
    assert_eq!(c.stop(), 0);
}

#[test]
fn positions_count_utf16_units_or_what_the_client_offers() {
    let env = env();
    let text = "# R\n\n😀 漢字 see [@alpah] and 🎉 [@nope].\n";
    for (encodings, starts) in [(vec![], [12, 28]), (vec!["utf-8", "utf-16"], [18, 36]), (vec!["utf-32"], [11, 26])] {
        let mut c = Client::start(&env, &encodings);
        let doc = uri(&env, "r.md");
        let d = c.open(&doc, text);
        let mut got: Vec<u64> = d
            .iter()
            .filter(|x| x["code"] == "unknown-citation")
            .map(|x| x["range"]["start"]["character"].as_u64().unwrap())
            .collect();
        got.sort();
        assert_eq!(got, starts, "{encodings:?}: {d:?}");
        // Fix the first key by an incremental edit at the same units.
        let (s, e) = (starts[0] as u32, starts[0] as u32 + 5);
        let edit = json!({"range": {"start": {"line": 2, "character": s}, "end": {"line": 2, "character": e}},
                          "text": "alpha"});
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": doc, "version": 2}, "contentChanges": [edit]}),
        );
        let d = c.diagnostics(&doc);
        let unknown: Vec<&Value> = d.iter().filter(|x| x["code"] == "unknown-citation").collect();
        assert_eq!(unknown.len(), 1, "{encodings:?}: {d:?}");
        assert!(unknown[0]["message"].as_str().unwrap().contains("`nope`"));
        assert_eq!(c.stop(), 0);
    }
}

/// Applies a WorkspaceEdit's document changes to files on disk, as an editor would.
fn apply(edit: &Value) {
    for change in edit["documentChanges"].as_array().unwrap() {
        if change["kind"] == "rename" {
            let from = url::Url::parse(change["oldUri"].as_str().unwrap()).unwrap().to_file_path().unwrap();
            let to = url::Url::parse(change["newUri"].as_str().unwrap()).unwrap().to_file_path().unwrap();
            std::fs::rename(from, to).unwrap();
            continue;
        }
        if change["kind"] == "create" {
            let path = url::Url::parse(change["uri"].as_str().unwrap()).unwrap().to_file_path().unwrap();
            std::fs::write(path, "").unwrap();
            continue;
        }
        let path = url::Url::parse(change["textDocument"]["uri"].as_str().unwrap()).unwrap().to_file_path().unwrap();
        let mut text = std::fs::read_to_string(&path).unwrap_or_default();
        let mut edits: Vec<&Value> = change["edits"].as_array().unwrap().iter().collect();
        edits.sort_by_key(|e| (e["range"]["start"]["line"].as_u64(), e["range"]["start"]["character"].as_u64()));
        for e in edits.into_iter().rev() {
            let at = |p: &Value| {
                let line = p["line"].as_u64().unwrap() as usize;
                let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
                let units = p["character"].as_u64().unwrap() as usize;
                let mut n = 0;
                let rest = &text[start..];
                let mut off = rest.find('\n').unwrap_or(rest.len());
                for (i, ch) in rest.char_indices() {
                    if n >= units || ch == '\n' {
                        off = i;
                        break;
                    }
                    n += ch.len_utf16();
                }
                start + off
            };
            let (s, t) = (at(&e["range"]["start"]), at(&e["range"]["end"]));
            text.replace_range(s..t, e["newText"].as_str().unwrap());
        }
        std::fs::write(&path, text).unwrap();
    }
}

#[test]
fn code_actions_and_a_rename_applied_and_rechecked() {
    let env = env();
    let mut c = Client::start(&env, &[]);
    let doc = uri(&env, "report.md");
    c.open(&doc, REPORT);
    let actions = |c: &mut Client, line: u32| {
        let r = json!({"start": {"line": line, "character": 0}, "end": {"line": line, "character": 80}});
        c.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": doc}, "range": r, "context": {"diagnostics": []}}),
        )
    };
    let near = actions(&mut c, 3);
    let titles: Vec<&str> = near["result"].as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Use the archived wording", "Allow this `quote-not-found` here"], "{near}");
    let wording = &near["result"][0]["edit"]["documentChanges"][0]["edits"][0];
    assert_eq!(wording["newText"], "the quick brown fox jumps over the lazy dog", "{wording}");
    let allow = &near["result"][1]["edit"]["documentChanges"][0]["edits"][0];
    assert_eq!(allow["newText"], "<!-- citelock: allow quote-not-found -->\n");
    let unknown = actions(&mut c, 5);
    assert_eq!(unknown["result"][0]["title"], "Cite `alpha`", "{unknown}");
    let by_hand = actions(&mut c, 4);
    let by_hand = by_hand["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Record as checked by hand in references/verified.yml")
        .cloned()
        .unwrap_or_else(|| panic!("{by_hand}"));

    // Apply the wording and the record, then check on disk: both quotations now pass.
    apply(&near["result"][0]["edit"]);
    apply(&by_hand["edit"]);
    let (_, checked) = env.json(&["check", "report.md"]);
    let found = super::codes(&checked);
    assert!(
        !found.contains(&"quote-not-found".to_owned()) && !found.contains(&"quote-unverifiable".to_owned()),
        "{checked}"
    );
    assert!(env.read("references/verified.yml").contains("key: \"gamma\""));
    // The editor's buffer holds what it applied.
    let now = json!({"text": env.read("report.md")});
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": doc, "version": 2}, "contentChanges": [now]}));

    // Rename `alpha` from a citation: the report, the entry and the capture log follow.
    let prepared = c.at("textDocument/prepareRename", &doc, 2, 73);
    assert_eq!(prepared["result"]["placeholder"], "alpha", "{prepared}");
    let renamed = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": doc}, "position": {"line": 2, "character": 73}, "newName": "alpha-page"}),
    );
    let taken = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": doc}, "position": {"line": 2, "character": 73}, "newName": "gamma"}),
    );
    assert!(taken["error"]["message"].as_str().unwrap().contains("already a key"), "{taken}");
    assert_eq!(c.stop(), 0);
    apply(&renamed["result"]);
    assert!(env.path("archive/captures/alpha-page.yml").is_file());
    assert!(!env.path("archive/captures/alpha.yml").exists());
    let (code, checked) = env.json(&["check", "report.md"]);
    assert_eq!(super::with_code(&checked, "unknown-citation").len(), 1, "{checked}");
    assert!(env.read("report.md").contains("[@alpha-page]"), "{}", env.read("report.md"));
    assert_eq!(env.run(&["verify"]).code, 0);
    assert_eq!(code, 1, "alpah is still unknown: {checked}");
}

#[test]
fn a_snapshot_attached_while_open_turns_unverifiable_into_verified() {
    let env = env();
    let text = "The book says \u{201c}something we cannot check here\u{201d} [@gamma].\n";
    let mut c = Client::start(&env, &[]);
    // The server asks to watch references/ and archive/.
    let reg = c.wait(|m| m["method"] == "client/registerCapability");
    assert!(reg["params"].to_string().contains("archive/captures"), "{reg}");
    let doc = uri(&env, "book.md");
    let d = c.open(&doc, text);
    assert!(codes(&d).contains(&"quote-unverifiable"), "{d:?}");
    env.write("gamma.txt", "Chapter one. Here is something we cannot check here, or so it said.\n");
    assert_eq!(env.run(&["archive", "--attach", "gamma", "gamma.txt"]).code, 0);
    let changes = json!({"changes": [{"uri": uri(&env, "archive/captures/gamma.yml"), "type": 1}]});
    c.notify("workspace/didChangeWatchedFiles", changes);
    let d = c.diagnostics(&doc);
    assert!(codes(&d).is_empty(), "{d:?}");
    let lens = c.request("textDocument/codeLens", json!({"textDocument": {"uri": doc}}));
    assert_eq!(lens["result"][0]["command"]["title"], "1 citation · 1 quotation verified");
    assert_eq!(c.stop(), 0);
}

#[test]
fn without_file_events_the_next_check_sees_a_new_snapshot() {
    let env = env();
    let text = "The book says \u{201c}something we cannot check here\u{201d} [@gamma].\n";
    let mut c = Client::start(&env, &[]);
    let doc = uri(&env, "book.md");
    assert!(codes(&c.open(&doc, text)).contains(&"quote-unverifiable"));
    env.write("gamma.txt", "Chapter one. Here is something we cannot check here, or so it said.\n");
    assert_eq!(env.run(&["archive", "--attach", "gamma", "gamma.txt"]).code, 0);
    // No didChangeWatchedFiles: the server looks at the archive again at most every half second.
    std::thread::sleep(Duration::from_millis(700));
    let same = json!({"text": text});
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": doc, "version": 2}, "contentChanges": [same]}));
    assert!(codes(&c.diagnostics(&doc)).is_empty());
    assert_eq!(c.stop(), 0);
}

#[test]
fn a_references_file_broken_while_open_is_diagnosed_and_serving_goes_on() {
    let env = env();
    let mut c = Client::start(&env, &[]);
    let lib = uri(&env, "references/library.yml");
    let report = uri(&env, "report.md");
    c.open(&report, REPORT);
    assert!(c.open(&lib, LIB).is_empty());
    let broken = format!("{LIB}  - : [\n");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": lib, "version": 2}, "contentChanges": [{"text": broken}]}),
    );
    let d = c.diagnostics(&lib);
    assert_eq!(codes(&d), ["yaml-syntax"], "{d:?}");
    assert_eq!(d[0]["range"]["start"]["line"], 11, "{d:?}");
    // The report, checked against the unsaved library, now cites unknown keys; hover still answers.
    let d = c.diagnostics(&report);
    assert!(codes(&d).contains(&"unknown-citation"), "{d:?}");
    assert!(c.at("textDocument/hover", &report, 2, 73)["result"].is_object());
    assert_eq!(c.stop(), 0);
}

#[test]
fn bad_input_gets_an_error_reply_and_serving_goes_on() {
    let env = env();
    let mut c = Client::start(&env, &[]);
    // Malformed JSON: a parse error with a null id.
    c.raw(b"Content-Length: 9\r\n\r\n{not json");
    let e = c.wait(|m| m["error"]["code"] == -32700);
    assert_eq!(e["id"], Value::Null);
    // A Content-Length shorter than the body: its tail is skipped as a bad header.
    let body = json!({"jsonrpc": "2.0", "id": 99, "method": "shutdown"}).to_string();
    c.raw(format!("Content-Length: {}\r\n\r\n{body}\r\n\r\n", body.len() - 4).as_bytes());
    c.wait(|m| m["error"]["code"] == -32700);
    // Unknown method; a document never opened; a place past the end.
    assert_eq!(c.request("citelock/nothing", json!({}))["error"]["code"], -32601);
    let doc = uri(&env, "report.md");
    let unopened = c.at("textDocument/hover", &doc, 0, 0);
    assert_eq!(unopened["error"]["code"], -32602, "{unopened}");
    assert!(unopened["error"]["message"].as_str().unwrap().contains("not open"));
    c.open(&doc, REPORT);
    assert_eq!(c.at("textDocument/hover", &doc, 999, 999)["result"], Value::Null);
    assert!(c.at("textDocument/definition", &doc, 2, 9999).get("error").is_none());
    // An edit past the end lands at the end; a change older than what the server holds is ignored.
    let past = json!({"range": {"start": {"line": 99, "character": 0}, "end": {"line": 99, "character": 5}},
                      "text": "Tail [@gamma]."});
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": doc, "version": 5}, "contentChanges": [past]}));
    c.diagnostics(&doc);
    let stale = json!({"text": "[@stale-key]"});
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": doc, "version": 3}, "contentChanges": [stale]}));
    let lens = c.request("textDocument/codeLens", json!({"textDocument": {"uri": doc}}));
    assert!(lens["result"][0]["command"]["title"].as_str().unwrap().starts_with("5 citations"), "{lens}");
    // Wrong parameters: an error, not a crash.
    assert_eq!(c.request("textDocument/hover", json!({"nonsense": 1}))["error"]["code"], -32602);
    assert_eq!(c.stop(), 0);
}

#[test]
fn a_panicking_handler_answers_with_an_error_and_the_server_goes_on() {
    let env = env();
    let mut c = Client::start_with(&env, &[], &[("CITELOCK_FAIL_AT", "lsp:textDocument/codeLens")]);
    let doc = uri(&env, "report.md");
    c.open(&doc, REPORT);
    let failed = c.request("textDocument/codeLens", json!({"textDocument": {"uri": doc}}));
    assert_eq!(failed["error"]["code"], -32603, "{failed}");
    assert!(c.at("textDocument/hover", &doc, 2, 73)["result"].is_object());
    assert_eq!(c.stop(), 0);
}

#[test]
fn the_server_exits_when_the_client_goes() {
    let env = env();
    // Gone without a word: stdin closes, the server exits 1.
    let mut c = Client::start(&env, &[]);
    c.stdin = None;
    let status = wait_exit(&mut c.child);
    assert_eq!(status, Some(1));
    // `exit` without `shutdown`: 1, as the protocol says.
    let mut c = Client::start(&env, &[]);
    c.notify("exit", Value::Null);
    assert_eq!(wait_exit(&mut c.child), Some(1));
}

fn wait_exit(child: &mut Child) -> Option<i32> {
    for _ in 0..200 {
        if let Some(s) = child.try_wait().unwrap() {
            return s.code();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    None
}

#[test]
fn a_ten_megabyte_report_is_checked() {
    let env = env();
    let mut text = String::from("# Long\n\n");
    let para = "Plain prose about foxes and dogs, without any marker at all, repeated to fill the page. ";
    while text.len() < 10 << 20 {
        text.push_str(para);
        text.push('\n');
    }
    text.push_str("The end [@alpah].\n");
    let mut c = Client::start(&env, &[]);
    let doc = uri(&env, "long.md");
    let d = c.open(&doc, &text);
    assert_eq!(codes(&d), ["unknown-citation"], "{d:?}");
    let last = text.lines().count() as u64 - 1;
    assert_eq!(d[0]["range"]["start"]["line"], last);
    assert_eq!(c.stop(), 0);
}

/// The check runs on a thread of its own: a completion asked for while a
/// long report's first check runs is answered before that check's
/// diagnostics come (the message loop used to wait for the check).
#[test]
fn requests_are_answered_while_a_report_is_checked() {
    let env = env();
    let line = "The quick brown fox jumps over the lazy dog, says the page [@alpha, p. 2] and more [@nothere].\n";
    let report: String = line.repeat(4000);
    let mut c = Client::start(&env, &[]);
    let doc = uri(&env, "long.md");
    let opened = std::time::Instant::now();
    let item = json!({"uri": doc, "languageId": "markdown", "version": 1, "text": report});
    c.notify("textDocument/didOpen", json!({"textDocument": item}));
    std::thread::sleep(std::time::Duration::from_millis(300));
    c.next += 1;
    let id = c.next;
    let position = json!({"line": 0, "character": 62});
    c.send(json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/completion",
        "params": {"textDocument": {"uri": doc}, "position": position}}));
    // Messages in the order they come.
    let first = loop {
        let m = c.rx.recv_timeout(WAIT).expect("the server answered in time");
        if m["id"] == id || m["method"] == "textDocument/publishDiagnostics" {
            break m;
        }
    };
    assert_eq!(first["id"], id, "the completion came after the check's diagnostics: {first}");
    assert!(first["result"].to_string().contains("alpha"), "{first}");
    let d = c.diagnostics(&doc);
    let checked = opened.elapsed();
    assert!(checked > std::time::Duration::from_millis(500), "a check long enough to tell ({checked:?})");
    assert_eq!(d.iter().filter(|x| x["code"] == "unknown-citation").count(), 4000);
    assert_eq!(c.stop(), 0);
}
