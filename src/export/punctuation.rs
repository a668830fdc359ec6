//! Punctuation as CSL processors set it in a rendered entry, where hayagriva
//! 0.10.1 does not: doubled punctuation merged as citeproc-js merges it, an
//! empty date part's comma dropped, a period or comma moved inside closing
//! quotation marks in American English, and quotation marks inside
//! quotation marks alternated (“…‘…’…”).

/// Punctuation as CSL processors set it and hayagriva does not: two marks
/// in a row merged as citeproc-js merges a field's last mark with the
/// punctuation after it (a period after `?` or `!` is dropped, "Why?." is
/// "Why?", and so is a colon after a field that ends in one of them,
/// "????: Press" is "???? Press", where `field_ends` holds the entry's
/// values that end so, lower-cased; a period after `:` or `;`, a colon
/// after `;`), a period after a comma or another period is dropped
/// ("Bulletin,." is "Bulletin.", "Inc.." is "Inc.", an ellipsis stays); an
/// empty date part leaves no comma ("(2022,)" is "(2022)", hayagriva #246);
/// in English, quotation marks inside quotation marks become single
/// (“On ‘Fonts’”); and in American English (the locale's
/// punctuation-in-quote) a period or comma after a closing quotation mark
/// moves inside it (“Title”. is “Title.”). A space before a semicolon is
/// dropped outside French (Vancouver's "2006 ;691"), unless a field ends
/// with it (`field_ends` again). Straight single quotation marks are read as
/// citeproc-js reads them ([`straight_quotes`]).
pub(super) fn punctuate(text: &str, locale: &str, field_ends: &[String]) -> String {
    let quoted;
    let text = if text.contains('\'') {
        quoted = straight_quotes(text, locale);
        quoted.as_str()
    } else {
        text
    };
    let alternated;
    let text = if locale.starts_with("en") {
        alternated = alternate_quotes(text);
        alternated.as_str()
    } else {
        text
    };
    let american = locale.starts_with("en-US") || locale == "en";
    // French sets a space before `;` (and `:`); elsewhere it is an artefact.
    let french = locale.starts_with("fr");
    // An entry that opens with a term (no author, no title: "(n.d.-a).")
    // starts with a capital, as citeproc-js sets it.
    let opening = text.trim_start_matches('(');
    let capital = ["n.d.", "no date", "s.d.", "o.J."].iter().any(|t| opening.starts_with(t));
    let mut out = String::with_capacity(text.len());
    if capital {
        let lead = text.len() - opening.len();
        out.push_str(&text[..lead]);
        let mut rest = opening.chars();
        out.extend(rest.next().map(|c| c.to_uppercase().collect::<String>()));
        return punctuate_rest(rest.as_str(), &mut out, (american, french), field_ends);
    }
    punctuate_rest(text, &mut out, (american, french), field_ends)
}

fn punctuate_rest(text: &str, out: &mut String, (american, french): (bool, bool), field_ends: &[String]) -> String {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        match (c, next) {
            ('?' | '!', Some('.')) | (':' | ';', Some('.')) | (';', Some(':')) => {
                out.push(c);
                chars.next();
            }
            ('?' | '!', Some(':')) if ends_a_field(out, c, field_ends) => {
                out.push(c);
                chars.next();
            }
            (',', Some('.')) => {}
            (' ', Some(';')) if !french && !ends_a_field(out, c, field_ends) => {}
            ('.', Some('.')) if !out.ends_with('.') => {
                let mut run = 1;
                while chars.peek() == Some(&'.') {
                    chars.next();
                    run += 1;
                }
                out.push_str(if run >= 3 { "..." } else { "." });
            }
            (',', Some(')')) if out.ends_with(|c: char| c.is_ascii_alphanumeric()) && year_before(out) => {}
            ('\u{2019}', Some(p @ ('.' | ',')))
                if american && chars.clone().nth(1) == Some('\u{201d}') && closes_inner(out) =>
            {
                // hayagriva moved the mark inside the outer quotation only: “‘Quoted’,”
                out.push(p);
                out.push(c);
                chars.next();
            }
            ('\u{201d}', Some(p @ ('.' | ','))) if american => {
                // An inner quotation closing with the outer one takes it too: “‘Quoted.’”
                let inner = out.strip_suffix('\u{2019}').is_some_and(closes_inner);
                let closing = if inner { out.pop() } else { None };
                // “Why?”. is “Why?”, not “Why?.”
                if !(p == '.' && out.ends_with(['?', '!', '.'])) {
                    out.push(p);
                }
                out.extend(closing);
                out.push(c);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    std::mem::take(out)
}

/// An entry whose names the style's `subsequent-author-substitute` replaced
/// whole (its `complete-all` rule) with the substitute alone: hayagriva
/// leaves the name list's delimiters and its "and" behind, `———, and .` and
/// `———, , and , eds.` for citeproc-js's `———.` and `———, eds.`
/// (docs/upstream/hayagriva-substitute-complete-all.md).
pub(super) fn substitute_alone(text: &str, substitute: &str) -> Option<String> {
    let at = text.find(substitute)? + substitute.len();
    let rest = &text[at..];
    let after = rest.trim_start_matches(", ");
    if after.len() == rest.len() {
        return None;
    }
    let (word, tail) = after.split_once(' ')?;
    let lone = !word.is_empty() && !word.contains([',', '.']) && tail.starts_with(['.', ',']);
    lone.then(|| format!("{}{tail}", &text[..at]))
}

/// An entry that opens with the substitute directly followed by a space,
/// with the suffix the style gives the macro it stands for (APSA's `<text
/// macro="author" suffix="."/>`): hayagriva drops a suffix the names already
/// end with (`Knuth, Donald E.`) before it substitutes them, leaving
/// `——— 1986b.` for citeproc-js's `———. 1986b.`.
pub(super) fn substitute_suffixed(text: &str, substitute: &str, suffix: &str) -> Option<String> {
    let rest = text.strip_prefix(substitute)?;
    rest.starts_with(' ').then(|| format!("{substitute}{suffix}{rest}"))
}

/// The closing brackets hayagriva dropped: it leaves out a suffix the text
/// already ends with, so a style's `(…)` around a field that ends in `)`
/// loses its own, "(Thesis (M.S.)" for citeproc-js's "(Thesis (M.S.))"
/// (docs/upstream/hayagriva-suffix-bracket.md). Where the text opens more
/// brackets than it closes, each missing one is put back after a value of
/// the entry (`values`: its text values, parents' too) that ends in its
/// closing bracket, balances it, and leaves one open around it; `None`
/// when the text closes all it opens or no such value explains why not.
pub(super) fn closed_brackets(text: &str, values: &[String]) -> Option<String> {
    let mut out = None;
    for (open, close) in [('(', ')'), ('[', ']')] {
        let current = out.as_deref().unwrap_or(text);
        let depth = |t: &str| t.matches(open).count() as isize - t.matches(close).count() as isize;
        let mut missing = depth(current);
        if missing <= 0 {
            continue;
        }
        let lower = current.to_ascii_lowercase();
        let mut ends: Vec<usize> = values
            .iter()
            .filter(|v| v.ends_with(close) && depth(v) == 0)
            .flat_map(|v| lower.match_indices(&v.to_ascii_lowercase()).map(|(i, m)| i + m.len()).collect::<Vec<_>>())
            .filter(|&end| !current[end..].starts_with(close) && depth(&current[..end]) > 0)
            .collect();
        ends.sort_unstable();
        ends.dedup();
        if ends.is_empty() {
            continue;
        }
        let mut fixed = String::with_capacity(current.len() + 2);
        let mut at = 0;
        for end in ends {
            if missing == 0 {
                break;
            }
            fixed.push_str(&current[at..end]);
            fixed.push(close);
            at = end;
            missing -= 1;
        }
        fixed.push_str(&current[at..]);
        out = Some(fixed);
    }
    out
}

/// The entry's text values (its parents' too), without hayagriva's
/// case-protecting braces.
pub(super) fn values(entry: &hayagriva::Entry) -> Vec<String> {
    strings(entry).iter().map(|s| s.trim().replace(['{', '}'], "")).collect()
}

/// The entry's strings (its parents' too), as hayagriva serialises them.
fn strings(entry: &hayagriva::Entry) -> Vec<String> {
    fn walk(v: serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s),
            serde_json::Value::Array(a) => a.into_iter().for_each(|x| walk(x, out)),
            serde_json::Value::Object(o) => o.into_iter().for_each(|(_, x)| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Ok(v) = serde_json::to_value(entry) {
        walk(v, &mut out);
    }
    out
}

/// Whether `out` ends inside a link (a word holding `://` or `www.`).
fn in_a_link(out: &[char]) -> bool {
    let start = out.iter().rposition(|c| c.is_whitespace()).map_or(0, |i| i + 1);
    let word: String = out[start..].iter().collect();
    word.contains("://") || word.contains("www.")
}

/// Whether `out` and `c` end with one of the entry's values.
fn ends_a_field(out: &str, c: char, field_ends: &[String]) -> bool {
    let mut tail: Vec<char> = out.chars().rev().take(200).collect();
    tail.reverse();
    tail.push(c);
    let tail = tail.into_iter().collect::<String>().to_lowercase();
    field_ends.iter().any(|v| tail.ends_with(v.as_str()))
}

/// The entry's text values (its parents' too) that end in `?` or `!` (a
/// place given as `????`, a title that asks) or in a space (a title whose
/// last TeX macro pandoc dropped, `Update on Pascal `), lower-cased and
/// without hayagriva's case-protecting braces: the fields after which a
/// colon gives way, and before whose semicolon a space stays; and each
/// value's text up to a space it holds before a semicolon.
pub(super) fn field_ends(entry: &hayagriva::Entry) -> Vec<String> {
    let mut out = Vec::new();
    for s in strings(entry) {
        let t = s.trim_matches(spacing).replace(['{', '}'], "");
        if t.ends_with(['?', '!']) {
            out.push(t.to_lowercase());
        } else if s.ends_with(spacing) && !t.is_empty() {
            out.push(format!("{} ", t.to_lowercase()));
        }
        // A space the value holds before a semicolon (`Controlling ; Ruling`).
        for (i, _) in t.match_indices(" ;") {
            out.push(t[..=i].to_lowercase());
        }
    }
    out
}

/// Whether a single closing quotation mark after `out` closes a quotation
/// inside a double one (it is not an apostrophe).
fn closes_inner(out: &str) -> bool {
    out.rfind('\u{2018}') > out.rfind('\u{201c}')
}

/// A space, or a title's stand-in for one ([`super::titles::STAND_INS`]);
/// not the word break a title may hold, which prints as nothing.
fn spacing(c: char) -> bool {
    (c.is_whitespace() && c != super::titles::WORD_BREAK) || super::titles::STAND_INS.contains(&(c, ' '))
}

/// English quotation marks inside quotation marks made single, as the
/// locale's inner quotes: a title in quotes that quotes a phrase
/// (“‘Molecular Structures’ Volumes”), which hayagriva prints with double
/// marks inside double marks.
fn alternate_quotes(text: &str) -> String {
    let mut depth = 0usize;
    text.chars()
        .map(|c| match c {
            '\u{201c}' => {
                depth += 1;
                if depth.is_multiple_of(2) { '\u{2018}' } else { c }
            }
            '\u{201d}' if depth > 0 => {
                depth -= 1;
                if !depth.is_multiple_of(2) { '\u{2019}' } else { c }
            }
            _ => c,
        })
        .collect()
}

/// Straight single quotation marks as citeproc-js reads them, outside links:
/// a mark that opens a word after a space or an opening bracket and one
/// that closes a word before a space, the end or `,.?:;` are a quotation
/// (`'Fonts'`), printed with English quotation marks where the locale is
/// English (`“Fonts”`, in British English `‘Fonts’`) and left as written in
/// other languages; every other mark is an apostrophe, printed `’`: inside a
/// word (`O’Brien`), after one before other text (TeX's closing `''` is
/// `’’`), a closing mark nothing opened, an opening mark nothing closed, and
/// one between spaces.
fn straight_quotes(text: &str, locale: &str) -> String {
    let marks = match locale {
        l if l.starts_with("en-GB") => Some(('\u{2018}', '\u{2019}')),
        l if l.starts_with("en") => Some(('\u{201c}', '\u{201d}')),
        _ => None,
    };
    let mut out: Vec<char> = text.chars().collect();
    let (pairs, apostrophes) = straight_marks(&out);
    for i in apostrophes {
        out[i] = '\u{2019}';
    }
    for (open, close) in pairs.into_iter().filter(|_| marks.is_some()) {
        (out[open], out[close]) = marks.unwrap_or_default();
    }
    out.into_iter().collect()
}

/// How citeproc-js reads each straight single quotation mark of `chars`
/// outside links ([`straight_quotes`]): the pairs that quote, and the
/// apostrophes.
pub(super) fn straight_marks(chars: &[char]) -> (Vec<(usize, usize)>, Vec<usize>) {
    let (mut pairs, mut apostrophes, mut opened) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..chars.len() {
        if chars[i] != '\'' || in_a_link(&chars[..i]) {
            continue;
        }
        let after_space = i == 0 || chars[i - 1].is_whitespace() || "([{\u{201c}\u{2018}".contains(chars[i - 1]);
        let next = chars.get(i + 1).copied();
        let closes = next.is_none_or(|c| c.is_whitespace() || ",.?:;".contains(c));
        match (after_space, next) {
            (true, Some(' ')) => apostrophes.push(i),
            (true, _) => opened.push(i),
            (false, _) if !closes => apostrophes.push(i),
            (false, _) => match opened.pop() {
                Some(open) => pairs.push((open, i)),
                None => apostrophes.push(i),
            },
        }
    }
    apostrophes.extend(opened);
    (pairs, apostrophes)
}

/// Whether `out` ends in `(` and a year (perhaps with a suffix letter).
fn year_before(out: &str) -> bool {
    let tail = out.trim_end_matches(|c: char| c.is_ascii_lowercase());
    let digits = tail.len() - tail.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    digits == 4 && tail[..tail.len() - 4].ends_with('(')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punctuation_as_csl_processors_set_it() {
        assert_eq!(
            punctuate("Why?. Bulletin,. Inc.. Wait... Web (2022,). x (2022a,). 2006 ;691", "en-US", &[]),
            "Why? Bulletin. Inc. Wait... Web (2022). x (2022a). 2006;691"
        );
        assert_eq!(punctuate("2006 ;691", "fr-FR", &[]), "2006 ;691");
        let spaced = ["update on pascal ".to_owned()];
        assert_eq!(
            punctuate("Update on Pascal ; TeX and , Vol. 10; 2006 ;5", "en-US", &spaced),
            "Update on Pascal ; TeX and , Vol. 10; 2006;5",
            "a space that ends a field stays, and one before a comma"
        );
        let held = ["controlling ".to_owned()];
        assert_eq!(punctuate("Controlling ; Ruling. 2006 ;5", "en-US", &held), "Controlling ; Ruling. 2006;5");
        assert_eq!(punctuate("(n.d.-a). Title.", "en-US", &[]), "(N.d.-a). Title.");
        assert_eq!(
            punctuate("O'Brien, K. Editor's 'notes'. https://x.org/it's www.x.org/it's", "en-US", &[]),
            "O\u{2019}Brien, K. Editor\u{2019}s \u{201c}notes.\u{201d} https://x.org/it's www.x.org/it's"
        );
        // As citeproc-js 2.4.63 prints each of these titles.
        for (written, printed) in [
            ("Engineering.'' Then", "Engineering.\u{2019}\u{2019} Then"),
            ("The '90s and rock 'n' roll", "The \u{2019}90s and rock \u{201c}n\u{201d} roll"),
            ("Stray ' quote and end'", "Stray \u{2019} quote and end\u{2019}"),
            ("``Quoted'' text", "``Quoted\u{2019}\u{2019} text"),
            ("Open 'unclosed here", "Open \u{2019}unclosed here"),
            ("\u{201c}Say 'hi', friend.\u{201d}", "\u{201c}Say \u{2018}hi\u{2019}, friend.\u{201d}"),
        ] {
            assert_eq!(punctuate(written, "en-US", &[]), printed, "{written}");
        }
        assert_eq!(punctuate("On 'fonts' and more", "en-GB", &[]), "On \u{2018}fonts\u{2019} and more");
        assert_eq!(punctuate("Sur 'fontes' l'art", "fr-FR", &[]), "Sur 'fontes' l\u{2019}art");
        assert_eq!(punctuate("van Gennep, A. (1909).", "en-US", &[]), "van Gennep, A. (1909).");
        assert_eq!(
            punctuate("\u{201c}Title\u{201d}. \u{201c}A\u{201d}, b", "en-US", &[]),
            "\u{201c}Title.\u{201d} \u{201c}A,\u{201d} b"
        );
        assert_eq!(punctuate("\u{201c}Title\u{201d}.", "en-GB", &[]), "\u{201c}Title\u{201d}.");
        assert_eq!(punctuate("\u{201c}Why?\u{201d}.", "en-US", &[]), "\u{201c}Why?\u{201d}");
        let ends = ["????".to_owned(), "why?".to_owned()];
        assert_eq!(
            punctuate(
                "Chichester: ????: Wiley. Note:. Ibid;: x;. Publish!: A guide. Why?: 1999;??(??):??",
                "en-US",
                &ends
            ),
            "Chichester: ???? Wiley. Note: Ibid; x; Publish!: A guide. Why? 1999;??(??):??"
        );
        assert_eq!(
            punctuate(
                "\u{201c}On \u{201c}Fonts\u{201d} and \u{201c}Type\u{201d}\u{201d}. \u{201c}Next\u{201d}",
                "en-US",
                &[]
            ),
            "\u{201c}On \u{2018}Fonts\u{2019} and \u{2018}Type.\u{2019}\u{201d} \u{201c}Next\u{201d}"
        );
        assert_eq!(
            punctuate(
                "\u{201c}\u{201c}Quoted\u{201d}\u{201d}. It\u{2019}s \u{201c}it\u{2019}s\u{201d}. \u{201c}\u{201c}B\u{201d},\u{201d}",
                "en-US",
                &[]
            ),
            "\u{201c}\u{2018}Quoted.\u{2019}\u{201d} It\u{2019}s \u{201c}it\u{2019}s.\u{201d} \u{201c}\u{2018}B,\u{2019}\u{201d}",
            "an inner quotation that closes with the outer one takes the period too"
        );
        let dash = "\u{2014}\u{2014}\u{2014}";
        let cases = [
            (format!("{dash}, and . 1990a. Title."), Some(format!("{dash}. 1990a. Title."))),
            (format!("{dash}, , and , eds. 1993."), Some(format!("{dash}, eds. 1993."))),
            (format!("{dash}, ed. 1993."), None),
            (format!("{dash}. 1984. Title ."), None),
        ];
        for (text, wanted) in cases {
            assert_eq!(substitute_alone(&text, dash), wanted, "{text}");
        }
        let values = ["Thesis (M.S.)".to_owned(), "352 (est.)".to_owned(), "Pp. 9 [est.]".to_owned()];
        let cases = [
            ("A (Thesis (M.S.). B.", Some("A (Thesis (M.S.)). B.")),
            ("A (p. 352 (est.). B (Thesis (M.S.)).", Some("A (p. 352 (est.)). B (Thesis (M.S.)).")),
            ("A [Pp. 9 [est.]. B.", Some("A [Pp. 9 [est.]]. B.")),
            ("A (Thesis (M.S.)). B (c.", None),
            ("A (B). Thesis (M.S.).", None),
        ];
        for (text, wanted) in cases {
            assert_eq!(closed_brackets(text, &values).as_deref(), wanted, "{text}");
        }
        let german = "\u{201e}Der \u{201c}Satz\u{201d}\u{201c}";
        assert_eq!(punctuate(german, "de-DE", &[]), german, "other languages' marks are left as they are");
    }
}
