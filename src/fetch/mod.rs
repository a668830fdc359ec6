//! The one HTTP client policy every online command uses: timeouts (connect,
//! idle read, total), a cap on the *decoded* body, redirects followed by hand
//! (at most 10, loops detected, every hop recorded and checked against the
//! address policy), an honest User-Agent, TLS verification with an optional
//! extra CA, and no proxy from the environment unless one is configured.
//! A body is streamed through its decoder into whatever sink the caller
//! hands over ([`BodySink`]: the archive's object writer, or memory).

pub mod policy;

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use flate2::write::{GzDecoder, ZlibDecoder};
use reqwest::header::{ACCEPT, ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, LOCATION};

use serde::{Deserialize, Serialize};

pub use policy::{Lookup, Policy, Refusal};

/// The User-Agent citelock sends.
pub fn user_agent() -> String {
    format!("citelock/{} (citation archiver; +https://crates.io/crates/citelock)", env!("CARGO_PKG_VERSION"))
}

/// One redirect hop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hop {
    /// The URL requested at this hop.
    pub url: String,
    /// The status it answered with.
    pub status: u16,
}

/// One response header, as received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Header name.
    pub name: String,
    /// Header value (lossily decoded if not UTF-8).
    pub value: String,
}

/// Why a body was cut short.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Truncated {
    /// The size cap.
    Length,
    /// The time limit.
    Time,
}

impl Truncated {
    /// The name as written in capture logs.
    pub fn name(self) -> &'static str {
        match self {
            Truncated::Length => "length",
            Truncated::Time => "time",
        }
    }
}

/// Client settings.
#[derive(Clone)]
pub struct Options {
    /// Time to establish a connection.
    pub connect_timeout: Duration,
    /// Longest silence while reading.
    pub read_timeout: Duration,
    /// Longest a whole request may take, body included.
    pub total_timeout: Duration,
    /// Cap on the decoded body; a longer body is stored cut and marked truncated.
    pub max_body: u64,
    /// Redirects followed at most.
    pub max_redirects: usize,
    /// Address policy.
    pub policy: Policy,
    /// A PEM file of extra CA certificates to trust.
    pub ca_file: Option<PathBuf>,
    /// An explicit proxy URL (environment proxies are never used).
    pub proxy: Option<String>,
    /// Name lookup (a test seam; the system resolver by default).
    pub lookup: Arc<dyn Lookup>,
    /// A GitHub token (`GITHUB_TOKEN`), sent only to GitHub's own hosts over
    /// HTTPS, where it lifts the rate limit for unauthenticated requests.
    pub github_token: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            total_timeout: Duration::from_secs(120),
            max_body: 100 * 1024 * 1024,
            max_redirects: 10,
            policy: Policy::default(),
            ca_file: None,
            proxy: None,
            lookup: Arc::new(policy::SystemLookup),
            github_token: None,
        }
    }
}

/// Whether a request to `url` may carry the GitHub token: HTTPS to
/// `github.com`, `api.github.com` or `raw.githubusercontent.com`, on the
/// default port. Checked at every hop, so a redirect elsewhere drops it.
pub fn gets_github_token(url: &url::Url) -> bool {
    const HOSTS: &[&str] = &["github.com", "api.github.com", "raw.githubusercontent.com"];
    url.scheme() == "https" && url.port().is_none() && url.host_str().is_some_and(|h| HOSTS.contains(&h))
}

/// Why a fetch produced no response.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The address policy refused a hop.
    #[error("{0}")]
    Refused(#[from] Refusal),
    /// A timeout.
    #[error("timed out: {0}")]
    Timeout(String),
    /// The name did not resolve.
    #[error("DNS: {0}")]
    Dns(String),
    /// TLS failed (certificate not trusted, handshake).
    #[error("TLS: {0}")]
    Tls(String),
    /// The connection failed or broke.
    #[error("connection: {0}")]
    Connect(String),
    /// More redirects than allowed.
    #[error("more than {0} redirects")]
    TooManyRedirects(usize),
    /// A redirect back to a URL already visited.
    #[error("redirect loop at {0}")]
    RedirectLoop(String),
    /// A redirect whose Location is not a URL.
    #[error("bad redirect: {0}")]
    BadRedirect(String),
    /// The body could not be read or decoded (a lying Content-Length, corrupt gzip).
    #[error("body: {0}")]
    Body(String),
    /// Writing the object failed.
    #[error("storing the body: {0}")]
    Store(#[source] std::io::Error),
    /// The client could not be built (bad CA file, bad proxy).
    #[error("{0}")]
    Setup(String),
}

impl Error {
    /// A short machine name for `data.reason`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Refused(_) => "refused",
            Error::Timeout(_) => "timeout",
            Error::Dns(_) => "dns",
            Error::Tls(_) => "tls",
            Error::Connect(_) => "connect",
            Error::TooManyRedirects(_) => "too-many-redirects",
            Error::RedirectLoop(_) => "redirect-loop",
            Error::BadRedirect(_) => "bad-redirect",
            Error::Body(_) => "body",
            Error::Store(_) => "store",
            Error::Setup(_) => "setup",
        }
    }
}

/// What a fetch got.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Where the last hop ended.
    pub final_url: String,
    /// Redirect hops, in order.
    pub redirects: Vec<Hop>,
    /// Final status.
    pub status: u16,
    /// Final headers as received.
    pub headers: Vec<Header>,
    /// The server's address.
    pub remote_addr: Option<String>,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `Content-Encoding` the body came in (the stored bytes are decoded).
    pub content_encoding: Option<String>,
    /// Set when a cap cut the body.
    pub truncated: Option<Truncated>,
}

/// What a probe got (nothing stored).
#[derive(Debug, Clone)]
pub struct Probe {
    /// Where the last hop ended.
    pub final_url: String,
    /// Redirect hops, in order.
    pub redirects: Vec<Hop>,
    /// Final status.
    pub status: u16,
    /// `Retry-After`, as sent.
    pub retry_after: Option<String>,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// The decoded body (GET only), at most the cap.
    pub body: Option<Vec<u8>>,
    /// Whether the cap cut the body.
    pub truncated: bool,
}

/// The client.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    options: Arc<Options>,
}

impl Client {
    /// Builds a client with `options`.
    pub fn new(options: Options) -> Result<Client, Error> {
        let policy = Arc::new(options.policy.clone());
        let resolver = policy::Resolver { policy, lookup: options.lookup.clone() };
        let mut b = reqwest::Client::builder()
            .user_agent(user_agent())
            .connect_timeout(options.connect_timeout)
            .read_timeout(options.read_timeout)
            .timeout(options.total_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(resolver))
            .no_proxy();
        if let Some(ca) = &options.ca_file {
            let pem =
                std::fs::read(ca).map_err(|e| Error::Setup(format!("cannot read --ca-file {}: {e}", ca.display())))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| Error::Setup(format!("--ca-file {}: {e}", ca.display())))?;
            b = b.tls_certs_merge(certs);
        }
        if let Some(proxy) = &options.proxy {
            b = b.proxy(reqwest::Proxy::all(proxy).map_err(|e| Error::Setup(format!("proxy {proxy}: {e}")))?);
        }
        let http = b.build().map_err(|e| Error::Setup(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client { http, options: Arc::new(options) })
    }

    /// The options in force.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Sends `method` to `url` and follows redirects by hand, each hop checked
    /// against the policy: the last response, where it came from, and the hops.
    async fn follow(
        &self,
        url: &url::Url,
        method: reqwest::Method,
        headers: &[(reqwest::header::HeaderName, &str)],
    ) -> Result<(reqwest::Response, url::Url, Vec<Hop>), Error> {
        let mut current = url.clone();
        let mut redirects = Vec::new();
        let mut seen = HashSet::new();
        loop {
            self.options.policy.check_url(&current)?;
            if !seen.insert(current.to_string()) {
                return Err(Error::RedirectLoop(current.to_string()));
            }
            let mut request = self.http.request(method.clone(), current.clone());
            for (name, value) in headers {
                request = request.header(name, *value);
            }
            if let Some(token) = self.options.github_token.as_deref().filter(|_| gets_github_token(&current)) {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.map_err(classify)?;
            let status = response.status();
            let location = response.headers().get(LOCATION).and_then(|l| l.to_str().ok()).map(str::to_owned);
            match location {
                Some(loc) if status.is_redirection() => {
                    redirects.push(Hop { url: current.to_string(), status: status.as_u16() });
                    if redirects.len() > self.options.max_redirects {
                        return Err(Error::TooManyRedirects(self.options.max_redirects));
                    }
                    current = current.join(&loc).map_err(|e| Error::BadRedirect(format!("{loc}: {e}")))?;
                }
                _ => return Ok((response, current, redirects)),
            }
        }
    }

    /// Asks a Memento TimeGate (RFC 7089) for its capture of a URL nearest to
    /// `accept_datetime` (an HTTP date), following its redirect: the memento's
    /// URL, its status, and its `Memento-Datetime`. The body is not read.
    pub async fn timegate(
        &self,
        timegate_url: &url::Url,
        accept_datetime: &str,
    ) -> Result<(String, u16, Option<String>), Error> {
        let accept_datetime_header = reqwest::header::HeaderName::from_static("accept-datetime");
        let (response, current, _) =
            self.follow(timegate_url, reqwest::Method::GET, &[(accept_datetime_header, accept_datetime)]).await?;
        let datetime =
            response.headers().get("memento-datetime").and_then(|v| v.to_str().ok()).map(|s| s.trim().to_owned());
        Ok((current.to_string(), response.status().as_u16(), datetime))
    }

    /// Asks for `url` without storing anything: status and headers after
    /// redirects, and for GET the body, decoded, up to `body_cap` bytes.
    pub async fn probe(
        &self,
        url: &url::Url,
        method: reqwest::Method,
        accept: &str,
        body_cap: u64,
    ) -> Result<Probe, Error> {
        let get = method == reqwest::Method::GET;
        let (mut response, current, redirects) =
            self.follow(url, method, &[(ACCEPT, accept), (ACCEPT_ENCODING, "gzip, deflate")]).await?;
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(|s| s.trim().to_owned())
        };
        let mut probe = Probe {
            final_url: current.to_string(),
            redirects,
            status: response.status().as_u16(),
            retry_after: header(reqwest::header::RETRY_AFTER),
            content_type: header(CONTENT_TYPE),
            body: None,
            truncated: false,
        };
        let encoding = header(CONTENT_ENCODING).filter(|e| !e.eq_ignore_ascii_case("identity"));
        if !get {
            return Ok(probe);
        }
        let cap = usize::try_from(body_cap).unwrap_or(usize::MAX);
        let mut sink = Sink::new(Memory::new(cap), encoding.as_deref())?;
        loop {
            match response.chunk().await {
                Ok(Some(bytes)) => {
                    sink.write(&bytes)?;
                    if sink.writer().is_truncated() {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) if e.is_timeout() => return Err(Error::Timeout(chain(&e))),
                Err(e) => return Err(Error::Body(chain(&e))),
            }
        }
        let memory = sink.finish(false)?;
        probe.truncated = memory.cut;
        probe.body = Some(memory.bytes);
        Ok(probe)
    }

    /// Fetches `url`, following redirects; a successful body is streamed into
    /// the sink `open` makes (called only then), which comes back with it.
    pub async fn fetch<W: BodySink>(
        &self,
        url: &url::Url,
        accept: &str,
        open: impl FnOnce() -> std::io::Result<W>,
    ) -> Result<(Fetched, Option<W>), Error> {
        let (response, current, redirects) =
            self.follow(url, reqwest::Method::GET, &[(ACCEPT, accept), (ACCEPT_ENCODING, "gzip, deflate")]).await?;
        let headers: Vec<Header> = response
            .headers()
            .iter()
            .map(|(n, v)| Header {
                name: n.as_str().to_owned(),
                value: String::from_utf8_lossy(v.as_bytes()).into_owned(),
            })
            .collect();
        let header = |name: reqwest::header::HeaderName| {
            response.headers().get(name).and_then(|v| v.to_str().ok()).map(|s| s.trim().to_owned())
        };
        let content_type = header(CONTENT_TYPE);
        let content_encoding = header(CONTENT_ENCODING).filter(|e| !e.eq_ignore_ascii_case("identity"));
        let mut fetched = Fetched {
            final_url: current.to_string(),
            redirects,
            status: response.status().as_u16(),
            headers,
            remote_addr: response.remote_addr().map(|a| a.to_string()),
            content_type,
            content_encoding,
            truncated: None,
        };
        if !response.status().is_success() {
            return Ok((fetched, None));
        }
        let sink = open().map_err(Error::Store)?;
        let (sink, truncated) = self.body(response, sink, fetched.content_encoding.as_deref()).await?;
        fetched.truncated = truncated;
        Ok((fetched, Some(sink)))
    }

    /// Streams a body through its decoder into the sink, up to its cap.
    async fn body<W: BodySink>(
        &self,
        mut response: reqwest::Response,
        writer: W,
        encoding: Option<&str>,
    ) -> Result<(W, Option<Truncated>), Error> {
        let mut sink = Sink::new(writer, encoding)?;
        let mut timed_out = false;
        loop {
            match response.chunk().await {
                Ok(Some(bytes)) => {
                    sink.write(&bytes)?;
                    if sink.writer().is_truncated() {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) if e.is_timeout() => {
                    timed_out = true;
                    break;
                }
                Err(e) => return Err(Error::Body(chain(&e))),
            }
        }
        let writer = sink.finish(timed_out)?;
        let truncated = if writer.is_truncated() {
            Some(Truncated::Length)
        } else if timed_out {
            Some(Truncated::Time)
        } else {
            None
        };
        Ok((writer, truncated))
    }
}

/// Where decoded bytes go, and whether a cap has cut them.
pub trait BodySink: Write {
    /// Whether the sink's cap cut the body (the rest is read no further).
    fn is_truncated(&self) -> bool;
}

/// A body kept in memory up to a cap (probes, lookups); bytes past it are dropped.
#[derive(Debug)]
pub struct Memory {
    /// The bytes kept.
    pub bytes: Vec<u8>,
    cap: usize,
    cut: bool,
}

impl Memory {
    /// An empty body that keeps at most `cap` bytes.
    pub fn new(cap: usize) -> Memory {
        Memory { bytes: Vec::new(), cap, cut: false }
    }
}

impl Write for Memory {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let room = self.cap - self.bytes.len();
        self.cut |= buf.len() > room;
        self.bytes.extend_from_slice(&buf[..buf.len().min(room)]);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl BodySink for Memory {
    fn is_truncated(&self) -> bool {
        self.cut
    }
}

/// The writer behind a decoder, which can be taken back without finishing
/// the decoder (a cut stream cannot be finished).
struct Slot<W>(Option<W>);

impl<W> Slot<W> {
    fn get(&self) -> &W {
        self.0.as_ref().expect("the writer is taken only at the end")
    }
}

impl<W: Write> Write for Slot<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // Once taken (a cut stream), a decoder's last flush on drop goes nowhere.
        self.0.as_mut().map_or(Ok(buf.len()), |w| w.write(buf))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.as_mut().map_or(Ok(()), Write::flush)
    }
}

/// A body decoder in front of the writer.
enum Sink<W: Write> {
    Plain(W),
    Gzip(GzDecoder<Slot<W>>),
    Deflate(ZlibDecoder<Slot<W>>),
}

impl<W: BodySink> Sink<W> {
    fn new(writer: W, encoding: Option<&str>) -> Result<Sink<W>, Error> {
        match encoding.map(str::to_ascii_lowercase).as_deref() {
            None => Ok(Sink::Plain(writer)),
            Some("gzip" | "x-gzip") => Ok(Sink::Gzip(GzDecoder::new(Slot(Some(writer))))),
            Some("deflate") => Ok(Sink::Deflate(ZlibDecoder::new(Slot(Some(writer))))),
            Some(other) => Err(Error::Body(format!("unsupported Content-Encoding {other}"))),
        }
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let r = match self {
            Sink::Plain(w) => w.write_all(bytes),
            Sink::Gzip(d) => d.write_all(bytes),
            Sink::Deflate(d) => d.write_all(bytes),
        };
        r.map_err(|e| Error::Body(format!("cannot decode the body: {e}")))
    }

    fn writer(&self) -> &W {
        match self {
            Sink::Plain(w) => w,
            Sink::Gzip(d) => d.get_ref().get(),
            Sink::Deflate(d) => d.get_ref().get(),
        }
    }

    /// The writer, with the decoder's tail flushed (unless the body was cut short).
    fn finish(self, cut: bool) -> Result<W, Error> {
        let decode = |e: std::io::Error| Error::Body(format!("cannot decode the body: {e}"));
        let cut = cut || self.writer().is_truncated();
        let taken = match self {
            Sink::Plain(w) => return Ok(w),
            Sink::Gzip(mut d) if cut => d.get_mut().0.take(),
            Sink::Deflate(mut d) if cut => d.get_mut().0.take(),
            Sink::Gzip(d) => d.finish().map_err(decode)?.0,
            Sink::Deflate(d) => d.finish().map_err(decode)?.0,
        };
        Ok(taken.expect("the writer is still in its slot"))
    }
}

/// The error and all its causes, joined.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        cur = c.source();
    }
    s
}

/// Sorts a reqwest error into ours, finding a policy refusal anywhere in its causes.
fn classify(e: reqwest::Error) -> Error {
    let mut cur: Option<&dyn std::error::Error> = Some(&e);
    while let Some(c) = cur {
        if let Some(r) = c.downcast_ref::<Refusal>() {
            return Error::Refused(r.clone());
        }
        cur = c.source();
    }
    let text = chain(&e);
    let lower = text.to_lowercase();
    if e.is_timeout() {
        Error::Timeout(text)
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
        Error::Tls(text)
    } else if lower.contains("dns")
        || lower.contains("resolve")
        || lower.contains("lookup")
        || lower.contains("name or service")
    {
        Error::Dns(text)
    } else {
        Error::Connect(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A resolver seam: fixed answers, or a failure, and never the network.
    struct Fixed(Result<Vec<SocketAddr>, String>);

    impl Lookup for Fixed {
        fn lookup(&self, _host: &str) -> std::io::Result<Vec<SocketAddr>> {
            self.0.clone().map_err(std::io::Error::other)
        }
    }

    fn client(lookup: Fixed, allow: &[(&str, u16)]) -> Client {
        let policy =
            Policy { allow_private: false, allow_hosts: allow.iter().map(|(h, p)| ((*h).to_owned(), *p)).collect() };
        Client::new(Options { lookup: Arc::new(lookup), policy, ..Options::default() }).unwrap()
    }

    async fn one_response_server() -> u16 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let mut buf = [0u8; 1024];
                let _ = s.read(&mut buf).await;
                let _ =
                    s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nhi\n").await;
            }
        });
        port
    }

    #[tokio::test]
    async fn dns_failures_and_private_answers_never_reach_the_network() {
        let url = url::Url::parse("http://example.test/").unwrap();
        let memory = || Ok(Memory::new(1024));
        let err = client(Fixed(Err("no such host".into())), &[]).fetch(&url, "*/*", memory).await.unwrap_err();
        assert_eq!(err.kind(), "dns", "{err}");
        let private: SocketAddr = "10.0.0.1:0".parse().unwrap();
        let err = client(Fixed(Ok(vec![private])), &[]).fetch(&url, "*/*", memory).await.unwrap_err();
        assert_eq!(err.kind(), "refused", "{err}");
    }

    #[tokio::test]
    async fn an_allowed_name_that_resolves_to_loopback_is_fetched() {
        let port = one_response_server().await;
        let loopback: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let url = url::Url::parse(&format!("http://docs.test:{port}/")).unwrap();
        let memory = || Ok(Memory::new(1024));
        let allowed = client(Fixed(Ok(vec![loopback])), &[("docs.test", port)]);
        let (ok, body) = allowed.fetch(&url, "*/*", memory).await.unwrap();
        assert_eq!((ok.status, body.map(|b| b.bytes)), (200, Some(b"hi\n".to_vec())));
        let refused = client(Fixed(Ok(vec![loopback])), &[]).fetch(&url, "*/*", memory).await.unwrap_err();
        assert_eq!(refused.kind(), "refused", "{refused}");
    }

    #[test]
    fn the_github_token_goes_to_github_over_https_only() {
        let gets = |u: &str| gets_github_token(&url::Url::parse(u).unwrap());
        assert!(gets("https://github.com/typst/hayagriva"));
        assert!(gets("https://api.github.com/repos/typst/hayagriva"));
        assert!(gets("https://raw.githubusercontent.com/a/b/main/README.md"));
        assert!(!gets("http://github.com/typst/hayagriva"), "not in clear text");
        assert!(!gets("https://github.com:8443/"), "not to another port");
        assert!(!gets("https://github.com.evil.test/"));
        assert!(!gets("https://gist.github.io/"));
        assert!(!gets("https://example.org/?u=https://github.com/"));
    }
}
