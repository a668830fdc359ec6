//! The fault-injection seam of the tests: named points on the write paths
//! where an environment variable makes the process abort (a crash) or an
//! operation fail as the disk would. Without the variables, nothing happens.

use std::io;

/// Where the write path may be stopped in tests (fault injection): the
/// process aborts at the named point, as a crash would.
pub const CRASH_ENV: &str = "CITELOCK_CRASH_AT";

/// Aborts the process if `CITELOCK_CRASH_AT` names this point.
pub fn crash_point(name: &str) {
    if std::env::var(CRASH_ENV).is_ok_and(|v| v == name) {
        std::process::abort();
    }
}

/// Set to `POINT:ERROR` (`temp-write:ENOSPC`, `atomic-write:EIO`) to make a
/// write fail there as the disk would: the fault-injection seam of the tests.
pub const FAIL_ENV: &str = "CITELOCK_FAIL_AT";

/// Fails with the error `CITELOCK_FAIL_AT` names if it names this point.
pub fn fail_point(name: &str) -> io::Result<()> {
    let Ok(v) = std::env::var(FAIL_ENV) else { return Ok(()) };
    match v.split_once(':') {
        Some((point, "ENOSPC")) if point == name => Err(io::Error::from_raw_os_error(28)),
        Some((point, "EIO")) if point == name => Err(io::Error::from_raw_os_error(5)),
        _ => Ok(()),
    }
}
