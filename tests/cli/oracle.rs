//! Third-party checks: biblatex's own example file, imported whole, agrees
//! with what pandoc reads from the same file (a reader we did not write, so a
//! mistake shared by our reader and writer, such as zero-based months, shows).
//! Needs Debian's `pandoc` and `texlive-bibtex-extra` (.ci/run installs them).

use std::collections::HashSet;
use std::path::Path;

use citelock::library::Library;
use citelock::repo::Repo;
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

use super::{Env, with_code};

pub const EXAMPLES: &str = "/usr/share/texlive/texmf-dist/bibtex/bib/biblatex/biblatex/biblatex-examples.bib";

/// Case, Unicode form, TeX braces and typographic quotes aside.
pub fn norm(s: &str) -> String {
    let s: String = s.nfkc().flat_map(char::to_lowercase).collect();
    let s = s.replace(['~', '\u{a0}'], " ").replace('\u{2019}', "'");
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            '{' | '}' => {}
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pandoc_items(bib: &Path) -> Vec<Value> {
    pandoc_read(bib, "biblatex")
}

/// What pandoc reads from a bibliography file in `format`, as CSL-JSON items.
pub fn pandoc_read(bib: &Path, format: &str) -> Vec<Value> {
    let out = std::process::Command::new("pandoc")
        .args(["-f", format, "-t", "csljson"])
        .arg(bib)
        .output()
        .expect("pandoc is installed (README: test prerequisites)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<Value>(&out.stdout).unwrap().as_array().unwrap().clone()
}

#[test]
fn biblatex_examples_import_whole_and_agree_with_pandoc() {
    let source = Path::new(EXAMPLES);
    assert!(source.exists(), "{EXAMPLES} is missing: apt-get install texlive-bibtex-extra");
    let env = Env::new();
    std::fs::copy(source, env.path("examples.bib")).unwrap();
    let theirs = pandoc_items(&env.path("examples.bib"));

    let (code, doc) = env.json(&["add", "--bibtex", "examples.bib"]);
    assert!(code == 0 || code == 1, "{doc}");
    let failed: HashSet<String> =
        with_code(&doc, "import-failed").iter().map(|f| f["message"].as_str().unwrap().to_owned()).collect();
    let (library, _) = Library::load(&Repo::at(env.root())).unwrap();
    // Every entry is imported under its own key, or named in a finding with a reason.
    for item in &theirs {
        let id = item["id"].as_str().unwrap();
        let named = failed.iter().any(|m| m.contains(&format!("`{id}`")));
        assert!(library.get(id).is_some() || named, "`{id}` neither imported nor reported");
    }
    assert!(library.records.len() >= theirs.len() - failed.len());

    let mut compared = (0, 0, 0);
    for item in &theirs {
        let id = item["id"].as_str().unwrap();
        let Some(record) = library.get(id) else {
            continue;
        };
        let ours = &record.entry;
        // Titles. pandoc takes an issue's title for a periodical issue (`jcg`); we keep the periodical's.
        if let Some(title) = ours.title().map(|t| t.value.to_string()) {
            let matches =
                ["title", "volume-title"].iter().any(|k| item[k].as_str().is_some_and(|t| norm(t) == norm(&title)));
            assert!(matches || id == "jcg", "{id}: title {title:?} vs pandoc {:?}", item["title"]);
            compared.0 += 1;
        }
        // Dates, one-based both sides. A range's start is the date, its end `date-end`.
        if let Some(d) = ours.date() {
            let ours_parts: Vec<i64> =
                [Some(i64::from(d.year)), d.month.map(|m| i64::from(m) + 1), d.day.map(|x| i64::from(x) + 1)]
                    .into_iter()
                    .flatten()
                    .collect();
            let parts = item["issued"]["date-parts"].as_array().unwrap();
            let as_numbers =
                |p: &Value| -> Vec<i64> { p.as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect() };
            assert_eq!(ours_parts, as_numbers(&parts[0]), "{id}: date");
            if let Some(end) = parts.get(1) {
                let end = as_numbers(end).iter().map(|n| format!("{n:02}")).collect::<Vec<_>>().join("-");
                assert_eq!(record.date_end.as_deref(), Some(end.as_str()), "{id}: date-end");
            }
            compared.1 += 1;
        }
        // Authors: family and given names, in order.
        let ours_names: Vec<(String, String)> = ours
            .authors()
            .unwrap_or_default()
            .iter()
            .map(|p| (p.name.clone(), p.given_name.clone().unwrap_or_default()))
            .collect();
        let theirs_names: Vec<(String, String)> = item["author"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|p| {
                        let family = p["family"].as_str().or(p["literal"].as_str()).unwrap_or_default();
                        (family.to_owned(), p["given"].as_str().unwrap_or_default().to_owned())
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(ours_names, theirs_names, "{id}: authors");
        compared.2 += ours_names.len();
    }
    assert!(compared.0 > 80 && compared.1 > 80 && compared.2 > 100, "{compared:?}");

    // lint runs on the result.
    let lint = env.run(&["lint"]);
    assert!(lint.code == 0 || lint.code == 1, "{}", lint.stderr);
    // Importing the same file again adds nothing and reports the duplicates.
    let before = env.read("references/library.yml");
    let (_, again) = env.json(&["add", "--bibtex", "examples.bib"]);
    assert_eq!(with_code(&again, "duplicate-reference").len(), library.records.len());
    assert_eq!(env.read("references/library.yml"), before);
}

/// Every entry of every `.bib` file TeX Live ships in texlive-bibtex-extra
/// is imported, or named in an `import-failed` finding with its line
/// (`benches/texlive-bib.sh` prints the table, beside pandoc's).
#[test]
fn every_texlive_bib_entry_imports_or_is_named() {
    use citelock::library::import::{self, encoding};
    let dir = Path::new("/usr/share/texlive/texmf-dist/bibtex/bib");
    let mut files: Vec<_> = walk_bib(dir);
    files.sort();
    assert!(files.len() >= 20, "texlive-bibtex-extra is installed: {} files", files.len());
    let entry = regex::Regex::new(r"@\s*([A-Za-z]+)\s*[{(]").unwrap();
    let (mut entries, mut imported) = (0, 0);
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let text = match encoding::decode(bytes.clone(), None) {
            Ok(
                encoding::Decoded::Utf8(t) | encoding::Decoded::Named(t) | encoding::Decoded::Declared { text: t, .. },
            ) => t,
            Err(_) => match encoding::decode(bytes, encoding_rs::Encoding::for_label(b"latin1")).unwrap() {
                encoding::Decoded::Named(t) => t,
                other => panic!("{other:?}"),
            },
        };
        let expected = entry
            .captures_iter(&text)
            .filter(|c| !matches!(c[1].to_ascii_lowercase().as_str(), "string" | "preamble" | "comment"))
            .count();
        let name = f.display().to_string();
        let read = import::read(import::Source::Bibtex, &text, &name);
        let failed = read.findings.iter().filter(|x| x.code.name() == "import-failed").count();
        let repeated = read.findings.iter().filter(|x| x.code.name() == "repeated-entry").count();
        assert!(read.findings.iter().all(|x| x.location.as_ref().and_then(|l| l.line).is_some()));
        assert_eq!(read.entries.len() + failed + repeated, expected, "{name}");
        entries += expected;
        imported += read.entries.len();
    }
    println!("{} files, {entries} entries, {imported} imported", files.len());
    assert!(imported * 1000 >= entries * 995, "{imported} of {entries}");
}

fn walk_bib(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk_bib(&p));
        } else if p.extension().is_some_and(|x| x == "bib") {
            out.push(p);
        }
    }
    out
}

const STYLES: &str = "/usr/share/texlive/texmf-dist/tex/latex/citation-style-language/styles";

/// citeproc-js's bibliography of a CSL-JSON file in a style, one entry a line.
fn citeproc_js(items: &Path, csl: &Path) -> Vec<String> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let reference = std::process::Command::new("node")
        .arg(here.join("benches/fidelity/citeproc.js"))
        .args([items, csl])
        .output()
        .expect("node is installed, with benches/fidelity's packages (.ci/test runs npm ci)");
    assert!(reference.status.success(), "{}", String::from_utf8_lossy(&reference.stderr));
    let entries = String::from_utf8(reference.stdout).unwrap();
    // Whitespace collapsed, as `ours` collapses it: a numeric style's label
    // is followed by two spaces in citeproc-js and one in hayagriva.
    entries
        .lines()
        .map(|l| serde_json::from_str::<String>(l).unwrap().split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// citelock's bibliography of the library in `env` in a style, one entry an
/// item, with the locale file citeproc.js reads (TeX Live's en-US: "Sep.",
/// "Jun." where hayagriva's bundled locale says "Sept.", "June").
fn ours(env: &Env, csl: &Path) -> Vec<String> {
    let xml = std::fs::read_to_string(csl).unwrap();
    let lang = xml.split("default-locale=\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or("en-US");
    let locale = Path::new(STYLES).join(format!("../locales/csl-locales-{lang}.xml"));
    let args = ["export", "--style", csl.to_str().unwrap(), "--locale", locale.to_str().unwrap()];
    let out = env.run(&[&args[..], &["--to", "text", "--no-cache"]].concat());
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout
        .split("\n\n")
        .map(|e| e.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|e| !e.is_empty())
        .collect()
}

/// The fidelity harness on a small sample of our own: citelock's
/// bibliography is citeproc-js's (benches/fidelity: npm `citeproc`, the
/// processor Zotero uses), entry for entry and in order, in TeX Live's APA
/// and Chicago author-date. The sample holds what went wrong on real
/// libraries: two works of one author and year listed in reverse title
/// order, four such pairs (hayagriva suffixes three per render), journals
/// with inner capitals (`TUGboat`, `MacUser`), a title ending in `?`.
/// `bash benches/fidelity.sh` gives the figures on real libraries.
#[test]
fn bibliographies_are_citeproc_js_s_on_the_sample() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fidelity-sample.json");
    let env = Env::new();
    assert_eq!(env.run(&["add", "--csl-json", sample.to_str().unwrap()]).code, 0);
    for style in ["apa", "chicago-author-date"] {
        let csl = Path::new(STYLES).join(format!("{style}.csl"));
        assert_eq!(ours(&env, &csl), citeproc_js(&sample, &csl), "{style}");
    }
}

/// The bibliography's order, and so its year suffixes, is citeproc-js's:
/// keys compared lower-cased, punctuation, spaces and accents aside and
/// numbers by value (`Editorial comments` before `Editor’s commentary`,
/// `Alexander` before `Al-Safi`, `Part 9` before `Part 10`, a title opening
/// with a quotation mark or a parenthesis under its first word, `Muller,
/// Anne` before `Müller, Hans`), names in a key family name first and without
/// "and" (`Okafor & Adams` before `Okafor & Zeller`), dates in a macro key
/// by month (APA: April's work is 1992a), a descending date key
/// (elsevier-harvard), a name that begins with a space (pandoc's leftover of
/// a TeX macro) first, and a straight apostrophe between letters printed as
/// a typographic one (`O’Brien`); a repeated pair of authors replaced by
/// Chicago's `———.` whole; two works without names of one year, which ASA
/// cites alike (`Anon. 1995a`, `1995b`); capitalised particles (`De Vries`,
/// `Van der Meer`), which citeproc-js leaves in the family name, as printed
/// and as sorted, where hayagriva demoted them (`Meer, Joost Van der`); a
/// name ending in an initial substituted where the style gives the author
/// macro a period (APSA's `———. 1986b.`); a thesis, which ASA tests with
/// `type="thesis manuscript"` (its publisher before its place).
#[test]
fn the_order_and_year_suffixes_are_citeproc_js_s() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sort-sample.json");
    let env = Env::new();
    assert_eq!(env.run(&["add", "--csl-json", sample.to_str().unwrap()]).code, 0);
    let styles = [
        "apa",
        "chicago-author-date",
        "american-political-science-association",
        "american-sociological-association",
        "elsevier-harvard",
    ];
    for style in styles.into_iter().chain(["chicago-fullnote-bibliography"]) {
        let csl = Path::new(STYLES).join(format!("{style}.csl"));
        assert_eq!(ours(&env, &csl), citeproc_js(&sample, &csl), "{style}");
    }
}

/// Items that are hard to read, as citeproc-js reads them, in four styles:
/// an uncertain date (`circa`: APA's `ca. 1850`), dropping and non-dropping
/// particles and a suffix (`van Beethoven` sorts under v in APA, under B in
/// Chicago), a title in capitals (left as it is), Greek and Chinese titles
/// and names, and CSL-JSON's markup (`<i>`, `<sc>`, a nocase span that keeps
/// `mRNA` from title case), page ranges of one page (`20-20`: "pp." in
/// IEEE; `127-127` not abbreviated to `127–27` in Chicago), one with an
/// unknown last page (`49-??`, left as written), a stop word after a comma
/// in a title (`Letters, and a Reply`), a title opening with a word with
/// inner capitals (`TeX Font Metric Files`), a number of volumes (`Vol. 1–3`), a reprint's original date
/// (`(Original work published 1959)`, Chicago's `(1959) 1997`), title case as citeproc-js's (`upon`,
/// `Latin/Arabic`, `of The Guinta Press`, `(in Korean)` left as written), a proceedings paper's and a
/// book's series with its number (`IEEE Publ. 86`), a German chapter (titles as written, `(Ed.)`), Vancouver's
/// `plural="never"` page label (`p. 392–5`), harvard's label of an empty volume (`(3 vol)`), a German container title's period stripped where Vancouver strips periods, initials as citeproc-js writes them (`J.-J.`, `P.Q.`), title case after `/` and `-` inside a word, a preprint's version (MLA), namesakes in one year (`Ivers, R.` and `Ivers, T.`;
/// `Lindqvist, M.` and `Lindqvist, M. E.`: given names kept, no year suffixes), a page count that ends in a bracket
/// (APA's `(p. 352 (est.))`, both closed), report numbers that start with letters (`TR-2339`,
/// `NPS-09-95-003`: text to citeproc-js, printed as written and without `No.`), page values citeproc-js counts as one
/// page (`??-??`, `11/1-11/9`: IEEE's `p.`), the same person as editor and then as author (Chicago's `———.`), two
/// names ending with an institution's (`Hobart, R. L. & Dale & Hill`, no comma), items of no CSL type (`""`, as pandoc
/// writes `@misc`: not a web page for their URL, their series at the end), straight quotation marks (`''` is `’’`,
/// `'fonts'` a quotation kept out of title case, `'90s` an apostrophe).
#[test]
fn hard_items_are_read_as_citeproc_js_reads_them() {
    let items = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hard-items.json");
    let env = Env::new();
    let added = env.run(&["add", "--csl-json", items.to_str().unwrap()]);
    assert_eq!(added.code, 0, "{}", added.stderr);
    for style in [
        "apa",
        "chicago-author-date",
        "ieee",
        "vancouver",
        "harvard-cite-them-right",
        "modern-language-association",
        "american-sociological-association",
    ] {
        let csl = Path::new(STYLES).join(format!("{style}.csl"));
        assert_eq!(ours(&env, &csl), citeproc_js(&items, &csl), "{style}");
    }
}

/// An edition written in parts (`Release 3.0., personal`, `twenty-third`)
/// in a style that capitalises every edition it prints as text (MLA,
/// IEEE): citeproc-js applies the case to each part (`Release 3.0.,
/// Personal`, `Twenty-Third`), and so does citelock. (A style that
/// capitalises some editions and not others, Chicago's, is left to
/// hayagriva, which capitalises the first part only.)
#[test]
fn each_part_of_an_edition_is_capitalised_as_citeproc_js_does() {
    let env = Env::new();
    env.write(
        "editions.json",
        r#"[{"id": "s", "type": "book", "title": "Word processing at home", "author": [{"family": "Starr", "given": "Wanda"}],
             "edition": "Release 3.0., personal", "publisher": "MicroWord", "issued": {"date-parts": [[1987]]}},
            {"id": "g", "type": "book", "title": "How to get around the campus", "author": [{"family": "Greer", "given": "Andrea"}],
             "edition": "twenty-third", "publisher": "Campus Press", "issued": {"date-parts": [[1991]]}}]"#,
    );
    let added = env.run(&["add", "--csl-json", "editions.json"]);
    assert_eq!(added.code, 0, "{}", added.stderr);
    for style in ["modern-language-association", "ieee"] {
        let csl = Path::new(STYLES).join(format!("{style}.csl"));
        let ours = ours(&env, &csl);
        assert!(ours.iter().any(|e| e.contains("Twenty-Third")), "{ours:?}");
        assert_eq!(ours, citeproc_js(&env.path("editions.json"), &csl), "{style}");
    }
}

/// A date range (a work in several volumes, `1884–1886`), which hayagriva
/// cannot hold: the import keeps its end as `date-end` beside the entry's
/// date (from CSL-JSON's second `date-parts`, and BibLaTeX's `date =
/// {1884/1886}`); bibliographies print the range where the year is, as
/// citeproc-js does (APA's `(1884–1886)`, with a year suffix
/// `(1984–1986a)`, which a work of 1984 alone by the same author does not
/// share); the CSL-JSON, BibLaTeX and YAML exports write it back; and
/// `lint` warns `bad-date-end` where it is not a date after the date.
#[test]
fn a_date_range_is_kept_printed_and_exported() {
    let env = Env::new();
    env.write(
        "range.json",
        r#"[{"id": "r", "type": "book", "title": "Regesta", "author": [{"family": "Jaffe", "given": "Paul"}],
             "issued": {"date-parts": [[1885], [1888]]}, "publisher": "Veit"},
            {"id": "k1", "type": "book", "title": "Computers and typesetting", "author": [{"family": "Knuth", "given": "Donald E."}],
             "issued": {"date-parts": [[1984], [1986]]}, "publisher": "Addison-Wesley"},
            {"id": "k2", "type": "book", "title": "Computers and typesetting again", "author": [{"family": "Knuth", "given": "Donald E."}],
             "issued": {"date-parts": [[1984], [1986]]}, "publisher": "Addison-Wesley"},
            {"id": "k3", "type": "book", "title": "Computers and typesetting, volume A", "author": [{"family": "Knuth", "given": "Donald E."}],
             "issued": {"date-parts": [[1984]]}, "publisher": "Addison-Wesley"}]"#,
    );
    let added = env.run(&["add", "--csl-json", "range.json"]);
    assert_eq!(added.code, 0, "{}", added.stderr);
    assert!(!added.stdout.contains("field-dropped"), "{}", added.stdout);
    assert!(env.read("references/library.yml").contains("date-end: 1888"), "{}", env.read("references/library.yml"));
    let csl = Path::new(STYLES).join("apa.csl");
    assert_eq!(ours(&env, &csl), citeproc_js(&env.path("range.json"), &csl));
    let json = env.run(&["export", "r", "--to", "csl-json"]);
    assert!(
        json.stdout.contains("[\n          1885\n        ],\n        [\n          1888\n        ]"),
        "{}",
        json.stdout
    );
    let bib = env.run(&["export", "r", "--to", "biblatex"]);
    assert!(bib.stdout.contains("date = {1885/1888}"), "{}", bib.stdout);
    let yaml = env.run(&["export", "r", "--to", "yaml"]);
    assert!(yaml.stdout.contains("date: 1885\n  date-end: 1888\n"), "{}", yaml.stdout);
    // BibLaTeX in, the same range.
    env.write(
        "range.bib",
        "@book{b, title = {Chronicles}, author = {Jaffe, Paul}, date = {1885/1888}, publisher = {Veit}}\n",
    );
    let added = env.run(&["add", "--bibtex", "range.bib"]);
    assert_eq!(added.code, 0, "{}", added.stderr);
    let out = env.run(&["export", "b", "--style", "apa", "--to", "text"]);
    assert!(out.stdout.contains("(1885\u{2013}1888)"), "{}{}", out.stdout, out.stderr);
    // Not a date, and an end before the start: warned, and printed without.
    let yml = env.read("references/library.yml");
    env.write(
        "references/library.yml",
        &yml.replacen("date-end: 1888", "date-end: soon", 1).replacen("date-end: 1986", "date-end: 1980", 1),
    );
    let lint = env.run(&["lint"]);
    assert!(
        lint.stdout.contains("warning[bad-date-end]: entry `r`: `date-end: soon` is not a date"),
        "{}",
        lint.stdout
    );
    assert!(lint.stdout.contains("`date-end: 1980` does not come after its date"), "{}", lint.stdout);
    let out = env.run(&["export", "r", "--style", "apa", "--to", "text"]);
    assert!(out.stdout.contains("(1885)"), "{}", out.stdout);
}

/// A title that begins with a space (what pandoc leaves where it dropped a
/// TeX macro, `{\TeX} macro index`) is kept as written: printed, also inside
/// Chicago's quotation marks (`“ Macro Index.”`, `“ Errata for TeX.”`:
/// hayagriva's title case trims it), and sorted first, as citeproc-js prints
/// and sorts it (year suffixes follow), in APA, Chicago, IEEE and ACS; so is
/// one that ends with a space (APA's `Update on Pascal .`, IEEE's
/// `“Update on Pascal ,”`: hayagriva drops a space before punctuation), and a
/// title in quotation marks keeps both (`“‘Quoted.’”`); an issue written
/// `1, 02` keeps its zero (hayagriva reads it as the numbers 1 and 2); `lint`
/// names the spaces `stray-space`. (Not yet: a leading space before a word
/// kept in its case, Chicago's `“TeX Errata.”` for `“ TeX Errata.”`.)
#[test]
fn a_title_with_a_stray_space_is_kept_as_written() {
    let env = Env::new();
    env.write(
        "stray.json",
        r#"[{"id": "a", "type": "article-journal", "title": " macro index", "author": [{"family": "Okafor", "given": "Ada"}], "issued": {"date-parts": [[1990]]}, "container-title": "Journal of Lettering", "page": "30-31"},
            {"id": "b", "type": "article-journal", "title": "Apple type revisited", "author": [{"family": "Okafor", "given": "Ada"}], "issued": {"date-parts": [[1990]]}, "container-title": "Journal of Lettering", "page": "70-81"},
            {"id": "c", "type": "article-journal", "title": "Update on Pascal ", "author": [{"family": "Brandt", "given": "Ulla"}], "issued": {"date-parts": [[1981, 2]]}, "container-title": "Journal of Lettering", "volume": "2", "issue": "1, 02", "page": "10-12"},
            {"id": "d", "type": "article-journal", "title": "“A very friendly product”", "author": [{"family": "Brandt", "given": "Ulla"}], "issued": {"date-parts": [[1980, 10]]}, "container-title": "Journal of Lettering", "volume": "1", "page": "10-11"},
            {"id": "e", "type": "article-journal", "title": " Errata for TeX", "author": [{"family": "Brandt", "given": "Ulla"}], "issued": {"date-parts": [[1980, 10]]}, "container-title": "Journal of Lettering", "volume": "1", "page": "12-13"}]"#,
    );
    let added = env.run(&["add", "--csl-json", "stray.json"]);
    assert_eq!(added.code, 0, "{}", added.stderr);
    let (_, lint) = env.json(&["lint"]);
    let stray = super::with_code(&lint, "stray-space");
    assert_eq!(stray.len(), 3, "{lint}");
    assert_eq!(stray[0]["data"]["key"], "a");
    for style in ["apa", "chicago-author-date", "ieee", "american-chemical-society"] {
        let csl = Path::new(STYLES).join(format!("{style}.csl"));
        assert_eq!(ours(&env, &csl), citeproc_js(&env.path("stray.json"), &csl), "{style}");
    }
}
