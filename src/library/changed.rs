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
        // A file that did not parse then cannot vouch for any entry: its entries count as changed.
        // Checked first: serde_yaml, under hayagriva, is quadratic on deep nesting.
        let parsed = super::outline::check(&text).ok().and_then(|()| hayagriva::io::from_yaml_str(&text).ok());
        if let Some(lib) = parsed {
            old.extend(lib.iter().map(|e| (e.key().to_owned(), e.clone())));
        }
    }
    Ok(library
        .records
        .iter()
        .filter(|r| old.get(r.entry.key()) != Some(&r.entry))
        .map(|r| r.entry.key().to_owned())
        .collect())
}
