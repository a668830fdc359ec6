//! One link, asked for politely: a per-host slot and request interval, HEAD
//! falling back to GET, retries with exponential backoff on timeouts and
//! 5xx, `Retry-After` honoured on 429 up to a cap. Ends in a [`Verdict`].

use std::time::{Duration, Instant};

use tokio::sync::{Mutex, Semaphore};

use super::{Accept, Settings, Verdict};
use crate::fetch::{self, Client, Probe};

/// What `Accept` says when checking a link.
const ACCEPT: &str = "text/html,application/xhtml+xml,application/pdf;q=0.9,text/plain;q=0.8,*/*;q=0.5";

/// One host's pacing: the earliest time its next request may start. (Its
/// concurrency is the number of workers [`super::check_all`] gives it.)
pub struct Host {
    next: Mutex<Instant>,
}

impl Default for Host {
    fn default() -> Self {
        Host { next: Mutex::new(Instant::now()) }
    }
}

impl Host {
    /// Waits until `interval` has passed since the previous request started.
    async fn pace(&self, interval: Duration) {
        if interval.is_zero() {
            return;
        }
        let start = {
            let mut next = self.next.lock().await;
            let start = (*next).max(Instant::now());
            *next = start + interval;
            start
        };
        tokio::time::sleep_until(start.into()).await;
    }
}

/// A checked link: its verdict, the requests it took, and (GET) the body.
pub struct Probed {
    /// The verdict.
    pub verdict: Verdict,
    /// Requests sent.
    pub requests: u32,
    /// The final response's body and type, when a GET read it.
    pub body: Option<(Vec<u8>, String)>,
}

/// Seconds a `Retry-After` asks for: delay-seconds, or an HTTP date (a past date means now).
pub fn retry_after(value: &str, now: jiff::Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let date = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    Some(Duration::try_from(date.duration_since(now)).unwrap_or(Duration::ZERO))
}

/// Statuses a HEAD may give where a GET would not: ask again with GET.
fn head_unreliable(status: u16) -> bool {
    !(200..400).contains(&status) && !matches!(status, 404 | 410 | 429)
}

/// The verdict for a final status.
pub fn classify_status(status: u16, probe: &Probe, accept: &Accept, host: &str) -> Verdict {
    if accept.accepts(host, status) {
        return match probe.redirects.first() {
            Some(_) => Verdict::Redirected { status, final_url: probe.final_url.clone() },
            None => Verdict::Ok { status },
        };
    }
    match status {
        401 | 403 | 999 => Verdict::Blocked { status },
        _ if is_challenge(probe) => Verdict::Blocked { status },
        429 => Verdict::RateLimited { retry_after: None },
        _ => Verdict::Dead { status: Some(status), reason: "status".into(), message: status_text(status) },
    }
}

/// Whether an error page is a bot challenge (Cloudflare's "Just a moment...",
/// a CAPTCHA): the page exists behind it.
fn is_challenge(probe: &Probe) -> bool {
    const SIGNS: [&str; 6] =
        ["just a moment...", "cf-challenge", "challenge-platform", "captcha", "are you a robot", "ddos-guard"];
    let Some(body) = &probe.body else { return false };
    let head = String::from_utf8_lossy(&body[..body.len().min(64 * 1024)]).to_lowercase();
    SIGNS.iter().any(|s| head.contains(s))
}

fn status_text(status: u16) -> String {
    let reason = reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("");
    format!("HTTP {status} {reason}").trim_end().to_owned()
}

/// The verdict for a request that got no response.
pub fn classify_error(e: &fetch::Error) -> Verdict {
    match e {
        fetch::Error::Refused(r) => Verdict::Refused { message: r.to_string() },
        fetch::Error::Timeout(m) => Verdict::Timeout { message: m.clone() },
        other => Verdict::Dead { status: None, reason: other.kind().into(), message: other.to_string() },
    }
}

/// Whether a failure is worth another try.
fn retryable(e: &fetch::Error) -> bool {
    matches!(e, fetch::Error::Timeout(_) | fetch::Error::Connect(_) | fetch::Error::Body(_))
}

/// Checks one URL.
pub async fn check(
    client: &Client,
    url: &url::Url,
    settings: &Settings,
    host: &Host,
    global: &Semaphore,
    want_body: bool,
) -> Probed {
    let host_name = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let mut method = if want_body || settings.get { reqwest::Method::GET } else { reqwest::Method::HEAD };
    let mut requests = 0;
    let mut retries = 0;
    let backoff = |n: u32| settings.retry_wait.saturating_mul(2u32.saturating_pow(n));
    loop {
        let result = {
            host.pace(settings.host_interval).await;
            let _slot = global.acquire().await.expect("semaphores are never closed");
            requests += 1;
            client.probe(url, method.clone(), ACCEPT, settings.max_body).await
        };
        let verdict = match result {
            Ok(probe) => {
                let status = probe.status;
                if status == 429 {
                    let asked = probe.retry_after.as_deref().and_then(|v| retry_after(v, jiff::Timestamp::now()));
                    let wait = asked.unwrap_or_else(|| backoff(retries));
                    if wait > settings.retry_after_cap || retries >= settings.max_retries {
                        return Probed {
                            verdict: Verdict::RateLimited { retry_after: asked.map(|d| d.as_secs()) },
                            requests,
                            body: None,
                        };
                    }
                    retries += 1;
                    tokio::time::sleep(wait).await;
                    continue;
                }
                if method == reqwest::Method::HEAD && head_unreliable(status) {
                    method = reqwest::Method::GET;
                    continue;
                }
                if (500..600).contains(&status) && !is_challenge(&probe) && retries < settings.max_retries {
                    tokio::time::sleep(backoff(retries)).await;
                    retries += 1;
                    continue;
                }
                let verdict = classify_status(status, &probe, &settings.accept, &host_name);
                let body = probe.body.map(|b| (b, probe.content_type.unwrap_or_default()));
                return Probed { verdict, requests, body };
            }
            Err(e) if retryable(&e) && retries < settings.max_retries => {
                tokio::time::sleep(backoff(retries)).await;
                retries += 1;
                continue;
            }
            Err(e) => classify_error(&e),
        };
        return Probed { verdict, requests, body: None };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn retry_after_takes_seconds_and_dates() {
        let now: jiff::Timestamp = "2026-11-29T12:00:00Z".parse().unwrap();
        assert_eq!(retry_after("2", now), Some(Duration::from_secs(2)));
        assert_eq!(retry_after("Sun, 29 Nov 2026 12:00:30 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(retry_after("Sun, 29 Nov 2026 11:00:00 GMT", now), Some(Duration::ZERO), "a past date means now");
        assert_eq!(retry_after("soon", now), None);
    }

    /// A resolver that knows no names: no real lookup leaves the machine.
    struct NoSuchHost;

    impl fetch::Lookup for NoSuchHost {
        fn lookup(&self, host: &str) -> std::io::Result<Vec<std::net::SocketAddr>> {
            Err(std::io::Error::new(std::io::ErrorKind::NotFound, format!("{host}: name or service not known")))
        }
    }

    #[tokio::test]
    async fn a_name_that_does_not_resolve_is_a_dead_link_by_dns() {
        let options = fetch::Options { lookup: Arc::new(NoSuchHost), ..fetch::Options::default() };
        let client = Client::new(options).unwrap();
        let url = url::Url::parse("https://no-such-host.invalid/page").unwrap();
        let settings = Settings { max_retries: 0, ..Settings::default() };
        let p = check(&client, &url, &settings, &Host::default(), &Semaphore::new(1), false).await;
        assert!(matches!(&p.verdict, Verdict::Dead { reason, .. } if reason == "dns"), "{:?}", p.verdict);
        assert!(p.verdict.is_unreachable(), "no name is also what an outage looks like");
    }

    #[test]
    fn errors_and_statuses_map_to_verdicts() {
        let dns = fetch::Error::Dns("no such host".into());
        assert!(matches!(classify_error(&dns), Verdict::Dead { ref reason, .. } if reason == "dns"));
        let tls = fetch::Error::Tls("certificate not trusted".into());
        assert!(matches!(classify_error(&tls), Verdict::Dead { ref reason, .. } if reason == "tls"));
        assert!(matches!(classify_error(&fetch::Error::Timeout("t".into())), Verdict::Timeout { .. }));
        let probe = Probe {
            final_url: "https://a.test/".into(),
            redirects: vec![],
            status: 200,
            retry_after: None,
            content_type: None,
            body: None,
            truncated: false,
        };
        let accept = Accept::default();
        assert!(matches!(classify_status(200, &probe, &accept, "a.test"), Verdict::Ok { .. }));
        assert!(matches!(classify_status(403, &probe, &accept, "a.test"), Verdict::Blocked { .. }));
        assert!(matches!(classify_status(410, &probe, &accept, "a.test"), Verdict::Dead { status: Some(410), .. }));
        let accept: Accept = Accept::parse("200..=299, 403", &[("a.test".into(), "200, 403".into())]).unwrap();
        assert!(matches!(classify_status(403, &probe, &accept, "a.test"), Verdict::Ok { .. }));
        assert!(head_unreliable(405) && !head_unreliable(404) && !head_unreliable(301));
        let challenge = Probe { body: Some(b"<title>Just a moment...</title>".to_vec()), ..probe.clone() };
        assert!(matches!(classify_status(503, &challenge, &accept, "a.test"), Verdict::Blocked { status: 503 }));
        assert!(matches!(classify_status(503, &probe, &accept, "a.test"), Verdict::Dead { .. }));
    }
}
