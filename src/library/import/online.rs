//! Online lookups for `add`, on the shared fetch client: a DOI by content
//! negotiation (CSL-JSON from the DOI resolver), an ISBN from a public ISBN
//! metadata service (Open Library's books API), and a web page from the
//! metadata it carries. Service base URLs are settings, so tests can point
//! them at loopback imitations.

use std::path::Path;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::{Import, Imported, escape};
use crate::config::Config;
use crate::fetch::{Client, Fetched, Memory, Options, Policy};
use crate::findings::{Code, Finding};
use crate::text::html;

/// Where lookups go.
#[derive(Debug, Clone)]
pub struct Services {
    /// DOI resolver base (`https://doi.org/`).
    pub doi: String,
    /// ISBN service base (`https://openlibrary.org`).
    pub isbn: String,
}

impl Default for Services {
    fn default() -> Self {
        Services { doi: "https://doi.org/".into(), isbn: "https://openlibrary.org".into() }
    }
}

impl Services {
    /// `[fetch]`'s `doi-resolver` and `isbn-service` over the public defaults.
    pub fn from_config(config: &Config) -> Services {
        let mut s = Services::default();
        if let Some(d) = &config.fetch.doi_resolver {
            s.doi = d.clone();
        }
        if let Some(i) = &config.fetch.isbn_service {
            s.isbn = i.clone();
        }
        s
    }
}

/// The client options `[fetch]` in citelock.toml sets over the defaults (a CA
/// file relative to `root`), for lookups made without command-line flags
/// (the language server's) and under them.
pub fn client_options(config: &Config, root: &Path) -> Result<Options, String> {
    let f = &config.fetch;
    let allow_hosts = f.allow_hosts.iter().map(|o| parse_origin(o)).collect::<Result<Vec<_>, _>>()?;
    let mut o = Options {
        policy: Policy { allow_private: f.allow_private, allow_hosts },
        ca_file: f.ca_file.as_ref().map(|p| root.join(p)),
        proxy: f.proxy.clone(),
        github_token: std::env::var("GITHUB_TOKEN").ok().filter(|t| !t.is_empty()),
        ..Options::default()
    };
    let secs = |v: Option<u64>, d: Duration| v.map_or(d, Duration::from_secs);
    o.connect_timeout = secs(f.connect_timeout, o.connect_timeout);
    o.read_timeout = secs(f.read_timeout, o.read_timeout);
    o.total_timeout = secs(f.total_timeout, o.total_timeout);
    o.max_body = f.max_body.unwrap_or(o.max_body);
    Ok(o)
}

/// `host:port` or `[v6]:port`, an origin the address policy permits.
pub fn parse_origin(s: &str) -> Result<(String, u16), String> {
    let (host, port) = s.rsplit_once(':').ok_or_else(|| format!("allow-host {s}: expected HOST:PORT"))?;
    let port: u16 = port.parse().map_err(|_| format!("allow-host {s}: bad port"))?;
    Ok((host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase(), port))
}

/// `import-failed` for a lookup: no file, so no location.
fn lookup_failed(message: String) -> Finding {
    Finding::new(Code::ImportFailed, message)
}

/// Fetches `url` into a scratch store; the body's bytes, or a finding.
async fn get(client: &Client, url: &str, accept: &str) -> Result<(Fetched, Vec<u8>), Import> {
    let fail =
        |msg: String| Import { entries: Vec::new(), findings: vec![lookup_failed(msg).help("nothing was added")] };
    let parsed = url::Url::parse(url).map_err(|e| fail(format!("{url}: {e}")))?;
    let cap = usize::try_from(client.options().max_body).unwrap_or(usize::MAX);
    let (fetched, body) =
        client.fetch(&parsed, accept, || Ok(Memory::new(cap))).await.map_err(|e| fail(format!("{url}: {e}")))?;
    if fetched.status == 404 || fetched.status == 410 {
        return Err(fail(format!("{url}: not found (HTTP {})", fetched.status)));
    }
    let Some(body) = body else {
        return Err(fail(format!("{url}: HTTP {}", fetched.status)));
    };
    Ok((fetched, body.bytes))
}

/// A DOI's metadata as CSL-JSON, by content negotiation.
pub async fn doi(client: &Client, services: &Services, doi: &str) -> Import {
    let doi = crate::library::duplicates::normalise_doi(doi).unwrap_or_else(|| doi.trim().to_owned());
    let name = format!("doi:{doi}");
    let url = format!("{}/{doi}", services.doi.trim_end_matches('/'));
    let (_, bytes) = match get(client, &url, "application/vnd.citationstyles.csl+json").await {
        Ok(got) => got,
        Err(import) => return import,
    };
    let text = String::from_utf8_lossy(&bytes);
    let array = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(mut item)) => {
            // The resolver's id is a URL; the key is generated.
            item.remove("id");
            Value::Array(vec![Value::Object(item)])
        }
        _ => {
            return Import {
                entries: Vec::new(),
                findings: vec![lookup_failed(format!("{url} did not answer with CSL-JSON")).help("nothing was added")],
            };
        }
    };
    let mut import = super::csl_json::read(&array.to_string(), &name);
    for f in &mut import.findings {
        f.location = None;
    }
    import
}

/// An ISBN's metadata from the ISBN service (Open Library's `api/books`).
pub async fn isbn(client: &Client, services: &Services, isbn: &str) -> Import {
    let digits: String = isbn.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let url = format!("{}/api/books?bibkeys=ISBN:{digits}&format=json&jscmd=data", services.isbn.trim_end_matches('/'));
    let (_, bytes) = match get(client, &url, "application/json").await {
        Ok(got) => got,
        Err(import) => return import,
    };
    let not_found = || Import {
        entries: Vec::new(),
        findings: vec![
            lookup_failed(format!("no book with ISBN {digits} at {}", services.isbn)).help("nothing was added"),
        ],
    };
    let Ok(Value::Object(doc)) = serde_json::from_slice::<Value>(&bytes) else { return not_found() };
    let Some(book) = doc.values().next() else { return not_found() };
    let mut f = Map::new();
    f.insert("type".into(), "book".into());
    if let Some(t) = book["title"].as_str() {
        let full = match book["subtitle"].as_str() {
            Some(sub) => format!("{t}: {sub}"),
            None => t.to_owned(),
        };
        f.insert("title".into(), full.into());
    }
    let authors: Vec<Value> = book["authors"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| p["name"].as_str()).map(person).collect())
        .unwrap_or_default();
    if !authors.is_empty() {
        f.insert("author".into(), authors.into());
    }
    if let Some(d) = book["publish_date"].as_str().and_then(year_of) {
        f.insert("date".into(), d.into());
    }
    if let Some(p) = book["publishers"].get(0).and_then(|p| p["name"].as_str()) {
        f.insert("publisher".into(), p.into());
    }
    if let Some(n) = book["number_of_pages"].as_u64() {
        f.insert("page-total".into(), n.into());
    }
    f.insert("serial-number".into(), json!({"isbn": digits}));
    one(f)
}

/// A web page's metadata; the access date is today.
pub async fn page(client: &Client, url: &str, today: &str) -> Import {
    let (fetched, bytes) = match get(client, url, "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5").await {
        Ok(got) => got,
        Err(import) => return import,
    };
    let content_type = fetched.content_type.clone().unwrap_or_default();
    page_from_html(&fetched.final_url, &bytes, &content_type, today)
}

/// An entry from a page's HTML metadata (`citation_*`, Dublin Core,
/// OpenGraph, JSON-LD, else `<title>`), with `accessed` as its access date.
pub fn page_from_html(url: &str, bytes: &[u8], content_type: &str, accessed: &str) -> Import {
    if !content_type.to_ascii_lowercase().contains("html") {
        return Import {
            entries: Vec::new(),
            findings: vec![
                lookup_failed(format!("{url} is {content_type}, not a web page with metadata"))
                    .help("add it from a BibTeX/CSL-JSON/RIS export instead; nothing was added"),
            ],
        };
    }
    let meta = html::metadata(&html::decode(bytes, content_type));
    let Some(title) = meta.title.clone() else {
        return Import {
            entries: Vec::new(),
            findings: vec![lookup_failed(format!("{url} has no title or citation metadata")).help("nothing was added")],
        };
    };
    let mut f = Map::new();
    let kind = meta.kind.as_deref().unwrap_or("web");
    f.insert("type".into(), kind.into());
    f.insert("title".into(), title.into());
    if !meta.authors.is_empty() {
        f.insert("author".into(), meta.authors.iter().map(|a| person(a)).collect::<Vec<_>>().into());
    }
    if let Some(d) = meta.date.as_deref().and_then(iso_date) {
        f.insert("date".into(), d.into());
    }
    if let Some(p) = &meta.publisher {
        f.insert("publisher".into(), p.clone().into());
    }
    if let Some(doi) = &meta.doi {
        f.insert("serial-number".into(), json!({"doi": doi}));
    }
    f.insert("url".into(), json!({"value": url, "date": accessed}));
    if let Some(c) = &meta.container {
        let parent_type = if kind == "article" { "periodical" } else { "web" };
        f.insert("parent".into(), json!({"type": parent_type, "title": c}));
    }
    one(f)
}

/// `Given Family` or `Family, Given` as hayagriva reads names.
fn person(name: &str) -> Value {
    let name = name.trim();
    if name.contains(',') {
        return name.into();
    }
    match name.rsplit_once(' ') {
        Some((given, family)) => json!({"name": family, "given-name": given}),
        None => name.into(),
    }
}

/// A year from free text (`March 2004` → `2004`).
fn year_of(s: &str) -> Option<String> {
    s.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 4).map(str::to_owned)
}

/// `2020/05/01`, `2020-05-01T10:00:00Z`, `2020` → ISO; else the year.
fn iso_date(s: &str) -> Option<String> {
    let head: String = s.chars().take(10).map(|c| if c == '/' { '-' } else { c }).collect();
    let parts: Vec<&str> = head.split('-').collect();
    let ok = |p: &&str, n| p.len() == n && p.chars().all(|c| c.is_ascii_digit());
    match parts.as_slice() {
        [y, m, d] if ok(y, 4) && ok(m, 2) && ok(d, 2) => Some(head),
        [y, m, ..] if ok(y, 4) && ok(m, 2) => Some(format!("{y}-{m}")),
        _ => year_of(s),
    }
}

fn one(f: Map<String, Value>) -> Import {
    match Imported::from_fields("", f, escape, 1) {
        Ok(imported) => Import { entries: vec![imported], findings: Vec::new() },
        Err(e) => Import { entries: Vec::new(), findings: vec![lookup_failed(format!("cannot build an entry: {e}"))] },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_dates() {
        assert_eq!(person("Ann B. Writer"), json!({"name": "Writer", "given-name": "Ann B."}));
        assert_eq!(person("Doe, Jane"), json!("Doe, Jane"));
        assert_eq!(iso_date("2020/05/01").as_deref(), Some("2020-05-01"));
        assert_eq!(iso_date("2021-03-04T10:00:00Z").as_deref(), Some("2021-03-04"));
        assert_eq!(iso_date("March 2004").as_deref(), Some("2004"));
    }
}
