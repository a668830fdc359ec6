//! Writing objects: bytes are streamed through SHA-256 into a temp file beside
//! the objects, which is fsynced, renamed to its hash name, made read-only, and
//! its directory fsynced. A crash leaves at most a `.tmp-*` file, never a
//! partial file under an object name. An object that exists is never touched.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::Archive;
use crate::atomic::sync_dir;

/// Where the write path may be stopped in tests (fault injection): the
/// process aborts at the named point, as a crash would.
pub const CRASH_ENV: &str = "CITELOCK_CRASH_AT";

/// Aborts the process if `CITELOCK_CRASH_AT` names this point.
pub fn crash_point(name: &str) {
    if std::env::var(CRASH_ENV).is_ok_and(|v| v == name) {
        std::process::abort();
    }
}

/// An object as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// Lower-case hex SHA-256 of the bytes: the object's name.
    pub sha256: String,
    /// Number of bytes.
    pub length: u64,
    /// Whether the object was new (false when identical bytes were already stored).
    pub new: bool,
}

/// Streams `reader` into the store, at most `cap` bytes (`None`: no cap).
/// Returns the stored object and whether the cap cut the stream.
pub fn put(archive: &Archive, reader: &mut dyn Read, cap: Option<u64>) -> io::Result<(Stored, bool)> {
    let objects = archive.objects_dir();
    std::fs::create_dir_all(&objects)?;
    let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(&objects)?;
    let mut hasher = Sha256::new();
    let mut length: u64 = 0;
    let mut truncated = false;
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let take = match cap {
            Some(cap) if length + n as u64 > cap => {
                truncated = true;
                (cap - length) as usize
            }
            _ => n,
        };
        hasher.update(&buf[..take]);
        tmp.write_all(&buf[..take])?;
        length += take as u64;
        if truncated {
            break;
        }
    }
    tmp.as_file().sync_all()?;
    crash_point("after-temp-write");
    let sha256 = hex::encode(hasher.finalize());
    let path = archive.object_path(&sha256);
    if path.exists() {
        return Ok((Stored { sha256, length, new: false }, truncated));
    }
    let dir = path.parent().expect("objects have a parent directory");
    std::fs::create_dir_all(dir)?;
    set_read_only(tmp.as_file())?;
    tmp.persist(&path).map_err(|e| e.error)?;
    crash_point("after-rename");
    sync_dir(dir)?;
    Ok((Stored { sha256, length, new: true }, truncated))
}

/// Removes temp files an interrupted write left (call only under the lock).
pub fn clean_temp(archive: &Archive) -> io::Result<usize> {
    let mut n = 0;
    let Ok(entries) = std::fs::read_dir(archive.objects_dir()) else { return Ok(0) };
    for e in entries {
        let e = e?;
        if e.file_name().to_string_lossy().starts_with(".tmp-") && e.file_type()?.is_file() {
            std::fs::remove_file(e.path())?;
            n += 1;
        }
    }
    Ok(n)
}

/// Stores a file's bytes.
pub fn put_file(archive: &Archive, path: &Path) -> io::Result<Stored> {
    let mut f = File::open(path)?;
    put(archive, &mut f, None).map(|(stored, _)| stored)
}

fn set_read_only(f: &File) -> io::Result<()> {
    let mut perms = f.metadata()?.permissions();
    perms.set_readonly(true);
    f.set_permissions(perms)
}

/// Streams an object's SHA-256 (for verify). Returns (hex, length).
pub fn hash_file(path: &Path) -> io::Result<(String, u64)> {
    let mut f = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1024 * 1024];
    let mut length = 0u64;
    loop {
        let n = match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        length += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), length))
}

/// What `objects/sha256/` holds.
#[derive(Debug, Default)]
pub struct Listing {
    /// Object files as (hex name, path), sorted.
    pub objects: Vec<(String, PathBuf)>,
    /// Temp files and anything not shaped like an object name.
    pub strays: Vec<PathBuf>,
}

/// Every object file under `objects/sha256/`.
pub fn list(archive: &Archive) -> io::Result<Listing> {
    let mut objects = Vec::new();
    let mut strays = Vec::new();
    let root = archive.objects_dir();
    let Ok(dirs) = std::fs::read_dir(&root) else { return Ok(Listing::default()) };
    for dir in dirs {
        let dir = dir?;
        let prefix = dir.file_name().to_string_lossy().into_owned();
        if !dir.file_type()?.is_dir() {
            if prefix != ".gitkeep" {
                strays.push(dir.path());
            }
            continue;
        }
        for file in std::fs::read_dir(dir.path())? {
            let file = file?;
            let rest = file.file_name().to_string_lossy().into_owned();
            let hex = format!("{prefix}{rest}");
            if is_hex64(&hex) && file.file_type()?.is_file() {
                objects.push((hex, file.path()));
            } else {
                strays.push(file.path());
            }
        }
    }
    objects.sort();
    strays.sort();
    Ok(Listing { objects, strays })
}

/// Whether `s` is 64 lower-case hex digits.
pub fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_by_hash_once_read_only_and_caps() {
        let dir = tempfile::tempdir().unwrap();
        let a = Archive::new(dir.path());
        let (s, cut) = put(&a, &mut &b"hello\n"[..], None).unwrap();
        assert!(!cut && s.new);
        assert_eq!(s.sha256, "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
        let path = a.object_path(&s.sha256);
        assert!(path.metadata().unwrap().permissions().readonly());
        let (again, _) = put(&a, &mut &b"hello\n"[..], None).unwrap();
        assert!(!again.new);
        let (capped, cut) = put(&a, &mut &b"hello world"[..], Some(5)).unwrap();
        assert!(cut);
        assert_eq!(capped.length, 5);
        let listing = list(&a).unwrap();
        assert_eq!(listing.objects.len(), 2);
        assert!(listing.strays.is_empty(), "no temp files left: {:?}", listing.strays);
        assert_eq!(hash_file(&path).unwrap(), (s.sha256, 6));
    }
}
