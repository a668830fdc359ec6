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
use crate::faults::{crash_point, fail_point};

impl crate::fetch::BodySink for Writer {
    fn is_truncated(&self) -> bool {
        Writer::is_truncated(self)
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

/// An object being written: bytes go through SHA-256 into a temp file; past
/// the cap they are dropped and the object is marked truncated.
pub struct Writer {
    archive: Archive,
    tmp: tempfile::NamedTempFile,
    hasher: Sha256,
    length: u64,
    cap: Option<u64>,
    truncated: bool,
}

impl Writer {
    /// Starts an object, at most `cap` bytes (`None`: no cap).
    pub fn new(archive: &Archive, cap: Option<u64>) -> io::Result<Writer> {
        let objects = archive.objects_dir();
        std::fs::create_dir_all(&objects)?;
        let tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(&objects)?;
        Ok(Writer { archive: archive.clone(), tmp, hasher: Sha256::new(), length: 0, cap, truncated: false })
    }

    /// Whether the cap has cut the stream.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }

    /// Bytes kept so far.
    pub fn len(&self) -> u64 {
        self.length
    }

    /// Whether nothing was kept.
    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    /// [`Writer::finish`] for bytes that must hash to `expected` (a download). When they
    /// do not, nothing is kept (the temp file is removed) and the hash they have is returned.
    pub fn finish_expecting(self, expected: &str) -> io::Result<Result<Stored, String>> {
        let actual = hex::encode(self.hasher.clone().finalize());
        if actual != expected {
            return Ok(Err(actual));
        }
        self.finish().map(Ok)
    }

    /// Persists the object under its hash name (temp, fsync, rename, read-only, fsync dir).
    pub fn finish(self) -> io::Result<Stored> {
        let Writer { archive, tmp, hasher, length, .. } = self;
        fail_point("temp-sync")?;
        tmp.as_file().sync_all()?;
        crash_point("after-temp-write");
        let sha256 = hex::encode(hasher.finalize());
        let path = archive.object_path(&sha256);
        crate::atomic::refuse_link(&path)?;
        if path.exists() {
            return Ok(Stored { sha256, length, new: false });
        }
        let dir = path.parent().expect("objects have a parent directory");
        std::fs::create_dir_all(dir)?;
        set_read_only(tmp.as_file())?;
        tmp.persist(&path).map_err(|e| e.error)?;
        crash_point("after-rename");
        sync_dir(dir)?;
        Ok(Stored { sha256, length, new: true })
    }
}

impl Write for Writer {
    /// Accepts everything; keeps what fits under the cap.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        fail_point("temp-write")?;
        let room = self.cap.map_or(buf.len() as u64, |cap| cap.saturating_sub(self.length));
        let take = (buf.len() as u64).min(room) as usize;
        if take < buf.len() {
            self.truncated = true;
        }
        self.hasher.update(&buf[..take]);
        self.tmp.write_all(&buf[..take])?;
        self.length += take as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tmp.flush()
    }
}

/// Streams `reader` into the store, at most `cap` bytes (`None`: no cap).
/// Returns the stored object and whether the cap cut the stream.
pub fn put(archive: &Archive, reader: &mut dyn Read, cap: Option<u64>) -> io::Result<(Stored, bool)> {
    let mut w = Writer::new(archive, cap)?;
    let mut buf = vec![0u8; 256 * 1024];
    while !w.is_truncated() {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        w.write_all(&buf[..n])?;
    }
    let truncated = w.is_truncated();
    Ok((w.finish()?, truncated))
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
