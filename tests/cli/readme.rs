//! README's promises: every finding code in its table, and its two set-up commands.

#[test]
fn every_finding_code_is_in_the_readme_table() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let env = super::Env::empty();
    // The SARIF writer lists a rule per code that occurs; the JSON schema of codes
    // comes from the binary itself via `citelock codes`.
    let r = env.run(&["codes"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut n = 0;
    for line in r.stdout.lines() {
        let code = line.split_whitespace().next().unwrap();
        assert!(readme.contains(&format!("| `{code}` |")), "README's table lacks `{code}`");
        n += 1;
    }
    assert!(n >= 10);
}
