//! The GitHub Action's steps (scripts/action) run as a runner runs them: the
//! runner's environment (`GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`,
//! `GITHUB_PATH`, `RUNNER_TEMP`, `RUNNER_OS`), a workspace with a report and
//! loopback links, and a loopback release server for the install step.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::Env;
use super::server::{Server, respond};

const SCRIPTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/action");

/// Runs a script of the action in `env`'s root with the runner's files in `runner`.
fn step(env: &Env, runner: &Path, script: &str, vars: &[(&str, &str)]) -> (i32, String) {
    let bin = assert_cmd::cargo::cargo_bin("citelock");
    let path = format!("{}:{}", bin.parent().unwrap().display(), std::env::var("PATH").unwrap());
    let out = Command::new("bash")
        .arg(Path::new(SCRIPTS).join(script))
        .current_dir(env.root())
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("HOME", env.root())
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("RUNNER_TEMP", runner)
        .env("GITHUB_OUTPUT", runner.join("output"))
        .env("GITHUB_STEP_SUMMARY", runner.join("summary"))
        .env("GITHUB_PATH", runner.join("path"))
        .envs(vars.iter().copied())
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

fn read(p: PathBuf) -> String {
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn the_run_step_annotates_summarises_and_sets_outputs() {
    let s = Server::start(|path, s| {
        if path.contains("gone") { respond(s, "404 Not Found", &[], b"") } else { respond(s, "200 OK", &[], b"ok") }
    });
    let env = Env::new();
    let lib = format!(
        "alive:\n  type: web\n  title: Alive\n  url: '{}'\ngone:\n  type: web\n  title: Gone\n  url: '{}'\n",
        s.url("/alive"),
        s.url("/gone")
    );
    env.write("references/library.yml", &lib);
    env.write("citelock.toml", "[fetch]\nallow-private = true\n");
    let runner = tempfile::tempdir().unwrap();
    let args = "links --no-cache --retry-wait-time 10ms";
    let (code, log) = step(&env, runner.path(), "run.sh", &[("INPUT_ARGS", args), ("INPUT_FAIL", "true")]);
    assert_eq!(code, 1, "fail: true fails the step on a dead link\n{log}");
    assert!(log.lines().any(|l| l.starts_with("::error file=references/library.yml,line=5,")), "{log}");
    let output = read(runner.path().join("output"));
    for line in ["exit-code=1", "errors=1", "warnings=0"] {
        assert!(output.lines().any(|l| l == line), "{line} in {output}");
    }
    let findings = output.lines().find_map(|l| l.strip_prefix("findings=")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&read(PathBuf::from(findings))).unwrap();
    assert_eq!(doc["summary"]["errors"], 1);
    let report = output.split_once("report<<").unwrap().1;
    let (delimiter, rest) = report.split_once('\n').unwrap();
    let body = rest.split(&format!("\n{delimiter}\n")).next().unwrap();
    assert!(body.starts_with("## citelock links\n"), "{body}");
    assert!(body.contains("| `references/library.yml:5` | `dead-link` |"), "{body}");
    let summary = read(runner.path().join("summary"));
    assert_eq!(summary.trim_end(), body.trim_end(), "the step summary holds the report once");

    let runner = tempfile::tempdir().unwrap();
    let (code, log) = step(&env, runner.path(), "run.sh", &[("INPUT_ARGS", args), ("INPUT_FAIL", "false")]);
    assert_eq!(code, 0, "fail: false keeps the job green\n{log}");
    assert!(read(runner.path().join("output")).contains("exit-code=1\n"));

    let runner = tempfile::tempdir().unwrap();
    let (code, log) = step(&env, runner.path(), "run.sh", &[("INPUT_ARGS", "check no-such-report.md")]);
    assert_eq!(code, 2, "{log}");
    assert!(read(runner.path().join("output")).contains("exit-code=2\n"));
    assert!(read(runner.path().join("summary")).contains("could not run (exit code 2)"));
}

#[test]
fn the_install_step_takes_the_release_binary_after_checking_its_hash() {
    let bin = std::fs::read(assert_cmd::cargo::cargo_bin("citelock")).unwrap();
    let staging = tempfile::tempdir().unwrap();
    std::fs::write(staging.path().join("citelock"), &bin).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(staging.path().join("citelock"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let tar = Command::new("tar").args(["-czf", "-", "citelock"]).current_dir(staging.path()).output().unwrap();
    assert!(tar.status.success());
    let tarball = tar.stdout;
    let hash = hex_sha256(&tarball);
    let lie = std::sync::atomic::AtomicBool::new(false);
    let lie = std::sync::Arc::new(lie);
    let lying = lie.clone();
    let s = Server::start(move |path, s| match path {
        "/releases/download/v0.1.0/citelock-x86_64-unknown-linux-gnu.tar.gz" => respond(s, "200 OK", &[], &tarball),
        "/releases/download/v0.1.0/citelock-x86_64-unknown-linux-gnu.tar.gz.sha256" => {
            let h = if lying.load(std::sync::atomic::Ordering::SeqCst) { "0".repeat(64) } else { hash.clone() };
            respond(s, "200 OK", &[], format!("{h}  citelock-x86_64-unknown-linux-gnu.tar.gz\n").as_bytes())
        }
        _ => respond(s, "404 Not Found", &[], b""),
    });
    let env = Env::empty();
    let runner = tempfile::tempdir().unwrap();
    let root = runner.path().join("tools");
    let vars = [
        ("CITELOCK_VERSION", "0.1.0"),
        ("CITELOCK_RELEASE_BASE", &*s.url("/releases")),
        ("CITELOCK_INSTALL_ROOT", root.to_str().unwrap()),
    ];
    let (code, log) = step(&env, runner.path(), "install.sh", &vars);
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("installed the release binary for x86_64-unknown-linux-gnu"), "{log}");
    assert!(log.contains("citelock 0.1.0"), "the installed binary runs: {log}");
    assert_eq!(read(runner.path().join("path")).trim(), root.join("bin").to_str().unwrap());
    assert_eq!(std::fs::read(root.join("bin/citelock")).unwrap(), bin);

    lie.store(true, std::sync::atomic::Ordering::SeqCst);
    std::fs::remove_file(root.join("bin/citelock")).unwrap();
    let (code, log) = step(&env, runner.path(), "install.sh", &vars);
    assert_ne!(code, 0, "a binary whose hash is not the release's is refused\n{log}");
    assert!(!root.join("bin/citelock").exists(), "and not installed");
}

fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The pre-commit hooks as pre-commit runs them: each hook of
/// `.pre-commit-hooks.yaml` (its entry, files and pass_filenames) in a git
/// repository's config, with `language: system` so the test's binary runs
/// instead of a `cargo install` of the crate, on a commit with a misspelt key.
#[test]
fn the_pre_commit_hooks_run_on_the_files_they_name() {
    let manifest: serde_json::Value = {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.pre-commit-hooks.yaml")).unwrap();
        serde_json::to_value(serde_yaml::from_str::<serde_yaml::Value>(&text).unwrap()).unwrap()
    };
    let hooks: Vec<String> = manifest
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            assert_eq!(h["language"], "rust");
            let pass = h["pass_filenames"].as_bool().unwrap_or(true);
            format!(
                "      - id: {}\n        name: {}\n        entry: {}\n        language: system\n        files: '{}'\n        pass_filenames: {pass}\n",
                h["id"].as_str().unwrap(),
                h["name"].as_str().unwrap(),
                h["entry"].as_str().unwrap(),
                h["files"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(hooks.len(), 3);
    let env = Env::new();
    env.write(
        "references/library.yml",
        "darwin:\n  type: book\n  title: Origin\n  author: Darwin, Charles\n  date: 1859\n",
    );
    env.write("report.md", "As shown [@darwn].\n");
    env.write(".pre-commit-config.yaml", &format!("repos:\n  - repo: local\n    hooks:\n{}", hooks.concat()));
    let bin = assert_cmd::cargo::cargo_bin("citelock");
    let path = format!("{}:{}", bin.parent().unwrap().display(), std::env::var("PATH").unwrap());
    let run = |args: &[&str]| {
        let out = Command::new(args[0])
            .args(&args[1..])
            .current_dir(env.root())
            .env("PATH", &path)
            .env("HOME", env.root())
            .env("PRE_COMMIT_HOME", env.root().join(".pre-commit-home"))
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
        )
    };
    for git in [&["git", "init", "-q"][..], &["git", "add", "-A"]] {
        assert_eq!(run(git).0, 0);
    }
    let (code, log) = run(&["python3", "-m", "pre_commit", "run", "--all-files"]);
    assert_eq!(code, 1, "{log}");
    assert!(log.contains("citelock check") && log.contains("Failed"), "{log}");
    assert!(log.contains("unknown-citation") && log.contains("darwn"), "{log}");
    assert!(log.lines().any(|l| l.starts_with("citelock lint") && l.ends_with("Passed")), "{log}");
    env.write("report.md", "As shown [@darwin].\n");
    assert_eq!(run(&["git", "add", "-A"]).0, 0);
    let (_, log) = run(&["python3", "-m", "pre_commit", "run", "citelock-check", "--all-files"]);
    assert!(!log.contains("unknown-citation"), "{log}");
}

/// `citelock --version` names the commit it was built from (and its date), so
/// a CI log says exactly which citelock ran; built outside a git checkout
/// (the packaged crate), the version alone.
#[test]
fn the_version_names_the_commit() {
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let out = Command::new(assert_cmd::cargo::cargo_bin("citelock")).arg("--version").output().unwrap();
    let version = String::from_utf8(out.stdout).unwrap();
    let plain = format!("citelock {}", env!("CARGO_PKG_VERSION"));
    if head.status.success() {
        let head = String::from_utf8(head.stdout).unwrap();
        assert!(version.starts_with(&format!("{plain} ({} ", head.trim())), "{version}");
    } else {
        assert_eq!(version.trim(), plain);
    }
}

/// `cargo binstall` must look for the asset name the action's installer downloads.
#[test]
fn binstall_metadata_names_the_actions_release_assets() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest: toml::Table = toml::from_str(&std::fs::read_to_string(root.join("Cargo.toml")).unwrap()).unwrap();
    let binstall = &manifest["package"]["metadata"]["binstall"];
    let url = binstall["pkg-url"].as_str().unwrap();
    assert_eq!(url, "{ repo }/releases/download/v{ version }/citelock-{ target }.tar.gz");
    assert_eq!(binstall["pkg-fmt"].as_str(), Some("tgz"));
    let install = std::fs::read_to_string(root.join("scripts/action/install.sh")).unwrap();
    assert!(install.contains("$base/download/v${version#v}/citelock-$target.tar.gz"), "same asset name");
    assert!(install.contains("tar -xzf \"$tmp/citelock.tar.gz\" -C \"$root/bin\" citelock"), "binary at the root");
    let deb = manifest["package"]["metadata"]["deb"]["assets"].as_array().unwrap();
    let shipped: Vec<&str> = deb.iter().map(|a| a[1].as_str().unwrap()).collect();
    for path in ["usr/bin/", "usr/share/man/man1/", "usr/share/bash-completion/completions/citelock"] {
        assert!(shipped.contains(&path), "{path} in {shipped:?}");
    }
}
