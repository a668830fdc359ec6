//! Atomic file replacement: write a temp file in the same directory, fsync it,
//! rename it over the target, fsync the directory. A crash leaves either the
//! old file or the new one, never half of either.

use std::io::{self, Write};
use std::path::Path;

/// Refuses a path that is a symbolic link: citelock neither writes through
/// a link (to wherever it points) nor silently replaces it with a file.
pub fn refuse_link(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is a symbolic link; citelock does not write through or over links", path.display()),
        )),
        _ => Ok(()),
    }
}

/// The temporary files this module writes are `.citelock-<random>.tmp`.
const PREFIX: &str = ".citelock-";
const SUFFIX: &str = ".tmp";

/// Replaces (or creates) `path` with `bytes` atomically. A symbolic link at
/// `path` is an error, not something to follow or replace.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_with(path, |w| w.write_all(bytes))
}

/// Like [`write`], for output too large to hold: `fill` writes into the
/// temporary file (buffered), which is then synced and renamed over `path`.
/// A file that is replaced keeps the permissions a user gave it.
pub fn write_with<T>(path: &Path, fill: impl FnOnce(&mut dyn Write) -> io::Result<T>) -> io::Result<T> {
    refuse_link(path)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new().prefix(PREFIX).suffix(SUFFIX).tempfile_in(dir)?;
    crate::faults::fail_point("atomic-write")?;
    let value = {
        let mut w = io::BufWriter::new(tmp.as_file_mut());
        let value = fill(&mut w)?;
        w.flush()?;
        value
    };
    tmp.as_file().sync_all()?;
    if let Ok(meta) = std::fs::metadata(path) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir)?;
    Ok(value)
}

/// Removes temporary files that a killed writer left in `dir`, once they
/// are older than `age` (a live writer's are younger); how many went.
pub fn sweep(dir: &Path, age: std::time::Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_str().is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX)))
        .filter(|e| e.metadata().and_then(|m| m.modified()).is_ok_and(|t| t.elapsed().is_ok_and(|d| d > age)))
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

/// Makes a rename in `dir` durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.yml");
        write(&p, b"one").unwrap();
        write(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn sweep_takes_only_old_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        for name in [".citelock-abc.tmp", ".citelock-def.tmp", "keep.yml", ".other.tmp"] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        assert_eq!(sweep(dir.path(), std::time::Duration::from_secs(3600)), 0, "young ones stay");
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(sweep(dir.path(), std::time::Duration::from_millis(10)), 2);
        let mut left: Vec<_> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        left.sort();
        assert_eq!(left, [".other.tmp", "keep.yml"]);
    }
}
