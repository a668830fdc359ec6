use super::{Env, LIBRARY, with_code};

const SAMPLE: &str = include_str!("../fixtures/sample.bib");

#[test]
fn bibtex_entries_import_one_by_one_and_failures_are_named() {
    let env = Env::new();
    env.write("in.bib", SAMPLE);
    let (code, doc) = env.json(&["add", "--bibtex", "in.bib"]);
    assert_eq!(code, 1, "failed entries are errors: {doc}");
    let failed = with_code(&doc, "import-failed");
    assert_eq!(failed.len(), 1, "{doc}");
    assert!(failed[0]["message"].as_str().unwrap().contains("`broken`"));
    assert_eq!((failed[0]["file"].as_str(), failed[0]["line"].as_u64()), (Some("in.bib"), Some(25)));
    // An unusable value costs its field, not its entry (as BibTeX and pandoc read it).
    let dropped = with_code(&doc, "field-dropped");
    assert_eq!(dropped[0]["data"]["key"], "badyear");
    assert!(dropped[0]["data"]["fields"][0].as_str().unwrap().starts_with("year = {nineteen-eighty}"), "{doc}");
    assert_eq!(dropped[1]["data"]["fields"][0], "keywords");
    let keys = env.run(&["list", "--to", "keys"]).stdout;
    assert_eq!(keys, "knuth1984texbook\nshannon1948\nbadyear\nturing2004essential\n");
    let show = env.run(&["show", "turing2004essential", "--to", "json"]).stdout;
    let v: serde_json::Value = serde_json::from_str(&show).unwrap();
    assert!(v["title"].as_str().unwrap().starts_with("The Essential Turing: Seminal Writings"), "{v}");
    let shannon = env.run(&["show", "shannon1948", "--to", "json"]).stdout;
    let v: serde_json::Value = serde_json::from_str(&shannon).unwrap();
    assert_eq!(v["date"], "1948-07", "months are not shifted: {v}");
    assert_eq!(v["parent"]["title"], "Bell System Technical Journal");
}

#[test]
fn a_truncated_bibtex_file_keeps_its_complete_entries() {
    let env = Env::new();
    let cut = &SAMPLE[..SAMPLE.find("@article{shannon1948").unwrap() + 60];
    env.write("cut.bib", cut);
    let (code, doc) = env.json(&["add", "--bibtex", "cut.bib"]);
    assert_eq!(code, 1);
    let f = with_code(&doc, "import-failed");
    assert_eq!(f.len(), 1, "{doc}");
    assert!(f[0]["message"].as_str().unwrap().contains("not closed"));
    assert_eq!(f[0]["line"], 13);
    assert_eq!(env.run(&["list", "--to", "keys"]).stdout, "knuth1984texbook\n");
}

#[test]
fn adding_appends_without_touching_what_is_there() {
    let env = Env::new();
    env.write("references/library.yml", LIBRARY);
    env.write("in.bib", SAMPLE);
    let r = env.run(&["add", "--bibtex", "in.bib"]);
    assert!(r.stderr.contains("added 4 entries (references/library.yml)"), "{}", r.stderr);
    let after = env.read("references/library.yml");
    assert!(after.starts_with(LIBRARY), "existing text kept byte for byte");
    assert!(after[LIBRARY.len()..].starts_with("\nknuth1984texbook:\n"), "{after}");
    // No temp files left behind.
    let names: Vec<_> = std::fs::read_dir(env.path("references")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn importing_again_adds_nothing_and_reports_duplicates() {
    let env = Env::new();
    env.write("in.bib", SAMPLE);
    env.run(&["add", "--bibtex", "in.bib"]);
    let before = env.read("references/library.yml");
    let (_, doc) = env.json(&["add", "--bibtex", "in.bib"]);
    assert_eq!(with_code(&doc, "duplicate-reference").len(), 4, "{doc}");
    assert_eq!(env.read("references/library.yml"), before);
    // --force adds a copy under a generated key.
    let r = env.run(&["add", "--bibtex", "in.bib", "--force", "--into", "references/more.yml"]);
    assert!(r.stderr.contains("added 4 entries (references/more.yml)"), "{}", r.stderr);
    assert!(env.read("references/more.yml").contains("knuth1984texbooka:"));
}

#[test]
fn duplicates_by_doi_under_another_key_are_refused() {
    let env = Env::new();
    env.write("in.bib", SAMPLE);
    env.run(&["add", "--bibtex", "in.bib"]);
    env.write("other.json", r#"[{"id": "shannonTheory", "type": "article-journal", "title": "A mathematical theory of communication", "DOI": "https://doi.org/10.1002/J.1538-7305.1948.TB01338.X"}]"#);
    let (code, doc) = env.json(&["add", "--csl-json", "other.json"]);
    assert_eq!(code, 0);
    let f = with_code(&doc, "duplicate-reference");
    assert_eq!(f[0]["data"]["duplicate-of"], "shannon1948");
    assert!(f[0]["message"].as_str().unwrap().contains("DOI"));
    env.write("citelock.toml", "[duplicates]\ndistinct = [[\"shannonTheory\", \"shannon1948\"]]\n");
    let r = env.run(&["add", "--csl-json", "other.json"]);
    assert!(r.stderr.contains("added 1 entry"), "{}", r.stderr);
}

#[test]
fn update_patches_changed_entries_in_place_and_says_what_changed() {
    let env = Env::new();
    env.write("references/library.yml", LIBRARY);
    env.write("in.bib", SAMPLE);
    env.run(&["add", "--bibtex", "in.bib"]);
    let newer = SAMPLE.replace("pages   = {379--423}", "pages   = {379--423, 623--656}");
    env.write("newer.bib", &newer);
    let (code, doc) = env.json(&["add", "--update", "--bibtex", "newer.bib"]);
    assert_eq!(code, 1, "the two unreadable entries are still errors");
    let updated = with_code(&doc, "entry-updated");
    assert_eq!(updated.len(), 1, "{doc}");
    assert_eq!(updated[0]["data"]["key"], "shannon1948");
    assert_eq!(updated[0]["data"]["changed"], serde_json::json!(["page-range"]));
    let text = env.read("references/library.yml");
    assert!(text.starts_with(LIBRARY));
    assert!(text.contains("page-range: 379-423, 623-656"), "{text}");
    assert_eq!(text.matches("shannon1948:").count(), 1);
    let r = env.run(&["add", "--update", "--bibtex", "newer.bib"]);
    assert!(r.stderr.contains("0 updated, 4 unchanged"), "{}", r.stderr);
}

#[test]
fn csl_json_that_is_not_an_array_changes_nothing() {
    let env = Env::new();
    env.write("z.json", "{\"id\": \"a\", \"type\": \"book\"}");
    let (code, doc) = env.json(&["add", "--csl-json", "z.json"]);
    assert_eq!(code, 1);
    assert!(doc["findings"][0]["message"].as_str().unwrap().contains("array"));
    assert!(!env.path("references/library.yml").exists());
}

#[test]
fn ris_import_generates_missing_keys() {
    let env = Env::new();
    env.write(
        "in.ris",
        "TY  - JOUR\nAU  - Shannon, Claude E.\nTI  - A Mathematical Theory of Communication\nT2  - Bell System Technical Journal\nPY  - 1948/07//\nVL  - 27\nSP  - 379\nEP  - 423\nER  - \n",
    );
    let (code, doc) = env.json(&["add", "--ris", "in.ris"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(with_code(&doc, "key-renamed")[0]["data"]["key"], "shannon1948mathematical");
    let v: serde_json::Value =
        serde_json::from_str(&env.run(&["show", "shannon1948mathematical", "--to", "json"]).stdout).unwrap();
    assert_eq!(v["page-range"], "379-423");
}

#[test]
fn key_flag_and_its_validation() {
    let env = Env::new();
    env.write("one.json", r#"[{"id": "x", "type": "book", "title": "One", "author": [{"family": "Doe", "given": "J."}], "issued": {"date-parts": [[2001]]}}]"#);
    let r = env.run(&["add", "--csl-json", "one.json", "--key", "bad\nkey"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("control character"), "{}", r.stderr);
    assert!(!env.path("references/library.yml").exists());
    let r = env.run(&["add", "--csl-json", "one.json", "--key", "doe:one"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(env.read("references/library.yml").starts_with("doe:one:\n"));
    assert_eq!(env.run(&["list", "--to", "keys"]).stdout, "doe:one\n");
}

#[test]
fn refuses_a_target_outside_references_or_a_broken_one() {
    let env = Env::new();
    env.write("in.bib", SAMPLE);
    let r = env.run(&["add", "--bibtex", "in.bib", "--into", "elsewhere.yml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("under references/"), "{}", r.stderr);
    let broken = "a: [unclosed\n";
    env.write("references/library.yml", broken);
    let r = env.run(&["add", "--bibtex", "in.bib"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("does not parse"), "{}", r.stderr);
    assert_eq!(env.read("references/library.yml"), broken);
}

#[test]
fn dry_run_writes_nothing() {
    let env = Env::new();
    env.write("in.bib", SAMPLE);
    let r = env.run(&["add", "--bibtex", "in.bib", "--dry-run"]);
    assert!(r.stderr.contains("would add 4 entries"), "{}", r.stderr);
    assert!(!env.path("references/library.yml").exists());
}

#[test]
fn an_edit_that_would_not_read_back_is_refused_and_nothing_changes() {
    let env = Env::new();
    // A document-end marker: anything appended after it would be a second YAML document.
    let text = "a:\n  type: book\n  title: A\n...\n";
    env.write("references/library.yml", text);
    env.write("in.bib", SAMPLE);
    let r = env.run(&["add", "--bibtex", "in.bib"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("would not read back"), "{}", r.stderr);
    assert_eq!(env.read("references/library.yml"), text);
}

/// Found by fuzzing (fuzz/corpus/bibtex/oom-error-inside-blanked-entry.bib):
/// a parse error inside an entry already blanked made the recovery loop
/// repeat forever, growing memory past 9 GB. It now ends at once.
#[test]
fn a_parse_error_that_blanking_does_not_move_ends_the_import() {
    let env = Env::new();
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/blanking-loop.bib"), env.path("in.bib"))
        .unwrap();
    let start = std::time::Instant::now();
    let (code, doc) = env.json(&["add", "--bibtex", "in.bib", "--dry-run"]);
    assert!(start.elapsed() < std::time::Duration::from_secs(10), "{:?}", start.elapsed());
    assert_eq!(code, 1, "{doc}");
    assert!(with_code(&doc, "import-failed").len() <= 5, "{doc}");
}

#[test]
fn ten_seeded_sigkills_of_add_leave_the_old_file_or_the_new_one() {
    let mut rng = super::Rng::seeded();
    let seed = rng.seed;
    let bib: String = (0..3000)
        .map(|i| format!("@article{{k{i}, title={{Title {i}}}, author={{Doe, Jane}}, journal={{J}}, year={{2000}}}}\n"))
        .collect();
    let old = "old:\n  type: misc\n  title: Old\n";
    let done = Env::new();
    done.write("references/library.yml", old);
    done.write("big.bib", &bib);
    assert_eq!(done.run(&["add", "--bibtex", "big.bib"]).code, 0);
    let new = done.read("references/library.yml");
    let mut outcomes = [0; 2];
    for kill in 0..10 {
        let env = Env::new();
        env.write("references/library.yml", old);
        env.write("big.bib", &bib);
        let mut child = env.spawn(&["add", "--bibtex", "big.bib"]);
        std::thread::sleep(std::time::Duration::from_millis(rng.next() % 2500));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let now = env.read("references/library.yml");
        assert!(now == old || now == new, "seed {seed}, kill {kill}: a half-written library ({} bytes)", now.len());
        outcomes[usize::from(now == new)] += 1;
        // Only our own temp files may be left, and nothing reads them.
        for e in std::fs::read_dir(env.path("references")).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            assert!(name == "library.yml" || name.starts_with(".citelock-") && name.ends_with(".tmp"), "{name}");
        }
        assert_eq!(env.json(&["lint"]).0, 0, "seed {seed}, kill {kill}");
    }
    println!("10 kills of add: {} left the old library, {} the new one, none half-written", outcomes[0], outcomes[1]);
}

#[test]
fn the_next_add_sweeps_what_a_killed_one_left() {
    let env = Env::new();
    env.write("references/library.yml", LIBRARY);
    env.write("references/.citelock-old.tmp", "half of a library");
    env.write("references/.citelock-new.tmp", "a live writer's");
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    std::fs::File::options()
        .write(true)
        .open(env.path("references/.citelock-old.tmp"))
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();
    env.write("in.bib", SAMPLE);
    let r = env.run(&["add", "--bibtex", "in.bib"]);
    assert!(r.stderr.contains("added 4 entries"), "{}", r.stderr);
    assert!(!env.path("references/.citelock-old.tmp").exists(), "an hour-old temp file is swept");
    assert!(env.path("references/.citelock-new.tmp").exists(), "a young one may be a live writer's");
}

#[test]
fn a_second_add_fails_fast_instead_of_losing_the_first_ones_entries() {
    let env = Env::new();
    env.write("references/library.yml", LIBRARY);
    env.write("in.bib", SAMPLE);
    let archive = citelock::archive::Archive::new(env.path("archive"));
    let held = citelock::archive::lock::acquire(&archive).unwrap();
    let r = env.run(&["add", "--bibtex", "in.bib"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("another citelock process is writing"), "{}", r.stderr);
    assert_eq!(env.read("references/library.yml"), LIBRARY, "nothing written");
    assert!(
        env.run(&["add", "--bibtex", "in.bib", "--dry-run"]).stderr.contains("would add"),
        "a dry run needs no lock"
    );
    drop(held);
    assert!(env.run(&["add", "--bibtex", "in.bib"]).stderr.contains("added 4 entries"));
}
