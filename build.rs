//! Names the commit a binary was built from, for `citelock --version`
//! (`citelock 0.1.0 (1a2b3c4d5e6f 2026-12-01)`). A build outside a git
//! checkout (the packaged crate) gives the version alone.

use std::process::Command;

fn main() {
    // Only the crate's own checkout: a packaged crate unpacked inside some
    // other git repository must not take that repository's commit.
    // Read when the script runs, not when it is compiled: `cargo package` verifies the packaged
    // copy in the same target directory, and a build script compiled there must not decide here.
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default();
    let checkout = std::path::Path::new(&manifest_dir).join(".git").exists();
    let git = |args: &[&str]| {
        if !checkout {
            return None;
        }
        let out = Command::new("git").args(args).output().ok().filter(|o| o.status.success())?;
        Some(String::from_utf8(out.stdout).ok()?.trim().to_owned())
    };
    let version = env!("CARGO_PKG_VERSION");
    let long = match (git(&["rev-parse", "--short=12", "HEAD"]), git(&["log", "-1", "--format=%cs"])) {
        (Some(commit), Some(date)) if !commit.is_empty() => format!("{version} ({commit} {date})"),
        _ => version.to_owned(),
    };
    println!("cargo:rustc-env=CITELOCK_VERSION={long}");
    if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
        println!("cargo:rerun-if-changed={dir}/HEAD");
        if let Some(head) = git(&["symbolic-ref", "-q", "HEAD"]) {
            println!("cargo:rerun-if-changed={dir}/{head}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
