//! `archive --attach`: a file a person supplies (a PDF from a library, a copy a
//! bot cannot fetch) becomes a capture with `method: file`, its original name
//! and where it came from. The write order keeps the archive verifiable after
//! a crash at any point: object, then manifest, then capture log.

use std::path::Path;

use super::capture::{self, Capture, Method};
use super::{Archive, lock, manifest, store};

/// What to attach.
#[derive(Debug, Clone)]
pub struct Attachment<'a> {
    /// The citation key.
    pub key: &'a str,
    /// The reference's URL, which the copy stands for (if it has one).
    pub url: Option<String>,
    /// The file.
    pub file: &'a Path,
    /// Where the file came from, in the user's words.
    pub source: Option<String>,
    /// Its media type (guessed from the extension when not given).
    pub content_type: Option<String>,
}

/// Why attaching failed; nothing was recorded.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The lock is held or unusable.
    #[error(transparent)]
    Lock(#[from] lock::LockError),
    /// The file or the archive could not be read or written.
    #[error("{what}")]
    Io {
        /// What was being done.
        what: String,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
    /// The key's capture log is unreadable.
    #[error(transparent)]
    Log(#[from] capture::LogError),
}

/// The media type of a file by its extension.
pub fn guess_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("txt" | "text") => "text/plain",
        Some("md") => "text/markdown",
        Some("html" | "htm") => "text/html",
        Some("pdf") => "application/pdf",
        Some("xml") => "application/xml",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// Attaches a file as a new capture of a key, under the repository lock.
pub fn attach(archive: &Archive, cache: &Path, a: &Attachment) -> Result<Capture, Error> {
    let _lock = lock::acquire(archive)?;
    // The log must be usable before anything is stored.
    let existing = archive.captures(a.key)?;
    let io = |what: String| move |source| Error::Io { what, source };
    store::clean_temp(archive).map_err(io("cannot clean the object directory".into()))?;
    let stored = store::put_file(archive, a.file).map_err(io(format!("cannot store {}", a.file.display())))?;
    manifest::add(archive, std::slice::from_ref(&stored.sha256)).map_err(io("cannot update the manifest".into()))?;
    crate::faults::crash_point("before-log-append");
    let content_type = a.content_type.clone().unwrap_or_else(|| guess_type(a.file).to_owned());
    let mut record = Capture::new(a.key, Method::File);
    record.id = capture::new_id(&record.captured, Some(&stored.sha256), &existing);
    record.url = a.url.clone();
    record.file_name = a.file.file_name().map(|n| n.to_string_lossy().into_owned());
    record.source = a.source.clone();
    record.content_type = Some(content_type);
    record.length = Some(stored.length);
    record.sha256 = Some(stored.sha256);
    archive.record_text(cache, &mut record);
    archive.append(&record)?;
    Ok(record)
}
