//! A report repository as citelock sees it (DESIGN §1): where its root is,
//! where `references/` and `archive/` live, and `init`, which lays them out.

use std::io;
use std::path::{Path, PathBuf};

use crate::config;

/// The `.gitattributes` written into `archive/`.
pub const ARCHIVE_GITATTRIBUTES: &str = "\
# Captured bytes are stored exactly as received: no line-ending conversion.
objects/** -text
# Concurrent branches add lines to the manifest; a union merge keeps both.
manifest-sha256.txt merge=union
";

/// The `.gitignore` written into `archive/`: the lock and interrupted writes.
pub const ARCHIVE_GITIGNORE: &str = "\
.lock
objects/sha256/.tmp-*
";

/// The repository a command works on.
#[derive(Debug, Clone)]
pub struct Repo {
    root: PathBuf,
}

impl Repo {
    /// The repository at exactly `root`.
    pub fn at(root: impl Into<PathBuf>) -> Repo {
        Repo { root: root.into() }
    }

    /// The nearest directory at or above `start` that has `citelock.toml`,
    /// `references/` or `archive/`; `start` itself when none has.
    pub fn discover(start: &Path) -> Repo {
        let found = start
            .ancestors()
            .find(|d| d.join("citelock.toml").is_file() || d.join("references").is_dir() || d.join("archive").is_dir());
        Repo::at(found.unwrap_or(start))
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `references/`.
    pub fn references_dir(&self) -> PathBuf {
        self.root.join("references")
    }

    /// `archive/`.
    pub fn archive_dir(&self) -> PathBuf {
        self.root.join("archive")
    }

    /// The archive.
    pub fn archive(&self) -> crate::archive::Archive {
        crate::archive::Archive::new(self.archive_dir())
    }

    /// `.citelock/cache/` (git-ignored): caches that can always be rebuilt.
    pub fn cache_dir(&self) -> PathBuf {
        self.root.join(".citelock").join("cache")
    }

    /// A path relative to the root, `/`-separated, as findings print it.
    pub fn relative(&self, path: &Path) -> String {
        crate::findings::relative_path(&self.root, path)
    }

    /// Creates the layout; never overwrites. Returns the paths it created, relative to the root.
    pub fn init(&self) -> io::Result<Vec<String>> {
        let mut created = Vec::new();
        let dirs = ["references", "archive", "archive/objects", "archive/objects/sha256", "archive/captures"];
        for d in dirs {
            let p = self.root.join(d);
            if !p.is_dir() {
                std::fs::create_dir_all(&p)?;
                created.push(format!("{d}/"));
            }
        }
        let files: [(&str, &str); 4] = [
            ("archive/manifest-sha256.txt", ""),
            ("archive/.gitattributes", ARCHIVE_GITATTRIBUTES),
            ("archive/.gitignore", ARCHIVE_GITIGNORE),
            ("citelock.toml", config::TEMPLATE),
        ];
        for (name, content) in files {
            if create_new(&self.root.join(name), content.as_bytes())? {
                created.push(name.to_owned());
            }
        }
        Ok(created)
    }

    /// Sets the repository up for a remote archive: `archive/objects/` leaves git (a line in
    /// `archive/.gitignore`) and `[remote] url` is written into `citelock.toml`. Returns what
    /// changed; refuses a config that already names another remote.
    pub fn use_remote(&self, url: &str) -> io::Result<Vec<String>> {
        let mut changed = Vec::new();
        let ignore = self.root.join("archive/.gitignore");
        let text = std::fs::read_to_string(&ignore).unwrap_or_default();
        if !text.lines().any(|l| matches!(l.trim(), "objects/" | "objects" | "/objects/" | "objects/**")) {
            let sep = if text.is_empty() || text.ends_with('\n') { "" } else { "\n" };
            let line =
                "# Objects live on the remote ([remote] in citelock.toml): `citelock pull` fetches them.\nobjects/\n";
            crate::atomic::write(&ignore, format!("{text}{sep}{line}").as_bytes())?;
            changed.push("archive/.gitignore".to_owned());
        }
        let toml_path = self.root.join("citelock.toml");
        let text = std::fs::read_to_string(&toml_path).unwrap_or_default();
        let config = config::Config::parse(&text, "citelock.toml").map_err(|e| io::Error::other(e.to_string()))?;
        match config.remote.url.as_deref() {
            Some(u) if u == url => {}
            Some(other) => {
                return Err(io::Error::other(format!(
                    "citelock.toml already names the remote {other}; edit [remote] url to change it"
                )));
            }
            None => {
                let entry = format!("url = {}\n", toml::Value::String(url.to_owned()));
                let new = match text.find("\n[remote]\n") {
                    Some(at) => {
                        let after = at + "\n[remote]\n".len();
                        format!("{}{entry}{}", &text[..after], &text[after..])
                    }
                    None if text.starts_with("[remote]\n") => format!("[remote]\n{entry}{}", &text[9..]),
                    None => {
                        let sep = if text.is_empty() || text.ends_with('\n') { "" } else { "\n" };
                        format!("{text}{sep}\n[remote]\n{entry}")
                    }
                };
                config::Config::parse(&new, "citelock.toml").map_err(|e| io::Error::other(e.to_string()))?;
                crate::atomic::write(&toml_path, new.as_bytes())?;
                changed.push("citelock.toml".to_owned());
            }
        }
        Ok(changed)
    }
}

/// Writes a file only if it does not exist yet (atomically: it appears whole or not at all).
fn create_new(path: &Path, bytes: &[u8]) -> io::Result<bool> {
    if path.symlink_metadata().is_ok() {
        return Ok(false);
    }
    crate::atomic::write(path, bytes)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_is_idempotent_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo::at(dir.path());
        let first = repo.init().unwrap();
        assert!(first.contains(&"archive/.gitattributes".to_owned()));
        std::fs::write(dir.path().join("citelock.toml"), "# mine\n").unwrap();
        assert!(repo.init().unwrap().is_empty());
        assert_eq!(std::fs::read_to_string(dir.path().join("citelock.toml")).unwrap(), "# mine\n");
    }

    #[test]
    fn use_remote_ignores_objects_and_sets_the_url_once() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo::at(dir.path());
        repo.init().unwrap();
        let changed = repo.use_remote("s3://bucket/report").unwrap();
        assert_eq!(changed, ["archive/.gitignore", "citelock.toml"]);
        let config = config::Config::load(dir.path()).unwrap();
        assert_eq!(config.remote.url.as_deref(), Some("s3://bucket/report"));
        let ignore = std::fs::read_to_string(dir.path().join("archive/.gitignore")).unwrap();
        assert!(ignore.starts_with(ARCHIVE_GITIGNORE) && ignore.ends_with("objects/\n"), "{ignore}");
        assert!(repo.use_remote("s3://bucket/report").unwrap().is_empty(), "idempotent");
        let err = repo.use_remote("s3://other/x").unwrap_err().to_string();
        assert!(err.contains("already names the remote s3://bucket/report"), "{err}");
    }

    #[test]
    fn discover_walks_up_to_the_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("references")).unwrap();
        std::fs::create_dir_all(dir.path().join("chapters/one")).unwrap();
        let repo = Repo::discover(&dir.path().join("chapters/one"));
        assert_eq!(repo.root(), dir.path());
    }
}
