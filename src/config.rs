//! `citelock.toml`: optional, strict settings. Unknown keys and unknown finding
//! codes are errors that name their line, so a typo never silently does nothing.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::findings::{Code, Level, position};

/// The commented file `citelock init` writes.
pub const TEMPLATE: &str = r#"# citelock settings. Every key is optional; citelock works without this file.

[levels]
# The level of any finding code: "error", "warning", "info" or "off".
# unknown-field = "error"
# missing-field = "off"

[duplicates]
# Pairs of keys that look alike but are distinct works; never flagged as duplicates.
# distinct = [["smith2020a", "smith2020b"]]

[add]
# The references file `citelock add` writes to, unless --into says otherwise.
# into = "references/library.yml"

[fetch]
# Non-public addresses (private, loopback, link-local) are refused unless allowed.
# allow-private = false
# allow-hosts = ["intranet.example:443"]
# ca-file = "certs/extra-ca.pem"
# proxy = "http://proxy.example:3128"   # environment proxies are never used
# doi-resolver = "https://doi.org/"
# isbn-service = "https://openlibrary.org"
# web-archive = "https://web.archive.org"   # CDX API: links --suggest-web-archive, archive --from-web-archive
# timegate = "https://timetravel.mementoweb.org/timegate/"   # archive --from-web-archive asks it instead
# max-body = 104857600                   # bytes, decoded
# connect-timeout = 10                   # seconds
# read-timeout = 30
# total-timeout = 120

[links]
# `citelock links`; flags of the same name override. Durations: 50ms, 2s, 5m, 12h, 1d.
# exclude = ["^https://intranet\\.example/"]   # regular expressions
# accept = "200..=299"                          # statuses that count as alive
# accept-hosts = { "example.org" = "200..=299, 403" }
# canary = "https://www.example.com/"           # checked first: if it fails, the network is down
# max-concurrency = 64
# host-concurrency = 4
# host-request-interval = "50ms"
# max-retries = 3
# retry-after-cap = "60s"                       # a longer Retry-After means rate-limited
# timeout = "20s"
# max-cache-age = "1d"
# confirm-dead = 1                              # failing runs before a link is dead
# confirm-interval = "1d"
# drift-threshold = 1.0                         # percent of text changed

[export]
# `citelock export` and `render`; flags override.
# style = "apa"                                 # or a .csl file
# locale = "en-US"
# archive-base-url = "https://github.com/you/report/blob/main"   # links to archived copies

[check]
# evidence = true                               # passages and numbers for every cited claim
# passages = 3                                  # passages per citation

[remote]
# Objects on S3-compatible storage (`push`, `pull`, `verify --remote`). Credentials come from
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or ~/.aws/credentials, never from this file.
# url = "s3://bucket/prefix"
# endpoint = "https://s3.example.org"           # not AWS: Garage, Ceph RGW, MinIO, R2
# region = "us-east-1"
# path-style = false                            # bucket in the path, not the host name
# profile = "default"                           # a profile of ~/.aws/config and ~/.aws/credentials
# concurrency = 16                              # requests in flight
# multipart-threshold = 5368709120              # bytes; larger objects go in parts (at most 5 GiB)
# part-size = 67108864                          # bytes per part (at least 5 MiB)
"#;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    levels: BTreeMap<Spanned<String>, Level>,
    #[serde(default)]
    duplicates: Duplicates,
    #[serde(default)]
    add: AddSection,
    #[serde(default)]
    fetch: FetchSection,
    #[serde(default)]
    links: LinksSection,
    #[serde(default)]
    export: ExportSection,
    #[serde(default)]
    check: CheckSection,
    #[serde(default)]
    remote: RemoteSection,
}

/// `[remote]`: where objects go beyond the repository (S3-compatible storage).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RemoteSection {
    /// `s3://bucket/prefix`.
    pub url: Option<String>,
    /// The service's URL when it is not AWS.
    pub endpoint: Option<String>,
    /// The signing region.
    pub region: Option<String>,
    /// Address the bucket in the path rather than the host name.
    pub path_style: Option<bool>,
    /// The AWS profile credentials and settings are read from.
    pub profile: Option<String>,
    /// Requests in flight.
    pub concurrency: Option<usize>,
    /// Objects larger than this go in a multipart upload (at most 5 GiB, one PUT's limit).
    #[serde(default, deserialize_with = "multipart_threshold")]
    pub multipart_threshold: Option<u64>,
    /// Bytes per part of a multipart upload (at least 5 MiB, S3's smallest part).
    #[serde(default, deserialize_with = "part_size")]
    pub part_size: Option<u64>,
    /// Caught only to be refused: credentials never live in a committed file.
    #[serde(default, alias = "secret-access-key", alias = "session-token", alias = "password", alias = "secret")]
    access_key_id: Option<Spanned<toml::Value>>,
}

/// `[check]`: evidence for cited claims.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CheckSection {
    /// Look for evidence passages and check numbers (default true).
    pub evidence: Option<bool>,
    /// Passages per citation (default 3).
    pub passages: Option<usize>,
}

impl CheckSection {
    /// The settings `check` and `trace` run with.
    pub fn evidence(&self) -> crate::check::evidence::Settings {
        let default = crate::check::evidence::Settings::default();
        crate::check::evidence::Settings {
            enabled: self.evidence.unwrap_or(default.enabled),
            passages: self.passages.unwrap_or(default.passages),
        }
    }
}

/// `[export]`: bibliographies and rendered reports (flags override).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExportSection {
    /// The CSL style: a bundled style's name or a .csl file.
    pub style: Option<String>,
    /// The locale.
    pub locale: Option<String>,
    /// Where the repository is published: links to archived copies start here.
    pub archive_base_url: Option<String>,
}

/// `50ms`, `2s`, `1.5s`, `5m`, `12h`, `1d`, `1w`, `1h 30m` (jiff's friendly
/// format; a day is 24 hours, a week 7 days); a bare number is seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let bad = |why: String| format!("`{s}` is not a duration (e.g. 50ms, 2s, 1d, 1h 30m): {why}");
    let text =
        if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '.') { format!("{s}s") } else { s.to_owned() };
    let span: jiff::Span = text.parse().map_err(|e: jiff::Error| bad(e.to_string()))?;
    let signed = span
        .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
        .map_err(|_| bad("months and years have no fixed length".into()))?;
    Duration::try_from(signed).map_err(|_| bad("a duration cannot be negative".into()))
}

/// A duration in the config, checked as it is read (so an error names its line).
fn duration<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    parse_duration(&String::deserialize(d)?).map(Some).map_err(serde::de::Error::custom)
}

/// HTTP status ranges in lychee's form (`200..=204, 403, 500..600`), as the
/// `accept` settings and `--accept` take them.
pub fn status_ranges(spec: &str) -> Result<Vec<std::ops::RangeInclusive<u16>>, String> {
    let number = |s: &str| s.trim().parse::<u16>().map_err(|_| format!("`{}` is not a status code", s.trim()));
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let range = if let Some((a, b)) = part.split_once("..=") {
            number(a)?..=number(b)?
        } else if let Some((a, b)) = part.split_once("..") {
            number(a)?..=number(b)?.saturating_sub(1)
        } else {
            let n = number(part)?;
            n..=n
        };
        if range.is_empty() {
            return Err(format!("`{part}` is an empty range"));
        }
        out.push(range);
    }
    Ok(out)
}

/// Status ranges in lychee's form, checked as they are read.
fn statuses<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let spec = String::deserialize(d)?;
    status_ranges(&spec).map_err(serde::de::Error::custom)?;
    Ok(Some(spec))
}

fn statuses_by_host<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    let hosts = BTreeMap::<String, String>::deserialize(d)?;
    for (host, spec) in &hosts {
        status_ranges(spec).map_err(|e| serde::de::Error::custom(format!("{host}: {e}")))?;
    }
    Ok(hosts)
}

/// At most 5 GiB: one PUT carries no more.
fn multipart_threshold<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let n = u64::deserialize(d)?;
    if n > 5 << 30 {
        return Err(serde::de::Error::custom("at most 5368709120 (5 GiB): one PUT carries no more"));
    }
    Ok(Some(n))
}

/// At least 5 MiB: S3 refuses smaller parts (but the last).
fn part_size<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let n = u64::deserialize(d)?;
    if !(5 << 20..=5 << 30).contains(&n) {
        return Err(serde::de::Error::custom("between 5242880 (5 MiB) and 5368709120 (5 GiB), S3's part sizes"));
    }
    Ok(Some(n))
}

/// Regular expressions, compiled once as they are read to find mistakes.
fn patterns<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let patterns = Vec::<String>::deserialize(d)?;
    for p in &patterns {
        regex::Regex::new(p)
            .map_err(|e| serde::de::Error::custom(format!("`{p}` is not a regular expression: {e}")))?;
    }
    Ok(patterns)
}

/// `[links]`: the link check (flags override).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LinksSection {
    /// Regular expressions of URLs not to check.
    #[serde(default, deserialize_with = "patterns")]
    pub exclude: Vec<String>,
    /// Accepted statuses (`200..=299, 403`).
    #[serde(default, deserialize_with = "statuses")]
    pub accept: Option<String>,
    /// Accepted statuses by host name.
    #[serde(default, deserialize_with = "statuses_by_host")]
    pub accept_hosts: BTreeMap<String, String>,
    /// A URL checked first; when it cannot be reached, the network is down.
    pub canary: Option<String>,
    /// Requests in flight at once.
    pub max_concurrency: Option<usize>,
    /// Requests in flight per host.
    pub host_concurrency: Option<usize>,
    /// Least time between request starts on one host.
    #[serde(default, deserialize_with = "duration")]
    pub host_request_interval: Option<Duration>,
    /// Retries.
    pub max_retries: Option<u32>,
    /// Longest `Retry-After` waited for.
    #[serde(default, deserialize_with = "duration")]
    pub retry_after_cap: Option<Duration>,
    /// A request's total time.
    #[serde(default, deserialize_with = "duration")]
    pub timeout: Option<Duration>,
    /// How long a success is trusted.
    #[serde(default, deserialize_with = "duration")]
    pub max_cache_age: Option<Duration>,
    /// Failing runs before a link is called dead.
    pub confirm_dead: Option<usize>,
    /// Least time between two counted failing runs.
    #[serde(default, deserialize_with = "duration")]
    pub confirm_interval: Option<Duration>,
    /// Percent of text changed before drift is reported.
    pub drift_threshold: Option<f64>,
}

/// `[fetch]`: the client policy (flags override).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FetchSection {
    /// Permit non-public addresses.
    #[serde(default)]
    pub allow_private: bool,
    /// Origins (`host:port`) permitted even when non-public.
    #[serde(default)]
    pub allow_hosts: Vec<String>,
    /// Extra CA certificates (PEM), relative to the repository root.
    pub ca_file: Option<String>,
    /// An explicit proxy.
    pub proxy: Option<String>,
    /// Base URL DOIs are resolved against.
    pub doi_resolver: Option<String>,
    /// Base URL of the ISBN metadata service (Open Library's API).
    pub isbn_service: Option<String>,
    /// Base URL of the web archive whose CDX API and replay citelock uses.
    pub web_archive: Option<String>,
    /// A Memento TimeGate (RFC 7089) to ask instead of the CDX API; the URL is appended.
    pub timegate: Option<String>,
    /// Cap on a decoded body, in bytes.
    pub max_body: Option<u64>,
    /// Seconds to connect.
    pub connect_timeout: Option<u64>,
    /// Seconds of silence while reading.
    pub read_timeout: Option<u64>,
    /// Seconds for a whole request.
    pub total_timeout: Option<u64>,
}

/// `[duplicates]`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Duplicates {
    /// Pairs of keys declared to be distinct works.
    #[serde(default)]
    pub distinct: Vec<[String; 2]>,
}

/// `[add]`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AddSection {
    /// Default target file of `citelock add`, relative to the repository root.
    pub into: Option<String>,
}

/// Settings after validation.
#[derive(Debug, Default, Clone)]
pub struct Config {
    /// Level overrides by code.
    pub levels: BTreeMap<Code, Level>,
    /// Duplicate-detection settings.
    pub duplicates: Duplicates,
    /// `add` settings.
    pub add: AddSection,
    /// Fetch settings.
    pub fetch: FetchSection,
    /// Link-check settings.
    pub links: LinksSection,
    /// Export settings.
    pub export: ExportSection,
    /// Check settings.
    pub check: CheckSection,
    /// Remote archive settings.
    pub remote: RemoteSection,
}

/// A config file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Not readable.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Not valid, with a location.
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

impl Config {
    /// Loads `citelock.toml` from `root`, or defaults when there is none.
    pub fn load(root: &Path) -> Result<Config, ConfigError> {
        let path = root.join("citelock.toml");
        match std::fs::read_to_string(&path) {
            Ok(text) => Config::parse(&text, "citelock.toml"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(source) => Err(ConfigError::Read { path: "citelock.toml".into(), source }),
        }
    }

    /// Parses the text of a config file named `name` (for messages).
    pub fn parse(text: &str, name: &str) -> Result<Config, ConfigError> {
        let invalid = |offset: usize, message: String| {
            let (line, column) = position(text, offset);
            ConfigError::Invalid { path: name.to_owned(), line, column, message }
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            invalid(offset, e.message().trim().to_owned())
        })?;
        let mut levels = BTreeMap::new();
        for (key, level) in raw.levels {
            let Some(code) = Code::ALL.iter().find(|c| c.name() == key.get_ref()) else {
                let msg = format!("unknown finding code `{}` in [levels] (README lists the codes)", key.get_ref());
                return Err(invalid(key.span().start, msg));
            };
            levels.insert(*code, level);
        }
        let remote = raw.remote;
        if let Some(secret) = &remote.access_key_id {
            let msg = "credentials are never read from citelock.toml, which is committed: remove this line and set \
                       AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use a profile of ~/.aws/credentials";
            return Err(invalid(secret.span().start, msg.into()));
        }
        Ok(Config {
            levels,
            duplicates: raw.duplicates,
            add: raw.add,
            fetch: raw.fetch,
            links: raw.links,
            export: raw.export,
            check: raw.check,
            remote,
        })
    }

    /// Whether two keys were declared distinct works.
    pub fn declared_distinct(&self, a: &str, b: &str) -> bool {
        self.duplicates.distinct.iter().any(|[x, y]| (x == a && y == b) || (x == b && y == a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_parses_to_defaults() {
        let c = Config::parse(TEMPLATE, "citelock.toml").unwrap();
        assert!(c.levels.is_empty());
    }

    #[test]
    fn unknown_key_names_its_line() {
        let err = Config::parse("[levels]\nunknown-field = \"off\"\n\n[dupes]\n", "citelock.toml").unwrap_err();
        let ConfigError::Invalid { line, message, .. } = err else { panic!() };
        assert_eq!(line, 4, "{message}");
    }

    #[test]
    fn unknown_code_names_its_line() {
        let err = Config::parse("[levels]\nunknown-feild = \"off\"\n", "c.toml").unwrap_err();
        assert_eq!(
            err.to_string(),
            "c.toml:2:1: unknown finding code `unknown-feild` in [levels] (README lists the codes)"
        );
    }

    #[test]
    fn link_settings_are_checked_where_they_are_written() {
        let c = Config::parse("[links]\ntimeout = \"1.5s\"\nmax-cache-age = \"2d\"\n", "c").unwrap();
        assert_eq!(c.links.timeout, Some(Duration::from_millis(1500)));
        assert_eq!(c.links.max_cache_age, Some(Duration::from_secs(2 * 86_400)));
        let err = Config::parse("[links]\n\ntimeout = \"5 parsecs\"\n", "c.toml").unwrap_err().to_string();
        assert!(err.starts_with("c.toml:3:11: "), "{err}");
        assert!(err.contains("`5 parsecs` is not a duration"), "{err}");
        for (text, secs) in
            [("10", 10.0), ("50ms", 0.05), ("1.5s", 1.5), ("5m", 300.0), ("12h", 43_200.0), ("1d", 86_400.0)]
        {
            assert_eq!(parse_duration(text), Ok(Duration::from_secs_f64(secs)), "{text}");
        }
        assert_eq!(parse_duration("1w"), Ok(Duration::from_secs(604_800)));
        assert_eq!(parse_duration("1h 30m"), Ok(Duration::from_secs(5_400)));
        assert!(parse_duration("-5s").is_err() && parse_duration("1mo").is_err() && parse_duration("").is_err());
        assert!(parse_duration("1e400").is_err() && parse_duration("99999999999999999999w").is_err());
        let err = Config::parse("[links]\naccept = \"200..=299, 9999999\"\n", "c.toml").unwrap_err().to_string();
        assert!(err.starts_with("c.toml:2:10: ") && err.contains("`9999999` is not a status code"), "{err}");
        let err = Config::parse("[links]\nexclude = [\"ok\", \"(\"]\n", "c.toml").unwrap_err().to_string();
        assert!(err.starts_with("c.toml:2:11: ") && err.contains("`(` is not a regular expression"), "{err}");
    }

    #[test]
    fn remote_credentials_are_refused_where_written() {
        let c = Config::parse("[remote]\nurl = \"s3://b/p\"\npath-style = true\n", "c").unwrap();
        assert_eq!((c.remote.url.as_deref(), c.remote.path_style), (Some("s3://b/p"), Some(true)));
        for key in ["access-key-id", "secret-access-key"] {
            let err = Config::parse(&format!("[remote]\nurl = \"s3://b\"\n{key} = \"x\"\n"), "c.toml").unwrap_err();
            let text = err.to_string();
            assert!(text.starts_with("c.toml:3:") && text.contains("never read from citelock.toml"), "{text}");
        }
    }

    #[test]
    fn levels_and_distinct_pairs() {
        let c = Config::parse("[levels]\nmissing-field = \"error\"\n[duplicates]\ndistinct = [[\"a\", \"b\"]]\n", "c")
            .unwrap();
        assert_eq!(c.levels.get(&Code::MissingField), Some(&Level::Error));
        assert!(c.declared_distinct("b", "a"));
        assert!(!c.declared_distinct("a", "c"));
    }
}
