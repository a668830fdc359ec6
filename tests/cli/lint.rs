use super::{Env, LIBRARY, codes, with_code};

#[test]
fn a_clean_library_exits_0() {
    let env = Env::new();
    env.write("references/library.yml", LIBRARY);
    let (code, doc) = env.json(&["lint"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["findings"].as_array().unwrap().len(), 0);
    assert_eq!(doc["summary"]["errors"], 0);
}

#[test]
fn malformed_yaml_is_located_and_nothing_changes() {
    let env = Env::new();
    let broken = "good:\n  type: book\n  title: [unclosed\n  author: X\n";
    env.write("references/broken.yml", broken);
    env.write("references/library.yml", LIBRARY);
    let (code, doc) = env.json(&["lint"]);
    assert_eq!(code, 1);
    let f = with_code(&doc, "yaml-syntax");
    assert_eq!(f.len(), 1, "{doc}");
    assert_eq!(f[0]["file"], "references/broken.yml");
    assert!(f[0]["line"].as_u64().unwrap() >= 3, "{}", f[0]);
    assert!(f[0]["column"].as_u64().is_some());
    assert_eq!(env.read("references/broken.yml"), broken);
    // The other file still loads.
    let r = env.run(&["list", "--to", "keys"]);
    assert_eq!(r.stdout, "darwin1859\ngpl3\n");
    assert_eq!(r.code, 1, "loading problems still fail the run");
}

#[test]
fn human_output_shows_the_source_line_and_a_caret() {
    let env = Env::new();
    env.write("references/a.yml", "x:\n  type: book\n  titel: Oops\n  author: A\n  date: 2000\n");
    let r = env.run(&["lint"]);
    assert_eq!(r.code, 0, "a warning alone does not fail");
    let expected = "\
warning[unknown-field]: unknown field `titel` in entry `x`: hayagriva ignores it
 --> references/a.yml:3:3
  |
3 |   titel: Oops
  |   ^^^^^
  = help: did you mean `title`?
";
    assert!(r.stdout.starts_with(expected), "{}", r.stdout);
    assert!(r.stderr.contains("lint: 0 errors, 2 warnings"), "{}", r.stderr);
}

#[test]
fn unknown_fields_in_parents_and_habits_from_bibtex() {
    let env = Env::new();
    env.write(
        "references/a.yml",
        "a:\n  type: article\n  title: T\n  author: A\n  doi: 10.1/x\n  parent:\n    type: periodical\n    title: J\n    date: 2000\n    volumne: 3\n",
    );
    let (_, doc) = env.json(&["lint"]);
    let f = with_code(&doc, "unknown-field");
    let fields: Vec<_> = f.iter().map(|f| f["data"]["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["doi", "volumne"]);
    assert!(f[0]["help"].as_str().unwrap().contains("serial-number"));
    assert_eq!(f[1]["line"], 10);
    assert!(f[1]["message"].as_str().unwrap().contains("in a parent"));
}

#[test]
fn duplicate_keys_across_and_within_files_name_both_places() {
    let env = Env::new();
    env.write("references/a.yml", "k:\n  type: book\n  title: A\n");
    env.write("references/b.yml", "z:\n  type: book\n  title: Z\nk:\n  type: book\n  title: B\n");
    env.write("references/c.yml", "m:\n  type: book\n  title: M\nm:\n  type: book\n  title: M2\n");
    let (code, doc) = env.json(&["lint"]);
    assert_eq!(code, 1);
    let f = with_code(&doc, "duplicate-key");
    assert_eq!(f.len(), 2, "{doc}");
    assert_eq!((f[0]["file"].as_str(), f[0]["line"].as_u64()), (Some("references/b.yml"), Some(4)));
    assert_eq!(f[0]["related"][0]["file"], "references/a.yml");
    assert_eq!(f[0]["related"][0]["line"], 1);
    assert_eq!((f[1]["file"].as_str(), f[1]["line"].as_u64()), (Some("references/c.yml"), Some(4)));
    assert_eq!(f[1]["related"][0]["line"], 1);
    // The first definitions win; the rest of each file still loads.
    let keys = env.run(&["list", "--to", "keys"]).stdout;
    assert_eq!(keys, "k\nz\nm\n");
}

#[test]
fn keys_with_colons_and_slashes_are_fine_whitespace_and_case_collisions_are_not() {
    let env = Env::new();
    env.write(
        "references/a.yml",
        "\"gaonkar:in\":\n  type: book\n  title: A\n  author: G\n  date: 2001\nbaez/article:\n  type: book\n  title: B\n  author: B\n  date: 2002\n\"bad\\nkey\":\n  type: book\n  title: C\n  author: C\n  date: 2003\nMüller2020:\n  type: book\n  title: D\n  author: M\n  date: 2020\n\"mu\\u0308ller2020\":\n  type: book\n  title: E\n  author: M\n  date: 2021\n",
    );
    let (code, doc) = env.json(&["lint"]);
    assert_eq!(code, 1);
    let invalid = with_code(&doc, "invalid-key");
    assert_eq!(invalid.len(), 1, "{doc}");
    assert_eq!(invalid[0]["line"], 11);
    assert!(invalid[0]["message"].as_str().unwrap().contains("control character"));
    let collision = with_code(&doc, "key-collision");
    assert_eq!(collision.len(), 1, "{doc}");
    assert_eq!(collision[0]["related"][0]["line"], 16);
}

#[test]
fn a_bad_entry_is_skipped_and_the_others_load() {
    let env = Env::new();
    env.write(
        "references/a.yml",
        "ok1:\n  type: book\n  title: A\nbad:\n  type: book\n  date: sometime\nok2:\n  type: book\n  title: B\nnotype:\n  title: C\n",
    );
    let (code, doc) = env.json(&["lint"]);
    assert_eq!(code, 1);
    let f = with_code(&doc, "invalid-entry");
    assert_eq!(f.len(), 2, "{doc}");
    assert_eq!(f[0]["line"], 6, "points at the bad value: {}", f[0]);
    assert_eq!(f[1]["data"]["key"], "notype");
    assert_eq!(env.run(&["list", "--to", "keys"]).stdout, "ok1\nok2\n");
}

#[test]
fn missing_fields_and_duplicate_references() {
    let env = Env::new();
    env.write(
        "references/a.yml",
        "\
w:
  type: web
  title: Page
  organization: Org
  date: 2020
  url: https://example.org/x
b1:
  type: book
  title: The Same Book
  author: Doe, Jane
  date: 1999
b2:
  type: book
  title: 'The same book!'
  author: Doe, J.
  date: 1999
notitle:
  type: book
  author: X
  date: 2000
",
    );
    let (code, doc) = env.json(&["lint"]);
    assert_eq!(code, 0, "both are warnings by default");
    let missing: Vec<_> =
        with_code(&doc, "missing-field").iter().map(|f| f["data"]["field"].as_str().unwrap().to_owned()).collect();
    assert_eq!(missing, ["url.date", "title"]);
    let dup = with_code(&doc, "duplicate-reference");
    assert_eq!(dup.len(), 1);
    assert_eq!(dup[0]["data"]["duplicate-of"], "b1");
    assert_eq!(dup[0]["line"], 12);
    // Declared distinct: no longer flagged.
    env.write("citelock.toml", "[duplicates]\ndistinct = [[\"b1\", \"b2\"]]\n");
    let (_, doc) = env.json(&["lint"]);
    assert!(with_code(&doc, "duplicate-reference").is_empty());
}

#[test]
fn config_sets_levels_and_rejects_unknown_keys_with_their_line() {
    let env = Env::new();
    env.write("references/a.yml", "x:\n  type: book\n  title: T\n");
    env.write("citelock.toml", "[levels]\nmissing-field = \"error\"\n");
    let (code, doc) = env.json(&["lint"]);
    assert_eq!(code, 1);
    assert!(codes(&doc).iter().all(|c| c == "missing-field"));
    assert_eq!(doc["findings"][0]["severity"], "error");
    env.write("citelock.toml", "[levels]\nmissing-field = \"off\"\n");
    let (code, doc) = env.json(&["lint"]);
    assert_eq!((code, doc["findings"].as_array().unwrap().len()), (0, 0));
    env.write("citelock.toml", "[levels]\nmissing-field = \"off\"\n\n[levls]\n");
    let r = env.run(&["lint"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("citelock.toml:4:"), "{}", r.stderr);
    env.write("citelock.toml", "[levels]\nmising-field = \"off\"\n");
    let r = env.run(&["lint"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("citelock.toml:2:1: unknown finding code `mising-field`"), "{}", r.stderr);
}

#[test]
fn alias_bombs_and_deep_nesting_fail_fast_and_say_where() {
    let env = Env::new();
    let mut bomb = String::from("a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for i in 1..10 {
        bomb.push_str(&format!("a{i}: &a{i} [{}]\n", vec![format!("*a{}", i - 1); 9].join(",")));
    }
    bomb.push_str("bomb:\n  type: misc\n  title: boom\n  note: *a9\n");
    env.write("references/library.yml", &bomb);
    let start = std::time::Instant::now();
    let (code, doc) = env.json(&["lint"]);
    assert!(start.elapsed() < std::time::Duration::from_secs(10), "a billion laughs is not expanded");
    assert_eq!(code, 1, "{doc}");
    assert!(
        with_code(&doc, "invalid-entry").iter().any(|f| f["message"].as_str().unwrap().contains("`bomb`")),
        "{doc}"
    );

    let depth = 100_000;
    env.write(
        "references/library.yml",
        &format!("x:\n  type: misc\n  title: {}{}\n", "[".repeat(depth), "]".repeat(depth)),
    );
    let (code, doc) = env.json(&["lint"]);
    assert_eq!(code, 1, "{doc}");
    let f = &with_code(&doc, "yaml-syntax")[0];
    assert_eq!(f["line"], 3, "{doc}");
    let human = env.run(&["lint"]).stdout;
    assert!(human.lines().all(|l| l.chars().count() < 200), "a 200 KB line is shown cut");
}
