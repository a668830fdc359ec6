//! Bibliographies and citations through hayagriva's CSL engine: styles by
//! short name (the 80 hayagriva ships) or from a `.csl` file, locales, and our
//! own writer for its output tree, which escapes text for HTML and Markdown
//! (hayagriva's own HTML writer does not).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use hayagriva::archive::{ArchivedStyle, locales};
use hayagriva::citationberg::{
    Display, FontStyle, FontVariant, FontWeight, IndependentStyle, Locale, LocaleCode, LocaleFile, Style,
    SubsequentAuthorSubstituteRule, TextDecoration, VerticalAlign,
};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, CitePurpose, ElemChild, ElemChildren,
    Entry, Formatting, LocatorPayload, SpecificLocator,
};

use super::sorting::Sorter;
use super::{names, numbers, pages, punctuation, styles, titles, untyped};
use crate::findings::escape;
use crate::report::Form;

/// What rendered text is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Markup {
    /// Plain text.
    Text,
    /// HTML, text escaped.
    Html,
    /// Markdown, text escaped.
    Markdown,
    /// LaTeX, text escaped.
    Latex,
}

/// A style ready to render, and what it is called.
pub struct Styled {
    /// The style.
    pub style: IndependentStyle,
    /// Its title.
    pub title: String,
    /// The locales to choose from.
    pub locales: Vec<Locale>,
    /// The locale asked for.
    pub locale: Option<LocaleCode>,
    /// The page label's singular and plural forms, for [`pages`](super::pages).
    pub page_labels: Vec<(String, String)>,
    /// Whether `misc` entries render as entries of no type ([`untyped`]).
    pub untyped_misc: bool,
    /// The last year of each entry's date range across years, by key (the
    /// library's `date-end`, `Library::year_ends`): year suffixes tell
    /// `1984` and `1984–1986` apart, as citeproc-js does. Empty unless the
    /// caller sets it.
    pub year_ends: HashMap<String, i32>,
    /// Whether the style prints an item's language (entries in other
    /// languages are then rendered with theirs, [`titles`](super::titles)).
    pub prints_language: bool,
    /// What becomes of the spaces a title begins with ([`styles::leading_spaces`]).
    pub leading_spaces: titles::Leading,
    /// How the bibliography's names take initials ([`styles::initials`]).
    pub initials: Option<names::Initials>,
    /// Whether the style reads `version` as `printing-number` ([`styles::mend`]).
    pub version_as_printing: bool,
    /// Whether each part of an edition is capitalised ([`styles::capitalises_edition_parts`]).
    pub edition_parts: bool,
    /// A copy of the style for bibliographies alone ([`styles::keyed`]).
    pub keyed: Option<IndependentStyle>,
    /// The bibliography's sort as citeproc-js sorts, where it sorts.
    pub sorter: Option<Sorter>,
    /// What identifies the style for the render cache: a bundled style's name
    /// (with hayagriva's version), or a style file's SHA-256.
    pub id: String,
}

/// Every bundled style: its short names and title.
pub fn style_names() -> Vec<(&'static [&'static str], &'static str)> {
    ArchivedStyle::all().iter().map(|s| (s.names(), s.display_name())).collect()
}

/// A bundled style by short name, or a `.csl` file by path (anything ending
/// in `.csl` or naming an existing file). Errors list close names.
pub fn load_style(name: &str, base: &std::path::Path, locale: Option<&str>) -> Result<Styled, String> {
    let path = base.join(name);
    let mut id = format!("hayagriva 0.10.1 style {name}");
    let style = if name.ends_with(".csl") || path.is_file() {
        let xml = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        id = format!("style file {}", hex::encode(<sha2::Sha256 as sha2::Digest>::digest(xml.as_bytes())));
        check_style_text(&xml).map_err(|e| format!("{}: {e}", path.display()))?;
        match IndependentStyle::from_xml(&xml) {
            Ok(s) => s,
            Err(e) => return Err(format!("{} is not a usable CSL style: {e}", path.display())),
        }
    } else {
        let Some(archived) = ArchivedStyle::by_name(name) else {
            return Err(unknown_style(name));
        };
        match archived.get() {
            Style::Independent(s) => s,
            Style::Dependent(_) => return Err(format!("style `{name}` depends on another style")),
        }
    };
    if style.bibliography.is_none() {
        return Err(format!("the style `{}` defines no bibliography", style.info.title.value));
    }
    let mut style = style;
    let version_as_printing = styles::mend(&mut style);
    let mut locales = locales();
    let locale = match locale {
        Some(file) if file.ends_with(".xml") || base.join(file).is_file() => {
            let (code, hash) = add_locale_file(&mut locales, &base.join(file))?;
            id = format!("{id}\nlocale file {hash}");
            Some(code)
        }
        Some(code) => {
            let code = LocaleCode(code.to_owned());
            if !locales.iter().any(|l| l.lang.as_ref() == Some(&code)) {
                let known: Vec<String> = locales.iter().filter_map(|l| l.lang.as_ref().map(|c| c.0.clone())).collect();
                return Err(format!(
                    "unknown locale `{}` (known: {}; or give a CSL locale file, locales-xx-YY.xml)",
                    code.0,
                    known.join(", ")
                ));
            }
            Some(code)
        }
        None => None,
    };
    let prints_language = styles::prints_language(&style);
    let untyped_misc = !untyped::tests_document(&style);
    let keyed = styles::keyed(&style);
    let mut styled = Styled {
        sorter: Sorter::new(&style, keyed.as_ref()),
        keyed,
        leading_spaces: styles::leading_spaces(&style),
        initials: styles::initials(&style),
        version_as_printing,
        edition_parts: styles::capitalises_edition_parts(&style),
        title: style.info.title.value.clone(),
        style,
        locales,
        locale,
        id,
        page_labels: Vec::new(),
        untyped_misc,
        year_ends: HashMap::new(),
        prints_language,
    };
    styled.page_labels = super::pages::labels(&styled);
    Ok(styled)
}

/// A CSL locale file (`locales-en-US.xml` from the CSL locales repository,
/// or one a user edited) in place of hayagriva's bundled locale of the same
/// language, as citeproc-js and Zotero take locale files. Returns its
/// language and the file's SHA-256 (the render cache's key covers it).
fn add_locale_file(locales: &mut Vec<Locale>, path: &Path) -> Result<(LocaleCode, String), String> {
    let xml = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let file = LocaleFile::from_xml(&xml).map_err(|e| format!("{} is not a usable CSL locale: {e}", path.display()))?;
    let code = file.lang.clone();
    locales.retain(|l| l.lang.as_ref() != Some(&code));
    locales.push(file.into());
    Ok((code, hex::encode(<sha2::Sha256 as sha2::Digest>::digest(xml.as_bytes()))))
}

/// What hayagriva would render silently wrong: a CSL 0.8 style (it reads
/// CSL 1.0), and a style that calls a macro it does not define (the call
/// renders nothing).
fn check_style_text(xml: &str) -> Result<(), String> {
    let uncommented = regex::Regex::new(r"(?s)<!--.*?-->").expect("a fixed pattern").replace_all(xml, "");
    let xml = uncommented.as_ref();
    let root = xml.find("<style").map(|i| &xml[i..xml[i..].find('>').map_or(xml.len(), |e| i + e)]);
    if let Some(version) = root.and_then(|r| r.split("version=\"").nth(1)).and_then(|v| v.split('"').next())
        && version.starts_with("0.")
    {
        return Err(format!(
            "a CSL {version} style; citelock reads CSL 1.0 (the CSL project's style updater converts it)"
        ));
    }
    let attribute = |name: &str| -> Vec<String> {
        let re = regex::Regex::new(&format!(r#"<{name}\b[^>]*\bname="([^"]*)""#)).expect("a fixed pattern");
        re.captures_iter(xml).map(|c| c[1].to_owned()).collect()
    };
    let defined: std::collections::HashSet<String> = attribute("macro").into_iter().collect();
    let called = regex::Regex::new(r#"\bmacro="([^"]*)""#).expect("a fixed pattern");
    if let Some(missing) = called.captures_iter(xml).map(|c| c[1].to_owned()).find(|m| !defined.contains(m)) {
        return Err(format!("the style calls the macro `{missing}`, which it does not define"));
    }
    Ok(())
}

fn unknown_style(name: &str) -> String {
    let mut near: Vec<(f64, &str)> = ArchivedStyle::all()
        .iter()
        .flat_map(|s| s.names().iter().copied())
        .map(|n| (strsim::jaro_winkler(&name.to_lowercase(), n), n))
        .filter(|(score, n)| *score > 0.8 || n.contains(&name.to_lowercase()))
        .collect();
    near.sort_by(|a, b| b.0.total_cmp(&a.0));
    let near: Vec<&str> = near.into_iter().take(5).map(|(_, n)| n).collect();
    let hint = if near.is_empty() { String::new() } else { format!("; did you mean {}?", near.join(", ")) };
    format!("unknown style `{name}` (`citelock export --list-styles` lists them, or give a .csl file){hint}")
}

/// One citation to render: entries with their locators (a page, `ch. 2`)
/// and how each reads in the text.
pub struct Cite<'a> {
    /// The cited entries, locators and forms.
    pub items: Vec<(&'a Entry, Option<&'a str>, Form)>,
}

/// What a render produced: each citation's text, and the bibliography's
/// entries in the style's order with their keys.
pub struct Output {
    /// The citations, in request order.
    pub citations: Vec<String>,
    /// (key, formatted entry).
    pub bibliography: Vec<(String, String)>,
}

/// The entry as it is handed to hayagriva, where the style has it so: of
/// no type ([`untyped`]), its titles and names mended ([`titles::mended`]),
/// its initials written as citeproc-js reads them
/// ([`names::initials_normalised`]), its version its printing number
/// ([`numbers::version_as_printing`]), each part of its edition capitalised
/// ([`numbers::edition_parts_capitalised`]); `None` when it renders as it is.
fn for_render(styled: &Styled, entry: &Entry) -> Option<Entry> {
    // Untyped first: it goes through the entry's serialised form, which
    // would lose what the mends hand hayagriva (an empty first chunk).
    let mut out = styled.untyped_misc.then(|| untyped::untyped(entry)).flatten();
    let mut then = |mend: &dyn Fn(&Entry) -> Option<Entry>| {
        if let Some(mended) = mend(out.as_ref().unwrap_or(entry)) {
            out = Some(mended);
        }
    };
    then(&|e| titles::mended(e, styled.prints_language, styled.leading_spaces));
    if let Some(initials) = &styled.initials {
        then(&|e| names::initials_normalised(e, initials));
    }
    if styled.version_as_printing {
        then(&numbers::version_as_printing);
    }
    if styled.edition_parts {
        then(&numbers::edition_parts_capitalised);
    }
    out
}

/// Renders citations and the bibliography of the entries they cite.
pub fn render(styled: &Styled, cites: &[Cite<'_>], markup: Markup) -> Output {
    let mended: HashMap<&str, Entry> =
        cites.iter().flat_map(|c| &c.items).filter_map(|(e, ..)| Some((e.key(), for_render(styled, e)?))).collect();
    let cites: Vec<Cite<'_>> = cites
        .iter()
        .map(|c| Cite { items: c.items.iter().map(|&(e, l, f)| (mended.get(e.key()).unwrap_or(e), l, f)).collect() })
        .collect();
    render_from(styled, &cites, markup, 0)
}

/// [`render`], numbering citations on from `offset`.
fn render_from(styled: &Styled, cites: &[Cite<'_>], markup: Markup, offset: usize) -> Output {
    render_with(styled, (&styled.style, &|_| &styled.style), cites, markup, offset)
}

/// The style a bibliography is rendered with, and the one each citation
/// (by index) is.
type Styles<'s> = (&'s IndependentStyle, &'s dyn Fn(usize) -> &'s IndependentStyle);

/// [`render_from`] with other styles than the styled one (its [`styles::keyed`] copy).
fn render_with(
    styled: &Styled,
    (style, style_of): Styles<'_>,
    cites: &[Cite<'_>],
    markup: Markup,
    offset: usize,
) -> Output {
    let mut driver = BibliographyDriver::new().with_citation_number_offset(offset);
    for (i, cite) in cites.iter().enumerate() {
        let items = cite
            .items
            .iter()
            .map(|(entry, locator, form)| {
                let locator = locator.map(|l| {
                    SpecificLocator(hayagriva::citationberg::taxonomy::Locator::Custom, LocatorPayload::Str(l))
                });
                let purpose = match form {
                    Form::Normal | Form::SuppressAuthor | Form::Hidden => None,
                    Form::Prose => Some(CitePurpose::Prose),
                    Form::Year => Some(CitePurpose::Year),
                    Form::Author => Some(CitePurpose::Author),
                };
                CitationItem::new(*entry, locator, None, *form == Form::Hidden, purpose)
            })
            .collect();
        driver.citation(CitationRequest::new(items, style_of(i), styled.locale.clone(), &styled.locales, None));
    }
    let rendered = driver.finish(BibliographyRequest::new(style, styled.locale.clone(), &styled.locales));
    let citations = rendered
        .citations
        .iter()
        .zip(cites)
        .map(|(c, cite)| {
            let mut text = write(&c.citation, markup);
            for (entry, ..) in cite.items.iter().filter(|(.., form)| *form == Form::SuppressAuthor) {
                text = without_author(styled, entry, &text, markup);
            }
            text
        })
        .collect();
    let locale = styled.locale.as_ref().or(styled.style.default_locale.as_ref()).map_or("en-US", |l| l.0.as_str());
    let entries: HashMap<&str, &Entry> = cites.iter().flat_map(|c| &c.items).map(|(e, ..)| (e.key(), *e)).collect();
    let mends: HashMap<&str, pages::Mend> = cites
        .iter()
        .flat_map(|c| &c.items)
        .filter_map(|(entry, ..)| Some((entry.key(), pages::mend_for(entry, markup)?)))
        .collect();
    let substitute = style
        .bibliography
        .as_ref()
        .filter(|b| b.subsequent_author_substitute_rule == SubsequentAuthorSubstituteRule::CompleteAll)
        .and_then(|b| b.subsequent_author_substitute.as_deref())
        .filter(|s| !s.is_empty());
    let suffixed_substitute = substitute.zip(styles::opening_macro_suffix(style));
    let bibliography = rendered
        .bibliography
        .map(|mut b| {
            if let Some(s) = substitute {
                names::substitute(&mut b.items, &entries, s);
            }
            for item in &mut b.items {
                if let Some(e) = entries.get(item.key.as_str()) {
                    names::institutions_joined(item, e);
                }
                names::labels_cased(item);
            }
            b.items
                .into_iter()
                .map(|item| {
                    let mut text = String::new();
                    match (&item.first_field, markup) {
                        // A style's second-field-align, as citeproc-js writes it in HTML.
                        (Some(first), Markup::Html) => {
                            text.push_str("<div class=\"csl-left-margin\">");
                            write_child(first, markup, &mut text);
                            text.push_str("</div><div class=\"csl-right-inline\">");
                            write_children(&item.content, markup, &mut text);
                            text.push_str("</div>");
                        }
                        (Some(first), _) => {
                            write_child(first, markup, &mut text);
                            let mut content = String::new();
                            write_children(&item.content, markup, &mut content);
                            // An entry with nothing but its number (a set's
                            // member that prints no field) gets no layout suffix
                            // either, as citeproc-js prints it: `(2)`, not `(2) .`.
                            if !matches!(content.trim(), "" | ".") {
                                text.push(' ');
                                text.push_str(&content);
                            }
                        }
                        (None, _) => write_children(&item.content, markup, &mut text),
                    }
                    if let Some(m) = mends.get(item.key.as_str()) {
                        text = pages::mend(&text, m, &styled.page_labels);
                    }
                    if let Some(alone) = substitute.and_then(|s| punctuation::substitute_alone(&text, s)) {
                        text = alone;
                    }
                    if let Some(suffixed) =
                        suffixed_substitute.and_then(|(s, suffix)| punctuation::substitute_suffixed(&text, s, suffix))
                    {
                        text = suffixed;
                    }
                    if text.matches(['(', '[']).count() > text.matches([')', ']']).count()
                        && let Some(e) = entries.get(item.key.as_str())
                        && let Some(closed) = punctuation::closed_brackets(&text, &punctuation::values(e))
                    {
                        text = closed;
                    }
                    let field_ends = if ["?:", "!:", " ;"].iter().any(|p| text.contains(p)) {
                        entries.get(item.key.as_str()).map(|e| punctuation::field_ends(e)).unwrap_or_default()
                    } else {
                        Vec::new()
                    };
                    (item.key, punctuation::punctuate(text.trim(), locale, &field_ends))
                })
                .collect()
        })
        .unwrap_or_default();
    Output { citations, bibliography }
}

/// A citation with an entry's author taken out, as pandoc's `[-@key]` asks:
/// hayagriva has no such form, so the author as the style names it (its
/// `Author` form) is removed with the separator after it, `(Darwin, 1859, p.
/// 12)` becoming `(1859, p. 12)`. A citation that does not show the author
/// (a numeric style's `[1]`) is left as it is.
fn without_author(styled: &Styled, entry: &Entry, citation: &str, markup: Markup) -> String {
    let author = render_from(styled, &[Cite { items: vec![(entry, None, Form::Author)] }], markup, 0);
    let Some(author) = author.citations.first().filter(|a| !a.is_empty()) else { return citation.to_owned() };
    let Some(at) = citation.find(author.as_str()) else { return citation.to_owned() };
    let rest = citation[at + author.len()..].trim_start_matches([',', ' ']);
    format!("{}{rest}", &citation[..at])
}

/// A bibliography of `entries` alone, each cited once, rendered in parallel
/// where the style allows it, with output identical to one render of them all.
///
/// Profiled on 1,000–10,000 APA entries: a single render spends its time in
/// hayagriva's sort (a comparison renders both entries' sort keys and builds
/// an ICU collator each time) and in numbering (each citation looks its
/// entry up in the whole list): both grow faster than the entries do. So:
/// - a style that sorts its bibliography by author first is rendered in
///   chunks of whole author groups (entries whose first author, else editor,
///   else title, is the same): only they can affect each other (year
///   suffixes, repeated-author dashes), and chunks are put in order by the
///   ICU collation hayagriva sorts with;
/// - a style that keeps citation order (numeric) is rendered in consecutive
///   chunks, each numbered on from where the previous one ended;
/// - any other style is rendered whole.
pub fn bibliography(styled: &Styled, entries: &[&Entry], markup: Markup, cache: Option<&Path>) -> Rendered {
    let mended: Vec<Option<Entry>> = entries.iter().map(|e| for_render(styled, e)).collect();
    let mut mended: Vec<&Entry> = entries.iter().zip(&mended).map(|(e, m)| m.as_ref().unwrap_or(e)).collect();
    let plan = plan(&styled.style);
    let by_author = matches!(plan, Plan::ByAuthor);
    // Sorted as citeproc-js sorts (from the entries as written), then
    // rendered in that order by the style without its sort; one entry (a
    // hover's) has no order to find.
    let sorter = styled.sorter.as_ref().filter(|_| !matches!(plan, Plan::CitationOrder) && entries.len() > 1);
    let styles = match sorter {
        Some(s) => {
            let order = s.order(styled, entries);
            mended = order.into_iter().map(|i| mended[i]).collect();
            Pair { style: &s.style, keyed: s.keyed.as_ref() }
        }
        None => Pair { style: &styled.style, keyed: styled.keyed.as_ref() },
    };
    let entries = &mended;
    let chunks: Vec<(usize, Vec<&Entry>)> = match plan {
        Plan::ByAuthor if sorter.is_some() => sorted_chunks(entries),
        Plan::ByAuthor => author_chunks(styled, entries),
        Plan::CitationOrder => entries.chunks(CHUNK).enumerate().map(|(i, c)| (i * CHUNK, c.to_vec())).collect(),
        Plan::Whole => vec![(0, entries.to_vec())],
    };
    let done: Vec<(Items, bool)> = in_parallel(&chunks, |(offset, chunk)| {
        let key = cache.map(|_| chunk_key(styled, markup, *offset, chunk));
        let path = cache.zip(key.as_ref()).map(|(dir, k)| dir.join("render").join(format!("{k}.json")));
        let cached = path.as_ref().and_then(|p| std::fs::read(p).ok()).and_then(|b| serde_json::from_slice(&b).ok());
        match cached {
            Some(items) => (items, true),
            None => {
                let items = render_chunk(styled, styles, chunk, markup, (*offset, by_author));
                if let Some(p) = &path {
                    store(p, &items);
                }
                (items, false)
            }
        }
    });
    let reused = done.iter().filter(|(_, hit)| *hit).count();
    Rendered { chunks: done.len(), reused, items: done.into_iter().flat_map(|(items, _)| items).collect() }
}

/// `f` of each item, on as many threads as there are cores, in order.
pub(super) fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(items.len()).max(1);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break mine };
                        mine.push((i, f(item)));
                    }
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a rendering thread panicked")).collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// The style a bibliography is rendered with, and its [`styles::keyed`] copy.
#[derive(Clone, Copy)]
struct Pair<'s> {
    style: &'s IndependentStyle,
    keyed: Option<&'s IndependentStyle>,
}

/// One chunk's bibliography. Where the bibliography allows it, it is
/// rendered with citations that print each entry's key
/// ([`styles::keyed`]): nothing is disambiguated. Then, in an author-sorted
/// style that adds year suffixes, each set of entries whose citations would
/// read alike ([`alike`]) is rendered again, cited as the style cites, for
/// its suffixes. hayagriva 0.10.1 gives suffixes to one set per pass and
/// makes three passes, in citation order rather than bibliography order,
/// and a set it tells apart by names ends the pass for every set after it
/// (docs/upstream/hayagriva-year-suffix.md). So sets are rendered three at
/// a time, a set whose names differ at all (`Bechtolsheim, S. v.` and `…
/// von`) alone, cited in the order the first render put them, and their
/// text replaces the first render's.
fn render_chunk(
    styled: &Styled,
    styles: Pair<'_>,
    chunk: &[&Entry],
    markup: Markup,
    (offset, by_author): (usize, bool),
) -> Items {
    fn cite<'a>(entries: &[&'a Entry]) -> Vec<Cite<'a>> {
        entries.iter().map(|e| Cite { items: vec![(*e, None, Form::Normal)] }).collect()
    }
    let suffixes = styles.style.citation.disambiguate_add_year_suffix;
    let keyed = styles.keyed.filter(|_| by_author || !suffixes).unwrap_or(styles.style);
    let mut items = render_with(styled, (keyed, &|_| keyed), &cite(chunk), markup, offset).bibliography;
    if !by_author || !suffixes {
        return items;
    }
    let (clean, mixed): (Vec<_>, Vec<_>) = alike(chunk, styles.style, &styled.year_ends).into_iter().partition(|set| {
        let names = |e: &Entry| e.authors().or_else(|| e.editors()).map(<[_]>::to_vec);
        set.windows(2).all(|w| names(w[0]) == names(w[1]))
    });
    let batches = clean.chunks(3).chain(mixed.chunks(1));
    let substitutes = styles.style.bibliography.as_ref().is_some_and(|b| b.subsequent_author_substitute.is_some());
    let position: HashMap<String, usize> = items.iter().enumerate().map(|(i, (k, _))| (k.clone(), i)).collect();
    let at = |e: &Entry| position.get(e.key()).copied().unwrap_or(usize::MAX);
    let by_key: HashMap<&str, &Entry> = chunk.iter().map(|e| (e.key(), *e)).collect();
    for batch in batches {
        // Each member, and (`false`) the entry before each set, cited so
        // that a repeated author is still replaced by the style's dash, in
        // a way that reads like no other (its own text is not taken).
        let mut members: Vec<(&Entry, bool)> = batch.iter().flatten().map(|e| (*e, true)).collect();
        if substitutes {
            for set in batch {
                let first = set.iter().map(|e| at(e)).min().unwrap_or(0);
                if let Some(e) = first.checked_sub(1).and_then(|i| by_key.get(items[i].0.as_str())) {
                    members.push((e, false));
                }
            }
        }
        members.sort_by_key(|(e, member)| (at(e), !member));
        members.dedup_by_key(|(e, _)| e.key().to_owned());
        let entries: Vec<&Entry> = members.iter().map(|(e, _)| *e).collect();
        let wanted: std::collections::HashSet<&str> =
            members.iter().filter(|(_, m)| *m).map(|(e, _)| e.key()).collect();
        let style_of = |i: usize| if members[i].1 { styles.style } else { keyed };
        for (key, text) in render_with(styled, (keyed, &style_of), &cite(&entries), markup, offset).bibliography {
            if let Some(&i) = position.get(&key).filter(|_| wanted.contains(key.as_str())) {
                items[i].1 = text;
            }
        }
    }
    items
}

/// Sets of two or more entries whose citations may read alike even after
/// the names the style may add to tell them apart: the same year, and the
/// same names (or none) as far as its disambiguation can show them — all
/// names with `disambiguate-add-names`, else those before "et al."
/// ([`styles::cited_et_al`]); given names with `disambiguate-add-givenname`,
/// as initials under a `…-with-initials` rule and for the first name only
/// under a `primary-name…` rule.
fn alike<'a>(entries: &[&'a Entry], style: &IndependentStyle, year_ends: &HashMap<String, i32>) -> Vec<Vec<&'a Entry>> {
    use hayagriva::citationberg::DisambiguationRule as Rule;
    let citation = &style.citation;
    let rule = citation.disambiguate_add_givenname.then_some(citation.givenname_disambiguation_rule);
    let et_al = styles::cited_et_al(style);
    let shown = |n: usize| match et_al {
        Some((min, first)) if !citation.disambiguate_add_names && n >= min => first,
        _ => n,
    };
    let given = |i: usize, g: &str| -> String {
        let initials = || g.split([' ', '-', '.']).filter_map(|w| w.chars().next()).collect::<String>();
        match rule {
            Some(Rule::AllNames | Rule::ByCite) => g.to_owned(),
            Some(Rule::AllNamesWithInitials) => initials(),
            Some(Rule::PrimaryName) if i == 0 => g.to_owned(),
            Some(Rule::PrimaryNameWithInitials) if i == 0 => initials(),
            _ => String::new(),
        }
    };
    let mut sets: indexmap::IndexMap<String, Vec<&Entry>> = indexmap::IndexMap::new();
    for e in entries {
        let names = e.authors().or_else(|| e.editors()).map(|ps| {
            let mut names: Vec<String> = ps
                .iter()
                .take(shown(ps.len()))
                .enumerate()
                .map(|(i, p)| format!("{}, {}", p.name, given(i, p.given_name.as_deref().unwrap_or_default())))
                .collect();
            if shown(ps.len()) < ps.len() {
                names.push("et al.".to_owned());
            }
            names.join("; ")
        });
        // Without names, a style may cite the title or a term ("Anon."):
        // every such entry of a year is proposed, and the render tells.
        let names = names.unwrap_or_default();
        let mut year = e.date().map_or_else(|| "n.d.".to_owned(), |d| d.year.to_string());
        if let Some(end) = year_ends.get(e.key()) {
            year = format!("{year}\u{2013}{end}");
        }
        sets.entry(format!("{}\u{1f}{year}", names.to_lowercase())).or_default().push(e);
    }
    sets.into_values().filter(|s| s.len() > 1).collect()
}

/// A bibliography, and how much of it came from the render cache.
pub struct Rendered {
    /// (key, formatted entry), in the style's order.
    pub items: Vec<(String, String)>,
    /// Chunks rendered or reused.
    pub chunks: usize,
    /// Chunks taken from the cache.
    pub reused: usize,
}

/// A chunk's cache key: everything its output depends on — the entries in
/// it (all of them, so their author groups), its first citation number, the
/// style, locale and markup, and citelock's version with its commit (a
/// build from another commit may render differently).
fn chunk_key(styled: &Styled, markup: Markup, offset: usize, chunk: &[&Entry]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let locale = styled.locale.as_ref().map_or("", |l| l.0.as_str());
    h.update(format!("citelock {}\n{}\n{locale}\n{markup:?}\n{offset}\n", env!("CITELOCK_VERSION"), styled.id));
    for e in chunk {
        h.update(serde_json::to_vec(e).unwrap_or_default());
        if let Some(end) = styled.year_ends.get(e.key()) {
            h.update(format!("date-end {end}"));
        }
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

/// Caches a chunk's output; a cache that cannot be written only costs time.
fn store(path: &Path, items: &[(String, String)]) {
    if let Some(dir) = path.parent()
        && std::fs::create_dir_all(dir).is_ok()
        && let Ok(bytes) = serde_json::to_vec(items)
    {
        let _ = crate::atomic::write(path, &bytes);
    }
}

/// Formatted entries with their keys.
type Items = Vec<(String, String)>;

/// Entries per chunk.
pub(super) const CHUNK: usize = 200;

/// How a bibliography can be split.
enum Plan {
    /// By author groups.
    ByAuthor,
    /// In consecutive chunks.
    CitationOrder,
    /// Not at all.
    Whole,
}

fn plan(style: &IndependentStyle) -> Plan {
    let Some(bib) = style.bibliography.as_ref() else { return Plan::Whole };
    if bib.sort.is_none() {
        return Plan::CitationOrder;
    }
    if sorts_by_author(style) { Plan::ByAuthor } else { Plan::Whole }
}

/// Whole author groups, in the collation order hayagriva sorts with, packed
/// into chunks of about [`CHUNK`] entries.
fn author_chunks<'a>(styled: &Styled, entries: &[&'a Entry]) -> Vec<(usize, Vec<&'a Entry>)> {
    let mut groups: indexmap::IndexMap<String, Vec<&Entry>> = indexmap::IndexMap::new();
    for e in entries {
        groups.entry(group_key(e)).or_default().push(e);
    }
    let locale =
        styled.locale.clone().or_else(|| styled.style.default_locale.clone()).unwrap_or_else(LocaleCode::en_us);
    let collator = locale.0.parse::<icu_locale::Locale>().ok().and_then(|l| {
        icu_collator::Collator::try_new(l.into(), icu_collator::options::CollatorOptions::default()).ok()
    });
    let mut keys: Vec<String> = groups.keys().cloned().collect();
    // Entries with nothing to sort by (no author, editor or title) go last,
    // in a chunk of their own, as CSL sorts empty keys (hayagriva puts them first).
    match &collator {
        Some(c) => keys.sort_by(|a, b| a.is_empty().cmp(&b.is_empty()).then_with(|| c.compare(a, b))),
        None => keys.sort_by(|a, b| a.is_empty().cmp(&b.is_empty()).then_with(|| a.cmp(b))),
    }
    let mut chunks: Vec<(usize, Vec<&Entry>)> = Vec::new();
    let mut close = true;
    for key in keys {
        close |= key.is_empty();
        let group = groups.swap_remove(&key).expect("a key of the map");
        match chunks.last_mut() {
            Some((_, c)) if !close => c.extend(group),
            _ => chunks.push((0, group)),
        }
        // Chunks end after groups picked by their key, not by a count: an entry
        // added to one group leaves every other chunk, and its cached render, as it was.
        close = boundary(&key) || chunks.last().is_some_and(|(_, c)| c.len() >= 4 * CHUNK);
    }
    // Within a chunk, library order: hayagriva's disambiguation depends on the
    // order citations come in, so each chunk keeps the order a single render has.
    let index: HashMap<*const Entry, usize> =
        entries.iter().enumerate().map(|(i, e)| (*e as *const Entry, i)).collect();
    for (_, chunk) in &mut chunks {
        chunk.sort_by_key(|e| index[&(*e as *const Entry)]);
    }
    chunks
}

/// Whether a chunk ends after this group: about one group in
/// [`CHUNK`] / 5 (groups hold a few entries), decided by the key alone.
fn boundary(key: &str) -> bool {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(key.as_bytes());
    u32::from_be_bytes([h[0], h[1], h[2], h[3]]) % (CHUNK as u32 / 5) == 0
}

/// Sorted entries in chunks of whole author groups ([`group_key`]), each
/// ending after a group picked as [`author_chunks`] picks them.
fn sorted_chunks<'a>(entries: &[&'a Entry]) -> Vec<(usize, Vec<&'a Entry>)> {
    let mut chunks: Vec<(usize, Vec<&Entry>)> = Vec::new();
    let mut last: Option<String> = None;
    for e in entries {
        let key = group_key(e);
        let starts = match (&last, chunks.last()) {
            (Some(k), Some((_, c))) => *k != key && (boundary(k) || c.len() >= 4 * CHUNK),
            _ => true,
        };
        if starts {
            chunks.push((0, Vec::new()));
        }
        chunks.last_mut().expect("a chunk").1.push(e);
        last = Some(key);
    }
    chunks
}

/// What decides an entry's author group: its first author's family name,
/// else its first editor's, else its title; lower-cased.
fn group_key(entry: &Entry) -> String {
    let person = entry.authors().and_then(<[_]>::first).or_else(|| entry.editors().and_then(<[_]>::first));
    match person {
        Some(p) => p.name.to_lowercase(),
        None => entry.title().map(|t| t.value.to_string().to_lowercase()).unwrap_or_default(),
    }
}

/// Whether the bibliography sorts first by author, ascending (a variable, or
/// a macro that renders the author and its substitutes).
fn sorts_by_author(style: &IndependentStyle) -> bool {
    use hayagriva::citationberg::taxonomy::{NameVariable, Variable};
    use hayagriva::citationberg::{SortDirection, SortKey};
    let first = style.bibliography.as_ref().and_then(|b| b.sort.as_ref()).and_then(|s| s.keys.first());
    match first {
        Some(SortKey::Variable { variable: Variable::Name(NameVariable::Author), sort_direction }) => {
            *sort_direction == SortDirection::Ascending
        }
        Some(SortKey::MacroName { name, sort_direction, .. }) => {
            *sort_direction == SortDirection::Ascending
                && ["author", "contributor", "creator"].iter().any(|w| name.contains(w))
        }
        _ => false,
    }
}

/// Rendered text, as plain text.
pub(super) fn plain(children: &ElemChildren) -> String {
    write(children, Markup::Text)
}

fn write(children: &ElemChildren, markup: Markup) -> String {
    let mut out = String::new();
    write_children(children, markup, &mut out);
    out
}

fn write_children(children: &ElemChildren, markup: Markup, out: &mut String) {
    for child in &children.0 {
        write_child(child, markup, out);
    }
}

fn write_child(child: &ElemChild, markup: Markup, out: &mut String) {
    match child {
        ElemChild::Text(t) => styled_text(&t.text, &t.formatting, markup, out),
        ElemChild::Markup(m) => text(m, markup, out),
        ElemChild::Link { text: t, url } if !super::linkable(url) => styled_text(&t.text, &t.formatting, markup, out),
        ElemChild::Link { text: t, url } => match markup {
            Markup::Html => {
                let _ = write!(out, "<a href=\"{}\">", escape(url));
                styled_text(&t.text, &t.formatting, markup, out);
                out.push_str("</a>");
            }
            Markup::Markdown => {
                out.push('[');
                styled_text(&t.text, &t.formatting, markup, out);
                let _ = write!(out, "](<{}>)", url.replace('>', "%3E"));
            }
            Markup::Text | Markup::Latex => styled_text(&t.text, &t.formatting, markup, out),
        },
        ElemChild::Elem(e) => {
            let block = matches!(e.display, Some(Display::Block));
            if markup == Markup::Html && e.display.is_some() {
                let class = match e.display {
                    Some(Display::Block) => "csl-block",
                    Some(Display::LeftMargin) => "csl-left-margin",
                    Some(Display::RightInline) => "csl-right-inline",
                    _ => "csl-indent",
                };
                let _ = write!(out, "<div class=\"{class}\">");
                write_children(&e.children, markup, out);
                out.push_str("</div>");
            } else {
                if block && !out.is_empty() {
                    out.push(if markup == Markup::Text { '\n' } else { ' ' });
                }
                write_children(&e.children, markup, out);
            }
        }
        ElemChild::Transparent { .. } => {}
    }
}

/// Text with its formatting, escaped for the markup.
fn styled_text(t: &str, f: &Formatting, markup: Markup, out: &mut String) {
    let pair = |on: bool, open: &'static str, close: &'static str| on.then_some((open, close));
    let italic = f.font_style == FontStyle::Italic;
    let bold = f.font_weight == FontWeight::Bold;
    let small_caps = f.font_variant == FontVariant::SmallCaps;
    let underline = f.text_decoration == TextDecoration::Underline;
    let (sup, sub) = (f.vertical_align == VerticalAlign::Sup, f.vertical_align == VerticalAlign::Sub);
    // Each markup's (open, close) pairs, outermost first.
    let pairs: Vec<(&str, &str)> = match markup {
        Markup::Text => vec![],
        Markup::Html => [
            pair(italic, "<i>", "</i>"),
            pair(bold, "<b>", "</b>"),
            pair(small_caps, "<span style=\"font-variant: small-caps\">", "</span>"),
            pair(underline, "<u>", "</u>"),
            pair(sup, "<sup>", "</sup>"),
            pair(sub, "<sub>", "</sub>"),
        ]
        .into_iter()
        .flatten()
        .collect(),
        Markup::Markdown => [pair(italic, "*", "*"), pair(bold, "**", "**")].into_iter().flatten().collect(),
        Markup::Latex => [
            pair(italic, "\\emph{", "}"),
            pair(bold, "\\textbf{", "}"),
            pair(small_caps, "\\textsc{", "}"),
            pair(underline, "\\underline{", "}"),
            pair(sup, "\\textsuperscript{", "}"),
            pair(sub, "\\textsubscript{", "}"),
        ]
        .into_iter()
        .flatten()
        .collect(),
    };
    let open: Vec<&str> = pairs.iter().map(|p| p.0).collect();
    let close: Vec<&str> = pairs.iter().rev().map(|p| p.1).collect();
    if open.is_empty() || t.trim().is_empty() {
        text(t, markup, out);
        return;
    }
    // Emphasis markers hug the words: leading and trailing spaces stay outside.
    let lead = &t[..t.len() - t.trim_start().len()];
    let trail = &t[t.trim_end().len()..];
    out.push_str(lead);
    open.iter().for_each(|o| out.push_str(o));
    text(t.trim(), markup, out);
    close.iter().for_each(|c| out.push_str(c));
    out.push_str(trail);
}

/// Text for LaTeX: its ten special characters written as text.
pub fn escape_latex(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    for c in t.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// `t` escaped for the markup, as [`text`] writes it.
pub(super) fn escaped(t: &str, markup: Markup) -> String {
    let mut out = String::new();
    text(t, markup, &mut out);
    out
}

/// Text escaped for the markup.
pub(super) fn text(t: &str, markup: Markup, out: &mut String) {
    let t = &*titles::printed(t);
    match markup {
        Markup::Text => out.push_str(t),
        Markup::Html => out.push_str(&escape(t)),
        Markup::Latex => out.push_str(&escape_latex(t)),
        Markup::Markdown => {
            for c in t.chars() {
                if matches!(c, '\\' | '*' | '_' | '[' | ']' | '<' | '>' | '`' | '#' | '|') {
                    out.push('\\');
                }
                out.push(c);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(yaml: &str) -> Entry {
        hayagriva::io::from_yaml_str(yaml).unwrap().iter().next().unwrap().clone()
    }

    #[test]
    fn html_is_escaped_and_markdown_too() {
        let e = entry(
            "x:\n  type: article\n  title: 'A <script>alert(1)</script> & *stars*'\n  author: Doe, Jane\n  date: 2020\n",
        );
        let apa = load_style("apa", std::path::Path::new("."), None).unwrap();
        let html = &bibliography(&apa, &[&e], Markup::Html, None).items[0].1;
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"), "{html}");
        let md = &bibliography(&apa, &[&e], Markup::Markdown, None).items[0].1;
        assert!(md.contains("\\<script\\>") && md.contains("\\*stars\\*"), "{md}");
        let text = &bibliography(&apa, &[&e], Markup::Text, None).items[0].1;
        assert!(text.starts_with("Doe, J. (2020). A <script>"), "{text}");
    }

    /// 1,000 entries with what couples entries: shared first authors and
    /// years (year suffixes), accented and particle names (collation),
    /// editor-only and title-only entries.
    fn many() -> Vec<Entry> {
        let families =
            ["Smith", "Müller", "Muller", "Mz", "van Gennep", "O'Brien", "Obermann", "Øster", "Zhang", "Ångström"];
        let mut yaml = String::new();
        for i in 0..1000usize {
            let fam = families[i % families.len()];
            let (year, n) = (2000 + (i * 7) % 5, i * 31 % 97);
            let people = match i % 13 {
                0 => format!("  editor: \"{fam}, Ed{n}\"\n"),
                1 => String::new(),
                _ => format!("  author: [\"{fam}, A{}.\", \"Co{n}, B.\"]\n", i % 3),
            };
            yaml.push_str(&format!(
                "e{i}:\n  type: article\n  title: Title number {n} of {i}\n{people}  date: {year}\n"
            ));
        }
        hayagriva::io::from_yaml_str(&yaml).unwrap().iter().cloned().collect()
    }

    /// 1,000 entries with many first authors, some shared, and no two works
    /// of one first author in the same year (so nothing for hayagriva's
    /// disambiguation to couple; see the next tests).
    fn ordinary() -> Vec<Entry> {
        let mut yaml = String::new();
        for i in 0..1000usize {
            let fam = ["Müller", "Smith", "van Gennep", "O'Brien", "Øster", "Ångström"][i % 6];
            let fam = if i % 4 == 0 { fam.to_owned() } else { format!("Name{}", i * 7 % 450) };
            let year = 1000 + i;
            yaml.push_str(&format!(
                "o{i}:\n  type: article\n  title: Study {i}\n  author: [\"{fam}, G{}.\", \"Co{}, B.\"]\n  date: {year}\n",
                i % 5,
                i % 9
            ));
        }
        hayagriva::io::from_yaml_str(&yaml).unwrap().iter().cloned().collect()
    }

    /// The bibliography in one render, in the order [`bibliography`] sorts it.
    fn one_render(styled: &Styled, refs: &[&Entry]) -> Vec<(String, String)> {
        let mended: Vec<Entry> = refs.iter().map(|e| for_render(styled, e).unwrap_or_else(|| (*e).clone())).collect();
        let (order, style) = match &styled.sorter {
            Some(s) => (s.order(styled, refs), &s.style),
            None => ((0..refs.len()).collect(), &styled.style),
        };
        let one: Vec<Cite> = order.iter().map(|&i| Cite { items: vec![(&mended[i], None, Form::Normal)] }).collect();
        render_with(styled, (style, &|_| style), &one, Markup::Html, 0).bibliography
    }

    fn first_difference(split: &[(String, String)], whole: &[(String, String)]) -> Option<String> {
        let i = split.iter().zip(whole).position(|(a, b)| a != b)?;
        Some(format!("at {i}: {:?} vs one render's {:?}", split[i], whole[i]))
    }

    #[test]
    fn chunked_and_parallel_output_is_byte_identical_to_one_render() {
        let dir = tempfile::tempdir().unwrap();
        let (ordinary, colliding) = (ordinary(), many());
        let cases: [(&str, &[Entry]); 6] = [
            ("apa", &ordinary),
            ("chicago-author-date", &ordinary),
            ("modern-language-association", &ordinary),
            ("ieee", &ordinary),
            ("ieee", &colliding),
            ("vancouver", &colliding),
        ];
        for (style, entries) in cases {
            let refs: Vec<&Entry> = entries.iter().collect();
            let styled = load_style(style, std::path::Path::new("."), None).unwrap();
            let whole = one_render(&styled, &refs);
            let split = bibliography(&styled, &refs, Markup::Html, None);
            assert!(split.chunks > 1, "{style}: {} chunks", split.chunks);
            assert_eq!(split.items.len(), whole.len(), "{style}");
            assert_eq!(first_difference(&split.items, &whole), None, "{style}");
            let cold = bibliography(&styled, &refs, Markup::Html, Some(dir.path()));
            let warm = bibliography(&styled, &refs, Markup::Html, Some(dir.path()));
            assert_eq!((cold.reused, warm.reused), (0, warm.chunks), "{style}");
            assert_eq!(warm.items, whole, "{style}: from the cache");
        }
    }

    /// Where one render can be wrong, the grouped one is not: hayagriva's
    /// disambiguation passes share one "something changed" flag across all
    /// ambiguous groups, so one group's name disambiguation can stop year
    /// suffixes for groups after it (in hayagriva's own order, eight
    /// "Ångström (Ed.) 2003" entries came out of one render without them).
    /// Rendered by author group they get 2003a–h. Everything else is the same.
    #[test]
    fn grouped_rendering_differs_from_one_render_only_by_year_suffixes_it_adds() {
        let entries = many();
        let refs: Vec<&Entry> = entries.iter().collect();
        let styled = load_style("apa", std::path::Path::new("."), None).unwrap();
        let whole = one_render(&styled, &refs);
        let split = bibliography(&styled, &refs, Markup::Html, None).items;
        let no_suffix = |v: &[(String, String)]| -> Vec<(String, String)> {
            let re = regex::Regex::new(r"\((\d{4})[a-z]\)").unwrap();
            v.iter().map(|(k, t)| (k.clone(), re.replace_all(t, "($1)").into_owned())).collect()
        };
        assert_eq!(first_difference(&no_suffix(&split), &no_suffix(&whole)), None);
        let edited = |v: &[(String, String)]| -> Vec<String> {
            v.iter()
                .filter(|(_, t)| t.starts_with("Ångström, E. (Ed.). (2003"))
                .map(|(_, t)| t.split(')').nth(1).unwrap_or_default().to_owned())
                .collect()
        };
        let grouped = edited(&split);
        assert!(grouped.len() >= 5, "{grouped:?}");
        let distinct: std::collections::HashSet<&String> = grouped.iter().collect();
        assert_eq!(distinct.len(), grouped.len(), "the grouped render tells them apart: {grouped:?}");
    }

    /// hayagriva gives suffixes to three alike sets per render, and in
    /// citation order: four authors with two works each in one year, listed
    /// in reverse title order, get a and b each, in bibliography order.
    #[test]
    fn year_suffixes_for_every_set_in_bibliography_order() {
        let yaml: String = ["Adams", "Baker", "Clark", "Davis"]
            .iter()
            .flat_map(|a| {
                ["Two", "One"]
                    .map(|t| format!("{a}{t}:\n  type: book\n  title: Book {t}\n  author: {a}, W.\n  date: 2001\n"))
            })
            .collect();
        let library = hayagriva::io::from_yaml_str(&yaml).unwrap();
        let refs: Vec<&Entry> = library.iter().collect();
        let styled = load_style("apa", std::path::Path::new("."), None).unwrap();
        let texts: Vec<String> =
            bibliography(&styled, &refs, Markup::Text, None).items.into_iter().map(|(_, t)| t).collect();
        for a in ["Adams", "Baker", "Clark", "Davis"] {
            assert!(texts.contains(&format!("{a}, W. (2001a). Book One.")), "{texts:#?}");
            assert!(texts.contains(&format!("{a}, W. (2001b). Book Two.")), "{texts:#?}");
        }
    }

    /// A locale file takes the place of the bundled locale of its language:
    /// hayagriva's en-US abbreviates September "Sept.", the CSL locales
    /// repository's current one (and TeX Live's copy) "Sep.".
    #[test]
    fn a_locale_file_replaces_the_bundled_locale_of_its_language() {
        let dir = tempfile::tempdir().unwrap();
        let csl = r#"<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
            <info><title>Months</title><id>months</id><updated>2026-01-01T00:00:00+00:00</updated></info>
            <citation><layout><text variable="title"/></layout></citation>
            <bibliography><layout><date variable="issued">
              <date-part name="month" form="short" suffix=" "/><date-part name="year"/>
            </date></layout></bibliography></style>"#;
        std::fs::write(dir.path().join("months.csl"), csl).unwrap();
        let terms = r#"<terms><term name="month-09" form="short">Sep.</term></terms>"#;
        let file = |lang: &str| {
            format!(r#"<locale xmlns="http://purl.org/net/xbiblio/csl" version="1.0"{lang}>{terms}</locale>"#)
        };
        std::fs::write(dir.path().join("locales-en-US.xml"), file(r#" xml:lang="en-US""#)).unwrap();
        std::fs::write(dir.path().join("nolang.xml"), file("")).unwrap();
        std::fs::write(dir.path().join("broken.xml"), "<locale><terms>").unwrap();
        let library = hayagriva::io::from_yaml_str("a:\n  type: article\n  title: Fonts\n  date: 1969-09\n").unwrap();
        let refs: Vec<&Entry> = library.iter().collect();
        let month = |locale: Option<&str>| {
            let styled = load_style("months.csl", dir.path(), locale).unwrap();
            bibliography(&styled, &refs, Markup::Text, None).items.remove(0).1
        };
        assert_eq!(month(None), "Sept. 1969");
        assert_eq!(month(Some("locales-en-US.xml")), "Sep. 1969");
        let err = load_style("months.csl", dir.path(), Some("nolang.xml")).err().unwrap();
        assert!(err.contains("nolang.xml is not a usable CSL locale") && err.contains("lang"), "{err}");
        let err = load_style("months.csl", dir.path(), Some("broken.xml")).err().unwrap();
        assert!(err.contains("broken.xml is not a usable CSL locale"), "{err}");
    }

    #[test]
    fn unknown_styles_suggest_close_names() {
        let err = load_style("chicago-author", std::path::Path::new("."), None).err().unwrap();
        assert!(err.contains("chicago-author-date"), "{err}");
        let err = load_style("apa", std::path::Path::new("."), Some("xx-YY")).err().unwrap();
        assert!(err.contains("unknown locale"), "{err}");
    }
}
