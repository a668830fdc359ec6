//! `citelock lsp` at the scale of issue 16: a 10,000-line report with 2,000
//! citations and 200 quotations against 1,000 references whose snapshots are
//! real text files installed on this machine (under /usr/share and /usr/lib:
//! Debian's copyright files and license texts, READMEs, TeX Live's, Perl's
//! and Python's documentation; the first 1,000 UTF-8 files of at least 4 KB
//! by path, each cut at 100 KB). Claims are sentences
//! of their source with two words dropped; quotations six words of it.
//! Measures, over stdio against the release binary: time to first
//! diagnostics (cold, then warm) beside `citelock check` on the same report;
//! from an edit to its diagnostics (p50, p95 over 200 edits, the 20 ms pause
//! included); hover and completion (p50, p95 over 200 each); and resident
//! memory after the first minute of edits (60) and after a simulated hour
//! (3,600 edits, one pause a second; LSP_BENCH_EDITS changes it).
//! Run: `cargo bench --bench lsp`.

#[allow(dead_code)] // each bench uses part of it
mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{Rng, attach_text};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_citelock");

/// Real text files of at least 4 KB, in path order.
fn real_texts(n: usize) -> Vec<(String, String)> {
    let roots = ["/usr/share", "/usr/lib"];
    let mut paths = Vec::new();
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            match e.file_type() {
                Ok(t) if t.is_dir() => walk(&p, out),
                Ok(t) if t.is_file() => {
                    let wanted = name == "copyright"
                        || name.starts_with("README")
                        || name.starts_with("LICENSE")
                        || [".txt", ".md", ".rst", ".pod"].iter().any(|x| name.ends_with(x));
                    if wanted && e.metadata().is_ok_and(|m| m.len() >= 4096) {
                        out.push(p);
                    }
                }
                _ => {}
            }
        }
    }
    for r in roots {
        walk(std::path::Path::new(r), &mut paths);
    }
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        let Ok(bytes) = std::fs::read(&p) else { continue };
        let Ok(mut text) = String::from_utf8(bytes) else { continue };
        if text.len() > 100_000 {
            let mut cut = 100_000;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
        }
        out.push((p.display().to_string(), text));
        if out.len() == n {
            break;
        }
    }
    out
}

/// Lines of a text with at least eight plain words.
fn sentences(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| {
            l.split_whitespace().filter(|w| w.chars().all(char::is_alphanumeric)).map(str::to_owned).collect::<Vec<_>>()
        })
        .filter(|w| w.len() >= 8)
        .collect()
}

struct Server {
    child: Child,
    stdin: ChildStdin,
    rx: mpsc::Receiver<Value>,
    id: i64,
}

impl Server {
    fn start(root: &std::path::Path) -> Server {
        let mut child = Command::new(BIN)
            .arg("lsp")
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            loop {
                let mut len = 0;
                loop {
                    let mut line = String::new();
                    if out.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    if line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.trim().parse().unwrap();
                    }
                }
                let mut body = vec![0; len];
                out.read_exact(&mut body).unwrap();
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        let stdin = child.stdin.take().unwrap();
        let mut s = Server { child, stdin, rx, id: 0 };
        let root_uri = url::Url::from_directory_path(root).unwrap().to_string();
        s.call("initialize", json!({"processId": null, "rootUri": root_uri, "capabilities": {}}));
        s.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
        s
    }

    fn send(&mut self, v: Value) {
        let b = v.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{b}", b.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        self.id += 1;
        let id = self.id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self.rx.recv_timeout(Duration::from_secs(600)).unwrap();
            if m["id"] == id && m.get("method").is_none() {
                return m;
            }
        }
    }

    /// Waits for diagnostics of `version` (or any, for `None`).
    fn diagnostics(&mut self, version: Option<i64>) -> usize {
        loop {
            let m = self.rx.recv_timeout(Duration::from_secs(600)).unwrap();
            if m["method"] == "textDocument/publishDiagnostics" && version.is_none_or(|v| m["params"]["version"] == v) {
                return m["params"]["diagnostics"].as_array().unwrap().len();
            }
        }
    }

    fn rss_mb(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        let kb: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0.0);
        kb / 1024.0
    }
}

fn pct(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let texts = real_texts(1000);
    let n = texts.len();
    let dir = tempfile::tempdir().unwrap();
    let repo = citelock::repo::Repo::at(dir.path());
    repo.init().unwrap();
    let lib: String = texts
        .iter()
        .enumerate()
        .map(|(i, (path, _))| format!("s{i}:\n  type: web\n  title: {:?}\n  url: file://{path}\n", path))
        .collect();
    std::fs::write(dir.path().join("references/library.yml"), lib).unwrap();
    let t = Instant::now();
    for (i, (_, text)) in texts.iter().enumerate() {
        attach_text(&repo, &format!("s{i}"), text);
    }
    let mb: usize = texts.iter().map(|(_, t)| t.len()).sum::<usize>() >> 20;
    println!("{n} real texts ({mb} MB) attached in {:.1} s", t.elapsed().as_secs_f64());

    let mut rng = Rng(11);
    let own: Vec<Vec<Vec<String>>> = texts.iter().map(|(_, t)| sentences(t)).collect();
    let mut lines = Vec::with_capacity(10_000);
    let mut cited_lines = Vec::new();
    let (mut citations, mut quotations) = (0, 0);
    for i in 0..10_000 {
        let s = (i / 5) % n;
        if i % 5 != 0 || own[s].is_empty() {
            lines.push(format!("Line {i} carries the argument on in the writer's own words, citing nothing."));
            continue;
        }
        let mut words = own[s][(rng.next() as usize) % own[s].len()].clone();
        citations += 1;
        if i % 50 == 0 {
            quotations += 1;
            let quoted = words[..6].join(" ");
            lines.push(format!("As it says, \u{201c}{quoted}\u{201d} [@s{s}]."));
        } else {
            words.remove((rng.next() as usize) % words.len());
            words.remove((rng.next() as usize) % words.len());
            lines.push(format!("{} [@s{s}].", words.join(" ")));
        }
        cited_lines.push(i);
    }
    let report = lines.join("\n") + "\n";
    std::fs::write(dir.path().join("report.md"), &report).unwrap();
    println!("report: {} lines, {citations} citations, {quotations} quotations", lines.len());
    let uri = url::Url::from_file_path(dir.path().join("report.md")).unwrap().to_string();
    let open = json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": report}});

    // First diagnostics, cold (evidence indexes built and cached), then check, then warm.
    let mut server = Server::start(dir.path());
    let t = Instant::now();
    server.send(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": open}));
    let count = server.diagnostics(Some(1));
    println!("lsp first diagnostics, cold: {:.2} s ({count} diagnostics)", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let out = Command::new(BIN).args(["-q", "check", "report.md"]).current_dir(dir.path()).output().unwrap();
    let check_s = t.elapsed().as_secs_f64();
    println!("citelock check, warm: {check_s:.2} s (exit {})", out.status.code().unwrap_or(-1));
    let mut warm = Server::start(dir.path());
    let t = Instant::now();
    warm.send(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": open}));
    warm.diagnostics(Some(1));
    let first = t.elapsed().as_secs_f64();
    println!("lsp first diagnostics, warm: {first:.2} s ({:.2}× check)", first / check_s);
    drop(warm);

    // Edits: one word of a cited line changed, each waited for.
    let total: usize = std::env::var("LSP_BENCH_EDITS").ok().and_then(|v| v.parse().ok()).unwrap_or(3600);
    let mut times = Vec::new();
    let mut minute_mb = 0.0;
    for e in 0..total {
        let line = cited_lines[(rng.next() as usize) % cited_lines.len()];
        let version = e as i64 + 2;
        let word = format!("W{} ", e % 97);
        lines[line].insert_str(0, &word);
        let change = json!({"range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}},
                            "text": word});
        let t = Instant::now();
        server.send(json!({"jsonrpc": "2.0", "method": "textDocument/didChange",
            "params": {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}}));
        server.diagnostics(Some(version));
        if e < 200 {
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        if e + 1 == 60 {
            minute_mb = server.rss_mb();
        }
    }
    println!(
        "edit to diagnostics over 200 edits: p50 {:.0} ms, p95 {:.0} ms",
        pct(times.clone(), 0.5),
        pct(times, 0.95)
    );
    println!("resident memory: {minute_mb:.0} MB after 60 edits, {:.0} MB after {total}", server.rss_mb());
    for method in ["textDocument/hover", "textDocument/completion"] {
        let mut times = Vec::new();
        for _ in 0..200 {
            let line = cited_lines[(rng.next() as usize) % cited_lines.len()];
            let text = &lines[line];
            let at = text.rfind("[@").unwrap() + 2;
            let character = text[..at].encode_utf16().count();
            let t = Instant::now();
            let r = server.call(
                method,
                json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
            );
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert!(r.get("error").is_none(), "{r}");
        }
        println!("{method}: p50 {:.1} ms, p95 {:.1} ms", pct(times.clone(), 0.5), pct(times, 0.95));
    }
    server.call("shutdown", Value::Null);
    server.send(json!({"jsonrpc": "2.0", "method": "exit"}));
    let _ = server.child.wait();
}
