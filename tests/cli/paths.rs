//! Path safety: hostile keys and file names, and planted symbolic links.
//! Nothing is ever written outside the repository, and links are neither
//! written through nor replaced.

use std::path::Path;

use super::Env;

/// Every file under `dir`, relative, sorted (links listed, not followed).
fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let ty = e.file_type().unwrap();
            if ty.is_dir() {
                stack.push(e.path());
            } else {
                out.push(e.path().strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

/// An initialised repository at `repo/` inside a folder of its own, so that
/// anything written outside the repository can be seen.
fn repo_in_a_folder() -> (tempfile::TempDir, Env) {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("repo");
    std::fs::create_dir(&root).unwrap();
    let env = Env::at(&root);
    assert_eq!(env.run(&["init"]).code, 0);
    (outer, env)
}

#[test]
fn hostile_keys_stay_inside_the_archive() {
    let (outer, env) = repo_in_a_folder();
    let root = env.root().to_path_buf();
    let keys = [
        "../../.git/hooks/x",
        "/etc/passwd",
        "a\\\\b",
        "CON",
        "trailing.",
        ".hidden",
        "doi:10.1000/182",
        "smith/2020",
        "caf\u{e9}",
        "cafe\u{301}",
        "%2e%2e",
    ];
    let lib: String = keys.iter().map(|k| format!("\"{k}\":\n  type: misc\n  title: T\n")).collect();
    env.write("references/library.yml", &lib);
    env.write("copy.txt", "a copy\n");
    for k in keys {
        let k = k.replace("\\\\", "\\");
        let r = env.run(&["archive", "--attach", &k, "copy.txt", "--source", "test"]);
        assert_eq!(r.code, 0, "{k}: {}", r.stderr);
    }
    let logs: Vec<String> = files(&root.join("archive/captures"));
    assert_eq!(logs.len(), keys.len(), "one log per key, all inside archive/captures: {logs:?}");
    assert!(logs.iter().all(|l| !l.contains('/') && !l.starts_with('.')), "{logs:?}");
    assert_eq!(
        files(outer.path()).iter().filter(|f| !f.starts_with("repo/")).count(),
        0,
        "nothing outside the repository"
    );
    assert_eq!(env.json(&["verify"]).0, 0);
}

#[test]
fn links_planted_in_the_repository_are_not_written_through() {
    let (outer, env) = repo_in_a_folder();
    let root = env.root().to_path_buf();
    env.write("references/library.yml", "x:\n  type: misc\n  title: X\n");
    let outside = outer.path().join("outside.txt");
    std::fs::write(&outside, "precious\n").unwrap();
    // A capture log that is a link to a file outside.
    std::os::unix::fs::symlink(&outside, root.join("archive/captures/x.yml")).unwrap();
    env.write("copy.txt", "a copy\n");
    let r = env.run(&["archive", "--attach", "x", "copy.txt"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("symbolic link"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "precious\n");
    assert!(std::fs::symlink_metadata(root.join("archive/captures/x.yml")).unwrap().file_type().is_symlink());
    // A references file that is a link: add neither writes through it nor replaces it.
    std::os::unix::fs::symlink(&outside, root.join("references/linked.yml")).unwrap();
    env.write("y.bib", "@misc{y, title={Y}}\n");
    let r = env.run(&["add", "--bibtex", "y.bib", "--into", "references/linked.yml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "precious\n");
    // And --into outside references/ is refused.
    let r = env.run(&["add", "--bibtex", "y.bib", "--into", "../outside.yml"]);
    assert_eq!(r.code, 2);
    assert!(!outer.path().join("outside.yml").exists());
}
