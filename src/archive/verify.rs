//! Offline fixity: every object re-hashed (streaming, in parallel), and
//! objects ⇔ manifest ⇔ capture logs cross-checked. Reads only; takes no lock.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Archive, capture, manifest, store};
use crate::findings::{Code, Finding, Location};

/// A deterministic slice of the objects: `k` of `n` (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This slice, 1..=n.
    pub k: u32,
    /// Number of slices.
    pub n: u32,
}

impl Shard {
    /// Everything.
    pub const ALL: Shard = Shard { k: 1, n: 1 };

    /// Whether an object (by its hex name) belongs to this slice.
    pub fn holds(&self, hex: &str) -> bool {
        let prefix = u32::from_str_radix(&hex[..8], 16).unwrap_or(0);
        prefix % self.n == self.k - 1
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let (k, n) = s.split_once('/').ok_or("a shard is k/n, e.g. 2/4")?;
        let (k, n): (u32, u32) =
            (k.parse().map_err(|_| "k is not a number")?, n.parse().map_err(|_| "n is not a number")?);
        if n == 0 || k == 0 || k > n {
            return Err(format!("shard {k}/{n}: need 1 <= k <= n"));
        }
        Ok(Shard { k, n })
    }
}

/// What `verify` found and covered.
#[derive(Debug, Default)]
pub struct Report {
    /// Problems.
    pub findings: Vec<Finding>,
    /// Objects re-hashed.
    pub objects: usize,
    /// Bytes re-hashed.
    pub bytes: u64,
    /// Capture logs read.
    pub logs: usize,
}

const LFS_MAGIC: &[u8] = b"version https://git-lfs.github.com/spec/v1";

/// Verifies the archive. `prefix` is the archive's path relative to the repository root.
pub fn verify(archive: &Archive, prefix: &str, shard: Shard) -> io::Result<Report> {
    let mut report = Report::default();
    // Read in the reverse of the order writers write (object, manifest, log),
    // so a capture being written while verify runs is never half-seen: a log
    // read first only names objects the manifest read next lists, and those
    // objects exist when they are listed last.
    let logs = if shard.k == 1 { archive.log_texts()? } else { Vec::new() };
    let m = manifest::read(archive)?;
    let objects = store::list(archive)?.objects;
    let rel = |hex: &str| format!("{prefix}/{}", Archive::object_rel(hex));
    let mine: Vec<&(String, std::path::PathBuf)> = objects.iter().filter(|(h, _)| shard.holds(h)).collect();
    let lengths: Mutex<BTreeMap<String, u64>> = Mutex::new(BTreeMap::new());
    let found: Mutex<Vec<Finding>> = Mutex::new(Vec::new());
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(1, |p| p.get()).min(mine.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((hex, path)) = mine.get(i) else { break };
                    match check_object(path, hex, &rel(hex)) {
                        Ok(len) => {
                            lengths.lock().expect("no panics while locked").insert(hex.clone(), len);
                        }
                        Err(f) => found.lock().expect("no panics while locked").push(*f),
                    }
                }
            });
        }
    });
    let lengths = lengths.into_inner().expect("threads joined");
    report.objects = mine.len();
    report.bytes = lengths.values().sum();
    let mut findings = found.into_inner().expect("threads joined");
    findings.sort_by(|a, b| a.location.as_ref().map(|l| &l.file).cmp(&b.location.as_ref().map(|l| &l.file)));
    report.findings = findings;
    if shard.k == 1 {
        // The cheap cross-checks, once across all shards.
        let on_disk: BTreeSet<&str> = objects.iter().map(|(h, _)| h.as_str()).collect();
        cross_check(prefix, &m, logs, &on_disk, &mut report);
    }
    Ok(report)
}

/// Re-hashes one object: its length, or what is wrong with it.
fn check_object(path: &std::path::Path, hex: &str, rel: &str) -> Result<u64, Box<Finding>> {
    let unreadable = |e: io::Error| {
        Box::new(Finding::new(Code::MissingObject, format!("object cannot be read: {e}")).at(Location::file(rel)))
    };
    let mut head = [0u8; 64];
    let n = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)).map_err(unreadable)?;
    if head[..n].starts_with(LFS_MAGIC) {
        return Err(Box::new(
            Finding::new(Code::LfsPointer, "this object is a Git LFS pointer, not the captured bytes")
                .at(Location::file(rel))
                .help("run `git lfs pull` to fetch the content, then verify again")
                .data("sha256", hex),
        ));
    }
    let (actual, len) = store::hash_file(path).map_err(unreadable)?;
    if actual != hex {
        return Err(Box::new(
            Finding::new(Code::HashMismatch, format!("object content does not match its name (it hashes to {actual})"))
                .at(Location::file(rel))
                .help("the bytes were changed after capture; restore the object from git history or a backup")
                .data("expected", hex)
                .data("actual", actual),
        ));
    }
    Ok(len)
}

fn cross_check(
    prefix: &str,
    m: &manifest::Manifest,
    logs: Vec<(std::path::PathBuf, String)>,
    on_disk: &BTreeSet<&str>,
    report: &mut Report,
) {
    let manifest_name = format!("{prefix}/manifest-sha256.txt");
    for (line, text) in &m.bad {
        report.findings.push(
            Finding::new(Code::ManifestMismatch, format!("not a manifest line: {text:?}"))
                .at(Location::at(&manifest_name, *line, 1))
                .help("each line is `<64 hex>  objects/sha256/ab/<62 hex>`"),
        );
    }
    let mut listed = BTreeSet::new();
    for line in &m.lines {
        listed.insert(line.sha256.as_str());
        let expected = Archive::object_rel(&line.sha256);
        if line.path != expected {
            report.findings.push(
                Finding::new(
                    Code::ManifestMismatch,
                    format!("manifest line names {} for hash {}", line.path, line.sha256),
                )
                .at(Location::at(&manifest_name, line.number, 1))
                .help(format!("the object of this hash is {expected}"))
                .data("sha256", line.sha256.clone()),
            );
        } else if !on_disk.contains(line.sha256.as_str()) {
            report.findings.push(
                Finding::new(
                    Code::MissingObject,
                    format!("the manifest lists {expected}, which is not in the archive"),
                )
                .at(Location::at(&manifest_name, line.number, 1))
                .help("restore it from git history (`git log --all -- archive/objects`) or capture the source again")
                .data("sha256", line.sha256.clone()),
            );
        }
    }
    let mut referenced: BTreeSet<String> = BTreeSet::new();
    for (path, text) in logs {
        report.logs += 1;
        let name = format!("{prefix}/captures/{}", path.file_name().unwrap_or_default().to_string_lossy());
        let captures = match capture::parse_log(&text, &name) {
            Ok(c) => c,
            Err(e) => {
                let loc = e.line.map_or_else(|| Location::file(&name), |l| Location::at(&name, l, 1));
                report.findings.push(
                    Finding::new(Code::CaptureInvalid, format!("capture log cannot be read: {}", e.message)).at(loc),
                );
                continue;
            }
        };
        let stem = path.file_stem().unwrap_or_default().to_string_lossy().into_owned();
        for (i, c) in captures.iter().enumerate() {
            let at = Location::file(&name);
            if capture::file_key(&c.key) != stem {
                report.findings.push(
                    Finding::new(
                        Code::CaptureInvalid,
                        format!("capture {} is for key `{}`, not this log's key", c.id, c.key),
                    )
                    .at(at.clone())
                    .data("id", c.id.clone()),
                );
            }
            if captures[..i].iter().any(|d| d.id == c.id) {
                report.findings.push(
                    Finding::new(Code::CaptureInvalid, format!("capture id {} appears twice", c.id)).at(at.clone()),
                );
            }
            if let Some(hex) = &c.sha256 {
                referenced.insert(hex.clone());
                if !on_disk.contains(hex.as_str()) {
                    report.findings.push(
                        Finding::new(
                            Code::MissingObject,
                            format!("capture {} of `{}` names object {hex}, which is not in the archive", c.id, c.key),
                        )
                        .at(at)
                        .data("key", c.key.clone())
                        .data("sha256", hex.clone()),
                    );
                }
            }
        }
        if captures.iter().filter(|c| c.pinned).count() > 1 {
            report
                .findings
                .push(Finding::new(Code::CaptureInvalid, "more than one capture is pinned").at(Location::file(&name)));
        }
    }
    // An object a log names must be listed; one no log names is an orphan (below),
    // which is what an interrupted capture leaves: harmless, and not an error.
    for hex in on_disk {
        if !listed.contains(hex) && referenced.contains(*hex) {
            report.findings.push(
                Finding::new(Code::UnlistedObject, "object is not in manifest-sha256.txt, so `sha256sum -c` skips it")
                    .at(Location::file(format!("{prefix}/{}", Archive::object_rel(hex))))
                    .data("sha256", *hex),
            );
        }
    }
    for hex in on_disk {
        if !referenced.contains(*hex) {
            report.findings.push(
                Finding::new(Code::OrphanObject, "no capture log names this object")
                    .at(Location::file(format!("{prefix}/{}", Archive::object_rel(hex))))
                    .help("it may be left from an interrupted capture; delete it and its manifest line if it is not wanted")
                    .data("sha256", *hex),
            );
        }
    }
}
