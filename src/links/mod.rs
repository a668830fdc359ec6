//! `citelock links`: the CI link check. Every cited URL (a DOI through its
//! resolver; with reports, every URL in them too) is asked for on the shared
//! fetch client within global and per-host limits, and gets a [`Verdict`].
//! A reference with a snapshot is also compared with it: the live page's text
//! (content drift) and each quotation a report takes from it (quote drift).
//! [`judge`] turns verdicts into findings that name the archived copy.

pub mod cache;
pub mod drift;
pub mod judge;
mod probe;
pub mod wayback;

use std::collections::{HashMap, VecDeque};
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::fetch::Client;
use crate::findings::Location;
pub use probe::retry_after;

/// One URL to check, and where it is cited.
#[derive(Debug, Clone)]
pub struct Link {
    /// The URL.
    pub url: url::Url,
    /// The reference it belongs to (none for a URL found only in a report).
    pub key: Option<String>,
    /// The entry's `url` line, or the report's line.
    pub at: Location,
    /// Whether to read the body (the reference has a snapshot to compare with).
    pub want_body: bool,
}

/// How politely and how persistently to check.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Requests in flight at once.
    pub max_concurrency: usize,
    /// Requests in flight per host name.
    pub host_concurrency: usize,
    /// Least time between two request starts on one host.
    pub host_interval: Duration,
    /// Retries after a timeout, a broken connection, a 5xx or a 429.
    pub max_retries: u32,
    /// The first retry's wait; each further one doubles it.
    pub retry_wait: Duration,
    /// The longest `Retry-After` waited for; longer means `rate-limited`.
    pub retry_after_cap: Duration,
    /// GET from the start (HEAD first otherwise).
    pub get: bool,
    /// Accepted statuses.
    pub accept: Accept,
    /// Bytes of a body read at most.
    pub max_body: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_concurrency: 64,
            host_concurrency: 4,
            host_interval: Duration::from_millis(50),
            max_retries: 3,
            retry_wait: Duration::from_secs(1),
            retry_after_cap: Duration::from_secs(60),
            get: false,
            accept: Accept::default(),
            max_body: 16 * 1024 * 1024,
        }
    }
}

/// Accepted statuses: a default set, and sets for particular hosts.
#[derive(Debug, Clone)]
pub struct Accept {
    default: Vec<RangeInclusive<u16>>,
    hosts: HashMap<String, Vec<RangeInclusive<u16>>>,
}

impl Default for Accept {
    fn default() -> Self {
        Accept { default: vec![100..=103, 200..=299], hosts: HashMap::new() }
    }
}

impl Accept {
    /// Parses lychee's form, `200..=204, 403, 500..600`, for the default and per host.
    pub fn parse(default: &str, hosts: &[(String, String)]) -> Result<Accept, String> {
        let mut accept = Accept { default: crate::config::status_ranges(default)?, hosts: HashMap::new() };
        for (host, spec) in hosts {
            accept.hosts.insert(host.to_ascii_lowercase(), crate::config::status_ranges(spec)?);
        }
        Ok(accept)
    }

    /// Whether `status` is accepted from `host`.
    pub fn accepts(&self, host: &str, status: u16) -> bool {
        self.hosts.get(host).unwrap_or(&self.default).iter().any(|r| r.contains(&status))
    }
}

/// What checking a link found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Answered with an accepted status.
    Ok {
        /// The status.
        status: u16,
    },
    /// Answered after redirects.
    Redirected {
        /// The final status.
        status: u16,
        /// Where the redirects ended.
        final_url: String,
    },
    /// Gone: a definite failure (an error status, no such host, TLS refused).
    Dead {
        /// The status, when there was a response.
        status: Option<u16>,
        /// `status`, `dns`, `tls`, `connect`, `redirect-loop`…
        reason: String,
        /// What happened.
        message: String,
    },
    /// The page exists but refuses robots (401, 403, 999).
    Blocked {
        /// The status.
        status: u16,
    },
    /// Still 429 after the retries, or asked to wait longer than the cap.
    RateLimited {
        /// The wait the server asked for, in seconds.
        retry_after: Option<u64>,
    },
    /// No answer in time.
    Timeout {
        /// What timed out.
        message: String,
    },
    /// The address policy refused it.
    Refused {
        /// Why.
        message: String,
    },
}

impl Verdict {
    /// A short name for machine output.
    pub fn name(&self) -> &'static str {
        match self {
            Verdict::Ok { .. } => "ok",
            Verdict::Redirected { .. } => "redirected",
            Verdict::Dead { .. } => "dead",
            Verdict::Blocked { .. } => "blocked",
            Verdict::RateLimited { .. } => "rate-limited",
            Verdict::Timeout { .. } => "timeout",
            Verdict::Refused { .. } => "refused",
        }
    }

    /// Whether the link answered as it should.
    pub fn is_ok(&self) -> bool {
        matches!(self, Verdict::Ok { .. } | Verdict::Redirected { .. })
    }

    /// Whether this is a failure to reach the host at all (what an outage looks like).
    pub fn is_unreachable(&self) -> bool {
        match self {
            Verdict::Timeout { .. } => true,
            Verdict::Dead { status: None, reason, .. } => matches!(reason.as_str(), "connect" | "dns"),
            _ => false,
        }
    }
}

/// A link and what became of it.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The link.
    pub link: Link,
    /// The verdict.
    pub verdict: Verdict,
    /// Requests sent (0 when the cache answered).
    pub requests: u32,
    /// The live body and its media type, when it was read.
    pub body: Option<(Vec<u8>, String)>,
}

/// Checks every link; `progress(done, total)` as each completes. Results come
/// back in the links' order. Each host gets as many workers as its limit
/// allows, each taking the host's links in turn, so a run holds a few
/// hundred tasks rather than one per link.
pub async fn check_all(
    client: &Client,
    links: Vec<Link>,
    settings: &Settings,
    mut progress: impl FnMut(usize, usize),
) -> Vec<Checked> {
    let total = links.len();
    let mut queues: indexmap::IndexMap<String, VecDeque<(usize, Link)>> = indexmap::IndexMap::new();
    for (i, link) in links.into_iter().enumerate() {
        let host = link.url.host_str().unwrap_or_default().to_ascii_lowercase();
        queues.entry(host).or_default().push_back((i, link));
    }
    let global = Arc::new(Semaphore::new(settings.max_concurrency.max(1)));
    let settings = Arc::new(settings.clone());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    for (_, queue) in queues {
        let workers = queue.len().min(settings.host_concurrency.max(1));
        let queue = Arc::new(std::sync::Mutex::new(queue));
        let host = Arc::new(probe::Host::default());
        for _ in 0..workers {
            let (client, global, settings) = (client.clone(), global.clone(), settings.clone());
            let (queue, host, tx) = (queue.clone(), host.clone(), tx.clone());
            tokio::spawn(async move {
                loop {
                    let next = queue.lock().expect("no worker panics holding it").pop_front();
                    let Some((i, link)) = next else { break };
                    let p = probe::check(&client, &link.url, &settings, &host, &global, link.want_body).await;
                    let checked = Checked { link, verdict: p.verdict, requests: p.requests, body: p.body };
                    if tx.send((i, checked)).is_err() {
                        break;
                    }
                }
            });
        }
    }
    drop(tx);
    let mut out: Vec<Option<Checked>> = (0..total).map(|_| None).collect();
    let mut done = 0;
    while let Some((i, checked)) = rx.recv().await {
        done += 1;
        progress(done, total);
        out[i] = Some(checked);
    }
    out.into_iter().flatten().collect()
}

/// Whether a run looks like the network is down rather than the links dead:
/// at least two hosts were tried and four in five of them could not be
/// reached at all, with not one response from any of them.
pub fn network_unavailable(checked: &[Checked]) -> bool {
    let mut hosts: HashMap<&str, bool> = HashMap::new();
    for c in checked.iter().filter(|c| c.requests > 0) {
        let reached = !c.verdict.is_unreachable();
        let e = hosts.entry(c.link.url.host_str().unwrap_or_default()).or_insert(false);
        *e |= reached;
    }
    let down = hosts.values().filter(|r| !**r).count();
    hosts.len() >= 2 && down * 5 >= hosts.len() * 4
}

/// URLs in a report's text: `http(s)://` up to whitespace or a closing
/// bracket, less trailing punctuation. Each with its byte offset.
pub fn urls_in(text: &str) -> Vec<(usize, url::Url)> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| regex::Regex::new(r#"https?://[^\s<>"'`\])}]+"#).expect("a valid pattern"));
    re.find_iter(text)
        .filter_map(|m| {
            let s = m.as_str().trim_end_matches(['.', ',', ';', ':', '!', '?', '*', '_']);
            url::Url::parse(s).ok().map(|u| (m.start(), u))
        })
        .collect()
}

/// Whether a shard takes a link: `verify`'s slicing rule, applied to the
/// SHA-256 of the URL.
pub fn in_shard(url: &url::Url, shard: crate::archive::verify::Shard) -> bool {
    use sha2::{Digest, Sha256};
    shard.holds(&hex::encode(Sha256::digest(url.as_str().as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_ranges_parse_like_lychee() {
        let a = Accept::parse("200..=204, 403, 500..502", &[]).unwrap();
        assert!(a.accepts("x", 204) && a.accepts("x", 403) && a.accepts("x", 501));
        assert!(!a.accepts("x", 205) && !a.accepts("x", 502));
        assert!(Accept::parse("20x", &[]).is_err());
        assert!(Accept::parse("300..=200", &[]).is_err());
    }

    #[test]
    fn urls_are_found_without_trailing_punctuation() {
        let found: Vec<String> = urls_in("See https://a.test/x. And (https://b.test/y?q=1), <https://c.test/>.")
            .into_iter()
            .map(|u| u.1.to_string())
            .collect();
        assert_eq!(found, ["https://a.test/x", "https://b.test/y?q=1", "https://c.test/"]);
    }

    #[test]
    fn an_outage_is_most_hosts_unreachable() {
        let link = |host: &str| Link {
            url: url::Url::parse(&format!("https://{host}/")).unwrap(),
            key: None,
            at: Location::default(),
            want_body: false,
        };
        let down = Verdict::Dead { status: None, reason: "connect".into(), message: String::new() };
        let gone = Verdict::Dead { status: Some(404), reason: "status".into(), message: String::new() };
        let c = |host: &str, verdict: &Verdict| Checked {
            link: link(host),
            verdict: verdict.clone(),
            requests: 1,
            body: None,
        };
        assert!(network_unavailable(&[c("a", &down), c("b", &down), c("c", &down)]));
        assert!(!network_unavailable(&[c("a", &down), c("b", &gone), c("c", &down)]), "b answered");
        assert!(!network_unavailable(&[c("a", &down)]), "one host is one dead host");
    }

    #[test]
    fn shards_split_the_links() {
        let urls: Vec<url::Url> = (0..100).map(|i| url::Url::parse(&format!("https://h.test/{i}")).unwrap()).collect();
        let counts: Vec<usize> = (1..=3)
            .map(|k| urls.iter().filter(|u| in_shard(u, crate::archive::verify::Shard { k, n: 3 })).count())
            .collect();
        assert_eq!(counts.iter().sum::<usize>(), 100);
        assert!(counts.iter().all(|&c| c > 20), "{counts:?}");
    }
}
