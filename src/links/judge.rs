//! From verdicts to findings: flaky failures held back until confirmed over
//! several runs, acknowledged dead links standing on their snapshots, drift
//! measured against the snapshot, and every dead or drifted link pointing
//! at its archived copy (and a web archive's, when asked).

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use jiff::Timestamp;

use super::cache::Cache;
use super::wayback::Memento;
use super::{Checked, Verdict, drift};
use crate::archive::{Archive, capture, store};
use crate::findings::{Code, Finding, Location};
use crate::text::quote::{self, Source};

/// A quotation a report takes from a reference, where it stands.
#[derive(Debug, Clone)]
pub struct Quoted {
    /// The report's location of the quotation.
    pub at: Location,
    /// The quotation.
    pub text: String,
}

/// Everything judging needs besides the verdicts.
pub struct Judge<'a> {
    /// The archive.
    pub archive: &'a Archive,
    /// Each reference's current snapshot, by key.
    pub snapshots: &'a HashMap<String, capture::Capture>,
    /// The text cache directory.
    pub cache_dir: &'a Path,
    /// This run's time.
    pub now: Timestamp,
    /// Failing runs before a link is called dead (1: at once).
    pub confirm_dead: usize,
    /// Least time between two counted failing runs.
    pub confirm_interval: Duration,
    /// Drift (percent) below which a changed page is not reported.
    pub drift_threshold: f64,
    /// Quotations found in each reference's snapshot, by key.
    pub quotes: &'a HashMap<String, Vec<Quoted>>,
    /// Web-archive captures found for dead links, by URL.
    pub mementos: &'a HashMap<String, Memento>,
}

/// A reference's archived copy, to fall back on.
struct Copy {
    capture: capture::Capture,
    path: String,
}

impl Judge<'_> {
    /// The findings for one checked link; the cache learns the outcome.
    pub fn judge(&self, c: &Checked, cache: &mut Cache) -> Vec<Finding> {
        let url = c.link.url.as_str();
        let copy = c.link.key.as_deref().and_then(|k| self.copy(k));
        let base = |code: Code, message: String| base(c, code, message);
        let mut out = Vec::new();
        match &c.verdict {
            Verdict::Ok { .. } | Verdict::Redirected { .. } => {
                if c.requests > 0 {
                    cache.ok(url, self.now);
                }
                if let Verdict::Redirected { status, final_url } = &c.verdict {
                    out.push(
                        base(Code::Redirected, format!("{url} redirects to {final_url}"))
                            .help("cite the new address if the move is permanent")
                            .data("final-url", final_url.clone())
                            .data("status", *status),
                    );
                }
                if let (Some(key), Some(copy), Some((body, content_type))) = (&c.link.key, &copy, &c.body) {
                    out.extend(self.drift(key, url, copy, body, content_type, &c.link.at));
                }
            }
            Verdict::Dead { .. } | Verdict::Timeout { .. } => out.push(self.failure(c, copy.as_ref(), cache)),
            Verdict::Blocked { status } => out.push(
                base(Code::Blocked, format!("{url} refuses robots (HTTP {status}); the page may well exist"))
                    .help("check it in a browser; `accept` it for this host in citelock.toml if it is fine")
                    .data("status", *status),
            ),
            Verdict::RateLimited { retry_after } => {
                let asked = retry_after.map_or(String::new(), |s| format!(" (asked to wait {s} s)"));
                let mut f = base(Code::RateLimited, format!("{url} is rate-limited{asked}; not checked this run"));
                if let Some(s) = retry_after {
                    f = f.data("retry-after", *s);
                }
                out.push(f);
            }
            Verdict::Refused { message } => out.push(base(Code::FetchRefused, format!("{url}: {message}"))),
        }
        out
    }

    /// A link that failed: dead, failing (not yet confirmed), or standing on its snapshot.
    fn failure(&self, c: &Checked, copy: Option<&Copy>, cache: &mut Cache) -> Finding {
        let url = c.link.url.as_str();
        let (status, reason, message) = match &c.verdict {
            Verdict::Dead { status, reason, message } => (*status, reason.as_str(), message.as_str()),
            Verdict::Timeout { message } => (None, "timeout", message.as_str()),
            other => (None, other.name(), ""),
        };
        let runs = cache.fail(url, self.now, self.confirm_interval);
        let (code, what) = if copy.is_some_and(|k| self.stands_in(k)) {
            (Code::DeadLinkArchived, format!("{url} is dead ({message}), acknowledged; its snapshot stands in"))
        } else if runs < self.confirm_dead {
            let n = self.confirm_dead;
            (Code::LinkFailing, format!("{url} failed ({message}) in {runs} of the {n} runs needed to call it dead"))
        } else if reason == "timeout" {
            (Code::LinkTimeout, format!("{url} did not answer in time ({message})"))
        } else {
            (Code::DeadLink, format!("dead link {url} ({message})"))
        };
        let mut f = base(c, code, what).data("reason", reason).data("failing-runs", runs);
        if let Some(s) = status {
            f = f.data("status", s);
        }
        self.fallback(f, copy, url)
    }

    /// The reference's current snapshot, if it has one.
    fn copy(&self, key: &str) -> Option<Copy> {
        let capture = self.snapshots.get(key)?.clone();
        let path = format!("archive/{}", Archive::object_rel(capture.sha256.as_deref()?));
        Some(Copy { capture, path })
    }

    /// Whether a person acknowledged the link dead and the snapshot still verifies.
    fn stands_in(&self, copy: &Copy) -> bool {
        let Some(sha) = copy.capture.sha256.as_deref() else { return false };
        copy.capture.acknowledged_dead.is_some()
            && store::hash_file(&self.archive.object_path(sha)).is_ok_and(|(hex, _)| hex == sha)
    }

    /// Adds where to find the page now: the archived copy, a web archive's.
    fn fallback(&self, mut f: Finding, copy: Option<&Copy>, url: &str) -> Finding {
        let mut help = Vec::new();
        if let Some(c) = copy {
            help.push(format!("archived copy: {} (captured {})", c.path, c.capture.captured));
            if c.capture.sha256.as_deref().is_some_and(|sha| !self.archive.object_path(sha).exists()) {
                help.push(format!("it is not in this checkout: `citelock pull {}` fetches it", c.capture.key));
            }
            f = f.data(
                "archived",
                serde_json::json!({"path": c.path, "captured": c.capture.captured, "capture": c.capture.id}),
            );
        } else {
            help.push("no archived copy: `citelock archive --attach KEY FILE` if you hold one".to_owned());
        }
        if let Some(m) = self.mementos.get(url) {
            help.push(format!("web archive: {}", m.url));
            f = f.data("web-archive", m.url.clone());
        }
        f.help(help.join("; "))
    }

    /// Content drift and quote drift of a live page against its snapshot.
    fn drift(&self, key: &str, url: &str, copy: &Copy, body: &[u8], content_type: &str, at: &Location) -> Vec<Finding> {
        let mut out = Vec::new();
        let (Some(stored), Some(live)) =
            (self.archive.text(self.cache_dir, &copy.capture), crate::text::extract_any(body, content_type))
        else {
            return out;
        };
        let similarity = drift::similarity(&stored.text, &live.text);
        let percent = ((1.0 - similarity) * 1000.0).round() / 10.0;
        if similarity < 1.0 && percent >= self.drift_threshold {
            let f = Finding::new(
                Code::ContentDrift,
                format!("{url} has changed since it was archived: {percent}% of its text differs"),
            )
            .at(at.clone())
            .data("url", url)
            .data("key", key)
            .data("similarity", (similarity * 1000.0).round() / 1000.0)
            .data("drift-percent", percent);
            out.push(self.fallback(f, Some(copy), url));
        }
        let live = Source::new(&live.text);
        for q in self.quotes.get(key).into_iter().flatten() {
            if !quote::found(&q.text, &live) {
                let f = Finding::new(
                    Code::QuoteDrift,
                    format!("the live page of `{key}` no longer has the quotation \u{201c}{}\u{201d}", q.text),
                )
                .at(q.at.clone())
                .related(at.clone(), format!("`{key}` ({url})"))
                .data("url", url)
                .data("key", key)
                .data("quote", q.text.clone());
                out.push(self.fallback(f, Some(copy), url));
            }
        }
        out
    }
}

/// A finding about a link, at its entry (or report line), with its URL and key.
fn base(c: &Checked, code: Code, message: String) -> Finding {
    let mut f = Finding::new(code, message)
        .at(c.link.at.clone())
        .data("url", c.link.url.as_str())
        .data("verdict", c.verdict.name());
    if let Some(k) = &c.link.key {
        f = f.data("key", k.clone());
    }
    f
}
