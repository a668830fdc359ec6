//! `verify --remote`: every wanted object is on the remote with its size
//! (from listing pages alone with `quick`), and the SHA-256 the server checked
//! and stored at upload equals its name (one HEAD with checksum mode per object,
//! no download). A server's stored checksum says what it received, not what its
//! disks hold now, so `subset` also downloads a deterministic sample and re-hashes it.

use std::sync::Arc;

use super::parts::Parts;
use super::{Head, Remote, Subset, Wanted};
use crate::archive::Archive;
use crate::findings::{Code, Finding, Location};

/// How far to look.
#[derive(Debug, Clone, Copy, Default)]
pub struct Depth {
    /// Presence and size from listing pages only.
    pub quick: bool,
    /// Download and re-hash this share of the objects.
    pub subset: Option<Subset>,
}

/// What `verify --remote` found and covered.
#[derive(Debug, Default)]
pub struct Report {
    /// Problems.
    pub findings: Vec<Finding>,
    /// Objects checked.
    pub objects: usize,
    /// Objects whose stored SHA-256 was compared.
    pub checksums: usize,
    /// Objects downloaded and re-hashed.
    pub rehashed: usize,
    /// Bytes downloaded.
    pub bytes: u64,
}

/// Checks the remote copies of `wanted`.
pub async fn verify(
    remote: &Remote,
    archive: &Archive,
    wanted: &[Wanted],
    depth: Depth,
    progress: Arc<dyn Fn(u64, u64) + Send + Sync>,
) -> anyhow::Result<Report> {
    let listed = remote.list().await?;
    let mut report = Report { objects: wanted.len(), ..Report::default() };
    let mut records = super::parts::read_all(archive)?;
    let mut work = Vec::new();
    for w in wanted {
        let Some(l) = listed.get(&w.sha256) else {
            report.findings.push(
                Finding::new(Code::RemoteMissing, "not on the remote")
                    .at(Location::file(remote.url(&w.sha256)))
                    .help("`citelock push` sends it")
                    .data("sha256", w.sha256.clone()),
            );
            continue;
        };
        let expected = expected_size(archive, w);
        if let Some(size) = expected.filter(|s| *s != l.size) {
            report.findings.push(size_mismatch(&remote.url(&w.sha256), &w.sha256, size, l.size));
            continue;
        }
        let (head, read) = (!depth.quick, depth.subset.is_some_and(|s| s.holds(&w.sha256)));
        if !head && !read {
            continue;
        }
        let hex = w.sha256.clone();
        let parts = records.remove(&hex);
        if let Some(p) = parts.as_ref().filter(|p| !p.is_consistent() || p.sha256 != hex) {
            anyhow::bail!(
                "archive/multipart/{hex}.yml contradicts itself (checksum {}): restore it from git",
                p.checksum
            );
        }
        work.push((hex, expected, parts, head, read));
    }
    drop(listed);
    let job = |(hex, size, parts, head, read): (String, Option<u64>, Option<Parts>, bool, bool)| {
        let remote = remote.clone();
        async move { check_one(&remote, &hex, size, parts, head, read).await }
    };
    super::each(work, remote.concurrency, &*progress, job, |one: One| {
        report.checksums += usize::from(one.compared);
        report.rehashed += usize::from(one.bytes.is_some());
        report.bytes += one.bytes.unwrap_or(0);
        report.findings.extend(one.findings);
    })
    .await?;
    report.findings.sort_by(|a, b| {
        a.location.as_ref().map(|l| &l.file).cmp(&b.location.as_ref().map(|l| &l.file)).then(a.code.cmp(&b.code))
    });
    Ok(report)
}

/// The size an object should have: its file's, else what a capture log records.
fn expected_size(archive: &Archive, w: &Wanted) -> Option<u64> {
    std::fs::metadata(archive.object_path(&w.sha256)).map(|m| m.len()).ok().or(w.length)
}

#[derive(Default)]
struct One {
    compared: bool,
    bytes: Option<u64>,
    findings: Vec<Finding>,
}

async fn check_one(
    remote: &Remote,
    hex: &str,
    size: Option<u64>,
    parts: Option<Parts>,
    head: bool,
    read: bool,
) -> anyhow::Result<One> {
    let mut one = One::default();
    if head {
        let (compared, finding) = judge(&remote.url(hex), hex, size, remote.head(hex).await?, parts.as_ref());
        one.compared = compared;
        one.findings.extend(finding);
    }
    if read && let Some((actual, length)) = remote.hash(hex).await? {
        one.bytes = Some(length);
        if actual != hex {
            one.findings.push(
                Finding::new(Code::RemoteMismatch, format!("the remote's bytes hash to {actual}, not to their name"))
                    .at(Location::file(remote.url(hex)))
                    .help("the remote copy is corrupt: delete it there and push again from a checkout whose `citelock verify` is clean")
                    .data("expected", hex)
                    .data("actual", actual),
            );
        }
    }
    Ok(one)
}

/// What a HEAD says of one object: whether a stored checksum was compared, and the problem.
/// `size` is what the object should have; `parts`, its multipart record.
fn judge(
    url: &str,
    hex: &str,
    size: Option<u64>,
    head: Option<Head>,
    parts: Option<&Parts>,
) -> (bool, Option<Finding>) {
    let no_checksum = |message: String, help: &str| {
        Finding::new(Code::RemoteNoChecksum, message).at(Location::file(url)).help(help).data("sha256", hex)
    };
    let finding = match head {
        None => Finding::new(Code::RemoteMissing, "listed, but gone when asked for")
            .at(Location::file(url))
            .data("sha256", hex),
        Some(Head { size: got, .. }) if size.is_some_and(|s| s != got) => {
            size_mismatch(url, hex, size.unwrap_or(0), got)
        }
        Some(Head { checksum: None, .. }) => no_checksum(
            "the remote stored no SHA-256 for this object; only its size was checked".into(),
            "`citelock verify --remote --read-data-subset 100%` downloads and re-hashes instead",
        ),
        Some(Head { checksum: Some(stored), composite: true, .. }) if parts.is_none() => no_checksum(
            format!(
                "the remote stored only a checksum of the object's parts ({stored}), and archive/multipart/ has no record of them; only its size was checked"
            ),
            "it was uploaded in parts by another tool, or its record was lost: `--read-data-subset 100%` re-hashes it",
        ),
        Some(Head { checksum: Some(stored), .. }) => {
            let expected = parts.map_or_else(|| super::base64_of_hex(hex), |p| p.checksum.clone());
            if stored == expected {
                return (true, None);
            }
            let what = match super::hex_of_base64(&stored) {
                Some(h) => format!("the remote's stored SHA-256 is {h}, not the object's name"),
                None => format!("the remote's stored checksum is {stored}, not {expected}"),
            };
            let f = Finding::new(Code::RemoteMismatch, what)
                .at(Location::file(url))
                .help("the remote holds other bytes under this name: delete it there and push again")
                .data("expected", expected)
                .data("actual", stored);
            return (true, Some(f));
        }
    };
    (false, Some(finding))
}

fn size_mismatch(url: &str, hex: &str, expected: u64, got: u64) -> Finding {
    Finding::new(Code::RemoteMismatch, format!("the remote object has {got} bytes, not {expected}"))
        .at(Location::file(url))
        .help("the remote holds other bytes under this name: delete it there and push again")
        .data("sha256", hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(size: u64, checksum: Option<&str>, composite: bool) -> Option<Head> {
        Some(Head { size, checksum: checksum.map(str::to_owned), composite })
    }

    #[test]
    fn a_head_is_judged_by_size_then_by_the_checksum_the_object_should_have() {
        let hex = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
        let b64 = super::super::base64_of_hex(hex);
        let code = |r: (bool, Option<Finding>)| (r.0, r.1.map(|f| f.code));
        let judged = |h, parts| code(judge("s3://b/k", hex, Some(6), h, parts));
        assert_eq!(judged(head(6, Some(&b64), false), None), (true, None));
        assert_eq!(judged(head(6, Some("AAAA"), false), None), (true, Some(Code::RemoteMismatch)));
        assert_eq!(judged(head(7, Some(&b64), false), None), (false, Some(Code::RemoteMismatch)));
        assert_eq!(judged(head(6, None, false), None), (false, Some(Code::RemoteNoChecksum)));
        assert_eq!(judged(None, None), (false, Some(Code::RemoteMissing)));
        // A checksum of parts: compared with the record, or said to be unreadable without one.
        let parts = Parts::new(hex, 5, vec![b64.clone(), b64.clone()]);
        let stored = parts.checksum.clone();
        assert_eq!(judged(head(6, Some(&stored), true), Some(&parts)), (true, None));
        assert_eq!(judged(head(6, Some(&stored), true), None), (false, Some(Code::RemoteNoChecksum)));
        assert_eq!(judged(head(6, Some("AAAA-2"), true), Some(&parts)), (true, Some(Code::RemoteMismatch)));
    }
}
