//! The same findings through every writer.

use super::Env;

/// Two findings on one line (so JUnit names need de-duplicating), a non-ASCII
/// prefix (so columns must count characters), and a related location.
fn env() -> Env {
    let env = Env::new();
    env.write("references/a.yml", "k:\n  type: book\n  title: T\n  author: A\n  date: 2000\n");
    env.write(
        "references/b.yml",
        "é:\n  type: book\n  title: Ü\n  author: A\n  date: 2000\n  {complex: key}: 1\nk:\n  type: book\n  title: T\n",
    );
    env.write("references/c.yml", "c:\n  type: book\n  title: C\n  author: A\n  date: 2000\n  \"tïtle\": x\n  ö: 1\n");
    env
}

#[test]
fn json_has_the_documented_shape_and_character_columns() {
    let env = env();
    let (code, doc) = env.json(&["lint"]);
    assert_eq!(code, 1);
    assert_eq!(doc["version"], 1);
    let f = doc["findings"].as_array().unwrap();
    for item in f {
        for key in [
            "code",
            "severity",
            "message",
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "help",
            "related",
            "data",
        ] {
            assert!(item.get(key).is_some(), "{key} missing in {item}");
        }
    }
    let dup = f.iter().find(|x| x["code"] == "duplicate-key").unwrap();
    assert_eq!(dup["file"], "references/b.yml");
    assert_eq!(dup["related"][0]["file"], "references/a.yml");
    let field = f.iter().find(|x| x["data"]["field"] == "tïtle").unwrap();
    assert_eq!((field["line"].as_u64(), field["column"].as_u64()), (Some(6), Some(3)));
    assert_eq!(field["end_column"], 3 + 7, "the span covers the name as written, quotes included");
    // The duplicate key, and the entry with a complex key hayagriva cannot read.
    assert_eq!(doc["summary"]["errors"], 2);
    assert!(f.iter().any(|x| x["code"] == "invalid-entry" && x["data"]["key"] == "é"));
}

#[test]
fn github_annotations() {
    let env = env();
    let r = env.run(&["--format", "github", "lint"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.lines().any(
            |l| l.starts_with("::error file=references/b.yml,line=7,col=1,") && l.contains("title=duplicate-key::")
        ),
        "{}",
        r.stdout
    );
    assert!(r.stdout.lines().all(|l| l.starts_with("::")), "one command per line: {}", r.stdout);
}

#[test]
fn junit_names_are_unique() {
    let env = Env::new();
    // Three missing fields of one entry: three findings at one location.
    env.write("references/a.yml", "k:\n  type: book\n");
    let r = env.run(&["--format", "junit", "lint"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("<?xml"));
    let names: Vec<&str> = r
        .stdout
        .match_indices("name=\"missing-field")
        .map(|(i, _)| {
            let rest = &r.stdout[i + 6..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    assert_eq!(names.len(), 3, "{}", r.stdout);
    assert!(names[0] != names[1] && names[1] != names[2] && names[0] != names[2], "{names:?}");
    assert!(r.stdout.contains("<failure type=\"warning\""));
}

#[test]
fn junit_of_a_clean_run_has_one_passing_case() {
    let env = Env::new();
    let r = env.run(&["--format", "junit", "lint"]);
    assert!(r.stdout.contains("tests=\"1\" failures=\"0\""), "{}", r.stdout);
}

#[test]
fn sarif_has_rules_regions_and_related_locations() {
    let env = env();
    let r = env.run(&["--format", "sarif", "lint"]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let results = run["results"].as_array().unwrap();
    let dup = results.iter().find(|x| x["ruleId"] == "duplicate-key").unwrap();
    let loc = &dup["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "references/b.yml");
    assert_eq!(loc["region"]["startLine"], 7);
    assert_eq!(dup["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"], "references/a.yml");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let index = dup["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "duplicate-key");
}

/// GitLab's Code Quality report: the fields GitLab reads, GitLab's severity
/// names, and fingerprints that are unique in a run, the same in the next
/// run, and the same when an edit moves the finding down a line.
#[test]
fn gitlab_code_quality_with_stable_fingerprints() {
    let env = env();
    let report = |env: &Env| -> Vec<serde_json::Value> {
        let r = env.run(&["--format", "gitlab", "lint"]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        serde_json::from_str::<serde_json::Value>(&r.stdout).unwrap().as_array().unwrap().clone()
    };
    let first = report(&env);
    assert!(first.len() >= 4, "{first:?}");
    for issue in &first {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(issue[key].is_string(), "{key} in {issue}");
        }
        assert!(issue["location"]["path"].is_string() && issue["location"]["lines"]["begin"].is_u64(), "{issue}");
        assert!(["info", "minor", "major", "critical", "blocker"].contains(&issue["severity"].as_str().unwrap()));
    }
    let dup = first.iter().find(|i| i["check_name"] == "duplicate-key").unwrap();
    assert_eq!((dup["severity"].as_str(), dup["location"]["path"].as_str()), (Some("major"), Some("references/b.yml")));
    assert_eq!(dup["location"]["lines"]["begin"], 7);
    let prints = |r: &[serde_json::Value]| -> Vec<String> {
        r.iter().map(|i| i["fingerprint"].as_str().unwrap().to_owned()).collect()
    };
    let unique: std::collections::HashSet<String> = prints(&first).into_iter().collect();
    assert_eq!(unique.len(), first.len(), "unique within a run");
    assert_eq!(prints(&report(&env)), prints(&first), "the same next run");
    let b = env.read("references/b.yml");
    env.write("references/b.yml", &format!("# a comment line\n{b}"));
    let moved = report(&env);
    let dup_moved = moved.iter().find(|i| i["check_name"] == "duplicate-key").unwrap();
    assert_eq!(dup_moved["location"]["lines"]["begin"], 8);
    assert_eq!(dup_moved["fingerprint"], dup["fingerprint"], "the same after the line moved");
}
