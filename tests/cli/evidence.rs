//! Evidence for cited claims (`check`, `trace`): the passage each claim rests
//! on, and its numbers looked up in the cited sources, on sources written for
//! these tests (a river report, a town history in Greek, one with no text).

use serde_json::Value;

use super::{Env, codes, with_code};

const LIB: &str = "\
river:
  type: report
  title: The River Report
  author: Hydro, Hanna
  date: 2012
town:
  type: book
  title: Town History
  author: Historian, Hal
  date: 2001
silent:
  type: book
  title: Only Paper
  author: Nobody, N.
  date: 1990
";

const RIVER: &str = "\
The river rises every spring when the snow melts in the mountains.
Farmers along the banks plant rice after the water recedes in May.
In 2011 the flood reached the steps of the town hall for the first time.
It was the highest flood recorded in a century, displacing 200,000 residents.
Repairs cost $2.5 million and took two years.
Tourism fell by 12.4% in the year after the flood.
";

const TOWN: &str = "Η πόλη ιδρύθηκε το 1821 από ψαράδες. Το λιμάνι χτίστηκε αργότερα, το 1880.\n";

fn env() -> Env {
    let env = Env::new();
    env.write("references/library.yml", LIB);
    env.write("river.txt", RIVER);
    env.write("town.txt", TOWN);
    assert_eq!(env.run(&["archive", "--attach", "river", "river.txt"]).code, 0);
    assert_eq!(env.run(&["archive", "--attach", "town", "town.txt"]).code, 0);
    env
}

fn claims(env: &Env, report: &str) -> Vec<Value> {
    let r = env.run(&["trace", report, "--to", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).unwrap();
    doc["claims"].as_array().unwrap().clone()
}

#[test]
fn each_claim_points_at_its_passage_by_offsets_into_the_shown_text() {
    let env = env();
    env.write(
        "report.md",
        "# Floods\n\nThe 2011 flood reached the town hall [@river]. Farmers plant rice once the water has gone [@river].\n",
    );
    let shown = env.run(&["show", "river", "--text"]).stdout;
    let chars: Vec<char> = shown.chars().collect();
    let claims = claims(&env, "report.md");
    assert_eq!(claims.len(), 2);
    assert_eq!(claims[0]["claim"], "The 2011 flood reached the town hall");
    assert_eq!(claims[1]["claim"], "Farmers plant rice once the water has gone", "the clause after the first marker");
    for (claim, expected) in claims.iter().zip(["In 2011 the flood reached", "Farmers along the banks"]) {
        let best = &claim["evidence"][0];
        let (start, end) = (best["start"].as_u64().unwrap() as usize, best["end"].as_u64().unwrap() as usize);
        let text: String = chars[start..end].iter().collect();
        assert!(text.starts_with(expected), "{claim}");
        assert_eq!(text.split_whitespace().collect::<Vec<_>>().join(" "), best["text"]);
        assert!(claim["evidence"].as_array().unwrap().len() <= 3, "three passages by default");
    }
    assert_eq!(claims[0]["numbers"][0]["found"], true);
    assert_eq!(claims[0]["numbers"][0]["value"], 2011.0);
    let best = &claims[0]["evidence"][0];
    let range = format!("{}:{}", best["start"], best["end"]);
    let shown = env.run(&["show", "river", "--text", "--range", &range]);
    assert!(shown.stdout.contains(">>>In 2011 the flood reached"), "{}", shown.stdout);
    assert!(shown.stdout.contains("recedes in May.\n>>>"), "context before: {}", shown.stdout);
    let past = env.run(&["show", "river", "--text", "--range", "5:99999"]);
    assert_eq!(past.code, 2);
    assert!(past.stderr.contains("past the end of `river`'s text"), "{}", past.stderr);
    // The same output on every run.
    assert_eq!(
        env.run(&["trace", "report.md", "--to", "json"]).stdout,
        env.run(&["trace", "report.md", "--to", "json"]).stdout
    );
}

#[test]
fn numbers_in_any_written_form_are_looked_up_and_wrong_ones_are_flagged() {
    let env = env();
    let report = "\
The flood displaced two hundred thousand residents [@river].
Repairs cost 2.5 million dollars [@river, p. 4].
Tourism fell by about 12 per cent after the flood [@river].
The flood of 2012 reached the town hall [@river].
It displaced 300 000 residents, the report says [@river].

1. A list item about the river rising in spring [@river].
";
    env.write("report.md", report);
    let (code, doc) = env.json(&["check", "report.md"]);
    let flagged: Vec<(String, String)> = with_code(&doc, "number-not-in-source")
        .iter()
        .map(|f| (f["data"]["number"].as_str().unwrap().to_owned(), f["help"].as_str().unwrap_or("").to_owned()))
        .collect();
    let numbers: Vec<&str> = flagged.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(numbers, ["2012", "300 000"], "{flagged:?}");
    assert!(flagged[0].1.contains("2011"), "the help names the passage's numbers: {}", flagged[0].1);
    assert_eq!(code, 0, "warnings only: {doc}");
    // The finding sits at the number: line 4, where `2012` is written.
    let f = with_code(&doc, "number-not-in-source")[0];
    assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(4), Some(14)), "{f}");
    // The reading view marks the claim whose number is not the source's, and filters for it.
    std::fs::create_dir(env.path("out")).unwrap();
    assert_eq!(env.run(&["trace", "report.md", "--to", "html", "-o", "out/claims.html"]).code, 0);
    let page = env.read("out/claims.html");
    assert!(
        page.contains(
            "<section class=\"row has-missing-number\"><div class=\"text\"><mark class=\"claim\" id=\"claim-1\">"
        ),
        "{page}"
    );
    assert!(page.contains("<mark class=\"claim bad\" id=\"claim-4\">The flood of 2012"), "{page}");
    assert!(page.contains("<li class=\"not-found\">2012: not in the source</li>"), "{page}");
    // Levels and allow comments apply.
    env.write("citelock.toml", "[levels]\nnumber-not-in-source = \"error\"\n");
    assert_eq!(env.run(&["check", "report.md"]).code, 1);
    env.write("citelock.toml", "[check]\nevidence = false\n");
    let off = env.run(&["check", "report.md", "--format", "json"]).stdout;
    assert!(!off.contains("number-not-in-source"), "{off}");
}

#[test]
fn a_claim_the_source_does_not_discuss_gets_a_hint_not_a_verdict() {
    let env = env();
    env.write("report.md", "Volcanic ash darkened Icelandic skies throughout winter [@river].\n");
    let (_, doc) = env.json(&["check", "report.md"]);
    let hints = with_code(&doc, "claim-weak-support");
    assert_eq!(hints.first().map(|h| &h["severity"]), Some(&Value::from("info")), "{doc}");
    assert!(!doc.to_string().to_lowercase().contains("unsupported"), "never a verdict");
}

#[test]
fn other_scripts_missing_text_and_bare_markers_do_not_break_it() {
    let env = env();
    env.write(
        "report.md",
        "Η πόλη ιδρύθηκε το 1821 [@town]. The harbour came in 1880 [@town].\n\n[@river]\n\nPaper only, from 1990 [@silent].\n",
    );
    let claims = claims(&env, "report.md");
    assert!(claims[0]["evidence"][0]["text"].as_str().unwrap().starts_with("Η πόλη ιδρύθηκε"), "{}", claims[0]);
    assert_eq!(claims[0]["numbers"][0]["found"], true);
    assert_eq!(claims[1]["numbers"][0]["found"], true, "an English claim on a Greek source: the number is found");
    assert!(claims[2]["evidence"].as_array().unwrap().is_empty(), "a bare marker claims nothing");
    assert!(claims[3]["evidence"].as_array().unwrap().is_empty());
    assert!(claims[3]["numbers"][0]["found"].is_null(), "no text: neither found nor not found");
}

/// A snapshot whose hash no longer verifies gives no evidence and no number
/// verdicts: the archive's finding says why. One over the text cap (16 MiB)
/// is a snapshot without text.
#[test]
fn a_tampered_or_oversized_snapshot_gives_no_evidence() {
    let env = env();
    env.write("report.md", "In 2011 the flood reached the town hall [@river].\n");
    assert_eq!(claims(&env, "report.md")[0]["numbers"][0]["found"], true);
    let log = env.read("archive/captures/river.yml");
    let hex = log.lines().find_map(|l| l.trim_start().strip_prefix("sha256:")).unwrap().trim().to_owned();
    let object = env.path(&format!("archive/objects/sha256/{}/{}", &hex[..2], &hex[2..]));
    let mut perms = std::fs::metadata(&object).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&object, perms).unwrap();
    std::fs::write(&object, "In 2099 the flood reached the town hall.\n").unwrap();
    let codes = codes(&env.json(&["check", "report.md"]).1);
    assert!(codes.iter().any(|c| c == "hash-mismatch"), "{codes:?}");
    assert!(!codes.iter().any(|c| c == "number-not-in-source" || c == "claim-weak-support"), "{codes:?}");
    let claim = &claims(&env, "report.md")[0];
    assert!(claim["evidence"].as_array().unwrap().is_empty() && claim["numbers"][0]["found"].is_null(), "{claim}");

    let big = "The flood reached the town hall in 2011. ".repeat(17 * 1024 * 1024 / 40);
    env.write("big.txt", &big);
    env.write(
        "references/library.yml",
        &format!("{LIB}big:\n  type: report\n  title: Big\n  author: B, B.\n  date: 2011\n"),
    );
    assert_eq!(env.run(&["archive", "--attach", "big", "big.txt"]).code, 0);
    env.write("report.md", "In 2011 the flood reached the town hall [@big].\n");
    let claim = &claims(&env, "report.md")[0];
    assert!(claim["evidence"].as_array().unwrap().is_empty(), "over the cap: no text, no passages");
}

/// The allow comment silences a number finding on the next line; it is still
/// shown, as a note naming the comment.
#[test]
fn an_allow_comment_silences_one_number_finding() {
    let env = env();
    env.write(
        "report.md",
        "<!-- citelock: allow number-not-in-source -->\nThe flood of 2012 reached the town hall [@river].\n\nIt displaced 300 000 residents [@river].\n",
    );
    let (_, doc) = env.json(&["check", "report.md"]);
    let found: Vec<(String, String)> = with_code(&doc, "number-not-in-source")
        .iter()
        .map(|f| (f["data"]["number"].as_str().unwrap().to_owned(), f["severity"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(found, [("2012".to_owned(), "info".to_owned()), ("300 000".to_owned(), "warning".to_owned())], "{doc}");
}
