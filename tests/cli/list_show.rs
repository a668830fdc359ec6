use super::{Env, LIBRARY};

#[test]
fn list_in_three_forms() {
    let env = Env::new();
    env.write("references/library.yml", LIBRARY);
    let table = env.run(&["list"]).stdout;
    assert!(
        table.starts_with("darwin1859  book  1859  On the Origin of Species  (references/library.yml:2:1)"),
        "{table}"
    );
    assert_eq!(env.run(&["list", "--to", "keys"]).stdout, "darwin1859\ngpl3\n");
    let json: serde_json::Value = serde_json::from_str(&env.run(&["list", "--to", "json"]).stdout).unwrap();
    assert_eq!(json[1]["key"], "gpl3");
    assert_eq!(json[1]["type"], "web");
}

#[test]
fn show_prints_the_entry_as_written() {
    let env = Env::new();
    env.write("references/library.yml", LIBRARY);
    let r = env.run(&["show", "darwin1859"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout,
        "# references/library.yml:2:1\ndarwin1859:\n  type: book\n  title: On the Origin of Species\n  author: Darwin, Charles\n  date: 1859-11-24\n  publisher: John Murray\n"
    );
    let r = env.run(&["show", "darwin1858"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("did you mean `darwin1859`?"), "{}", r.stderr);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let env = Env::new();
    let mut lib = String::new();
    for i in 0..5000 {
        lib.push_str(&format!("k{i}:\n  type: book\n  title: T{i}\n"));
    }
    env.write("references/library.yml", &lib);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("citelock"))
        .args(["list", "--to", "keys"])
        .current_dir(env.root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}
