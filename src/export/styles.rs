//! Mends to a parsed style before it renders, for what hayagriva 0.10.1
//! reads differently from CSL processors: a sort key on a date macro, a
//! label of an empty variable, a page label's `plural` attribute, a test of
//! several types, and a version of any type.

use super::titles::Leading;
use hayagriva::citationberg::taxonomy::{
    NumberOrPageVariable, NumberVariable, PageVariable, StandardVariable, Variable,
};
use hayagriva::citationberg::{
    ChooseBranch, ChooseMatch, IndependentStyle, Label, LabelPluralize, LayoutRenderingElement, Text, TextTarget,
};

/// Every mend below, in place.
/// Returns whether the style's `version` now reads the printing number
/// ([`version_as_printing`]).
pub(super) fn mend(style: &mut IndependentStyle) -> bool {
    sort_dates_as_dates(style);
    let version_as_printing = version_as_printing(style);
    labels_of_empty_variables(style);
    page_labels_as_set(style);
    types_as_any(style);
    version_as_printing
}

/// A `type` test of several types matches an item of any of them, as
/// citeproc-js reads it whatever the branch's `match` (ASA's `<if
/// type="thesis manuscript">` for a thesis), where hayagriva 0.10.1 takes
/// each type as one more test under `match="all"`, which no item passes
/// (docs/upstream/hayagriva-type-test-all.md). Under `match="all"`, such a
/// branch is made `match="any"` where it tests nothing else, and split into
/// one branch per type otherwise.
fn types_as_any(style: &mut IndependentStyle) {
    each_element(style, &mut |element| {
        if let LayoutRenderingElement::Choose(c) = element {
            let all: Vec<ChooseBranch> = std::iter::once(c.if_.clone()).chain(c.else_if.drain(..)).collect();
            let mut all = all.into_iter().flat_map(one_type_each);
            c.if_ = all.next().unwrap_or_else(|| c.if_.clone());
            c.else_if = all.collect();
        }
        true
    });
}

/// The branch as branches hayagriva reads as citeproc-js reads it.
fn one_type_each(branch: ChooseBranch) -> Vec<ChooseBranch> {
    let types = match &branch.type_ {
        Some(t) if t.len() > 1 && branch.match_ == ChooseMatch::All => t.clone(),
        _ => return vec![branch],
    };
    let alone = branch.disambiguate.is_none()
        && branch.is_numeric.is_none()
        && branch.is_uncertain_date.is_none()
        && branch.locator.is_none()
        && branch.position.is_none()
        && branch.variable.is_none();
    if alone {
        return vec![ChooseBranch { match_: ChooseMatch::Any, ..branch }];
    }
    types.into_iter().map(|t| ChooseBranch { type_: Some(vec![t]), ..branch.clone() }).collect()
}

/// A sort key that calls a macro rendering one whole date (APA's
/// `date-sort-date`: `<date variable="issued" form="numeric"/>`) sorts by
/// that date, as CSL sorts dates in macros (year, month, day) and citeproc-js
/// does. hayagriva 0.10.1 compares the macro's text instead, so `11/1990`
/// came before `4/1990` and year suffixes followed that order
/// (docs/upstream/hayagriva-date-macro-sort.md). Such keys are made date
/// variable keys, which hayagriva compares as dates.
fn sort_dates_as_dates(style: &mut IndependentStyle) {
    use hayagriva::citationberg::taxonomy::Variable;
    use hayagriva::citationberg::{DatePartName, DateParts, LayoutRenderingElement, SortKey};
    let whole_date = |name: &str| {
        let m = style.macros.iter().find(|m| m.name == name)?;
        let [LayoutRenderingElement::Date(date)] = m.children.as_slice() else { return None };
        let parts = date.parts.unwrap_or_default() == DateParts::YearMonthDay;
        let named = |n: DatePartName| date.date_part.iter().any(|p| p.name == n);
        let all_named = date.date_part.is_empty()
            || [DatePartName::Year, DatePartName::Month, DatePartName::Day].into_iter().all(named);
        (parts && all_named).then_some(date.variable?)
    };
    let mend = |sort: Option<&mut hayagriva::citationberg::Sort>| {
        for key in sort.map(|s| s.keys.iter_mut()).into_iter().flatten() {
            if let SortKey::MacroName { name, sort_direction, .. } = key
                && let Some(variable) = whole_date(name)
            {
                *key = SortKey::Variable { variable: Variable::Date(variable), sort_direction: *sort_direction };
            }
        }
    };
    mend(style.bibliography.as_mut().and_then(|b| b.sort.as_mut()));
    mend(style.citation.sort.as_mut());
}

/// Whether the style prints the item's language (`<text
/// variable="language"/>`), which an entry rendered as English would change.
pub(super) fn prints_language(style: &IndependentStyle) -> bool {
    any_text(style, &|t| {
        matches!(&t.target, TextTarget::Variable { var: Variable::Standard(StandardVariable::Language), .. })
    })
}

/// What to do with the spaces a title begins with
/// ([`titles::mended`](super::titles::mended)): where the style title-cases
/// titles (their long form), hayagriva's title case trims them; if it also keeps citation
/// order, they are trimmed (with a leading space hayagriva also dropped the
/// delimiter's before the title: ACS's `Anonymous.Macro Index`), else kept,
/// and the first word capitalised where at least a third of the style's
/// titles are title-cased (Chicago's 4 of 9 in its note styles; not APA's 1
/// of 13, a treaty's).
/// Elsewhere they are kept, as CSL processors print and sort them.
pub(super) fn leading_spaces(style: &IndependentStyle) -> Leading {
    let long_title = |t: &hayagriva::citationberg::Text| {
        matches!(
            &t.target,
            TextTarget::Variable {
                var: Variable::Standard(StandardVariable::Title),
                form: hayagriva::citationberg::LongShortForm::Long
            }
        )
    };
    let title_cased =
        count_texts(style, &|t| long_title(t) && t.text_case == Some(hayagriva::citationberg::TextCase::TitleCase));
    let sorted = style.bibliography.as_ref().is_some_and(|b| b.sort.is_some());
    match (title_cased, sorted) {
        (0, _) => Leading::Kept,
        (_, false) => Leading::Trimmed,
        (n, true) if 3 * n >= count_texts(style, &long_title) => Leading::Capitalised,
        _ => Leading::Kept,
    }
}

/// Whether any `cs:text` of the style (its macros and layouts) is one `is`.
fn any_text(style: &IndependentStyle, is: &dyn Fn(&hayagriva::citationberg::Text) -> bool) -> bool {
    count_texts(style, is) > 0
}

/// How many `cs:text` of the style (its macros and layouts) are one `is`.
fn count_texts(style: &IndependentStyle, is: &dyn Fn(&hayagriva::citationberg::Text) -> bool) -> usize {
    let mut all = Vec::new();
    let layouts = [Some(&style.citation.layout), style.bibliography.as_ref().map(|b| &b.layout)];
    for list in style.macros.iter().map(|m| &m.children).chain(layouts.into_iter().flatten().map(|l| &l.elements)) {
        elements(list, None, &mut Vec::new(), &mut all);
    }
    all.iter().filter(|e| matches!(e, LayoutRenderingElement::Text(t) if is(t))).count()
}

/// Every element of `list` and of the groups, branches and names'
/// substitutes in it, in document order; with `style`, the macros it calls
/// too, each at its first call.
fn elements<'s>(
    list: &'s [LayoutRenderingElement],
    style: Option<&'s IndependentStyle>,
    seen: &mut Vec<&'s str>,
    out: &mut Vec<&'s LayoutRenderingElement>,
) {
    for e in list {
        out.push(e);
        match e {
            LayoutRenderingElement::Text(t) => {
                if let (TextTarget::Macro { name }, Some(style)) = (&t.target, style)
                    && !seen.contains(&name.as_str())
                {
                    seen.push(name);
                    for m in style.macros.iter().filter(|m| &m.name == name) {
                        elements(&m.children, Some(style), seen, out);
                    }
                }
            }
            LayoutRenderingElement::Names(n) => {
                if let Some(sub) = n.substitute() {
                    elements(&sub.children, style, seen, out);
                }
            }
            LayoutRenderingElement::Group(g) => elements(&g.children, style, seen, out),
            LayoutRenderingElement::Choose(c) => {
                for children in c.branches().map(|b| &b.children).chain(c.otherwise.as_ref().map(|o| &o.children)) {
                    elements(children, style, seen, out);
                }
            }
            _ => {}
        }
    }
}

/// Whether the bibliography prints a page label that takes its number from
/// the range (`<label variable="page">`, `plural="contextual"`): the only
/// label [`super::pages::mend`] may make plural. Labels with another
/// `plural` are terms by now ([`page_labels_as_set`]).
pub(super) fn labels_pages_by_range(style: &IndependentStyle) -> bool {
    reached(style, Part::Bibliography).iter().any(|e| {
        matches!(e, LayoutRenderingElement::Label(l) if l.variable == NumberOrPageVariable::Page(PageVariable::Page))
    })
}

/// The suffix of the macro a bibliography entry opens with, where it opens
/// with one (`<text macro="author" suffix="."/>`).
pub(super) fn opening_macro_suffix(style: &IndependentStyle) -> Option<&str> {
    match style.bibliography.as_ref()?.layout.elements.first()? {
        LayoutRenderingElement::Text(t) if matches!(t.target, TextTarget::Macro { .. }) => {
            t.affixes.suffix.as_deref().filter(|s| !s.is_empty())
        }
        _ => None,
    }
}

/// What the style's citation or bibliography layout reaches, macros followed.
fn reached(style: &IndependentStyle, part: Part) -> Vec<&LayoutRenderingElement> {
    let layout = match part {
        Part::Citation => Some(&style.citation.layout),
        Part::Bibliography => style.bibliography.as_ref().map(|b| &b.layout),
    };
    let mut out = Vec::new();
    if let Some(l) = layout {
        elements(&l.elements, Some(style), &mut Vec::new(), &mut out);
    }
    out
}

/// A copy of the style for rendering its bibliography alone, whose
/// citations print the entry's key, so that none reads like another and
/// none is disambiguated: hayagriva 0.10.1 gives a bibliography entry the
/// name forms its citation was disambiguated with (APA's `Eppstein, D.`
/// printed `Eppstein.` when another Eppstein wrote in the same year,
/// docs/upstream/hayagriva-bibliography-name-disambiguation.md), where CSL
/// disambiguates citations only. `None` when the bibliography needs the
/// style's own citations: it tests `disambiguate="true"`, or prints the
/// given names its citations add ([`expands_names_in_bibliography`]).
pub(super) fn keyed(style: &IndependentStyle) -> Option<IndependentStyle> {
    let tests = |e: &&LayoutRenderingElement| matches!(e, LayoutRenderingElement::Choose(c) if c.branches().any(|b| b.disambiguate == Some(true)));
    style.bibliography.as_ref()?;
    if reached(style, Part::Bibliography).iter().any(tests) || expands_names_in_bibliography(style) {
        return None;
    }
    let mut copy = style.clone();
    copy.citation = key_citation()?;
    Some(copy)
}

/// A citation that prints the entry's key, and so tells every entry apart
/// without disambiguating anything.
pub(super) fn key_citation() -> Option<hayagriva::citationberg::Citation> {
    Some(IndependentStyle::from_xml(&skeleton("", "")).ok()?.citation)
}

/// The text of a style with `citation`'s layout (else [`key_citation`]'s)
/// followed by `rest` (macros must come first, a bibliography after).
pub(super) fn skeleton(citation: &str, rest: &str) -> String {
    let citation = if citation.is_empty() { r#"<layout><text variable="citation-key"/></layout>"# } else { citation };
    format!(
        r#"<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"><info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info><citation>{citation}</citation>{rest}</style>"#
    )
}

/// The `et-al-min` and `et-al-use-first` of the style's citations.
pub(super) fn cited_et_al(style: &IndependentStyle) -> Option<(usize, usize)> {
    let (name, inherited) = first_name(style, Part::Citation)?;
    let options = name.options(&inherited);
    options.et_al_min.zip(options.et_al_use_first).map(|(m, f)| (m as usize, f as usize))
}

/// Whether citeproc-js would print given names that tell citations apart
/// in the bibliography too: a `by-cite` or `all-names` rule adds whole given
/// names to a citation (`Pavlidis, Theo` and `Pavlidis, Theodosios`), and
/// a bibliography that prints initials (`Pavlidis, T.`) then prints them.
/// hayagriva's bibliography takes the citation's name forms
/// ([`keyed`]), which does the same here.
fn expands_names_in_bibliography(style: &IndependentStyle) -> bool {
    use hayagriva::citationberg::DisambiguationRule as Rule;
    let citation = &style.citation;
    let expands = citation.disambiguate_add_givenname
        && matches!(citation.givenname_disambiguation_rule, Rule::ByCite | Rule::AllNames);
    expands
        && first_name(style, Part::Bibliography).is_some_and(|(name, inherited)| {
            let options = name.options(&inherited);
            options.initialize && options.initialize_with.is_some()
        })
}

/// How the bibliography's authors' names take initials: the first author
/// `cs:name` it reaches that gives `initialize-with`
/// ([`names::initials_normalised`](super::names::initials_normalised)).
pub(super) fn initials(style: &IndependentStyle) -> Option<super::names::Initials> {
    use hayagriva::citationberg::taxonomy::NameVariable;
    let inherited = style.settings.options.apply(&style.bibliography.as_ref()?.name_options);
    let options = reached(style, Part::Bibliography).into_iter().find_map(|e| match e {
        LayoutRenderingElement::Names(n) if n.variable.contains(&NameVariable::Author) => {
            n.name().map(|name| name.options(&inherited)).filter(|o| o.initialize_with.is_some())
        }
        _ => None,
    })?;
    Some(super::names::Initials {
        terminator: options.initialize_with?.to_string(),
        hyphen: style.settings.initialize_with_hyphen,
        initialize: options.initialize,
    })
}

/// Whether the style prints an edition that is text only with
/// `text-case="capitalize-first"` (MLA), which citeproc-js applies to each
/// part ([`numbers::edition_parts_capitalised`](super::numbers::edition_parts_capitalised)).
pub(super) fn capitalises_edition_parts(style: &IndependentStyle) -> bool {
    let edition = |t: &hayagriva::citationberg::Text| {
        matches!(&t.target, TextTarget::Variable { var: Variable::Number(NumberVariable::Edition), .. })
    };
    let first = |t: &hayagriva::citationberg::Text| {
        edition(t) && t.text_case == Some(hayagriva::citationberg::TextCase::CapitalizeFirst)
    };
    let all = count_texts(style, &edition);
    all > 0 && count_texts(style, &first) == all
}

/// A style's `version` (texts, numbers, conditions and sort keys) read as
/// `printing-number`, where the style has no `printing-number` of its own:
/// CSL gives every type a version (MLA prints arXiv's `3,`), hayagriva
/// 0.10.1 software only, and its printing number any type. Whether it was;
/// for the render, an entry's version is then its printing number too
/// ([`numbers::version_as_printing`](super::numbers::version_as_printing)).
fn version_as_printing(style: &mut IndependentStyle) -> bool {
    let version = Variable::Number(NumberVariable::Version);
    let printing = Variable::Number(NumberVariable::PrintingNumber);
    let mut uses = (false, false);
    each_variable(style, &mut |v| {
        uses.0 |= *v == version;
        uses.1 |= *v == printing;
    });
    let reads = uses.0 && !uses.1;
    if reads {
        each_variable(style, &mut |v| {
            if *v == version {
                *v = printing;
            }
        });
    }
    reads
}

/// Calls `f` with every variable the style's texts, numbers, conditions
/// and sort keys read (not labels: a label's term is its variable's).
fn each_variable(style: &mut IndependentStyle, f: &mut dyn FnMut(&mut Variable)) {
    fn number(v: &mut NumberOrPageVariable, f: &mut dyn FnMut(&mut Variable)) {
        if let NumberOrPageVariable::Number(n) = v {
            let mut var = Variable::Number(*n);
            f(&mut var);
            if let Variable::Number(new) = var {
                *n = new;
            }
        }
    }
    each_element(style, &mut |element| {
        match element {
            LayoutRenderingElement::Text(t) => {
                if let TextTarget::Variable { var, .. } = &mut t.target {
                    f(var);
                }
            }
            LayoutRenderingElement::Number(n) => number(&mut n.variable, f),
            LayoutRenderingElement::Choose(c) => {
                for branch in std::iter::once(&mut c.if_).chain(c.else_if.iter_mut()) {
                    branch.variable.iter_mut().chain(branch.is_numeric.iter_mut()).flatten().for_each(&mut *f);
                }
            }
            _ => {}
        }
        true
    });
    let sorts = [style.citation.sort.as_mut(), style.bibliography.as_mut().and_then(|b| b.sort.as_mut())];
    for sort in sorts.into_iter().flatten() {
        for key in &mut sort.keys {
            if let hayagriva::citationberg::SortKey::Variable { variable, .. } = key {
                f(variable);
            }
        }
    }
}

/// A layout of the style.
enum Part {
    Citation,
    Bibliography,
}

/// The first `cs:name` the layout reaches, with the name options it inherits.
fn first_name(
    style: &IndependentStyle,
    part: Part,
) -> Option<(&hayagriva::citationberg::Name, hayagriva::citationberg::InheritableNameOptions)> {
    let options = match part {
        Part::Citation => &style.citation.name_options,
        Part::Bibliography => &style.bibliography.as_ref()?.name_options,
    };
    let name = reached(style, part).into_iter().find_map(|e| match e {
        LayoutRenderingElement::Names(n) => n.name(),
        _ => None,
    })?;
    Some((name, style.settings.options.apply(options)))
}

/// A label of an empty variable prints its term, singular, where the group
/// around it prints: citeproc-js reads labels so (harvard's `(3 vol)`, from
/// `<text variable="number-of-volumes"/><label variable="volume"/>` in a
/// branch for items without a volume), and styles are written against it;
/// hayagriva 0.10.1 prints nothing. Such a label becomes
/// `<choose><if variable="…"><label …/></if><else><text term="…"/></else>`.
/// The locator's label is left alone: citeproc-js prints `p.` for it.
fn labels_of_empty_variables(style: &mut IndependentStyle) {
    labels_replaced(style, &|label| {
        let name = match label.variable {
            NumberOrPageVariable::Page(p) => p.to_string(),
            NumberOrPageVariable::Number(NumberVariable::Locator) => return None,
            NumberOrPageVariable::Number(n) => n.to_string(),
        };
        let mut choose = fragment(&format!(
            r#"<choose><if variable="{name}"><label variable="{name}"/></if><else><text term="{name}"/></else></choose>"#
        ))?;
        let LayoutRenderingElement::Choose(c) = &mut choose else { return None };
        c.if_.children = vec![LayoutRenderingElement::Label(label.clone())];
        let Some([LayoutRenderingElement::Text(text)]) = c.otherwise.as_mut().map(|o| o.children.as_mut_slice()) else {
            return None;
        };
        as_label(text, label, label.label.plural == LabelPluralize::Always);
        Some(choose)
    });
}

/// A page label with `plural="never"` or `plural="always"` (Vancouver's
/// `p. 226–32`) prints that form, where hayagriva 0.10.1 pluralises page
/// labels by the range whatever the attribute says
/// (docs/upstream/hayagriva-page-label-plural.md). Such a label becomes what
/// it means: the page term in that number, printed when the page variable
/// is (`<choose><if variable="page"><text term="page" plural="…"/>`), with
/// the label's form, affixes, formatting, case and periods.
fn page_labels_as_set(style: &mut IndependentStyle) {
    labels_replaced(style, &|label| {
        if label.variable != NumberOrPageVariable::Page(PageVariable::Page)
            || label.label.plural == LabelPluralize::Contextual
        {
            return None;
        }
        let mut choose = fragment(r#"<choose><if variable="page"><text term="page"/></if></choose>"#)?;
        let LayoutRenderingElement::Choose(c) = &mut choose else { return None };
        let [LayoutRenderingElement::Text(text)] = c.if_.children.as_mut_slice() else { return None };
        as_label(text, label, label.label.plural == LabelPluralize::Always);
        Some(choose)
    });
}

/// The term text printed as the label would print it, in that number.
fn as_label(text: &mut Text, label: &Label, plural: bool) {
    let l = &label.label;
    if let TextTarget::Term { form, plural: p, .. } = &mut text.target {
        *form = l.form;
        *p = plural;
    }
    text.formatting = l.formatting;
    text.affixes = l.affixes.clone();
    text.text_case = l.text_case;
    text.strip_periods = l.strip_periods;
}

/// The style's macros and layouts.
fn layouts(style: &mut IndependentStyle) -> Vec<&mut Vec<LayoutRenderingElement>> {
    let mut lists: Vec<&mut Vec<LayoutRenderingElement>> = style.macros.iter_mut().map(|m| &mut m.children).collect();
    lists.push(&mut style.citation.layout.elements);
    if let Some(b) = style.bibliography.as_mut() {
        lists.push(&mut b.layout.elements);
    }
    lists
}

/// Every label of the style replaced where `replace` gives an element
/// (which is not looked into again).
fn labels_replaced(style: &mut IndependentStyle, replace: &dyn Fn(&Label) -> Option<LayoutRenderingElement>) {
    each_element(style, &mut |element| {
        let LayoutRenderingElement::Label(label) = element else { return true };
        match replace(label) {
            Some(new) => {
                *element = new;
                false
            }
            None => true,
        }
    });
}

/// Calls `f` with every element of the style's macros and layouts, and of
/// the groups and branches in them, each before what it holds; what `f`
/// returns `false` for is not looked into.
fn each_element(style: &mut IndependentStyle, f: &mut dyn FnMut(&mut LayoutRenderingElement) -> bool) {
    fn walk(list: &mut [LayoutRenderingElement], f: &mut dyn FnMut(&mut LayoutRenderingElement) -> bool) {
        for element in list {
            if !f(element) {
                continue;
            }
            match element {
                LayoutRenderingElement::Group(g) => walk(&mut g.children, f),
                LayoutRenderingElement::Choose(c) => {
                    for branch in std::iter::once(&mut c.if_).chain(c.else_if.iter_mut()) {
                        walk(&mut branch.children, f);
                    }
                    if let Some(o) = c.otherwise.as_mut() {
                        walk(&mut o.children, f);
                    }
                }
                _ => {}
            }
        }
    }
    for list in layouts(style) {
        walk(list, f);
    }
}

/// One layout element, parsed from CSL as citationberg reads it.
fn fragment(xml: &str) -> Option<LayoutRenderingElement> {
    let xml = format!(
        r#"<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"><info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info><macro name="t">{xml}</macro><citation><layout><text macro="t"/></layout></citation></style>"#
    );
    let style = IndependentStyle::from_xml(&xml).ok()?;
    style.macros.into_iter().next()?.children.into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_of_several_types_matches_any_of_them() {
        let bib = r#"<bibliography><layout><choose>
            <if type="thesis manuscript"><text value="a"/></if>
            <else-if type="book report" variable="URL"><text value="b"/></else-if>
            <else-if type="book report" match="none"><text value="c"/></else-if>
            </choose></layout></bibliography>"#;
        let mut style = IndependentStyle::from_xml(&skeleton("", bib)).unwrap();
        types_as_any(&mut style);
        let LayoutRenderingElement::Choose(c) = &style.bibliography.unwrap().layout.elements[0] else { panic!() };
        assert_eq!(c.if_.match_, ChooseMatch::Any, "types alone: any of them");
        assert_eq!(c.else_if.len(), 3, "types with a variable: one branch per type, then the match=none one");
        assert_eq!(c.else_if[0].type_.as_ref().map(Vec::len), Some(1));
        assert_eq!(c.else_if[1].type_.as_ref().map(Vec::len), Some(1));
        assert!(c.else_if[0].variable.is_some() && c.else_if[1].variable.is_some());
        assert_eq!(c.else_if[2].match_, ChooseMatch::None, "none of them reads the same either way");
    }

    #[test]
    fn keyed_copies_only_where_the_bibliography_does_not_need_the_citations() {
        let style = |citation: &str, bibliography: &str| {
            IndependentStyle::from_xml(&format!(
                r#"<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"><info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info><citation {citation}><layout><names variable="author"><name form="short" initialize-with=". "/></names></layout></citation><bibliography><layout>{bibliography}</layout></bibliography></style>"#
            ))
            .unwrap()
        };
        let initials = r#"<names variable="author"><name initialize-with=". "/></names>"#;
        let apa = style(
            r#"et-al-min="3" et-al-use-first="1" disambiguate-add-givenname="true" givenname-disambiguation-rule="primary-name-with-initials" disambiguate-add-year-suffix="true""#,
            initials,
        );
        let copy = keyed(&apa).expect("a copy");
        assert!(!copy.citation.disambiguate_add_year_suffix && !copy.citation.disambiguate_add_givenname);
        assert_eq!(cited_et_al(&apa), Some((3, 1)));
        // A by-cite rule adds whole given names that an initialising bibliography then prints.
        let by_cite = style(r#"disambiguate-add-givenname="true" disambiguate-add-year-suffix="true""#, initials);
        assert!(keyed(&by_cite).is_none());
        let full = style(r#"disambiguate-add-givenname="true""#, r#"<names variable="author"><name/></names>"#);
        assert!(keyed(&full).is_some());
        let tests = style("", r#"<choose><if disambiguate="true"><text variable="title"/></if></choose>"#);
        assert!(keyed(&tests).is_none());
    }

    #[test]
    fn a_page_label_with_a_set_number_becomes_the_term_in_that_number() {
        let xml = r#"<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"><info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info><citation><layout><text variable="title"/></layout></citation><bibliography><layout><group delimiter=" "><label variable="page" form="short" plural="never" prefix="(" text-case="capitalize-first"/><label variable="page" plural="always"/><label variable="page"/><text variable="page"/></group></layout></bibliography></style>"#;
        let mut style = IndependentStyle::from_xml(xml).unwrap();
        page_labels_as_set(&mut style);
        let LayoutRenderingElement::Group(g) = &style.bibliography.as_ref().unwrap().layout.elements[0] else {
            panic!("a group")
        };
        let term = |e: &LayoutRenderingElement| match e {
            LayoutRenderingElement::Choose(c) => match c.if_.children.as_slice() {
                [LayoutRenderingElement::Text(t)] => match &t.target {
                    TextTarget::Term { form, plural, .. } => {
                        Some((*form, *plural, t.affixes.prefix.clone(), t.text_case))
                    }
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        };
        use hayagriva::citationberg::{TermForm, TextCase};
        assert_eq!(
            term(&g.children[0]),
            Some((TermForm::Short, false, Some("(".into()), Some(TextCase::CapitalizeFirst)))
        );
        assert_eq!(term(&g.children[1]).map(|t| (t.0, t.1)), Some((TermForm::Long, true)));
        assert!(matches!(g.children[2], LayoutRenderingElement::Label(_)), "a contextual label is left to hayagriva");
        assert!(!prints_language(&style));
        let with = xml.replace(
            r#"<text variable="page"/>"#,
            r#"<choose><if type="book"><text variable="language"/></if></choose>"#,
        );
        assert!(prints_language(&IndependentStyle::from_xml(&with).unwrap()));
    }

    #[test]
    fn a_label_of_an_empty_variable_prints_its_term_singular() {
        let bib = r#"<bibliography><layout><group delimiter=" "><text variable="number-of-volumes"/><label variable="volume" form="short" strip-periods="true" plural="always"/><label variable="locator"/></group></layout></bibliography>"#;
        let mut style = IndependentStyle::from_xml(&skeleton("", bib)).unwrap();
        mend(&mut style);
        let LayoutRenderingElement::Group(g) = &style.bibliography.as_ref().unwrap().layout.elements[0] else {
            panic!("a group")
        };
        let LayoutRenderingElement::Choose(c) = &g.children[1] else { panic!("the volume label in a choose") };
        assert!(matches!(c.if_.children.as_slice(), [LayoutRenderingElement::Label(_)]), "a volume prints its label");
        let Some([LayoutRenderingElement::Text(t)]) = c.otherwise.as_ref().map(|o| o.children.as_slice()) else {
            panic!("no volume: the term")
        };
        assert!(t.strip_periods);
        assert!(matches!(
            t.target,
            TextTarget::Term { plural: true, form: hayagriva::citationberg::TermForm::Short, .. }
        ));
        assert!(matches!(g.children[2], LayoutRenderingElement::Label(_)), "the locator's label is left alone");
    }
}
