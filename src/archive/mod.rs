//! The archive: a content-addressed store of captured bytes
//! (`archive/objects/sha256/ab/<62 hex>`), one capture log per reference
//! (`archive/captures/<file-key>.yml`), a manifest `sha256sum -c` can check,
//! and the repository lock writers take. Everything here is plain files that
//! coreutils can verify; nothing is ever rewritten in place.

pub mod attach;
pub mod capture;
pub mod http;
pub mod lock;
pub mod manifest;
pub mod store;
pub mod verify;
pub mod warc;

use std::path::{Path, PathBuf};

pub use capture::{Capture, Method};

/// The `archive/` directory of a repository.
#[derive(Debug, Clone)]
pub struct Archive {
    dir: PathBuf,
}

impl Archive {
    /// The archive at `dir` (usually `<root>/archive`).
    pub fn new(dir: impl Into<PathBuf>) -> Archive {
        Archive { dir: dir.into() }
    }

    /// `archive/`.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `archive/objects/sha256/`.
    pub fn objects_dir(&self) -> PathBuf {
        self.dir.join("objects").join("sha256")
    }

    /// `archive/captures/`.
    pub fn captures_dir(&self) -> PathBuf {
        self.dir.join("captures")
    }

    /// `archive/manifest-sha256.txt`.
    pub fn manifest_path(&self) -> PathBuf {
        self.dir.join("manifest-sha256.txt")
    }

    /// The path of an object, relative to `archive/`: `objects/sha256/ab/cdef…`.
    pub fn object_rel(hex: &str) -> String {
        format!("objects/sha256/{}/{}", &hex[..2], &hex[2..])
    }

    /// The absolute path of an object.
    pub fn object_path(&self, hex: &str) -> PathBuf {
        self.dir.join(Archive::object_rel(hex))
    }
}
