//! `citelock archive` of URLs against servers the tests start on 127.0.0.1,
//! friendly and hostile. No other address is ever contacted.

use std::io::Write;
use std::process::Command as Std;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::server::{Server, redirect, respond};
use super::{Env, codes, with_code};

/// A repository whose references point at `urls` (key, url), with the server's origin allowed.
fn repo(refs: &[(&str, String)], fetch: &str) -> Env {
    let env = Env::new();
    let mut lib = String::new();
    for (key, url) in refs {
        lib.push_str(&format!("{key}:\n  type: web\n  title: Page {key}\n  url: '{url}'\n"));
    }
    env.write("references/library.yml", &lib);
    env.write("citelock.toml", &format!("[fetch]\n{fetch}\n"));
    env
}

fn log(env: &Env, key: &str) -> serde_yaml::Value {
    serde_yaml::from_str(&env.read(&format!("archive/captures/{key}.yml"))).unwrap()
}

fn site() -> Server {
    Server::start(|path, s| match path {
        "/text" => {
            respond(s, "200 OK", &[("Content-Type", "text/plain; charset=utf-8")], b"Plain words, kept exactly.\n")
        }
        "/page" => respond(s, "200 OK", &[("Content-Type", "text/html")], b"<html><title>T</title><p>Hello</p></html>"),
        "/paper.pdf" => respond(s, "200 OK", &[("Content-Type", "application/pdf")], b"%PDF-1.4\n% not a real PDF\n"),
        "/moved" => redirect(s, "/hop2"),
        "/hop2" => redirect(s, "/text"),
        "/gone" => respond(s, "404 Not Found", &[("Content-Type", "text/html")], b"<h1>gone</h1>"),
        _ => respond(s, "500 Internal Server Error", &[], b""),
    })
}

#[test]
fn captures_pages_with_their_provenance_and_sha256sum_agrees() {
    let s = site();
    let env = repo(
        &[("t", s.url("/text")), ("h", s.url("/page")), ("p", s.url("/paper.pdf")), ("r", s.url("/moved"))],
        &format!("allow-hosts = [\"{}\"]", s.origin()),
    );
    let (code, doc) = env.json(&["archive"]);
    assert_eq!((code, codes(&doc).len()), (0, 0), "{doc}");
    let t = &log(&env, "t")[0];
    assert_eq!(t["method"], "http");
    assert_eq!(t["status"], 200);
    assert_eq!(t["remote-addr"], format!("127.0.0.1:{}", s.port).as_str());
    assert_eq!(t["length"], 27);
    assert_eq!(t["text-extractor"], "citelock-text/1 plain");
    assert!(t["headers"].as_sequence().unwrap().iter().any(|h| h["name"] == "content-type"));
    let r = &log(&env, "r")[0];
    assert_eq!(r["final-url"], s.url("/text").as_str());
    let hops: Vec<&str> = r["redirects"].as_sequence().unwrap().iter().map(|h| h["url"].as_str().unwrap()).collect();
    assert_eq!(hops, [s.url("/moved"), s.url("/hop2")]);
    assert_eq!(r["sha256"], t["sha256"], "the same bytes, one object");
    let out =
        Std::new("sha256sum").args(["-c", "manifest-sha256.txt"]).current_dir(env.path("archive")).output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);
    assert_eq!(env.json(&["verify"]).0, 0);
    // A second run has nothing to do.
    let before = s.connections();
    env.run(&["archive"]);
    assert_eq!(s.connections(), before);
}

#[test]
fn loopback_is_refused_unless_allowed_and_never_contacted() {
    let s = site();
    let env = repo(&[("t", s.url("/text"))], "");
    let (code, doc) = env.json(&["archive"]);
    assert_eq!(code, 1);
    let f = with_code(&doc, "fetch-refused");
    assert_eq!(f.len(), 1, "{doc}");
    assert!(f[0]["message"].as_str().unwrap().contains("loopback"));
    assert_eq!(s.connections(), 0, "refused before connecting");
    assert_eq!(log(&env, "t")[0]["error"].as_str().map(|e| e.starts_with("refused")), Some(true));
    assert_eq!(env.run(&["archive", "--allow-host", &s.origin()]).code, 0);
}

#[test]
fn a_redirect_to_an_origin_not_allowed_is_refused_before_connecting() {
    let other = site();
    let to = other.url("/text");
    let s = Server::start(move |_, st| redirect(st, &to));
    let env = repo(&[("t", s.url("/x"))], &format!("allow-hosts = [\"{}\"]", s.origin()));
    let (code, doc) = env.json(&["archive"]);
    assert_eq!(code, 1);
    assert_eq!(with_code(&doc, "fetch-refused").len(), 1, "{doc}");
    assert_eq!(other.connections(), 0);
}

#[test]
fn redirect_loops_and_long_chains_fail() {
    let s = Server::start(|path, st| {
        if path == "/loop" {
            redirect(st, "/loop2")
        } else if path == "/loop2" {
            redirect(st, "/loop")
        } else {
            let n: usize = path.trim_start_matches("/chain").parse().unwrap_or(0);
            if n < 11 { redirect(st, &format!("/chain{}", n + 1)) } else { respond(st, "200 OK", &[], b"end") }
        }
    });
    let env = repo(&[("l", s.url("/loop")), ("c", s.url("/chain0"))], &format!("allow-hosts = [\"{}\"]", s.origin()));
    let (_, doc) = env.json(&["archive"]);
    let reasons: Vec<&str> =
        with_code(&doc, "fetch-failed").iter().map(|f| f["data"]["reason"].as_str().unwrap()).collect();
    assert_eq!(reasons.len(), 2, "{doc}");
    assert!(reasons.contains(&"redirect-loop") && reasons.contains(&"too-many-redirects"), "{reasons:?}");
}

#[test]
fn a_gzip_bomb_and_an_endless_body_are_capped_and_marked() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        gz.write_all(&zeros).unwrap();
    }
    let bomb = Arc::new(gz.finish().unwrap());
    assert!(bomb.len() < 200_000, "64 MiB decoded from {} bytes", bomb.len());
    let s = Server::start(move |path, st| {
        if path == "/bomb" {
            respond(st, "200 OK", &[("Content-Type", "text/plain"), ("Content-Encoding", "gzip")], &bomb);
        } else {
            let _ = st.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n");
            let chunk = vec![b'x'; 64 * 1024];
            while st.write_all(&chunk).is_ok() {}
        }
    });
    let env = repo(
        &[("bomb", s.url("/bomb")), ("endless", s.url("/endless"))],
        &format!("allow-hosts = [\"{}\"]\nmax-body = 1048576\ntotal-timeout = 20", s.origin()),
    );
    let (code, doc) = env.json(&["archive"]);
    assert_eq!(code, 0, "truncation is a warning: {doc}");
    assert_eq!(with_code(&doc, "truncated").len(), 2, "{doc}");
    for key in ["bomb", "endless"] {
        let c = &log(&env, key)[0];
        assert_eq!((c["length"].as_u64(), c["truncated"].as_str()), (Some(1 << 20), Some("length")), "{key}");
    }
    assert_eq!(log(&env, "bomb")[0]["content-encoding"], "gzip");
    assert_eq!(env.json(&["verify"]).0, 0);
}

#[test]
fn slow_silent_and_lying_servers_end_in_bounded_time() {
    let s = Server::start(|path, st| match path {
        "/drip" => {
            let _ = st.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n");
            for _ in 0..40 {
                if st.write_all(b"x").is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(250));
            }
        }
        "/silent" => std::thread::sleep(Duration::from_secs(8)),
        _ => {
            let _ =
                st.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Type: text/plain\r\n\r\nonly ten b");
        }
    });
    let env = repo(
        &[("drip", s.url("/drip")), ("silent", s.url("/silent")), ("liar", s.url("/liar"))],
        &format!("allow-hosts = [\"{}\"]\ntotal-timeout = 2\nread-timeout = 1", s.origin()),
    );
    let start = std::time::Instant::now();
    let (code, doc) = env.json(&["archive"]);
    assert!(start.elapsed() < Duration::from_secs(7), "{:?}", start.elapsed());
    assert_eq!(code, 1, "{doc}");
    let drip = &log(&env, "drip")[0];
    assert_eq!(drip["truncated"], "time", "{drip:?}");
    let failed: Vec<(String, String)> = with_code(&doc, "fetch-failed")
        .iter()
        .map(|f| (f["data"]["key"].as_str().unwrap().to_owned(), f["data"]["reason"].as_str().unwrap().to_owned()))
        .collect();
    assert!(failed.contains(&("silent".into(), "timeout".into())), "{failed:?}");
    assert!(failed.contains(&("liar".into(), "body".into())), "{failed:?}");
    assert!(log(&env, "liar")[0]["sha256"].is_null(), "a lying body is not stored");
}

#[test]
fn error_statuses_are_failed_attempts_and_refresh_keeps_the_snapshot() {
    let kind = Arc::new(AtomicUsize::new(0));
    let k = kind.clone();
    let s = Server::start(move |_, st| match k.load(Ordering::SeqCst) {
        0 => respond(st, "200 OK", &[("Content-Type", "text/plain")], b"first\n"),
        1 => respond(st, "200 OK", &[("Content-Type", "text/plain")], b"first\n"),
        2 => respond(st, "200 OK", &[("Content-Type", "text/html")], b"<p>login wall</p>"),
        _ => respond(st, "404 Not Found", &[], b""),
    });
    let env = repo(&[("a", s.url("/a"))], &format!("allow-hosts = [\"{}\"]", s.origin()));
    assert_eq!(env.run(&["archive"]).code, 0);
    kind.store(1, Ordering::SeqCst);
    let r = env.run(&["archive", "--refresh"]);
    assert!(r.stderr.contains("0 captured, 1 unchanged"), "{}", r.stderr);
    kind.store(2, Ordering::SeqCst);
    let (code, doc) = env.json(&["archive", "--refresh", "a"]);
    assert_eq!(code, 1);
    assert!(with_code(&doc, "fetch-failed")[0]["message"].as_str().unwrap().contains("now serves text/html"));
    kind.store(3, Ordering::SeqCst);
    let (code, _) = env.json(&["archive", "--refresh"]);
    assert_eq!(code, 1);
    let captures = log(&env, "a");
    let captures = captures.as_sequence().unwrap();
    assert_eq!(captures.len(), 4, "every attempt is logged");
    assert_eq!(captures[3]["status"], 404);
    assert_eq!(env.run(&["show", "a", "--text"]).stdout, "first\n", "failed attempts never become current");
    assert_eq!(std::fs::read_to_string(env.path("archive/manifest-sha256.txt")).unwrap().lines().count(), 2);
}

#[test]
fn dois_resolve_through_the_configured_resolver() {
    let s = Server::start(|path, st| {
        if path == "/10.1234/abc" {
            redirect(st, "/landing")
        } else {
            respond(st, "200 OK", &[("Content-Type", "text/plain")], b"landing page\n")
        }
    });
    let env = Env::new();
    env.write("references/library.yml", "d:\n  type: article\n  title: T\n  serial-number: {doi: 10.1234/abc}\n");
    env.write(
        "citelock.toml",
        &format!("[fetch]\nallow-hosts = [\"{}\"]\ndoi-resolver = \"{}\"\n", s.origin(), s.url("/")),
    );
    assert_eq!(env.run(&["archive"]).code, 0);
    let c = &log(&env, "d")[0];
    assert_eq!(c["url"], s.url("/10.1234/abc").as_str());
    assert_eq!(c["final-url"], s.url("/landing").as_str());
}

#[test]
fn per_host_concurrency_is_observed_by_the_server() {
    let s = Server::start(|_, st| {
        std::thread::sleep(Duration::from_millis(150));
        respond(st, "200 OK", &[("Content-Type", "text/plain")], b"ok\n");
    });
    let refs: Vec<(String, String)> = (0..10).map(|i| (format!("k{i}"), s.url(&format!("/{i}")))).collect();
    let refs: Vec<(&str, String)> = refs.iter().map(|(k, u)| (k.as_str(), u.clone())).collect();
    let env = repo(&refs, &format!("allow-hosts = [\"{}\"]", s.origin()));
    assert_eq!(env.run(&["archive"]).code, 0);
    assert_eq!(s.connections(), 10);
    let max = s.max_open.load(Ordering::SeqCst);
    assert!((1..=2).contains(&max), "at most 2 per host, saw {max}");
}

#[test]
fn two_archive_runs_at_once_the_second_fails_fast() {
    let s = Server::start(|_, st| {
        std::thread::sleep(Duration::from_millis(1500));
        respond(st, "200 OK", &[("Content-Type", "text/plain")], b"ok\n");
    });
    let env = repo(&[("a", s.url("/a"))], &format!("allow-hosts = [\"{}\"]", s.origin()));
    let mut first = env.spawn(&["archive"]);
    std::thread::sleep(Duration::from_millis(500));
    let second = env.run(&["archive"]);
    assert_eq!(second.code, 2, "{}", second.stderr);
    assert!(second.stderr.contains("another citelock process"), "{}", second.stderr);
    assert!(first.wait().unwrap().success());
}
