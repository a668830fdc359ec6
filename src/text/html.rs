//! HTML: decoding (the charset the server or the page declares, with
//! WHATWG's label rules, so an ISO-8859-1 label means windows-1252), readable
//! text (scripts, styles, navigation and other non-content skipped; blocks on
//! their own lines), and the bibliographic metadata pages carry (Highwire
//! `citation_*`, Dublin Core, OpenGraph, JSON-LD schema.org, then `<title>`).

use encoding_rs::Encoding;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};
use html5ever::{LocalName, TokenizerResult, tendril::StrTendril};
use std::cell::{Cell, RefCell};

/// Elements whose content is never text a reader sees.
const SKIP: &[&str] = &[
    "script", "style", "noscript", "noembed", "noframes", "template", "svg", "math", "nav", "title", "iframe",
    "object", "button", "select", "form",
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
pub fn text(html: &str) -> String {
    tidy(&Page::read(html).text)
}

/// What one pass over a document collects.
#[derive(Default)]
struct Page {
    /// Readable text, one block per line (before [`tidy`]).
    text: String,
    /// `<meta>` name (or property), lower-cased, and content, in document order.
    metas: Vec<(String, String)>,
    /// The first `<title>`, whitespace collapsed.
    title: Option<String>,
    /// The contents of each `<script type="application/ld+json">`.
    json_ld: Vec<String>,
}

impl Page {
    /// Reads a document in one pass of html5ever's tokenizer, without building
    /// a tree: the tree builder's scope checks walk the stack of open elements,
    /// so 100,000 nested `<div>`s took it 12.6 s (and 100,000 distinct `<b>`s
    /// over a minute), while tokens cost the same whatever their nesting. What a tree would decide (which elements a
    /// skipped one contains) is followed by counting its name's tags.
    fn read(html: &str) -> Page {
        let tokenizer = Tokenizer::new(Scan::default(), TokenizerOpts::default());
        let input = BufferQueue::default();
        input.push_back(StrTendril::from_slice(html));
        while let TokenizerResult::Script(()) = tokenizer.feed(&input) {}
        tokenizer.end();
        tokenizer.sink.page.into_inner()
    }
}

/// Void elements: no content, no end tag.
const VOID: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input", "keygen", "link",
    "meta", "param", "source", "track", "wbr",
];

/// Elements whose end tag may be left out: the next one of the same name ends
/// a skipped one.
const OPTIONAL_END: &[&str] = &["p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "rb", "rt", "rp"];

/// Skipped elements that never nest in themselves (a second start tag closes
/// the first or is ignored).
const NO_NESTING: &[&str] = &["button", "form", "select"];

/// The element being skipped and how deep its own name is nested.
struct Skip {
    name: LocalName,
    depth: usize,
    /// Inside `<svg>` or `<math>`, tags are foreign: no raw-text states.
    foreign: bool,
}

#[derive(Default)]
struct Scan {
    page: RefCell<Page>,
    skip: RefCell<Option<Skip>>,
    /// Inside `<title>` or a JSON-LD script: where their characters go.
    collect: RefCell<Option<String>>,
    /// Whitespace seen since the last character written.
    space: Cell<bool>,
}

impl Scan {
    /// Follows a tag while skipping; false once the skipped element has ended
    /// and this tag is to be read as usual.
    fn skipping(&self, tag: &Tag) -> bool {
        let mut skip = self.skip.borrow_mut();
        let Some(s) = skip.as_mut() else { return false };
        if tag.name != s.name {
            return true;
        }
        let name: &str = &tag.name;
        match tag.kind {
            TagKind::StartTag if OPTIONAL_END.contains(&name) => {
                *skip = None;
                return false;
            }
            TagKind::StartTag if !NO_NESTING.contains(&name) && !tag.self_closing => s.depth += 1,
            TagKind::StartTag => {}
            TagKind::EndTag => s.depth -= 1,
        }
        if s.depth == 0 {
            *skip = None;
        }
        true
    }

    /// Collects `<meta>`, the first `<title>` and JSON-LD scripts, wherever they are.
    fn metadata(&self, tag: &Tag) {
        let name: &str = &tag.name;
        let attr = |n: &str| tag.attrs.iter().find(|a| &*a.name.local == n).map(|a| &*a.value);
        match (&tag.kind, name) {
            (TagKind::StartTag, "meta") => {
                if let (Some(key), Some(content)) = (attr("name").or(attr("property")), attr("content")) {
                    let content = content.trim();
                    if !content.is_empty() {
                        self.page.borrow_mut().metas.push((key.to_ascii_lowercase(), content.to_owned()));
                    }
                }
            }
            (TagKind::StartTag, "title") if self.page.borrow().title.is_none() => {
                *self.collect.borrow_mut() = Some(String::new());
            }
            (TagKind::StartTag, "script")
                if attr("type").is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json")) =>
            {
                *self.collect.borrow_mut() = Some(String::new());
            }
            (TagKind::EndTag, "title" | "script") => {
                if let Some(collected) = self.collect.borrow_mut().take() {
                    let mut page = self.page.borrow_mut();
                    if name == "title" {
                        page.title = Some(collected.split_whitespace().collect::<Vec<_>>().join(" "));
                    } else {
                        page.json_ld.push(collected);
                    }
                }
            }
            _ => {}
        }
    }

    /// A tag outside skipped elements: a block's line break, or the start of a
    /// skipped element.
    fn tag(&self, tag: &Tag) {
        let name: &str = &tag.name;
        let start = tag.kind == TagKind::StartTag;
        let hidden = tag
            .attrs
            .iter()
            .any(|a| &*a.name.local == "hidden" || (&*a.name.local == "role" && &*a.value == "navigation"));
        if start && !VOID.contains(&name) && !tag.self_closing && (SKIP.contains(&name) || hidden) {
            let foreign = matches!(name, "svg" | "math");
            *self.skip.borrow_mut() = Some(Skip { name: tag.name.clone(), depth: 1, foreign });
        } else if BLOCK.contains(&name) {
            self.page.borrow_mut().text.push('\n');
        }
    }

    /// Writes characters, collapsing whitespace as HTML does.
    fn characters(&self, chars: &str) {
        if let Some(c) = self.collect.borrow_mut().as_mut() {
            c.push_str(chars);
        }
        if self.skip.borrow().is_some() {
            return;
        }
        let mut page = self.page.borrow_mut();
        for c in chars.chars() {
            if c.is_whitespace() {
                self.space.set(true);
            } else {
                if self.space.replace(false) {
                    page.text.push(' ');
                }
                page.text.push(c);
            }
        }
    }
}

/// The tokenizer state an element's content is read in, as the tree builder
/// would set it.
fn raw_state(name: &str) -> TokenSinkResult<()> {
    match name {
        "script" => TokenSinkResult::RawData(RawKind::ScriptData),
        "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
        "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => TokenSinkResult::RawData(RawKind::Rawtext),
        "plaintext" => TokenSinkResult::Plaintext,
        _ => TokenSinkResult::Continue,
    }
}

impl TokenSink for Scan {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(tag) => {
                let foreign = self.skip.borrow().as_ref().is_some_and(|s| s.foreign);
                if !foreign {
                    self.metadata(&tag);
                }
                if !self.skipping(&tag) {
                    self.tag(&tag);
                }
                if tag.kind == TagKind::StartTag && !foreign {
                    return raw_state(&tag.name);
                }
            }
            Token::CharacterTokens(t) => self.characters(&t),
            _ => {}
        }
        TokenSinkResult::Continue
    }
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

fn metas(page: &Page, names: &[&str]) -> Vec<(String, String)> {
    page.metas.iter().filter(|(k, _)| names.contains(&k.as_str())).cloned().collect()
}

/// Reads the metadata of a page, the most specific vocabulary first.
pub fn metadata(html: &str) -> Meta {
    let doc = &Page::read(html);
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
        m.title = doc.title.clone().filter(|t| !t.is_empty());
        if m.title.is_some() {
            m.sources.push("title".into());
        }
    }
    m
}

/// Fills what is still missing from JSON-LD (`<script type="application/ld+json">`).
fn json_ld(doc: &Page, m: &mut Meta) {
    for text in &doc.json_ld {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else { continue };
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
        assert_eq!(text(PAGE), "On Things\nThe first paragraph, with a break.\nSecond & last.\n");
    }

    #[test]
    fn highwire_metadata_first() {
        let m = metadata(PAGE);
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
        let m = metadata(page);
        assert_eq!((m.title.as_deref(), m.date.as_deref()), (Some("Big News"), Some("2021-03-04")));
        assert_eq!(m.authors, ["Ann Writer"]);
        assert_eq!(m.publisher.as_deref(), Some("Daily"));
        let bare = metadata("<title>Only\n  this</title>");
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
    fn skipped_elements_end_where_a_tree_would_end_them() {
        let cases = [
            ("<button>a<button>b</button>c", "c\n"),
            ("<p hidden>secret<p>shown", "shown\n"),
            ("<div hidden><div>in</div>still hidden</div>out", "out\n"),
            ("<svg/>after", "after\n"),
            ("<svg><style>x</svg>after", "after\n"),
            ("<nav><script>document.write('</nav>')</script>menu</nav>body", "body\n"),
            ("<head><title>T</title><body>text", "text\n"),
            ("<p>a<br>b</p><textarea>typed</textarea>", "a\nb\ntyped\n"),
        ];
        for (page, want) in cases {
            assert_eq!(text(page), want, "{page}");
        }
        let m = metadata(
            "<body><div hidden><script type='application/ld+json'>{\"@type\":\"Book\",\"name\":\"B\"}</script></div>",
        );
        assert_eq!(m.title.as_deref(), Some("B"), "JSON-LD is read even inside hidden elements");
        assert_eq!(metadata("<svg><title>icon</title></svg><title>Page</title>").title.as_deref(), Some("Page"));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        // Shapes that cost html5ever's tree builder quadratic time (benches/hostile.rs times them).
        let n = 100_000;
        let pages = [
            format!("{}deep{}", "<div>".repeat(n), "</div>".repeat(n)),
            format!("{}deep{}", "<x>".repeat(n), "</y>".repeat(n)),
            format!("{}deep", (0..n).map(|i| format!("<b id={i}>")).collect::<String>()),
        ];
        for page in pages {
            assert_eq!(text(&page).trim(), "deep");
        }
    }
}
