//! `citelock check` and `citelock number` on reports written for these tests.

use super::{Env, with_code};

const LIB: &str = "\
alpha:
  type: web
  title: Alpha Page
  organization: Alpha Org
  date: 2020
  url: {value: 'https://alpha.example/', date: 2024-01-02}
beta:
  type: web
  title: Beta Page
  organization: Beta Org
  date: 2021
  url: {value: 'https://beta.example/', date: 2024-01-02}
gamma:
  type: book
  title: Gamma Book
  author: Writer, Gail
  date: 1999
unused:
  type: book
  title: Never Cited
  author: Nobody, N.
  date: 2000
";

const ALPHA: &str = "Alpha says the quick brown fox jumps over the lazy dog, every single morning.\n";
const BETA: &str = "Beta reports that \u{201c}coffee is the engine of modern research\u{201d} in many labs.\n";

fn env() -> Env {
    let env = Env::new();
    env.write("references/library.yml", LIB);
    env.write("alpha.txt", ALPHA);
    env.write("beta.txt", BETA);
    assert_eq!(env.run(&["archive", "--attach", "alpha", "alpha.txt"]).code, 0);
    assert_eq!(env.run(&["archive", "--attach", "beta", "beta.txt"]).code, 0);
    env
}

const MD: &str = "# Report\n\n\
As the source puts it, \u{201c}the quick brown fox jumps over the lazy dog\u{201d} [@alpha].\n\
It also claims \"the slow brown fox jumps over the lazy dog\" [@alpha, p. 2].\n\
Someone wrote \u{201c}coffee is the engine of modern research\u{201d} [@alpha].\n\
The book says \u{201c}something we cannot check here\u{201d} [@gamma].\n\
A floating \u{201c}quotation with no citation at all\u{201d} here.\n\
See [@missing-key] and [@alpah].\n\
`[@incode]` is code.\n";

#[test]
fn quotations_markers_and_snapshots() {
    let env = env();
    env.write("report.md", MD);
    let (code, doc) = env.json(&["check", "report.md"]);
    assert_eq!(code, 1, "{doc}");
    let codes = |c: &str| with_code(&doc, c);
    // The first quotation verifies: no finding at line 3.
    assert!(doc["findings"].as_array().unwrap().iter().all(|f| f["line"] != 3 || f["file"] != "report.md"), "{doc}");
    let nf = codes("quote-not-found");
    assert_eq!(nf.len(), 1, "{doc}");
    assert_eq!((nf[0]["line"].as_u64(), nf[0]["column"].as_u64()), (Some(4), Some(16)));
    assert_eq!(nf[0]["data"]["verdict"], "near-miss");
    assert!(nf[0]["data"]["diff"].as_str().unwrap().contains("[-slow-] {+quick+}"), "{}", nf[0]);
    let other = codes("quote-other-source");
    assert_eq!((other.len(), other[0]["data"]["found-in"].as_str()), (1, Some("beta")));
    assert_eq!(codes("quote-unverifiable")[0]["line"], 6);
    assert_eq!(codes("quote-unattributed")[0]["line"], 7);
    let unknown: Vec<&str> = codes("unknown-citation").iter().map(|f| f["data"]["key"].as_str().unwrap()).collect();
    assert_eq!(unknown, ["missing-key", "alpah"]);
    assert_eq!(codes("unknown-citation")[1]["help"], "did you mean `alpha`?");
    assert_eq!(codes("no-snapshot")[0]["data"]["key"], "gamma");
    let unused: Vec<&str> = codes("unused-reference").iter().map(|f| f["data"]["key"].as_str().unwrap()).collect();
    assert_eq!(unused, ["beta", "unused"]);
}

#[test]
fn a_changed_snapshot_is_caught() {
    let env = env();
    env.write("report.md", "It says \u{201c}the quick brown fox jumps\u{201d} [@alpha].\n");
    assert_eq!(env.json(&["check", "report.md"]).0, 0);
    let log = env.read("archive/captures/alpha.yml");
    let hex = log
        .lines()
        .find(|l| l.trim_start().starts_with("sha256:"))
        .unwrap()
        .split(':')
        .nth(1)
        .unwrap()
        .trim()
        .to_owned();
    let path = env.path(&format!("archive/objects/sha256/{}/{}", &hex[..2], &hex[2..]));
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    std::fs::write(&path, "tampered").unwrap();
    let (code, doc) = env.json(&["check", "report.md"]);
    assert_eq!(code, 1);
    assert_eq!(with_code(&doc, "hash-mismatch").len(), 1, "{doc}");
    assert_eq!(with_code(&doc, "quote-unverifiable").len(), 1, "{doc}");
}

#[test]
fn numbered_plain_text_through_a_refs_file() {
    let env = env();
    let report = "One source says \u{201c}the quick brown fox jumps over\u{201d}.[1] \
                  Another says \u{201c}coffee is the engine\u{201d} [2][3]. Beyond the list [9].\n";
    env.write("report.txt", report);
    let (_, doc) = env.json(&["check", "report.txt"]);
    assert_eq!(with_code(&doc, "implicit-numbering").len(), 1, "{doc}");
    assert_eq!(with_code(&doc, "quote-not-found").len() + with_code(&doc, "quote-other-source").len(), 0, "{doc}");
    let r = env.run(&["number", "report.txt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(env.read("report.txt.refs").contains("1 alpha\n2 beta\n3 gamma\n4 unused\n"));
    assert_eq!(env.run(&["number", "report.txt"]).code, 2, "an existing list is not replaced");
    let (code, doc) = env.json(&["check", "report.txt"]);
    assert_eq!(code, 1);
    assert!(with_code(&doc, "implicit-numbering").is_empty());
    let beyond = with_code(&doc, "unknown-citation");
    assert_eq!((beyond.len(), beyond[0]["data"]["number"].as_u64()), (1, Some(9)), "{doc}");
    // A list that re-points [1] to beta: the quotation now shows up as another source's.
    env.write("report.txt.refs", "1 beta\n2 alpha\n3 gamma\n9 nosuchkey\n");
    let (_, doc) = env.json(&["check", "report.txt"]);
    assert_eq!(with_code(&doc, "quote-other-source")[0]["data"]["found-in"], "alpha", "{doc}");
    let unknown = with_code(&doc, "unknown-citation");
    assert_eq!(unknown[0]["file"], "report.txt.refs");
    assert_eq!(unknown[0]["line"], 4);
}

#[test]
fn bad_reports() {
    let env = env();
    env.write("empty.md", "");
    assert_eq!(env.json(&["check", "empty.md"]).0, 0);
    env.write("open.md", "It says \u{201c}this quotation never ends [@alpha]\n\nand more.\n");
    let (_, doc) = env.json(&["check", "open.md"]);
    assert!(with_code(&doc, "quote-not-found").is_empty());
    std::fs::write(env.path("latin1.md"), b"caf\xe9 [@alpha]\n").unwrap();
    let r = env.run(&["check", "latin1.md"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("latin1.md:1: not UTF-8"), "{}", r.stderr);
    let long = format!(
        "{} \u{201c}the quick brown fox\u{201d} [@alpha]\n",
        "lorem ipsum (dolor) sit amet, e.g. ".repeat(60_000)
    );
    env.write("long.md", &long);
    let start = std::time::Instant::now();
    let (code, _) = env.json(&["check", "long.md"]);
    assert!(code == 0 || code == 1);
    assert!(start.elapsed() < std::time::Duration::from_secs(20), "{:?}", start.elapsed());
    assert_eq!(env.run(&["check", "nosuch.md"]).code, 2);
}

#[test]
fn allow_comments_and_hand_verification_show_as_notes() {
    let env = env();
    let report = "Intro.\n\n<!-- citelock: allow quote-not-found -->\n\
                  It says \u{201c}the slow brown fox jumps over\u{201d} [@alpha].\n\
                  The book says \u{201c}a sentence only in print\u{201d} [@gamma].\n\
                  Again \u{201c}the slow brown fox jumps over\u{201d} [@alpha].\n";
    env.write("report.md", report);
    env.write(
        "references/verified.yml",
        "- quote: a sentence only in print\n  key: gamma\n  page: '12'\n  by: Ed Itor\n  date: 2026-11-29\n  note: library copy\n",
    );
    let (code, doc) = env.json(&["check", "report.md"]);
    assert_eq!(code, 1, "the unallowed repeat is still an error: {doc}");
    let nf = with_code(&doc, "quote-not-found");
    assert_eq!(nf.len(), 2, "{doc}");
    assert_eq!((nf[0]["severity"].as_str(), nf[0]["data"]["allowed-by-line"].as_u64()), (Some("info"), Some(3)));
    assert_eq!((nf[1]["severity"].as_str(), nf[1]["line"].as_u64()), (Some("error"), Some(6)));
    let v = with_code(&doc, "quote-verified");
    assert_eq!((v.len(), v[0]["data"]["by"].as_str()), (1, Some("Ed Itor")), "{doc}");
    assert!(with_code(&doc, "quote-unverifiable").is_empty());
    // verified.yml is not a references file.
    assert_eq!(env.run(&["list", "--to", "keys"]).stdout, "alpha\nbeta\ngamma\nunused\n");
    env.write("references/verified.yml", "- quote: x\n  key: gamma\n  colour: red\n");
    let r = env.run(&["check", "report.md"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("references/verified.yml:"), "{}", r.stderr);
}

#[test]
fn trace_lists_every_citation_with_its_snapshot_and_verdicts() {
    let env = env();
    env.write(
        "report.md",
        "It says \u{201c}the quick brown fox jumps\u{201d} [@alpha; @gamma].\n\n<b>Raw</b> text [@beta].\n",
    );
    let r = env.run(&["trace", "report.md", "--to", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let claims = doc["claims"].as_array().unwrap();
    assert_eq!(claims.len(), 3);
    assert_eq!(
        (claims[0]["key"].as_str(), claims[0]["line"].as_u64(), claims[0]["column"].as_u64()),
        (Some("alpha"), Some(1), Some(39))
    );
    assert_eq!(claims[0]["quotations"][0]["verdict"], "exact");
    assert_eq!(claims[0]["sentence"], "It says \u{201c}the quick brown fox jumps\u{201d} [@alpha; @gamma]");
    assert_eq!(claims[2]["sentence"], "<b>Raw</b> text [@beta]");
    assert!(claims[0]["snapshot"]["path"].as_str().unwrap().starts_with("archive/objects/sha256/"));
    assert!(claims[1]["snapshot"].is_null(), "gamma has none");
    let md = env.run(&["trace", "report.md"]).stdout;
    assert_eq!(md.lines().count(), 5, "{md}");
    std::fs::create_dir(env.path("out")).unwrap();
    assert_eq!(env.run(&["trace", "report.md", "--to", "html", "-o", "out/claims.html"]).code, 0);
    let page = env.read("out/claims.html");
    assert!(page.contains("href=\"../archive/objects/sha256/"), "links relative to the page");
    assert!(page.contains("&lt;b&gt;Raw&lt;/b&gt;") && !page.contains("<b>Raw"), "report text escaped");
}
