//! A bibliography's order as citeproc-js, the reference CSL processor,
//! sorts it. hayagriva 0.10.1 compares sort keys with ICU's default
//! collation: punctuation, spaces, case and accents count, and `10` sorts
//! before `9` (docs/upstream/hayagriva-collation.md). citeproc-js compares
//! them lower-cased at primary strength, punctuation ignored, numbers by
//! value, and word breaks first.
//! In a run of works by one author in one year that order is the order of
//! their year suffixes. So the style's sort keys are rendered by hayagriva,
//! each entry once, by a copy of the style whose bibliography prints them
//! ([`Sorter`]); they are compared here as citeproc-js compares them; and the
//! bibliography is rendered in that order by the style without its sort.

use std::cmp::Ordering;

use hayagriva::citationberg::taxonomy::Variable;
use hayagriva::citationberg::{
    Date, DatePartName, DateParts, DemoteNonDroppingParticle, IndependentStyle, InheritableNameOptions,
    LayoutRenderingElement, Name, NameForm, NamesChild, SortDirection, SortKey, TextTarget,
};
use hayagriva::{BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, Entry};

use super::csl::Styled;
use super::styles;

/// Opens each key in the key style's output (the letter keeps hayagriva
/// from merging two markers as a repeated affix).
const KEY: &str = "\u{F0010}K";
/// Around a date, and between its parts, in a key.
const DATE_OPEN: char = '\u{F0011}';
const DATE_PART: char = '\u{F0012}';
const DATE_CLOSE: char = '\u{F0013}';
/// A space a name begins with, which hayagriva trims and citeproc-js sorts
/// first (pandoc's leftover of `{\TeX} future working group`).
const LEADING_SPACE: char = '\u{F0014}';

/// A style's bibliography sort, done as citeproc-js does it.
#[derive(Debug, Clone)]
pub struct Sorter {
    /// A copy of the style whose bibliography prints each entry's sort keys,
    /// as CSL renders sort keys: names family first and without "and"
    /// (`name-as-sort-order="all"`), dates as year, month and day.
    keys: IndependentStyle,
    /// Whether each key sorts descending.
    descending: Vec<bool>,
    /// The style without its bibliography's sort.
    pub style: IndependentStyle,
    /// Its [`styles::keyed`] copy, also without.
    pub keyed: Option<IndependentStyle>,
}

impl Sorter {
    /// The sorter for a style whose bibliography sorts, or `None`.
    pub fn new(style: &IndependentStyle, keyed: Option<&IndependentStyle>) -> Option<Sorter> {
        let sort = style.bibliography.as_ref()?.sort.as_ref()?;
        let mut keys = style.clone();
        // A particle demoted for sorting only is demoted here (`Gogh, van`).
        if keys.settings.demote_non_dropping_particle == DemoteNonDroppingParticle::SortOnly {
            keys.settings.demote_non_dropping_particle = DemoteNonDroppingParticle::DisplayAndSort;
        }
        let originals = keys.macros.clone();
        for m in &mut keys.macros {
            for_sorting(&mut m.children, None, None)?;
        }
        let mut layout = String::new();
        for (i, key) in sort.keys.iter().enumerate() {
            layout.push_str(&format!(r#"<text value="{KEY}"/>"#));
            match key {
                SortKey::MacroName { name, names_min, names_use_first, names_use_last, .. } => {
                    let et_al = (*names_min, *names_use_first, *names_use_last);
                    let name = if et_al == (None, None, None) {
                        name.clone()
                    } else {
                        // The key's own copy of the macros, its names cut as the key says.
                        let suffix = format!("{KEY}{i}");
                        for m in &originals {
                            let mut copy = m.clone();
                            copy.name.push_str(&suffix);
                            retarget(&mut copy.children, &suffix);
                            for_sorting(&mut copy.children, Some(et_al), None)?;
                            keys.macros.push(copy);
                        }
                        format!("{name}{suffix}")
                    };
                    layout.push_str(&format!(r#"<text macro="{}"/>"#, crate::findings::escape(&name)));
                }
                SortKey::Variable { variable: Variable::Date(d), .. } => layout.push_str(&date_xml(&d.to_string(), 3)),
                SortKey::Variable { variable: Variable::Name(n), .. } => layout.push_str(&format!(
                    r#"<names variable="{n}"><name name-as-sort-order="all" sort-separator=" " delimiter=" "/></names>"#
                )),
                SortKey::Variable { variable, .. } => layout.push_str(&format!(r#"<text variable="{variable}"/>"#)),
            }
        }
        // Names in a sort key end without "et al." (an empty term instead).
        let terms = r#"<locale><terms><term name="et-al"></term><term name="and others"></term></terms></locale>"#;
        let bibliography = format!("{terms}<bibliography><layout>{layout}</layout></bibliography>");
        let parsed = IndependentStyle::from_xml(&styles::skeleton("", &bibliography)).ok()?;
        keys.locale.splice(0..0, parsed.locale);
        keys.citation = styles::key_citation()?;
        let bibliography = keys.bibliography.as_mut()?;
        bibliography.layout = parsed.bibliography?.layout;
        bibliography.sort = None;
        bibliography.subsequent_author_substitute = None;
        bibliography.second_field_align = None;
        bibliography.name_options.and = None;
        keys.settings.options.and = None;
        let descending = sort.keys.iter().map(|k| k.sort_direction() == SortDirection::Descending).collect();
        let unsorted = |s: &IndependentStyle| {
            let mut s = s.clone();
            if let Some(b) = s.bibliography.as_mut() {
                b.sort = None;
            }
            s
        };
        Some(Sorter { keys, descending, style: unsorted(style), keyed: keyed.map(unsorted) })
    }

    /// The entries' order: indices into `entries`, the bibliography's first.
    /// Entries whose keys all compare equal keep their order, as
    /// citeproc-js keeps them; an empty key sorts last either way, as CSL
    /// sorts it.
    pub fn order(&self, styled: &Styled, entries: &[&Entry]) -> Vec<usize> {
        let slices: Vec<&[&Entry]> = entries.chunks(super::csl::CHUNK).collect();
        let keys: Vec<Vec<String>> =
            super::csl::in_parallel(&slices, |slice| self.rendered(styled, slice)).into_iter().flatten().collect();
        let collator = collator(styled);
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by(|&a, &b| {
            for (i, descending) in self.descending.iter().enumerate() {
                let (x, y) = (keys[a].get(i).map_or("", String::as_str), keys[b].get(i).map_or("", String::as_str));
                let ordering = match (x.is_empty(), y.is_empty()) {
                    (true, true) => Ordering::Equal,
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    (false, false) => {
                        let o = match &collator {
                            Some(c) => c.compare(x, y),
                            None => x.cmp(y),
                        };
                        if *descending { o.reverse() } else { o }
                    }
                };
                if ordering != Ordering::Equal {
                    return ordering;
                }
            }
            Ordering::Equal
        });
        order
    }

    /// Each entry's keys, as compared.
    fn rendered(&self, styled: &Styled, entries: &[&Entry]) -> Vec<Vec<String>> {
        let marked: Vec<Option<Entry>> = entries
            .iter()
            .map(|e| {
                let led = super::titles::names_led(e, &LEADING_SPACE.to_string());
                super::titles::particles_kept(led.as_ref().unwrap_or(e)).or(led)
            })
            .collect();
        let mut driver = BibliographyDriver::new();
        for (e, m) in entries.iter().zip(&marked) {
            let item = CitationItem::new(m.as_ref().unwrap_or(e), None, None, false, None);
            driver.citation(CitationRequest::new(vec![item], &self.keys, styled.locale.clone(), &styled.locales, None));
        }
        let request = BibliographyRequest::new(&self.keys, styled.locale.clone(), &styled.locales);
        let mut by_key: std::collections::HashMap<String, Vec<String>> = driver
            .finish(request)
            .bibliography
            .map(|b| {
                b.items
                    .into_iter()
                    .map(|item| {
                        let text = super::csl::plain(&item.content);
                        let end = styled.year_ends.get(&item.key).copied();
                        let keys = text.split(KEY).skip(1).map(|k| compared(k, end)).collect();
                        (item.key, keys)
                    })
                    .collect()
            })
            .unwrap_or_default();
        entries.iter().map(|e| by_key.remove(e.key()).unwrap_or_default()).collect()
    }
}

/// A key as citeproc-js compares it: dates as year, month and day, zeros
/// for the parts a date lacks, and a date range's last year after them
/// (`end`, so `1984` sorts before `1984–1986`); lower-cased; each space a
/// `|`, and one after.
fn compared(key: &str, end: Option<i32>) -> String {
    let mut out = String::with_capacity(key.len());
    let mut rest = key;
    while let Some(open) = rest.find(DATE_OPEN) {
        out.push_str(&rest[..open]);
        let after = &rest[open + DATE_OPEN.len_utf8()..];
        let close = after.find(DATE_CLOSE).unwrap_or(after.len());
        let mut parts = after[..close].split(DATE_PART).map(|p| {
            let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
            digits.parse::<u32>().unwrap_or(0)
        });
        let (y, m, d) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0), parts.next().unwrap_or(0));
        out.push_str(&format!("{y:04}{m:02}{d:02}"));
        if let Some(end) = end {
            out.push_str(&format!("-{end:04}"));
        }
        rest = after.get(close + DATE_CLOSE.len_utf8()..).unwrap_or("");
    }
    out.push_str(rest);
    if out.is_empty() {
        return out;
    }
    // citeproc-js joins a key's words with `|` and ends it with one: a
    // symbol, which its collation does not ignore, so word breaks sort first.
    let mut key = out.to_lowercase().replace([' ', LEADING_SPACE, super::titles::KEPT_SPACE], "|");
    key.push('|');
    key
}

/// citeproc-js's comparison: primary strength, punctuation and spaces
/// ignored, numbers by value, in the bibliography's locale.
fn collator(styled: &Styled) -> Option<icu_collator::CollatorBorrowed<'static>> {
    use icu_collator::options::{AlternateHandling, CollatorOptions, Strength};
    use icu_collator::preferences::CollationNumericOrdering;
    let locale = styled.locale.as_ref().or(styled.style.default_locale.as_ref()).map_or("en-US", |l| l.0.as_str());
    let locale = locale.parse::<icu_locale::Locale>().ok()?;
    let mut prefs = icu_collator::CollatorPreferences::from(locale);
    prefs.numeric_ordering = Some(CollationNumericOrdering::True);
    let mut options = CollatorOptions::default();
    options.strength = Some(Strength::Primary);
    options.alternate_handling = Some(AlternateHandling::Shifted);
    icu_collator::Collator::try_new(prefs, options).ok()
}

/// Macros rendered as CSL renders sort keys: a date as its year, month and
/// day (those the date prints) between markers; names family first, with
/// no "and" and no label (`eds.`), in a `substitute` or not. `None` where an element cannot be
/// rewritten.
fn for_sorting(
    elements: &mut [LayoutRenderingElement],
    et_al: Option<(Option<u32>, Option<u32>, Option<bool>)>,
    substitute: Option<&Name>,
) -> Option<()> {
    for element in elements {
        match element {
            LayoutRenderingElement::Date(d) => {
                if let Some(variable) = d.variable {
                    *d = date_key(d, &variable.to_string())?;
                }
            }
            LayoutRenderingElement::Names(names) => {
                names.and = None;
                // A key holds the names alone (`Okafor, ed.` sorts as `Okafor`).
                names.children.retain(|c| !matches!(c, NamesChild::Label(_)));
                // Names in a substitute without a name of their own take
                // their parent's (already rewritten), as CSL has them.
                let own = names.children.iter().find_map(|c| match c {
                    NamesChild::Name(n) => Some(n),
                    _ => None,
                });
                let name = match (own, substitute) {
                    (Some(n), _) => sort_name(n, et_al)?,
                    (None, Some(parent)) => parent.clone(),
                    (None, None) => sort_name(&Name::default(), et_al)?,
                };
                names.children.retain(|c| !matches!(c, NamesChild::Name(_)));
                names.children.insert(0, NamesChild::Name(name.clone()));
                for child in &mut names.children {
                    if let NamesChild::Substitute(s) = child {
                        for_sorting(&mut s.children, et_al, Some(&name))?;
                    }
                }
            }
            LayoutRenderingElement::Group(g) => for_sorting(&mut g.children, et_al, substitute)?,
            LayoutRenderingElement::Choose(c) => {
                for branch in std::iter::once(&mut c.if_).chain(c.else_if.iter_mut()) {
                    for_sorting(&mut branch.children, et_al, substitute)?;
                }
                if let Some(otherwise) = c.otherwise.as_mut() {
                    for_sorting(&mut otherwise.children, et_al, substitute)?;
                }
            }
            _ => {}
        }
    }
    Some(())
}

/// Every macro a text element calls renamed with `suffix`.
fn retarget(elements: &mut [LayoutRenderingElement], suffix: &str) {
    for element in elements {
        match element {
            LayoutRenderingElement::Text(t) => {
                if let TextTarget::Macro { name } = &mut t.target {
                    name.push_str(suffix);
                }
            }
            LayoutRenderingElement::Names(names) => {
                for child in &mut names.children {
                    if let NamesChild::Substitute(s) = child {
                        retarget(&mut s.children, suffix);
                    }
                }
            }
            LayoutRenderingElement::Group(g) => retarget(&mut g.children, suffix),
            LayoutRenderingElement::Choose(c) => {
                for branch in std::iter::once(&mut c.if_).chain(c.else_if.iter_mut()) {
                    retarget(&mut branch.children, suffix);
                }
                if let Some(otherwise) = c.otherwise.as_mut() {
                    retarget(&mut otherwise.children, suffix);
                }
            }
            _ => {}
        }
    }
}

/// A date element printing what `d` prints of its date as a key.
fn date_key(d: &Date, variable: &str) -> Option<Date> {
    let parts = if d.form.is_some() {
        match d.parts.unwrap_or_default() {
            DateParts::Year => 1,
            DateParts::YearMonth => 2,
            DateParts::YearMonthDay => 3,
        }
    } else {
        let named = |n| d.date_part.iter().any(|p| p.name == n);
        if named(DatePartName::Day) {
            3
        } else if named(DatePartName::Month) {
            2
        } else {
            1
        }
    };
    let xml =
        styles::skeleton("", &format!("<bibliography><layout>{}</layout></bibliography>", date_xml(variable, parts)));
    match IndependentStyle::from_xml(&xml).ok()?.bibliography?.layout.elements.into_iter().next()? {
        LayoutRenderingElement::Date(date) => Some(date),
        _ => None,
    }
}

/// A date element printing the first `parts` of year, month and day
/// between [`DATE_OPEN`] and [`DATE_CLOSE`].
fn date_xml(variable: &str, parts: usize) -> String {
    let names =
        ["<date-part name=\"year\"/>", "<date-part name=\"month\" form=\"numeric\"/>", "<date-part name=\"day\"/>"];
    format!(
        r#"<date variable="{variable}" prefix="{DATE_OPEN}" suffix="{DATE_CLOSE}" delimiter="{DATE_PART}">{}</date>"#,
        names[..parts].concat()
    )
}

/// `name` as a sort key prints it: family name first, separated by spaces,
/// with its form and initials, and the key's et-al settings where it has them.
fn sort_name(name: &Name, et_al: Option<(Option<u32>, Option<u32>, Option<bool>)>) -> Option<Name> {
    let inherited = InheritableNameOptions::default();
    let own = name.options(&inherited);
    let form = match own.form {
        NameForm::Long => "long",
        NameForm::Short => "short",
        NameForm::Count => "count",
    };
    let mut xml = format!(r#"<name name-as-sort-order="all" sort-separator=" " form="{form}""#);
    if !own.initialize {
        xml.push_str(r#" initialize="false""#);
    }
    if let Some(with) = own.initialize_with {
        xml.push_str(&format!(r#" initialize-with="{}""#, crate::findings::escape(with)));
    }
    let (min, first, last) = et_al.unwrap_or_default();
    let (min, first, last) = (min.or(own.et_al_min), first.or(own.et_al_use_first), last.or(Some(own.et_al_use_last)));
    if let Some(min) = min {
        xml.push_str(&format!(r#" et-al-min="{min}""#));
    }
    if let Some(first) = first {
        xml.push_str(&format!(r#" et-al-use-first="{first}""#));
    }
    if last == Some(true) {
        xml.push_str(r#" et-al-use-last="true""#);
    }
    xml.push_str("/>");
    let style = styles::skeleton(&format!(r#"<layout><names variable="author">{xml}</names></layout>"#), "");
    let parsed = IndependentStyle::from_xml(&style).ok()?;
    match parsed.citation.layout.elements.into_iter().next()? {
        LayoutRenderingElement::Names(n) => n.children.into_iter().find_map(|c| match c {
            NamesChild::Name(n) => Some(n),
            _ => None,
        }),
        _ => None,
    }
}
