//! `citelock archive` of URLs: each reference's URL (or its DOI, through a
//! DOI resolver) fetched on the shared client, concurrently within global and
//! per-host limits, and recorded as it completes: object, manifest, then log.
//! An error status, a failed fetch, or (on refresh) a page of another type is
//! logged as a failed attempt and never becomes the current snapshot.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use tokio::sync::Semaphore;

use super::capture::{self, Capture, Method};
use super::store::{Stored, Writer};
use super::{Archive, manifest};
use crate::fetch::{self, Client, Fetched};
use crate::findings::{Code, Finding, Location};

/// Objects larger than this get a warning suggesting Git LFS.
pub const LARGE_OBJECT: u64 = 50 * 1024 * 1024;

/// What `Accept` says: pages, PDFs and text first.
const ACCEPT: &str = "text/html,application/xhtml+xml,application/pdf;q=0.9,text/plain;q=0.8,*/*;q=0.5";

/// One reference to capture.
#[derive(Debug, Clone)]
pub struct Target {
    /// The citation key.
    pub key: String,
    /// What to request.
    pub url: url::Url,
    /// Where the key is defined (for findings).
    pub at: Location,
    /// Set when `url` is a web archive's raw copy of the reference's URL.
    pub memento: Option<Memento>,
}

/// A web archive's capture of a URL, fetched raw instead of the live page.
#[derive(Debug, Clone)]
pub struct Memento {
    /// The URL it is a capture of.
    pub original: String,
    /// Its replay URL.
    pub url: String,
    /// When the archive captured it, RFC 3339.
    pub datetime: String,
}

/// The URL to capture for a reference: its URL, else its DOI through the
/// resolver at `doi_base`; `None` when it has neither.
pub fn target(
    library: &crate::library::Library,
    record: &crate::library::Record,
    doi_base: &str,
) -> Option<Result<Target, String>> {
    let key = record.entry.key();
    let url = match (record.entry.url(), record.entry.doi()) {
        (Some(u), _) => u.value.to_string(),
        (None, Some(doi)) => format!("{}/{doi}", doi_base.trim_end_matches('/')),
        (None, None) => return None,
    };
    Some(
        url::Url::parse(&url)
            .map(|url| Target { key: key.to_owned(), url, at: library.location(record), memento: None })
            .map_err(|e| format!("`{key}`: bad URL {url}: {e}")),
    )
}

/// Concurrency limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Requests in flight at once.
    pub total: usize,
    /// Requests in flight per host.
    pub per_host: usize,
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Summary {
    /// New snapshots recorded.
    pub captured: usize,
    /// Refreshes whose body was identical to an existing object.
    pub unchanged: usize,
    /// Failed attempts recorded.
    pub failed: usize,
    /// Findings.
    pub findings: Vec<Finding>,
}

/// Captures every target; `progress(done, total)` is called as each completes.
pub async fn capture_all(
    client: &Client,
    archive: &Archive,
    cache: &Path,
    targets: Vec<Target>,
    limits: Limits,
    mut progress: impl FnMut(usize, usize),
) -> Summary {
    let total = Arc::new(Semaphore::new(limits.total.max(1)));
    let mut hosts: HashMap<String, Arc<Semaphore>> = HashMap::new();
    let mut set = tokio::task::JoinSet::new();
    let count = targets.len();
    for target in targets {
        let host = target.url.host_str().unwrap_or_default().to_ascii_lowercase();
        let per_host = hosts.entry(host).or_insert_with(|| Arc::new(Semaphore::new(limits.per_host.max(1)))).clone();
        let total = total.clone();
        let client = client.clone();
        let archive = archive.clone();
        set.spawn(async move {
            let _host = per_host.acquire_owned().await.expect("semaphores are never closed");
            let _slot = total.acquire_owned().await.expect("semaphores are never closed");
            let cap = Some(client.options().max_body);
            let result = match client.fetch(&target.url, ACCEPT, || Writer::new(&archive, cap)).await {
                Ok((fetched, writer)) => {
                    writer.map(Writer::finish).transpose().map(|stored| (fetched, stored)).map_err(fetch::Error::Store)
                }
                Err(e) => Err(e),
            };
            (target, result)
        });
    }
    let mut summary = Summary::default();
    let mut done = 0;
    while let Some(joined) = set.join_next().await {
        done += 1;
        progress(done, count);
        let Ok((target, result)) = joined else { continue };
        record(archive, cache, &target, result, &mut summary);
    }
    summary
}

/// Records one fetch's outcome: manifest and capture log, findings.
fn record(
    archive: &Archive,
    cache: &Path,
    t: &Target,
    result: Result<(Fetched, Option<Stored>), fetch::Error>,
    s: &mut Summary,
) {
    let previous = match archive.captures(&t.key) {
        Ok(p) => p,
        Err(e) => {
            s.findings.push(Finding::new(Code::CaptureInvalid, e.to_string()).at(Location::file(e.path)));
            return;
        }
    };
    let mut c = Capture::new(&t.key, if t.memento.is_some() { Method::WebArchive } else { Method::Http });
    c.url = Some(t.url.to_string());
    if let Some(m) = &t.memento {
        c.url = Some(m.original.clone());
        c.memento_url = Some(m.url.clone());
        c.memento_datetime = Some(m.datetime.clone());
    }
    let url = t.url.to_string();
    match result {
        Err(e) => {
            let code = if matches!(e, fetch::Error::Refused(_)) { Code::FetchRefused } else { Code::FetchFailed };
            s.findings.push(
                Finding::new(code, format!("`{}`: {url}: {e}", t.key))
                    .at(t.at.clone())
                    .data("key", t.key.clone())
                    .data("url", url.clone())
                    .data("reason", e.kind()),
            );
            c.error = Some(e.to_string());
        }
        Ok((f, stored)) => {
            c.final_url = Some(f.final_url.clone());
            c.redirects = f.redirects;
            c.status = Some(f.status);
            c.headers = f.headers;
            c.remote_addr = f.remote_addr;
            c.content_type = f.content_type.clone();
            c.content_encoding = f.content_encoding;
            c.truncated = f.truncated;
            if let Some(stored) = &stored {
                c.length = Some(stored.length);
                c.sha256 = Some(stored.sha256.clone());
            }
            if !(200..300).contains(&f.status) {
                c.error = Some(format!("HTTP {}", f.status));
                s.findings.push(
                    Finding::new(Code::FetchFailed, format!("`{}`: {url} answered HTTP {}", t.key, f.status))
                        .at(t.at.clone())
                        .data("key", t.key.clone())
                        .data("url", url.clone())
                        .data("status", f.status),
                );
            } else if let Some(old) = capture::current(&previous) {
                let mime =
                    |ct: Option<&str>| ct.unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
                let (was, now) = (mime(old.content_type.as_deref()), mime(f.content_type.as_deref()));
                if was != now {
                    c.error = Some(format!("content type changed from {was} to {now}"));
                    s.findings.push(
                        Finding::new(
                            Code::FetchFailed,
                            format!("`{}`: {url} now serves {now}, not {was}; the snapshot is kept", t.key),
                        )
                        .at(t.at.clone())
                        .data("key", t.key.clone())
                        .data("url", url.clone()),
                    );
                }
            }
            if let Some(reason) = c.truncated {
                s.findings.push(
                    Finding::new(
                        Code::Truncated,
                        format!(
                            "`{}`: the body of {url} was cut ({}); the stored copy is incomplete",
                            t.key,
                            reason.name()
                        ),
                    )
                    .at(t.at.clone())
                    .data("key", t.key.clone())
                    .data("url", url.clone()),
                );
            }
            if c.length.unwrap_or(0) > LARGE_OBJECT {
                s.findings.push(
                    Finding::new(
                        Code::LargeObject,
                        format!("`{}`: a {} MiB object", t.key, c.length.unwrap_or(0) >> 20),
                    )
                    .at(t.at.clone())
                    .help("consider Git LFS for archive/objects (`git lfs track 'archive/objects/**'`)")
                    .data("key", t.key.clone()),
                );
            }
        }
    }
    if let Some(hex) = &c.sha256 {
        if manifest::add(archive, std::slice::from_ref(hex)).is_err() {
            s.findings.push(
                Finding::new(Code::FetchFailed, "cannot update the manifest")
                    .at(Location::file("archive/manifest-sha256.txt")),
            );
            return;
        }
        archive.record_text(cache, &mut c);
    }
    c.id = capture::new_id(&c.captured, c.sha256.as_deref(), &previous);
    let same_bytes =
        c.sha256.is_some() && capture::current(&previous).and_then(|p| p.sha256.as_ref()) == c.sha256.as_ref();
    if c.error.is_some() {
        s.failed += 1;
    } else if same_bytes {
        s.unchanged += 1;
    } else {
        s.captured += 1;
    }
    if let Err(e) = archive.append(&c) {
        s.findings.push(Finding::new(Code::CaptureInvalid, e.to_string()).at(Location::file(e.path)));
    }
}
