//! The Internet Archive's CDX API: the newest capture of a URL that answered
//! 200, as a fallback to suggest for a dead link. (Its availability API can
//! answer empty for `https://` URLs, so it is not used.) The base URL is a
//! setting, so tests run against loopback.

use crate::fetch::{self, Client};

/// The public service.
pub const DEFAULT_BASE: &str = "https://web.archive.org";

/// A capture in a web archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Memento {
    /// `YYYYMMDDhhmmss`.
    pub timestamp: String,
    /// The replay URL.
    pub url: String,
    /// The URL as the archive captured it.
    pub original: String,
}

/// Asks `base`'s CDX API for the newest 200 capture of `url`.
pub async fn newest(client: &Client, base: &str, url: &str) -> Result<Option<Memento>, fetch::Error> {
    query(client, base, url, &[("limit", "-1")]).await
}

/// Asks `base`'s CDX API for the 200 capture of `url` closest to `when`
/// (`YYYYMMDD…`, a prefix of a CDX timestamp).
pub async fn closest(client: &Client, base: &str, url: &str, when: &str) -> Result<Option<Memento>, fetch::Error> {
    query(client, base, url, &[("closest", when), ("sort", "closest"), ("limit", "1")]).await
}

/// Asks the archive to save the live page now (the Internet Archive's
/// "Save Page Now": `GET {base}/save/{url}`); its answer's status.
pub async fn submit(client: &Client, base: &str, url: &str) -> Result<u16, fetch::Error> {
    let save = url::Url::parse(&format!("{}/save/{url}", base.trim_end_matches('/')))
        .map_err(|e| fetch::Error::Setup(format!("web archive base {base}: {e}")))?;
    Ok(client.probe(&save, reqwest::Method::GET, "text/html", 64 * 1024).await?.status)
}

/// A capture's raw bytes, as archived (the `id_` form of its replay URL).
pub fn raw_url(base: &str, m: &Memento) -> String {
    format!("{}/web/{}id_/{}", base.trim_end_matches('/'), m.timestamp, m.original)
}

/// A CDX timestamp (`20200102030405`) as RFC 3339.
pub fn rfc3339(timestamp: &str) -> String {
    let t = format!("{timestamp:0<14}");
    format!("{}-{}-{}T{}:{}:{}Z", &t[..4], &t[4..6], &t[6..8], &t[8..10], &t[10..12], &t[12..14])
}

async fn query(
    client: &Client,
    base: &str,
    url: &str,
    extra: &[(&str, &str)],
) -> Result<Option<Memento>, fetch::Error> {
    let base = base.trim_end_matches('/');
    let mut query = url::Url::parse(&format!("{base}/cdx/search/cdx"))
        .map_err(|e| fetch::Error::Setup(format!("web archive base {base}: {e}")))?;
    query
        .query_pairs_mut()
        .append_pair("url", url)
        .append_pair("output", "json")
        .append_pair("fl", "timestamp,original,statuscode")
        .append_pair("filter", "statuscode:200")
        .extend_pairs(extra);
    let probe = client.probe(&query, reqwest::Method::GET, "application/json", 1024 * 1024).await?;
    if probe.status != 200 {
        return Err(fetch::Error::Body(format!("the CDX API answered {}", probe.status)));
    }
    Ok(parse(&probe.body.unwrap_or_default(), base))
}

/// The last row of a CDX JSON answer (a header row, then captures).
fn parse(body: &[u8], base: &str) -> Option<Memento> {
    let rows: Vec<Vec<String>> = serde_json::from_slice(body).ok()?;
    let row = rows.iter().skip(1).next_back()?;
    let (timestamp, original) = (row.first()?, row.get(1)?);
    timestamp.chars().all(|c| c.is_ascii_digit()).then(|| Memento {
        timestamp: timestamp.clone(),
        url: format!("{base}/web/{timestamp}/{original}"),
        original: original.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_row_is_the_newest_capture() {
        let body = br#"[["timestamp","original","statuscode"],["20200102030405","https://a.test/x","200"]]"#;
        let m = parse(body, "https://web.archive.org").unwrap();
        assert_eq!(m.url, "https://web.archive.org/web/20200102030405/https://a.test/x");
        assert_eq!(parse(br#"[]"#, "b"), None);
        assert_eq!(parse(b"not json", "b"), None);
    }
}
