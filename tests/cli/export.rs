//! `citelock export` and `render`: styles, escaping, formats read back by
//! pandoc and bibtexparser (readers we did not write), round trips, archived
//! copies, and bad input.

use std::path::Path;

use serde_json::Value;

use super::oracle::{EXAMPLES, norm, pandoc_read};
use super::{Env, LIBRARY};

/// An initialised repository holding biblatex's own examples, imported.
fn examples() -> Env {
    let env = Env::new();
    std::fs::copy(EXAMPLES, env.path("examples.bib")).unwrap();
    let r = env.run(&["add", "--bibtex", "examples.bib"]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    env
}

fn by_id(items: &[Value]) -> std::collections::HashMap<String, &Value> {
    items.iter().map(|i| (i["id"].as_str().unwrap().to_owned(), i)).collect()
}

/// Titles, dates (the last part of a range) and author names agree.
fn agree(ours: &Value, theirs: &Value, id: &str) -> (usize, usize, usize) {
    let mut n = (0, 0, 0);
    if let Some(a) = ours["title"].as_str()
        && id != "jcg"
    {
        // pandoc reads a volume's own title as `volume-title` (`coleridge`); hayagriva as its title.
        let same = ["title", "volume-title"].iter().any(|k| theirs[k].as_str().is_some_and(|b| norm(a) == norm(b)));
        assert!(same, "{id}: title {a:?} vs {:?}", theirs["title"]);
        n.0 += 1;
    }
    let last = |v: &Value| v["issued"]["date-parts"].as_array().and_then(|p| p.last().cloned());
    if let (Some(a), Some(b)) = (last(ours), last(theirs)) {
        assert_eq!(a, b, "{id}: date");
        n.1 += 1;
    }
    let names = |v: &Value| -> Vec<String> {
        v["author"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|p| {
                        let family = p["family"].as_str().or(p["literal"].as_str()).unwrap_or_default();
                        norm(&format!("{family}|{}", p["given"].as_str().unwrap_or_default()))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(names(ours), names(theirs), "{id}: authors");
    n.2 += names(ours).len();
    n
}

/// How many entries pandoc's citeproc renders from a bibliography file.
fn citeproc_count(bib: &Path) -> usize {
    let mut child = std::process::Command::new("pandoc")
        .args(["--citeproc", "-f", "markdown", "-t", "html", "--bibliography"])
        .arg(bib)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"---\nnocite: '[@*]'\n---\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).matches("class=\"csl-entry\"").count()
}

#[test]
fn pandoc_reads_our_csl_json_and_biblatex_as_it_reads_the_original() {
    let env = examples();
    let theirs = pandoc_read(Path::new(EXAMPLES), "biblatex");
    let theirs = by_id(&theirs);
    let entries = env.run(&["list", "--to", "keys"]).stdout.lines().count();
    for (to, file, format) in [("csl-json", "ours.json", "csljson"), ("biblatex", "ours.bib", "biblatex")] {
        let r = env.run(&["export", "--to", to, "-o", file]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let ours = pandoc_read(&env.path(file), format);
        assert_eq!(ours.len(), entries, "{to}: every entry read back");
        let mut compared = (0, 0, 0);
        for item in &ours {
            let id = item["id"].as_str().unwrap();
            let n = agree(item, theirs[id], id);
            compared = (compared.0 + n.0, compared.1 + n.1, compared.2 + n.2);
        }
        assert!(compared.0 > 80 && compared.1 > 80 && compared.2 > 100, "{to}: {compared:?}");
        assert_eq!(citeproc_count(&env.path(file)), entries, "{to}: citeproc renders every entry");
    }
}

#[test]
fn bibtexparser_reads_our_bibtex_and_biblatex() {
    let env = examples();
    let entries = env.run(&["list", "--to", "keys"]).stdout.lines().count();
    for to in ["bibtex", "biblatex"] {
        assert_eq!(env.run(&["export", "--to", to, "-o", "out.bib"]).code, 0);
        let script = "import sys, bibtexparser\n\
             text = open(sys.argv[1], encoding='utf-8').read()\n\
             if hasattr(bibtexparser, 'parse_string'):\n    lib = bibtexparser.parse_string(text)\n    \
             assert not lib.failed_blocks, [b.error for b in lib.failed_blocks]\n    print(len(lib.entries))\n\
             else:\n    print(len(bibtexparser.loads(text).entries))\n";
        let out = std::process::Command::new("python3")
            .args(["-c", script])
            .arg(env.path("out.bib"))
            .output()
            .expect("python3 with bibtexparser (.ci/test installs it)");
        assert!(out.status.success(), "{to}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), entries.to_string(), "{to}");
    }
}

#[test]
fn round_trips_keep_what_each_format_carries() {
    let env = examples();
    let as_json =
        |e: &Env| -> Vec<Value> { serde_json::from_str(&e.run(&["export", "--to", "csl-json"]).stdout).unwrap() };
    let before = as_json(&env);
    let yaml = env.run(&["export", "--to", "yaml"]).stdout;
    // BibLaTeX and CSL-JSON carry the same fields; RIS a subset.
    const FULL: &[&str] = &[
        "title",
        "issued",
        "author",
        "editor",
        "container-title",
        "volume",
        "issue",
        "page",
        "publisher",
        "DOI",
        "ISBN",
        "URL",
        "accessed",
        "note",
    ];
    let carried: [(&str, &str, &[&str]); 3] = [
        ("biblatex", "--bibtex", FULL),
        ("csl-json", "--csl-json", FULL),
        (
            "ris",
            "--ris",
            &["title", "issued", "author", "container-title", "volume", "issue", "page", "publisher", "DOI", "URL"],
        ),
    ];
    for (to, flag, fields) in carried {
        assert_eq!(env.run(&["export", "--to", to, "-o", "out.x"]).code, 0);
        let again = Env::new();
        std::fs::copy(env.path("out.x"), again.path("in.x")).unwrap();
        let r = again.run(&["add", flag, "in.x"]);
        assert!(r.code == 0 || r.code == 1, "{to}: {}", r.stderr);
        let after = as_json(&again);
        let after = by_id(&after);
        assert_eq!(after.len(), before.len(), "{to}: every entry comes back");
        let mut compared = 0;
        for item in &before {
            let id = item["id"].as_str().unwrap();
            let back = after.get(id).unwrap_or_else(|| panic!("{to}: {id} is back"));
            for field in fields {
                let mut item = item.clone();
                // RIS has no date ranges: its `PY` is the range's start.
                if to == "ris"
                    && let Some(parts) = item.pointer_mut("/issued/date-parts").and_then(Value::as_array_mut)
                {
                    parts.truncate(1);
                }
                let (a, b) = (norm(&item[field].to_string()), norm(&back[field].to_string()));
                assert_eq!(a, b, "{to}: {id}.{field}");
                compared += usize::from(!item[field].is_null());
            }
        }
        assert!(compared > 400, "{to}: {compared} values compared");
    }
    assert_eq!(env.run(&["export", "--to", "yaml"]).stdout, yaml, "exporting changes nothing");
}

#[test]
fn styles_by_name_or_file_and_clear_errors() {
    let env = Env::new();
    env.write("references/library.yml", LIBRARY);
    let list = env.run(&["export", "--list-styles"]).stdout;
    assert!(list.contains("apa") && list.contains("ieee") && list.lines().count() >= 80, "{list}");
    let apa = env.run(&["export", "--style", "apa"]).stdout;
    let ieee = env.run(&["export", "--style", "ieee"]).stdout;
    assert!(apa.contains("(1859)") && ieee.contains("[1]"), "{apa}\n{ieee}");
    let r = env.run(&["export", "--style", "chicago-autor-date"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("did you mean chicago-author-date"), "{}", r.stderr);
    env.write("broken.csl", "<style>not csl</style>");
    let r = env.run(&["export", "--style", "broken.csl"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("broken.csl is not a usable CSL style"), "{}", r.stderr);
    env.write("mine.csl", MINIMAL_CSL);
    let r = env.run(&["export", "--style", "mine.csl"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("ENTRY: On the Origin of Species"), "{}", r.stdout);
    let r = env.run(&["export", "--locale", "de-DE", "--style", "ieee"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

const MINIMAL_CSL: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Minimal</title><id>minimal</id><updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><layout><text value="ENTRY: "/><text variable="title"/></layout></bibliography>
</style>
"#;

#[test]
fn html_escapes_entry_text_everywhere() {
    let env = Env::new();
    env.write(
        "references/library.yml",
        "x:\n  type: article\n  title: 'Cats <script>alert(1)</script> & dogs'\n  author: Doe, Jane\n  date: 2020\n",
    );
    let html = env.run(&["export", "--to", "html"]).stdout;
    assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"), "{html}");
    env.write("r.md", "As shown [@x].\n");
    let html = env.run(&["render", "r.md", "--to", "html"]).stdout;
    assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"), "{html}");
}

#[test]
fn render_formats_citations_and_places_the_bibliography() {
    let env = Env::new();
    env.write("references/library.yml", LIBRARY);
    env.write("copy.txt", "the origin of species\n");
    assert_eq!(env.run(&["archive", "--attach", "darwin1859", "copy.txt", "--source", "a copy"]).code, 0);
    env.write(
        "r.md",
        "# Notes\n\nDarwin wrote it [@darwin1859, p. 3].\n\n## References\n\n<!-- bibliography -->\n\nAppendix.\n",
    );
    let apa = env.run(&["render", "r.md"]);
    assert_eq!(apa.code, 0, "{}", apa.stderr);
    assert!(apa.stdout.contains("Darwin wrote it (Darwin, 1859, p. 3)."), "{}", apa.stdout);
    let bib_at = apa.stdout.find("Darwin, C. (1859)").unwrap();
    assert!(bib_at < apa.stdout.find("Appendix.").unwrap(), "placed where asked: {}", apa.stdout);
    assert!(apa.stdout.contains("Copy on file, attached "), "{}", apa.stdout);
    let ieee = env.run(&["render", "r.md", "--style", "ieee"]).stdout;
    assert!(ieee.contains("Darwin wrote it \\[1, p. 3\\]."), "Markdown escapes brackets: {ieee}");
    let text = env.run(&["render", "r.md", "--style", "ieee", "--to", "text"]).stdout;
    assert!(text.contains("Darwin wrote it [1, p. 3]."), "{text}");
    env.write("citelock.toml", "[export]\narchive-base-url = \"https://example.org/repo/blob/main\"\n");
    let linked = env.run(&["render", "r.md"]).stdout;
    assert!(linked.contains("(<https://example.org/repo/blob/main/archive/objects/sha256/"), "{linked}");
    // Narrative and author-suppressed citations, as pandoc reads them.
    env.write("forms.md", "As @darwin1859 showed, Darwin said so himself [-@darwin1859, p. 3].\n");
    let forms = env.run(&["render", "forms.md"]).stdout;
    assert!(forms.contains("As Darwin (1859) showed, Darwin said so himself (1859, p. 3)."), "{forms}");
    let numeric = env.run(&["render", "forms.md", "--style", "ieee", "--to", "text"]).stdout;
    assert!(numeric.contains("said so himself [1, p. 3]."), "a numeric citation has no author to drop: {numeric}");
    // pandoc's readings of real papers: a list across lines is one bracketed
    // citation; `[AIA; @key]` is text and a narrative citation; `[@a, @b]`
    // holds `@b` in `@a`'s suffix, printed inside the parentheses.
    env.write("real.md", "Both [@darwin1859;\n@gpl3]. Also [AIA; @darwin1859] and [@gpl3, p. 3, @darwin1859].\n");
    let real = env.run(&["render", "real.md", "--to", "text"]).stdout;
    assert!(real.contains("Both (Darwin, 1859; GNU General Public License, Version 3, 2007)."), "{real}");
    assert!(real.contains("Also [AIA; Darwin (1859)]"), "{real}");
    assert!(real.contains("(GNU General Public License, Version 3, 2007, p. 3, Darwin (1859))."), "{real}");
    let numbered = env.run(&["render", "real.md", "--style", "ieee", "--to", "text"]).stdout;
    assert!(numbered.contains("[2, p. 3, C. Darwin [1]]"), "numbered where it stands: {numbered}");
    // A report citing an unknown key: the marker stays, the finding says why, exit 1.
    env.write("bad.md", "See [@nobody].\n");
    let r = env.run(&["render", "bad.md"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("See [@nobody].") && r.stderr.contains("unknown-citation"), "{}\n{}", r.stdout, r.stderr);
}

#[test]
fn an_entry_missing_fields_renders_with_a_warning() {
    let env = Env::new();
    env.write("references/library.yml", "bare:\n  type: book\n  title: A Book Without Author Or Date\n");
    let r = env.run(&["export"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("A Book Without Author Or Date"), "{}", r.stdout);
    assert!(r.stderr.contains("missing-field"), "{}", r.stderr);
}

#[test]
fn the_render_cache_is_reused_and_gives_what_a_cold_render_gives() {
    let env = examples();
    let first = env.run(&["export", "--style", "apa"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(!first.stderr.contains("reused"), "{}", first.stderr);
    let again = env.run(&["export", "--style", "apa"]);
    assert!(again.stderr.contains("reused"), "{}", again.stderr);
    assert_eq!(again.stdout, first.stdout);
    let lib = env.read("references/library.yml");
    let changed = lib.replacen("title: A Model of Leptons", "title: A Revised Model of Leptons", 1);
    assert!(lib != changed, "the test changes one entry");
    env.write("references/library.yml", &changed);
    let warm = env.run(&["export", "--style", "apa"]);
    let cold = env.run(&["export", "--style", "apa", "--no-cache"]);
    assert_eq!(warm.stdout, cold.stdout, "the cache never serves a stale entry");
    assert!(warm.stdout.contains("A Revised Model of Leptons") && warm.stderr.contains("reused"), "{}", warm.stderr);
}

/// Python's warcio (`.ci/test` installs it) on a file: its output, and whether it passed.
fn warcio(args: &[&str], file: &Path) -> (bool, String) {
    let out = std::process::Command::new("python3")
        .args(["-c", "import sys; from warcio.cli import main; main(sys.argv[1:])"])
        .args(args)
        .arg(file)
        .output()
        .expect("python3 with warcio (.ci/test installs it)");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn warc_export_passes_warcio_check_with_one_record_per_snapshot() {
    use super::server::{Server, respond};
    let s = Server::start(|path, s| match path {
        "/page" => {
            respond(s, "200 OK", &[("Content-Type", "text/html; charset=utf-8"), ("X-Kept", "yes")], b"<p>the page</p>")
        }
        _ => respond(s, "200 OK", &[("Content-Type", "text/plain")], &vec![b'x'; 4096]),
    });
    let env = Env::new();
    env.write("citelock.toml", "[fetch]\nallow-private = true\nmax-body = 1000\n");
    env.write(
        "references/library.yml",
        &format!(
            "page:\n  type: web\n  title: Page\n  url: '{}'\nbig:\n  type: web\n  title: Big\n  url: '{}'\nfile:\n  type: book\n  title: A Book\n",
            s.url("/page"),
            s.url("/big")
        ),
    );
    assert!(env.run(&["archive"]).code <= 1);
    env.write("book.txt", "a copy of the book\n");
    assert_eq!(env.run(&["archive", "--attach", "file", "book.txt", "--source", "my copy"]).code, 0);
    let r = env.run(&["export", "--to", "warc", "-o", "out.warc.gz"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (ok, check) = warcio(&["check", "-v"], &env.path("out.warc.gz"));
    assert!(ok && check.matches("digest pass").count() == 3, "{check}");
    let (ok, index) =
        warcio(&["index", "-f", "warc-type,warc-target-uri,warc-truncated,http:status"], &env.path("out.warc.gz"));
    assert!(ok, "{index}");
    let records: Vec<serde_json::Value> = index.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(records.len(), 4, "warcinfo and one record per snapshot: {index}");
    assert_eq!(records[0]["warc-type"], "warcinfo");
    let by_uri = |u: &str| records.iter().find(|r| r["warc-target-uri"] == u).cloned().unwrap_or_default();
    assert_eq!(
        (by_uri(&s.url("/page"))["warc-type"].as_str(), by_uri(&s.url("/page"))["http:status"].as_str()),
        (Some("response"), Some("200"))
    );
    assert_eq!(by_uri(&s.url("/big"))["warc-truncated"], "length", "{index}");
    assert!(records.iter().any(|r| r["warc-type"] == "resource"), "the attached file: {index}");
    let r = env.run(&["export", "--to", "warc"]);
    assert_eq!(r.code, 2, "a WARC needs -o");
}

#[test]
fn rendered_html_carries_robust_links() {
    let env = Env::new();
    env.write(
        "references/library.yml",
        "w:\n  type: web\n  title: A Page\n  author: Doe, Jane\n  date: 2020\n  url: https://example.org/a?b=1&c=2\n",
    );
    env.write("copy.html", "<p>the page</p>");
    assert_eq!(env.run(&["archive", "--attach", "w", "copy.html", "--source", "saved by hand"]).code, 0);
    env.write("r.md", "See [@w].\n");
    let html = env.run(&["render", "r.md", "--to", "html"]).stdout;
    let link = html.split("<a ").find(|a| a.contains("example.org")).unwrap_or_default();
    assert!(
        link.starts_with("href=\"https://example.org/a?b=1&amp;c=2\" data-versionurl=\"archive/objects/sha256/"),
        "{html}"
    );
    assert!(link.contains("data-versiondate=\"20"), "{html}");
}

/// A library imported from someone else can carry script in any text field
/// and a `javascript:` (or `data:`, `vbscript:`, `file:`) URL: no output we
/// write links to it or lets the script run, and `lint` names each URL.
#[test]
fn a_hostile_library_renders_nothing_executable() {
    let env = Env::new();
    let schemes = [
        "javascript:alert(1)",
        "JavaScript:alert(2)",
        "java\tscript:alert(3)",
        " javascript:alert(4)",
        "data:text/html,<script>alert(5)</script>",
        "vbscript:msgbox(6)",
        "file:///etc/passwd",
    ];
    let mut yaml = String::new();
    let mut report = String::from("# Report\n\n");
    for (i, url) in schemes.iter().enumerate() {
        yaml.push_str(&format!(
            "evil{i}:\n  type: web\n  title: \"<script>alert({i})</script> T{i}\"\n  author: \"<img src=x onerror=alert({i})>, A\"\n  \
             publisher: \"<iframe src=javascript:alert({i})>\"\n  date: 2020\n  url: {{value: {}, date: 2024-01-01}}\n",
            serde_json::to_string(url).unwrap()
        ));
        report.push_str(&format!("Claim {i} [@evil{i}].\n\n"));
    }
    env.write("references/library.yml", &yaml);
    env.write("r.md", &report);
    let lint = env.json(&["lint"]).1;
    assert_eq!(super::with_code(&lint, "unsafe-url").len(), schemes.len(), "{lint}");
    let outputs = [
        env.run(&["export", "--to", "html"]).stdout,
        env.run(&["export", "--to", "html", "--style", "ieee"]).stdout,
        env.run(&["export", "--to", "markdown"]).stdout,
        env.run(&["render", "r.md", "--to", "html"]).stdout,
        env.run(&["render", "r.md", "--to", "markdown"]).stdout,
        env.run(&["trace", "r.md", "--to", "html"]).stdout,
    ];
    for out in &outputs {
        assert!(out.contains("T3") || out.contains("evil3"), "rendered: {out}");
        // Markdown escapes `<` as `\<`: text, not a tag.
        let lower = out.to_lowercase().replace(['\t', ' '], "").replace("\\<", "&lt;");
        for bad in [
            "<script",
            "<img",
            "<iframe",
            "href=\"javascript",
            "href=\"data:",
            "href=\"vbscript",
            "href=\"file:",
            "](<javascript",
            "](<data:",
            "](<vbscript",
            "](<file:",
            "](javascript",
        ] {
            assert!(!lower.contains(bad), "`{bad}` in:\n{out}");
        }
    }
    // And pandoc, reading our Markdown, makes no link of them either.
    let html = std::process::Command::new("pandoc")
        .args(["-f", "markdown", "-t", "html"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(outputs[2].as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    let html = String::from_utf8_lossy(&html.stdout).to_lowercase();
    assert!(!html.contains("href=\"javascript") && !html.contains("<script"), "{html}");
}

/// Styles hayagriva would render silently wrong or not at all are refused
/// with a reason, exit 2: not CSL, CSL 0.8, a macro called but not defined,
/// an unknown locale.
#[test]
fn unusable_styles_are_refused_with_a_reason() {
    let env = Env::new();
    env.write("references/library.yml", LIBRARY);
    let style = |version: &str, body: &str| {
        format!(
            "<?xml version=\"1.0\"?>\n<style xmlns=\"http://purl.org/net/xbiblio/csl\" class=\"in-text\" version=\"{version}\">\
             <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00Z</updated></info>\
             <!-- a comment naming macro=\"ghost\" is no call -->\
             <citation><layout>{body}</layout></citation><bibliography><layout>{body}</layout></bibliography></style>\n"
        )
    };
    env.write("html.csl", "<html>not a style</html>");
    env.write("old.csl", &style("0.8", "<text variable=\"title\"/>"));
    env.write("macro.csl", &style("1.0", "<text macro=\"nope\"/>"));
    env.write("fine.csl", &style("1.0", "<text variable=\"title\"/>"));
    for (file, says) in [
        ("html.csl", "is not a usable CSL style"),
        ("old.csl", "a CSL 0.8 style"),
        ("macro.csl", "calls the macro `nope`, which it does not define"),
    ] {
        let r = env.run(&["export", "--style", file]);
        assert_eq!(r.code, 2, "{file}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{file}: {}", r.stderr);
    }
    let fine = env.run(&["export", "--style", "fine.csl", "--to", "text"]);
    assert_eq!(fine.code, 0, "{}", fine.stderr);
    assert!(fine.stdout.contains("On the Origin of Species"), "{}", fine.stdout);
    let r = env.run(&["export", "--style", "apa", "--locale", "xx-YY"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown locale `xx-YY`"), "{}", r.stderr);
}

#[test]
fn urls_print_as_written_in_every_output() {
    // Three URLs hayagriva's parser would print otherwise: a default port,
    // a host without a path, and two URLs in one field (as TeX Live's
    // font.bib writes them).
    let env = Env::new();
    env.write(
        "items.json",
        r#"[{"id": "port", "type": "webpage", "title": "Port", "issued": {"date-parts": [[2001]]},
             "URL": "http://www.example.org:80/pubs/a_b/"},
            {"id": "two", "type": "webpage", "title": "Two", "issued": {"date-parts": [[2002]]},
             "URL": "http://a.example.org/x;\n   http://b.example.org/y.pdf"}]"#,
    );
    let r = env.run(&["add", "--csl-json", "items.json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    env.write(
        "references/more.yml",
        "host:\n  type: web\n  title: Host\n  date: 2003\n  url:\n    value: http://c.example.org\n    date: 2020-01-02\n",
    );
    let library = env.read("references/library.yml");
    assert!(library.contains("http://www.example.org:80/pubs/a_b/"), "add writes the URL as written:\n{library}");
    assert!(!library.contains("%20"), "{library}");
    let text = env.run(&["export", "--style", "apa", "--to", "text"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    let flat = text.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    for url in ["http://www.example.org:80/pubs/a_b/", "http://a.example.org/x; http://b.example.org/y.pdf"] {
        assert!(flat.contains(url), "{url} in {flat}");
    }
    assert!(flat.contains("http://c.example.org"), "{flat}");
    assert!(!flat.contains("%20") && !flat.contains("c.example.org/"), "{flat}");
    // HTML prints it as written; the link goes where the parsed URL goes.
    let html = env.run(&["export", "--style", "apa", "--to", "html"]).stdout;
    assert!(
        html.contains(r#"<a href="http://www.example.org/pubs/a_b/">http://www.example.org:80/pubs/a_b/</a>"#),
        "{html}"
    );
    // The flat formats carry it too.
    let json: Vec<Value> = serde_json::from_str(&env.run(&["export", "--to", "csl-json"]).stdout).unwrap();
    let urls: Vec<&str> = json.iter().filter_map(|i| i["URL"].as_str()).collect();
    assert!(
        urls.contains(&"http://c.example.org") && urls.contains(&"http://www.example.org:80/pubs/a_b/"),
        "{urls:?}"
    );
    // Changing only how a URL is written changes the output, cache or not.
    let more = env.read("references/more.yml").replace("http://c.example.org\n", "http://c.example.org/\n");
    env.write("references/more.yml", &more);
    let again = env.run(&["export", "--style", "apa", "--to", "text"]).stdout;
    assert!(again.contains("http://c.example.org/"), "{again}");
}
