//! `citelock links` against loopback servers: verdicts, manners (retries,
//! Retry-After, per-host limits), outages, the cache, confirmation over runs,
//! drift and quote drift, fallbacks, and the CI outputs.

use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::server::{Server, redirect, respond};
use super::{Env, codes, with_code};

/// A library of web entries, one per (key, url).
fn library(entries: &[(&str, String)]) -> String {
    entries.iter().map(|(k, u)| format!("{k}:\n  type: web\n  title: Page {k}\n  url: '{u}'\n")).collect()
}

/// An initialised repository whose config allows loopback.
fn env_with(entries: &[(&str, String)]) -> Env {
    let env = Env::new();
    env.write("references/library.yml", &library(entries));
    env.write("citelock.toml", "[fetch]\nallow-private = true\n");
    env
}

/// `links --format json` with fast settings; more args appended.
fn links(env: &Env, more: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec!["links", "--retry-wait-time", "10ms", "--host-request-interval", "0ms"];
    args.extend_from_slice(more);
    env.json(&args)
}

fn html(s: &mut TcpStream, body: &str) {
    respond(s, "200 OK", &[("Content-Type", "text/html; charset=utf-8")], body.as_bytes());
}

#[test]
fn verdicts_each_at_its_entry() {
    let s = Server::on("127.0.0.1", |method, path, s| match path {
        "/ok" => html(s, "<p>fine</p>"),
        "/gone" => respond(s, "404 Not Found", &[], b"no"),
        "/moved" => redirect(s, "/hop1"),
        "/hop1" => redirect(s, "/hop2"),
        "/hop2" => redirect(s, "/ok"),
        "/cloudflare" => respond(s, "503 Service Unavailable", &[], b"<title>Just a moment...</title>"),
        "/challenge" => respond(s, "403 Forbidden", &[], b"<title>Just a moment...</title>"),
        "/no-head" if method == "HEAD" => respond(s, "405 Method Not Allowed", &[], b""),
        "/no-head" => html(s, "<p>only GET</p>"),
        _ => respond(s, "500 Internal Server Error", &[], b""),
    });
    let keys = ["ok", "gone", "moved", "challenge", "no-head", "broken", "cloudflare"];
    let entries: Vec<(&str, String)> = keys.iter().map(|k| (*k, s.url(&format!("/{k}")))).collect();
    let env = env_with(&entries);
    let (code, doc) = links(&env, &["--max-retries", "1"]);
    assert_eq!(code, 1, "{doc}");
    let line_of = |key: &str| 1 + 4 * keys.iter().position(|k| *k == key).unwrap() as u64;
    let one = |code: &str| {
        let f = with_code(&doc, code);
        assert_eq!(f.len(), 1 + usize::from(code == "dead-link" || code == "blocked"), "{code}: {doc}");
        f
    };
    let dead = one("dead-link");
    assert_eq!((dead[0]["data"]["key"].as_str(), dead[0]["data"]["status"].as_u64()), (Some("gone"), Some(404)));
    assert_eq!(dead[0]["line"].as_u64(), Some(line_of("gone")));
    assert_eq!(dead[0]["file"], "references/library.yml");
    assert_eq!((dead[1]["data"]["key"].as_str(), dead[1]["data"]["status"].as_u64()), (Some("broken"), Some(500)));
    assert!(dead[0]["help"].as_str().unwrap().contains("no archived copy"), "{doc}");
    let moved = one("redirected");
    assert_eq!(moved[0]["data"]["final-url"].as_str(), Some(s.url("/ok").as_str()));
    assert_eq!(moved[0]["severity"], "info");
    let blocked = one("blocked");
    assert_eq!(
        (blocked[0]["data"]["key"].as_str(), blocked[0]["severity"].as_str()),
        (Some("challenge"), Some("warning"))
    );
    let cloudflare = (blocked[1]["data"]["key"].as_str(), blocked[1]["data"]["status"].as_u64());
    assert_eq!(cloudflare, (Some("cloudflare"), Some(503)), "a challenge page is blocked, not dead");
    assert_eq!(codes(&doc).len(), 5, "ok and no-head (HEAD refused, GET fine) are fine: {doc}");
}

#[test]
fn retry_after_is_honoured_and_capped() {
    let times = Arc::new(Mutex::new(Vec::new()));
    let t = times.clone();
    let s = Server::start(move |path, s| match path {
        "/busy" => {
            let mut t = t.lock().unwrap();
            t.push(Instant::now());
            if t.len() < 3 {
                respond(s, "429 Too Many Requests", &[("Retry-After", "2")], b"");
            } else {
                html(s, "<p>at last</p>");
            }
        }
        _ => respond(s, "429 Too Many Requests", &[("Retry-After", "99999999")], b""),
    });
    let env = env_with(&[("busy", s.url("/busy")), ("never", s.url("/never"))]);
    let start = Instant::now();
    let (code, doc) = links(&env, &["--method", "get"]);
    assert!(start.elapsed() < Duration::from_secs(20), "no long sleep: {:?}", start.elapsed());
    assert_eq!(code, 0, "{doc}");
    let t = times.lock().unwrap();
    assert_eq!(t.len(), 3, "two 429s, then 200");
    assert!(t.windows(2).all(|w| w[1] - w[0] >= Duration::from_secs(2)), "waited as asked: {t:?}");
    let limited = with_code(&doc, "rate-limited");
    assert_eq!(limited.len(), 1, "{doc}");
    assert_eq!(
        (limited[0]["data"]["key"].as_str(), limited[0]["data"]["retry-after"].as_u64()),
        (Some("never"), Some(99_999_999))
    );
    assert_eq!(codes(&doc).len(), 1, "{doc}");
}

#[test]
fn a_silent_host_times_out_within_the_timeout() {
    let s = Server::start(|_, _| std::thread::sleep(Duration::from_secs(30)));
    let env = env_with(&[("silent", s.url("/x"))]);
    let start = Instant::now();
    let (code, doc) = links(&env, &["--timeout", "1s", "--max-retries", "1"]);
    assert!(start.elapsed() < Duration::from_secs(8), "{:?}", start.elapsed());
    assert_eq!(code, 1, "{doc}");
    assert_eq!(with_code(&doc, "link-timeout").len(), 1, "{doc}");
}

#[test]
fn every_host_down_is_an_outage_not_dead_links() {
    // Ports that were just free: nothing listens there.
    let closed: Vec<String> = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
        .iter()
        .map(|ip| {
            let l = std::net::TcpListener::bind((*ip, 0)).unwrap();
            format!("http://{ip}:{}/page", l.local_addr().unwrap().port())
        })
        .collect();
    let entries: Vec<(&str, String)> = ["a", "b", "c"].into_iter().zip(closed).collect();
    let env = env_with(&entries);
    let (code, doc) = links(&env, &["--max-retries", "0"]);
    assert_eq!(code, 2, "{doc}");
    assert_eq!(codes(&doc), ["network-unavailable"], "{doc}");
    assert!(!env.path(".citelock/cache/links.json").exists(), "an outage teaches the cache nothing");
}

#[test]
fn a_canary_that_fails_stops_the_run() {
    let s = Server::start(|_, _| panic!("no link is checked when the canary fails"));
    let l = std::net::TcpListener::bind("127.0.0.2:0").unwrap();
    let canary = format!("http://127.0.0.2:{}/", l.local_addr().unwrap().port());
    drop(l);
    let env = env_with(&[("a", s.url("/a"))]);
    env.write("citelock.toml", &format!("[fetch]\nallow-private = true\n[links]\ncanary = \"{canary}\"\n"));
    let (code, doc) = links(&env, &[]);
    assert_eq!((code, codes(&doc)), (2, vec!["network-unavailable".to_owned()]), "{doc}");
    assert_eq!(s.connections(), 0);
}

#[test]
fn one_host_down_among_live_ones_is_a_dead_link() {
    let s = Server::start(|_, s| html(s, "<p>up</p>"));
    let l = std::net::TcpListener::bind("127.0.0.2:0").unwrap();
    let down = format!("http://127.0.0.2:{}/x", l.local_addr().unwrap().port());
    drop(l);
    let env = env_with(&[("up", s.url("/a")), ("down", down)]);
    let (code, doc) = links(&env, &["--max-retries", "0"]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(with_code(&doc, "dead-link")[0]["data"]["reason"], "connect", "{doc}");
}

#[test]
fn per_host_concurrency_is_never_exceeded() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    // Counted by the handler, which stops counting a request before it answers: a client
    // cannot start a fourth request until one of three has been answered.
    let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (n, m) = (now.clone(), most.clone());
    let s = Server::start(move |_, s| {
        m.fetch_max(n.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(150));
        n.fetch_sub(1, Ordering::SeqCst);
        html(s, "<p>slow</p>");
    });
    let entries: Vec<(String, String)> = (0..12).map(|i| (format!("k{i}"), s.url(&format!("/{i}")))).collect();
    let entries: Vec<(&str, String)> = entries.iter().map(|(k, u)| (k.as_str(), u.clone())).collect();
    let env = env_with(&entries);
    let (code, doc) = links(&env, &["--host-concurrency", "3", "--max-concurrency", "64"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(most.load(Ordering::SeqCst), 3, "three at once, never more");
}

#[test]
fn a_host_request_interval_spaces_requests() {
    let times = Arc::new(Mutex::new(Vec::new()));
    let t = times.clone();
    let s = Server::start(move |_, s| {
        t.lock().unwrap().push(Instant::now());
        html(s, "<p>x</p>");
    });
    let entries: Vec<(String, String)> = (0..5).map(|i| (format!("k{i}"), s.url(&format!("/{i}")))).collect();
    let entries: Vec<(&str, String)> = entries.iter().map(|(k, u)| (k.as_str(), u.clone())).collect();
    let env = env_with(&entries);
    let r = env.run(&["links", "--host-request-interval", "200ms"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut t = times.lock().unwrap().clone();
    t.sort();
    assert_eq!(t.len(), 5);
    assert!(t.windows(2).all(|w| w[1] - w[0] >= Duration::from_millis(180)), "{t:?}");
}

#[test]
fn tls_needs_the_ca_file() {
    let (ca_pem, cert, key) = super::tls::pki();
    let port = super::tls::serve(cert, key);
    let env = env_with(&[("s", format!("https://127.0.0.1:{port}/s"))]);
    env.write("ca.pem", &ca_pem);
    let (code, doc) = links(&env, &["--max-retries", "0", "--no-cache"]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(with_code(&doc, "dead-link")[0]["data"]["reason"], "tls", "{doc}");
    let (code, doc) = links(&env, &["--ca-file", "ca.pem", "--no-cache"]);
    assert_eq!((code, codes(&doc).len()), (0, 0), "{doc}");
}

#[test]
fn the_cache_skips_fresh_successes() {
    let s = Server::start(|_, s| html(s, "<p>x</p>"));
    let env = env_with(&[("a", s.url("/a"))]);
    assert_eq!(links(&env, &[]).0, 0);
    let after_first = s.connections();
    assert!(after_first >= 1);
    let r = env.run(&["links"]);
    assert_eq!(s.connections(), after_first, "a fresh success is not asked again");
    assert!(r.stderr.contains("1 alive in the cache"), "{}", r.stderr);
    assert_eq!(links(&env, &["--max-cache-age", "0s"]).0, 0);
    assert!(s.connections() > after_first, "an expired success is asked again");
    let n = s.connections();
    assert_eq!(links(&env, &["--no-cache"]).0, 0);
    assert!(s.connections() > n);
}

#[test]
fn a_dead_link_is_confirmed_over_runs_and_can_be_acknowledged() {
    let s = Server::start(|_, s| respond(s, "404 Not Found", &[], b""));
    let env = env_with(&[("gone", s.url("/gone"))]);
    let confirm = ["--confirm-dead", "2", "--confirm-interval", "0s"];
    let (code, doc) = links(&env, &confirm);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(codes(&doc), ["link-failing"], "{doc}");
    let (code, doc) = links(&env, &confirm);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(codes(&doc), ["dead-link"], "{doc}");
    // Acknowledging needs a snapshot to stand in.
    let r = env.run(&["links", "--acknowledge", "gone"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no snapshot"), "{}", r.stderr);
    env.write("copy.html", "<p>the page as it was</p>");
    assert_eq!(env.run(&["archive", "--attach", "gone", "copy.html", "--source", "a saved copy"]).code, 0);
    let r = env.run(&["links", "--acknowledge", "gone"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(env.read("archive/captures/gone.yml").contains("acknowledged-dead: "), "recorded in the log");
    let (code, doc) = links(&env, &[]);
    assert_eq!(code, 0, "{doc}");
    let f = with_code(&doc, "dead-link-archived");
    assert_eq!(f.len(), 1, "{doc}");
    assert!(f[0]["data"]["archived"]["path"].as_str().unwrap().starts_with("archive/objects/"), "{doc}");
    assert_eq!(env.json(&["verify"]).0, 0, "the log still verifies");
}

/// A page whose text the test can change between runs.
fn page_server(text: Arc<Mutex<String>>) -> Server {
    Server::start(move |_, s| {
        let body = format!("<html><body><p>{}</p></body></html>", text.lock().unwrap());
        html(s, &body)
    })
}

const PAGE: &str = "The harbour master kept a ledger of every ship that entered the port, with its cargo, \
its crew and the weather on the day it arrived. Over forty years the ledger grew to eleven volumes, and \
historians now read it for the prices of grain and salt as much as for the ships.";

#[test]
fn drift_small_large_and_in_a_quotation() {
    let text = Arc::new(Mutex::new(PAGE.to_owned()));
    let s = page_server(text.clone());
    let env = env_with(&[("ledger", s.url("/ledger"))]);
    assert_eq!(env.run(&["archive"]).code, 0);
    env.write(
        "report.md",
        "Prices were recorded: \u{201c}for the prices of grain and salt as much as for the ships\u{201d} [@ledger].\n",
    );
    let run = |env: &Env| links(env, &["--no-cache", "--drift-threshold", "0", "--reports", "report.md"]);
    let (code, doc) = run(&env);
    assert_eq!((code, codes(&doc).len()), (0, 0), "unchanged: {doc}");

    *text.lock().unwrap() = PAGE.replace("eleven volumes", "twelve volumes");
    let (code, doc) = run(&env);
    assert_eq!(code, 0, "{doc}");
    let small = with_code(&doc, "content-drift");
    assert_eq!(small.len(), 1, "{doc}");
    let small_pct = small[0]["data"]["drift-percent"].as_f64().unwrap();
    assert!(small_pct > 0.0 && small_pct < 25.0, "{doc}");
    assert!(small[0]["help"].as_str().unwrap().contains("archived copy: archive/objects/"), "{doc}");
    assert!(with_code(&doc, "quote-drift").is_empty(), "the quoted passage is still there: {doc}");

    *text.lock().unwrap() = PAGE.replace(" for the prices of grain and salt as much as", "");
    let (_, doc) = run(&env);
    let q = with_code(&doc, "quote-drift");
    assert_eq!(q.len(), 1, "{doc}");
    assert_eq!((q[0]["file"].as_str(), q[0]["line"].as_u64()), (Some("report.md"), Some(1)));
    assert_eq!(q[0]["related"][0]["file"], "references/library.yml");

    *text.lock().unwrap() = "An entirely different page about something else now, with new words.".into();
    let (_, doc) = run(&env);
    let large = with_code(&doc, "content-drift")[0]["data"]["drift-percent"].as_f64().unwrap();
    assert!(large > 90.0 && large > small_pct, "{doc}");
    *text.lock().unwrap() = PAGE.replace("eleven volumes", "twelve volumes");
    let (_, doc) = links(&env, &["--no-cache", "--drift-threshold", "50"]);
    assert!(with_code(&doc, "content-drift").is_empty(), "a threshold holds small drift back: {doc}");
}

#[test]
fn web_archive_suggestions_exclusions_and_markdown() {
    let s = Server::start(|path, s| match path {
        p if p.starts_with("/cdx/search/cdx?") && p.contains("gone") => respond(
            s,
            "200 OK",
            &[("Content-Type", "application/json")],
            br#"[["timestamp","original","statuscode"],["20200102030405","http://old.test/gone","200"]]"#,
        ),
        "/private/x" => panic!("an excluded URL was requested"),
        _ => respond(s, "404 Not Found", &[], b""),
    });
    let env = env_with(&[("gone", s.url("/gone")), ("skip", s.url("/private/x"))]);
    env.write(
        "citelock.toml",
        &format!(
            "[fetch]\nallow-private = true\nweb-archive = \"{}\"\n\n[links]\nexclude = [\"/private/\"]\n",
            s.url("")
        ),
    );
    let summary = env.path("summary.md");
    let r = env
        .cmd()
        .args(["links", "--suggest-web-archive", "--to", "markdown", "-o", "comment.md", "--retry-wait-time", "10ms"])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(1));
    let md = env.read("comment.md");
    assert!(md.contains("| `references/library.yml:1` | `dead-link` |"), "{md}");
    assert!(md.contains(&format!("web archive: {}/web/20200102030405/http://old.test/gone", s.url(""))), "{md}");
    assert!(md.contains("1 excluded"), "{md}");
    assert_eq!(std::fs::read_to_string(&summary).unwrap(), md, "the step summary has the same report");
}

#[test]
fn github_annotations_point_at_the_entry() {
    let s = Server::start(|_, s| respond(s, "410 Gone", &[], b""));
    let env = env_with(&[("fine", "http://127.0.0.1:9/never-asked".into()), ("gone", s.url("/g"))]);
    let r = env.run(&["--format", "github", "links", "--exclude", ":9/", "--retry-wait-time", "10ms"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.starts_with("::error file=references/library.yml,line=5,"), "{}", r.stdout);
    assert!(r.stdout.contains("dead link"), "{}", r.stdout);
}

/// A matrix of shards, each writing JSON findings with `-o`, merged into one
/// report: the same findings as one unsharded run (those every shard repeats
/// kept once), one exit code, and a Markdown summary.
#[test]
fn sharded_findings_merge_into_one_report() {
    let s =
        Server::start(
            |req, s| {
                if req.contains("/dead") { respond(s, "404 Not Found", &[], b"") } else { html(s, "<p>x</p>") }
            },
        );
    let mut entries: Vec<(String, String)> =
        (0..8).map(|i| (format!("dead{i}"), s.url(&format!("/dead{i}")))).collect();
    entries.extend((0..4).map(|i| (format!("ok{i}"), s.url(&format!("/ok{i}")))));
    let entries: Vec<(&str, String)> = entries.iter().map(|(k, u)| (k.as_str(), u.clone())).collect();
    let env = env_with(&entries);
    // Every shard also reports the library's own problem.
    let lib = env.read("references/library.yml");
    env.write("references/library.yml", &format!("{lib}nourl:\n  type: web\n  title: No URL\n"));
    let codes = |doc: &serde_json::Value| -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["code"].as_str().unwrap().to_owned(), f["line"].as_u64().unwrap_or(0)))
            .collect();
        v.sort();
        v
    };
    let (code, whole) = env.json(&["links", "--no-cache", "--retry-wait-time", "10ms"]);
    assert_eq!(code, 1);
    for k in ["1/3", "2/3", "3/3"] {
        let out = format!("part-{}.json", &k[..1]);
        let r = env.run(&[
            "--format",
            "json",
            "links",
            "--no-cache",
            "--retry-wait-time",
            "10ms",
            "--shard",
            k,
            "-o",
            &out,
        ]);
        assert!(r.stdout.is_empty(), "the findings went to the file: {}", r.stdout);
    }
    let (code, merged) = env.json(&["merge", "part-1.json", "part-2.json", "part-3.json"]);
    assert_eq!(code, 1, "the dead links fail the merged report");
    assert_eq!(codes(&merged), codes(&whole));
    assert_eq!(codes(&merged).iter().filter(|(c, _)| c == "dead-link").count(), 8);
    let md = env.run(&["merge", "part-1.json", "part-2.json", "part-3.json", "--to", "markdown", "--title", "Links"]);
    assert!(md.stdout.starts_with("## Links\n\n3 parts merged: 8 errors"), "{}", md.stdout);
    assert_eq!(md.stdout.matches("| `dead-link` |").count(), 8, "{}", md.stdout);

    env.write("bad.json", "{\"version\": 1, \"findings\": [");
    let r = env.run(&["merge", "part-1.json", "bad.json"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("bad.json: not citelock's JSON findings"), "{}", r.stderr);
    let r = env.run(&["merge", "part-1.json", "missing.json"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot read missing.json"), "{}", r.stderr);
}

#[test]
fn shards_split_and_changed_since_narrows() {
    let s = Server::start(|_, s| html(s, "<p>x</p>"));
    let entries: Vec<(String, String)> = (0..10).map(|i| (format!("k{i}"), s.url(&format!("/{i}")))).collect();
    let entries: Vec<(&str, String)> = entries.iter().map(|(k, u)| (k.as_str(), u.clone())).collect();
    let env = env_with(&entries);
    let checked = |r: &super::Run| -> usize {
        let line = r.stderr.lines().find(|l| l.starts_with("checked ")).unwrap_or_default().to_owned();
        line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).unwrap_or(0)
    };
    let a = env.run(&["links", "--no-cache", "--shard", "1/2"]);
    let b = env.run(&["links", "--no-cache", "--shard", "2/2"]);
    assert_eq!(checked(&a) + checked(&b), 10, "{}\n{}", a.stderr, b.stderr);
    assert!(checked(&a) > 0 && checked(&b) > 0);

    let git = |args: &[&str]| {
        let ok =
            std::process::Command::new("git").args(args).current_dir(env.root()).output().unwrap().status.success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "refs"]);
    let mut lib = env.read("references/library.yml");
    lib.push_str(&library(&[("new", s.url("/new"))]));
    lib = lib.replace("title: Page k3", "title: Page k3 (revised)");
    env.write("references/library.yml", &lib);
    let r = env.run(&["links", "--no-cache", "--changed-since", "HEAD"]);
    assert_eq!(checked(&r), 2, "the new entry and the changed one: {}", r.stderr);
    let r = env.run(&["links", "--changed-since", "no-such-rev"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a commit"), "{}", r.stderr);
}
