//! `add --doi/--isbn/--url` against loopback imitations of the services.

use super::server::{Server, respond};
use super::{Env, with_code};

const CSL: &str = r#"{"type":"article-journal","id":"https://doi.org/10.1234/abc","title":"A Mathematical Theory","author":[{"family":"Shannon","given":"Claude E."}],"container-title":"Bell System Technical Journal","issued":{"date-parts":[[1948,7]]},"volume":"27","page":"379-423","DOI":"10.1234/abc"}"#;

const BOOK: &str = r#"{"ISBN:9780306406157":{"title":"A Book","subtitle":"With a Subtitle","authors":[{"name":"Ann B. Writer"}],"publish_date":"March 2004","publishers":[{"name":"Press"}],"number_of_pages":321}}"#;

const PAGE: &str = r#"<html><head><title>ignored</title><meta name="citation_title" content="On Things"><meta name="citation_author" content="Doe, Jane"><meta name="citation_publication_date" content="2020/05/01"></head><body><p>Body text.</p></body></html>"#;

fn services() -> Server {
    Server::start(|path, s| match path {
        "/10.1234/abc" => {
            respond(s, "200 OK", &[("Content-Type", "application/vnd.citationstyles.csl+json")], CSL.as_bytes())
        }
        p if p.starts_with("/api/books?bibkeys=ISBN:9780306406157") => {
            respond(s, "200 OK", &[("Content-Type", "application/json")], BOOK.as_bytes())
        }
        p if p.starts_with("/api/books") => respond(s, "200 OK", &[("Content-Type", "application/json")], b"{}"),
        "/page" => respond(s, "200 OK", &[("Content-Type", "text/html; charset=utf-8")], PAGE.as_bytes()),
        "/bare" => respond(s, "200 OK", &[("Content-Type", "text/html")], b"<p>no metadata at all</p>"),
        _ => respond(s, "404 Not Found", &[], b""),
    })
}

fn env(s: &Server) -> Env {
    let env = Env::new();
    env.write(
        "citelock.toml",
        &format!(
            "[fetch]\nallow-hosts = [\"{}\"]\ndoi-resolver = \"{}\"\nisbn-service = \"{}\"\n",
            s.origin(),
            s.url("/"),
            s.url("")
        ),
    );
    env
}

fn show(env: &Env, key: &str) -> serde_json::Value {
    serde_json::from_str(&env.run(&["show", key, "--to", "json"]).stdout).unwrap()
}

#[test]
fn a_doi_by_content_negotiation() {
    let s = services();
    let env = env(&s);
    let r = env.run(&["add", "--doi", "https://doi.org/10.1234/ABC"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v = show(&env, "shannon1948mathematical");
    assert_eq!(v["date"], "1948-07");
    assert_eq!(v["parent"]["title"], "Bell System Technical Journal");
    let (code, doc) = env.json(&["add", "--doi", "10.1234/abc"]);
    assert_eq!(code, 0);
    assert_eq!(with_code(&doc, "duplicate-reference").len(), 1, "the same DOI is refused");
}

#[test]
fn an_isbn_from_the_books_api() {
    let s = services();
    let env = env(&s);
    let r = env.run(&["add", "--isbn", "978-0-306-40615-7", "--key", "writer2004"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v = show(&env, "writer2004");
    assert_eq!(v["title"], "A Book: With a Subtitle");
    assert_eq!(v["date"], 2004);
    assert_eq!(v["page-total"], 321);
    assert_eq!(v["serial-number"]["isbn"], "9780306406157");
}

#[test]
fn a_page_with_metadata_and_its_capture() {
    let s = services();
    let env = env(&s);
    let r = env.run(&["add", "--url", &s.url("/page"), "--archive"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v = show(&env, "doe2020things");
    assert_eq!(v["title"], "On Things");
    assert_eq!(v["date"], "2020-05-01");
    assert!(v["url"]["date"].as_str().unwrap().len() == 10, "access date recorded: {v}");
    assert_eq!(env.run(&["show", "doe2020things", "--text"]).stdout, "Body text.\n");
}

#[test]
fn lookup_failures_are_findings_and_write_nothing() {
    let s = services();
    let env = env(&s);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let down = closed.local_addr().unwrap().port();
    drop(closed);
    let cases: Vec<Vec<String>> = vec![
        vec!["--doi".into(), "10.9999/unknown".into()],
        vec!["--isbn".into(), "0000000000".into()],
        vec!["--url".into(), s.url("/bare")],
        vec!["--url".into(), format!("http://127.0.0.1:{down}/x"), "--allow-host".into(), format!("127.0.0.1:{down}")],
    ];
    for case in cases {
        let mut args = vec!["add".to_owned()];
        args.extend(case.clone());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, doc) = env.json(&args);
        assert_eq!(code, 1, "{case:?}: {doc}");
        let f = with_code(&doc, "import-failed");
        assert_eq!(f.len(), 1, "{case:?}: {doc}");
        assert!(!env.path("references/library.yml").exists(), "{case:?}");
    }
}
