//! HTML: decoding (the charset the server or the page declares, with
//! WHATWG's label rules, so an ISO-8859-1 label means windows-1252), readable
//! text (scripts, styles, navigation and other non-content skipped; blocks on
//! their own lines), and the bibliographic metadata pages carry (Highwire
//! `citation_*`, Dublin Core, OpenGraph, JSON-LD schema.org, then `<title>`).

use encoding_rs::Encoding;
use scraper::{Html, Node, Selector};

/// Elements whose content is never text a reader sees.
const SKIP: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "math", "nav", "head", "iframe", "object", "button", "select",
    "form",
];

/// Elements that start a new line.
const BLOCK: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "section",
    "article",
    "blockquote",
    "pre",
    "hr",
    "figure",
    "figcaption",
    "main",
    "aside",
    "header",
    "footer",
    "address",
    "td",
    "th",
];

/// Decodes an HTML document: the header's charset, else a `<meta>` charset
/// in the first 1024 bytes, else UTF-8 if it is valid, else windows-1252.
pub fn decode(bytes: &[u8], content_type: &str) -> String {
    let declared = charset_param(content_type).or_else(|| meta_charset(&bytes[..bytes.len().min(1024)]));
    let encoding = declared.and_then(|l| Encoding::for_label(l.as_bytes())).or_else(|| {
        if std::str::from_utf8(bytes).is_ok() { Some(encoding_rs::UTF_8) } else { Some(encoding_rs::WINDOWS_1252) }
    });
    let (text, _, _) = encoding.unwrap_or(encoding_rs::UTF_8).decode(bytes);
    text.into_owned()
}

fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("charset").then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn meta_charset(head: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let i = text.find("charset=")? + "charset=".len();
    let rest = text[i..].trim_start_matches(['"', '\'']);
    let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')).unwrap_or(rest.len());
    (end > 0).then(|| rest[..end].to_owned())
}

/// The readable text of a document.
pub fn text(doc: &Html) -> String {
    let mut out = String::new();
    // An explicit stack: a hostile page nested 100,000 deep must not overflow ours.
    let mut stack: Vec<(ego_tree::NodeRef<'_, Node>, bool)> = vec![(*doc.root_element(), false)];
    while let Some((node, leaving)) = stack.pop() {
        match node.value() {
            Node::Text(t) if !leaving => {
                // HTML collapses whitespace in text; line breaks come from blocks.
                let mut space = false;
                for c in t.chars() {
                    if c.is_whitespace() {
                        space = true;
                    } else {
                        if space {
                            out.push(' ');
                            space = false;
                        }
                        out.push(c);
                    }
                }
                if space {
                    out.push(' ');
                }
            }
            Node::Element(e) => {
                let name = e.name();
                let is_block = BLOCK.contains(&name);
                if leaving {
                    if is_block {
                        out.push('\n');
                    }
                    continue;
                }
                if SKIP.contains(&name) || e.attr("role") == Some("navigation") || e.attr("hidden").is_some() {
                    continue;
                }
                if is_block {
                    out.push('\n');
                }
                stack.push((node, true));
                let children: Vec<_> = node.children().collect();
                stack.extend(children.into_iter().rev().map(|c| (c, false)));
            }
            _ => {}
        }
    }
    tidy(&out)
}

/// One line per block: each line trimmed and single-spaced, empty lines dropped.
fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in s.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if !line.is_empty() {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// Bibliographic metadata found in a page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    /// Title.
    pub title: Option<String>,
    /// Authors, as written (`Family, Given` or `Given Family`).
    pub authors: Vec<String>,
    /// Publication date as written (ISO forms preferred).
    pub date: Option<String>,
    /// The journal or site.
    pub container: Option<String>,
    /// Publisher.
    pub publisher: Option<String>,
    /// DOI.
    pub doi: Option<String>,
    /// A hint of the kind of work: `article`, `book`, `web`.
    pub kind: Option<String>,
    /// Where each field came from (`citation_title`, `og:title`…), for the user.
    pub sources: Vec<String>,
}

fn metas(doc: &Html, names: &[&str]) -> Vec<(String, String)> {
    let sel = Selector::parse("meta").expect("a valid selector");
    let mut out = Vec::new();
    for m in doc.select(&sel) {
        let key = m.attr("name").or(m.attr("property")).unwrap_or_default().to_ascii_lowercase();
        if let (true, Some(content)) = (names.contains(&key.as_str()), m.attr("content")) {
            let content = content.trim();
            if !content.is_empty() {
                out.push((key, content.to_owned()));
            }
        }
    }
    out
}

/// Reads the metadata of a page, the most specific vocabulary first.
pub fn metadata(doc: &Html) -> Meta {
    let mut m = Meta::default();
    let first = |names: &[&str], m: &mut Meta| -> Option<String> {
        let found = metas(doc, names);
        for n in names {
            if let Some((k, v)) = found.iter().find(|(k, _)| k == n) {
                m.sources.push(k.clone());
                return Some(v.clone());
            }
        }
        None
    };
    m.title = first(&["citation_title", "dc.title", "dcterms.title", "og:title", "twitter:title"], &mut m);
    m.date = first(
        &["citation_publication_date", "citation_date", "dc.date", "dcterms.issued", "article:published_time"],
        &mut m,
    );
    m.container = first(&["citation_journal_title", "citation_conference_title", "og:site_name"], &mut m);
    m.publisher = first(&["citation_publisher", "dc.publisher", "dcterms.publisher"], &mut m);
    m.doi = first(&["citation_doi", "dc.identifier", "prism.doi"], &mut m).filter(|d| d.contains("10."));
    let authors = metas(doc, &["citation_author", "dc.creator", "dcterms.creator", "author", "article:author"]);
    if let Some((k, _)) = authors.first() {
        let k = k.clone();
        m.authors = authors.into_iter().filter(|(a, _)| *a == k).map(|(_, v)| v).collect();
        m.sources.push(k);
    }
    if m.sources.iter().any(|s| s.starts_with("citation_journal") || s == "citation_doi") {
        m.kind = Some("article".into());
    }
    json_ld(doc, &mut m);
    if m.title.is_none() {
        let sel = Selector::parse("title").expect("a valid selector");
        m.title = doc
            .select(&sel)
            .next()
            .map(|t| t.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|t| !t.is_empty());
        if m.title.is_some() {
            m.sources.push("title".into());
        }
    }
    m
}

/// Fills what is still missing from JSON-LD (`<script type="application/ld+json">`).
fn json_ld(doc: &Html, m: &mut Meta) {
    let sel = Selector::parse(r#"script[type="application/ld+json"]"#).expect("a valid selector");
    for script in doc.select(&sel) {
        let text: String = script.text().collect();
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
        let items: Vec<serde_json::Value> = match value {
            serde_json::Value::Array(a) => a,
            serde_json::Value::Object(ref o) if o.contains_key("@graph") => {
                o["@graph"].as_array().cloned().unwrap_or_default()
            }
            v => vec![v],
        };
        for item in items {
            let kind = item["@type"].as_str().unwrap_or_default();
            let wanted =
                ["Article", "ScholarlyArticle", "NewsArticle", "BlogPosting", "WebPage", "Report", "Book", "Chapter"];
            if !wanted.contains(&kind) {
                continue;
            }
            let text =
                |v: &serde_json::Value| v.as_str().map(str::to_owned).or_else(|| v["name"].as_str().map(str::to_owned));
            if m.title.is_none() {
                m.title = text(&item["headline"]).or_else(|| text(&item["name"]));
            }
            if m.date.is_none() {
                m.date = text(&item["datePublished"]);
            }
            if m.publisher.is_none() {
                m.publisher = text(&item["publisher"]);
            }
            if m.authors.is_empty() {
                m.authors = match &item["author"] {
                    serde_json::Value::Array(a) => a.iter().filter_map(text).collect(),
                    v => text(v).into_iter().collect(),
                };
            }
            if m.kind.is_none() {
                m.kind = Some(
                    if kind == "Book" {
                        "book"
                    } else if kind.ends_with("Article") {
                        "article"
                    } else {
                        "web"
                    }
                    .to_owned(),
                );
            }
            m.sources.push(format!("json-ld {kind}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<html><head><meta charset="utf-8"><title>Fallback title</title>
<meta name="citation_title" content="On Things">
<meta name="citation_author" content="Doe, Jane"><meta name="citation_author" content="Roe, Richard">
<meta name="citation_publication_date" content="2020/05/01">
<meta name="citation_journal_title" content="Journal of Stuff"><meta name="citation_doi" content="10.1234/abc">
<style>p { color: red }</style><script>var x = "not text";</script></head>
<body><nav>Home | About</nav><div role="navigation">Menu</div>
<h1>On Things</h1><p>The first   paragraph,
with a break.</p><p>Second &amp; last.</p><noscript>enable js</noscript></body></html>"#;

    #[test]
    fn readable_text_skips_what_readers_never_see() {
        let doc = Html::parse_document(PAGE);
        assert_eq!(text(&doc), "On Things\nThe first paragraph, with a break.\nSecond & last.\n");
    }

    #[test]
    fn highwire_metadata_first() {
        let m = metadata(&Html::parse_document(PAGE));
        assert_eq!(m.title.as_deref(), Some("On Things"));
        assert_eq!(m.authors, ["Doe, Jane", "Roe, Richard"]);
        assert_eq!(m.date.as_deref(), Some("2020/05/01"));
        assert_eq!(m.doi.as_deref(), Some("10.1234/abc"));
        assert_eq!(m.kind.as_deref(), Some("article"));
    }

    #[test]
    fn json_ld_opengraph_and_title_fallbacks() {
        let page = r#"<html><head><title> Just a title </title>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Big News","datePublished":"2021-03-04","author":[{"@type":"Person","name":"Ann Writer"}],"publisher":{"name":"Daily"}}</script>
</head><body></body></html>"#;
        let m = metadata(&Html::parse_document(page));
        assert_eq!((m.title.as_deref(), m.date.as_deref()), (Some("Big News"), Some("2021-03-04")));
        assert_eq!(m.authors, ["Ann Writer"]);
        assert_eq!(m.publisher.as_deref(), Some("Daily"));
        let bare = metadata(&Html::parse_document("<title>Only\n  this</title>"));
        assert_eq!(bare.title.as_deref(), Some("Only this"));
    }

    #[test]
    fn charsets_follow_whatwg_labels() {
        assert_eq!(decode(b"caf\xe9", "text/html; charset=ISO-8859-1"), "café");
        assert_eq!(
            decode(b"\x93q\x94", "text/html; charset=iso-8859-1"),
            "\u{201c}q\u{201d}",
            "latin-1 means windows-1252"
        );
        assert_eq!(decode(b"<meta charset=\"windows-1252\">\x80", "text/html"), "<meta charset=\"windows-1252\">€");
        assert_eq!(decode("naïve".as_bytes(), "text/html"), "naïve");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let page = format!("{}deep{}", "<div>".repeat(5_000), "</div>".repeat(5_000));
        assert!(text(&Html::parse_document(&page)).contains("deep"));
    }
}
