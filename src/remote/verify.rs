//! `verify --remote`: every wanted object is on the remote with its size
//! (from listing pages alone with `quick`), and the SHA-256 the server checked
//! and stored at upload equals its name (one HEAD with checksum mode per object,
//! no download). A server's stored checksum says what it received, not what its
//! disks hold now, so `subset` also downloads a deterministic sample and re-hashes it.

use std::sync::Arc;

use sha2::{Digest, Sha256};

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
            report.findings.push(size_mismatch(remote, &w.sha256, size, l.size));
            continue;
        }
        let (head, read) = (!depth.quick, depth.subset.is_some_and(|s| s.holds(&w.sha256)));
        if !head && !read {
            continue;
        }
        let hex = w.sha256.clone();
        let parts = super::parts::read(archive, &hex)?;
        if let Some(p) = parts.as_ref().filter(|p| !p.is_consistent() || p.sha256 != hex) {
            anyhow::bail!(
                "archive/multipart/{hex}.yml contradicts itself (checksum {}): restore it from git",
                p.checksum
            );
        }
        work.push((hex, expected, parts, head, read));
    }
    drop(listed);
    let job = |(hex, size, parts, head, read): (String, Option<u64>, Option<super::parts::Parts>, bool, bool)| {
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
    parts: Option<super::parts::Parts>,
    head: bool,
    read: bool,
) -> anyhow::Result<One> {
    let mut one = One::default();
    if head {
        match remote.head(hex).await? {
            None => one.findings.push(
                Finding::new(Code::RemoteMissing, "listed, but gone when asked for")
                    .at(Location::file(remote.url(hex)))
                    .data("sha256", hex),
            ),
            Some(Head { size: got, .. }) if size.is_some_and(|s| s != got) => {
                one.findings.push(size_mismatch(remote, hex, size.unwrap_or(0), got));
            }
            Some(Head { checksum: None, .. }) => one.findings.push(
                Finding::new(
                    Code::RemoteNoChecksum,
                    "the remote stored no SHA-256 for this object; only its size was checked",
                )
                .at(Location::file(remote.url(hex)))
                .help("`citelock verify --remote --read-data-subset 100%` downloads and re-hashes instead")
                .data("sha256", hex),
            ),
            Some(Head { checksum: Some(stored), .. }) => {
                one.compared = true;
                let expected = match &parts {
                    Some(p) => p.checksum.clone(),
                    None => super::base64_of_hex(hex),
                };
                if stored != expected {
                    let what = match super::hex_of_base64(&stored) {
                        Some(h) => format!("the remote's stored SHA-256 is {h}, not the object's name"),
                        None => format!("the remote's stored checksum is {stored}, not {expected}"),
                    };
                    one.findings.push(
                        Finding::new(Code::RemoteMismatch, what)
                            .at(Location::file(remote.url(hex)))
                            .help("the remote holds other bytes under this name: delete it there and push again")
                            .data("expected", expected)
                            .data("actual", stored),
                    );
                }
            }
        }
    }
    if read {
        let mut hasher = Sha256::new();
        let mut length = 0u64;
        let got = remote
            .download(hex, |chunk| {
                hasher.update(chunk);
                length += chunk.len() as u64;
                Ok(())
            })
            .await?;
        if got.is_some() {
            one.bytes = Some(length);
            let actual = hex::encode(hasher.finalize());
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
    }
    Ok(one)
}

fn size_mismatch(remote: &Remote, hex: &str, expected: u64, got: u64) -> Finding {
    Finding::new(Code::RemoteMismatch, format!("the remote object has {got} bytes, not {expected}"))
        .at(Location::file(remote.url(hex)))
        .help("the remote holds other bytes under this name: delete it there and push again")
        .data("sha256", hex)
}
