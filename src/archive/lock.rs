//! The repository lock: writers to the archive, and `add` writing
//! references, take an exclusive `flock` on `archive/.lock`. The kernel releases it when the holder exits or dies, so
//! there is no stale lock to guess about; a second writer fails at once.
//! Readers (`verify`) take no lock.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Write};

use super::Archive;

/// Held while the archive is being written.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds it.
    #[error("another citelock process is writing to this archive ({holder}); try again when it has finished")]
    Busy {
        /// What the holder wrote into the lock file.
        holder: String,
    },
    /// The lock file could not be opened.
    #[error("cannot open the archive lock {path}")]
    Io {
        /// The lock file.
        path: String,
        /// Why.
        #[source]
        source: io::Error,
    },
}

/// Takes the lock, failing fast if another process holds it.
pub fn acquire(archive: &Archive) -> Result<Lock, LockError> {
    let path = archive.dir().join(".lock");
    let io_err = |source| LockError::Io { path: path.display().to_string(), source };
    std::fs::create_dir_all(archive.dir()).map_err(io_err)?;
    let mut file =
        OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(io_err)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let holder = std::fs::read_to_string(&path).unwrap_or_default().trim().to_owned();
            return Err(LockError::Busy { holder: if holder.is_empty() { "unknown process".into() } else { holder } });
        }
        Err(TryLockError::Error(e)) => return Err(io_err(e)),
    }
    file.set_len(0).map_err(io_err)?;
    let _ = write!(file, "pid {}", std::process::id());
    Ok(Lock { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_fails_fast_and_the_first_release_frees_it() {
        let dir = tempfile::tempdir().unwrap();
        let a = Archive::new(dir.path());
        let first = acquire(&a).unwrap();
        let err = acquire(&a).unwrap_err();
        assert!(err.to_string().contains(&format!("pid {}", std::process::id())), "{err}");
        drop(first);
        assert!(acquire(&a).is_ok());
    }
}
