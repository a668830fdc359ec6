use super::Env;

#[test]
fn creates_the_layout_and_never_overwrites() {
    let env = Env::empty();
    let r = env.run(&["init"]);
    assert_eq!(r.code, 0);
    for p in ["references", "archive/objects/sha256", "archive/captures"] {
        assert!(env.path(p).is_dir(), "{p}");
    }
    assert_eq!(env.read("archive/manifest-sha256.txt"), "");
    let attrs = env.read("archive/.gitattributes");
    assert!(attrs.contains("objects/** -text") && attrs.contains("manifest-sha256.txt merge=union"));
    assert!(env.read("archive/.gitignore").contains(".lock"));
    assert!(env.read("citelock.toml").contains("[levels]"));
    env.write("citelock.toml", "# edited\n");
    let again = env.run(&["init"]);
    assert_eq!(again.code, 0);
    assert!(again.stderr.contains("already complete"), "{}", again.stderr);
    assert_eq!(env.read("citelock.toml"), "# edited\n");
}

#[test]
fn dash_c_runs_elsewhere() {
    let env = Env::empty();
    std::fs::create_dir(env.path("sub")).unwrap();
    let r = env.run(&["-C", "sub", "init"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(env.path("sub/references").is_dir());
    let r = env.run(&["-C", "missing", "lint"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a directory"), "{}", r.stderr);
}

#[test]
fn completions_and_man_page() {
    let env = Env::empty();
    let r = env.run(&["completions", "bash"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("citelock") && r.stdout.contains("complete"));
    let r = env.run(&["man"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains(".TH citelock"), "{}", &r.stdout[..200.min(r.stdout.len())]);
}

#[test]
fn usage_errors_exit_2() {
    let env = Env::new();
    assert_eq!(env.run(&["lint", "--no-such-flag"]).code, 2);
    assert_eq!(env.run(&["add"]).code, 2, "add needs a source");
}

#[test]
fn dash_c_resolves_file_arguments_from_that_directory() {
    let env = Env::empty();
    std::fs::create_dir(env.path("repo")).unwrap();
    assert_eq!(env.run(&["-C", "repo", "init"]).code, 0);
    env.write("repo/in.bib", "@book{b, title={T}, author={A, B}, year=2001}\n");
    let r = env.run(&["-C", "repo", "add", "--bibtex", "in.bib"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(env.read("repo/references/library.yml").starts_with("b:\n"));
}
