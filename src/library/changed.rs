//! Which references were added or changed since a git revision
//! (`links --changed-since`): the references files as they were at that
//! revision, read through `git show`, compared entry by entry.

use std::collections::{HashMap, HashSet};
use std::process::Command;

use super::Library;
use crate::repo::Repo;

/// Keys whose entries differ from (or did not exist at) `rev`.
pub fn changed_since(repo: &Repo, library: &Library, rev: &str) -> Result<HashSet<String>, String> {
    let git = |args: &[&str]| -> Result<String, String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(repo.root())
            .args(args)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !out.status.success() {
            return Err(format!("git {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    git(&["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")])
        .map_err(|_| format!("--changed-since {rev}: not a commit in this repository"))?;
    let mut old: HashMap<String, hayagriva::Entry> = HashMap::new();
    for path in git(&["ls-tree", "-r", "--name-only", rev, "--", "references/"])?.lines() {
        if !(path.ends_with(".yml") || path.ends_with(".yaml")) {
            continue;
        }
        let text = git(&["show", &format!("{rev}:{path}")])?;
        // Read as the library reads it; an entry that did not read then (or a file that did
        // not parse) cannot vouch for itself: it counts as changed. Checked first: serde_yaml,
        // under hayagriva, is quadratic on deep nesting.
        if super::outline::check(&text).is_ok() {
            let (lib, _) = super::Library::from_text(path, text);
            old.extend(lib.records.into_iter().map(|r| (r.entry.key().to_owned(), *r.entry)));
        }
    }
    Ok(library
        .records
        .iter()
        .filter(|r| old.get(r.entry.key()) != Some(&r.entry))
        .map(|r| r.entry.key().to_owned())
        .collect())
}
