//! One module per command, sharing [`Env`].

mod action;
mod add;
mod archive;
mod check;
mod evidence;
mod export;
mod fetch;
mod formats;
mod fuzz_corpus;
mod init;
mod links;
mod lint;
mod list_show;
mod lookup;
mod lsp;
mod matching;
mod oracle;
mod parity;
mod parity_tex;
mod paths;
mod pdf;
mod readme;
mod remote;
mod server;
mod tls;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

/// A temporary repository and a hermetic way to run citelock in it.
pub struct Env {
    root: PathBuf,
    _dir: Option<TempDir>,
}

/// What a run printed and how it ended.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Env {
    /// An initialised repository.
    pub fn new() -> Env {
        let env = Env::empty();
        let r = env.run(&["init"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        env
    }

    /// An empty directory.
    pub fn empty() -> Env {
        let dir = tempfile::tempdir().unwrap();
        Env { root: dir.path().to_path_buf(), _dir: Some(dir) }
    }

    /// An existing directory the test owns (its parent is watched for stray writes).
    pub fn at(root: &Path) -> Env {
        Env { root: root.to_path_buf(), _dir: None }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn write(&self, rel: &str, content: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap()
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("citelock").unwrap();
        c.current_dir(&self.root).env("NO_COLOR", "1").env("HOME", &self.root).env_remove("CLICOLOR_FORCE");
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.cmd().args(args).output().unwrap().into()
    }

    /// Starts citelock in the background, its output discarded (to kill it,
    /// or to run something beside it).
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        self.spawn_with(args, &[])
    }

    /// [`Env::spawn`] with more environment variables.
    pub fn spawn_with(&self, args: &[&str], vars: &[(&str, &str)]) -> std::process::Child {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("citelock"))
            .args(args)
            .envs(vars.iter().copied())
            .current_dir(&self.root)
            .env("NO_COLOR", "1")
            .env("HOME", &self.root)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    }

    /// Runs with `--format json` and parses stdout.
    pub fn json(&self, args: &[&str]) -> (i32, serde_json::Value) {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        let r = self.run(&all);
        let v =
            serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", r.stdout, r.stderr));
        (r.code, v)
    }
}

/// The codes of the findings of a JSON document.
pub fn codes(doc: &serde_json::Value) -> Vec<String> {
    doc["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_owned()).collect()
}

/// The findings with a given code.
pub fn with_code<'a>(doc: &'a serde_json::Value, code: &str) -> Vec<&'a serde_json::Value> {
    doc["findings"].as_array().unwrap().iter().filter(|f| f["code"] == code).collect()
}

/// A small, valid library used across tests.
pub const LIBRARY: &str = "\
# Our sources.
darwin1859:
  type: book
  title: On the Origin of Species
  author: Darwin, Charles
  date: 1859-11-24
  publisher: John Murray

gpl3:
  type: web
  title: GNU General Public License, version 3
  organization: Free Software Foundation
  date: 2007-06-29
  url: {value: 'https://www.gnu.org/licenses/gpl-3.0.txt', date: 2026-11-29}
";

/// A small seeded generator (xorshift64*) for the kill tests: the seed is
/// printed, and `CITELOCK_TEST_SEED` replays it.
pub struct Rng {
    pub seed: u64,
    state: u64,
}

impl Rng {
    pub fn seeded() -> Rng {
        let seed: u64 = std::env::var("CITELOCK_TEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
        });
        println!("seed {seed} (replay: CITELOCK_TEST_SEED={seed})");
        Rng { seed, state: seed }
    }

    /// A generator with a fixed seed (not printed).
    pub fn from_seed(seed: u64) -> Rng {
        Rng { seed, state: seed.max(1) }
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// One of `xs`.
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }

    pub fn next(&mut self) -> u64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}
