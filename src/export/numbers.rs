//! An entry's number (CSL's `number`: a report's, a patent's) as CSL
//! processors read it. hayagriva reads any value with digits in it as a
//! number with a prefix, so a style's `is-numeric` test takes `TR-2101` and
//! `Special Publication 424` for numbers, labels them (`No. TR-2101`) and
//! sets their hyphens as en dashes, dropping leading zeros (`NPS-9–95–3`
//! for `NPS-09-95-003`). citeproc-js reads a value whose first part has no
//! digit as text, and prints it as written. For the render, such a value's
//! digits are replaced by stand-ins hayagriva does not take for digits
//! ([`STAND_IN_DIGITS`]), which the output writer prints as the digits.
//! Also an entry's version and edition as citeproc-js reads them: a version
//! for any type, an edition's case applied to each of its parts.

use hayagriva::Entry;
use hayagriva::types::MaybeTyped;

/// The stand-in of `0`; `1` to `9` follow it. Unicode's supplementary
/// private use area, as the titles' stand-ins ([`super::titles::STAND_INS`]).
const STAND_IN_DIGITS: u32 = 0xF0030;

/// The entry with its number's digits as stand-ins, where citeproc-js reads
/// the number as text; `None` when it does not.
pub(super) fn as_text(entry: &Entry) -> Option<Entry> {
    let serials = entry.serial_number()?;
    let number = serials.0.get("serial").filter(|n| is_text(n))?;
    let hidden: String =
        number.chars().map(|c| c.to_digit(10).and_then(|d| char::from_u32(STAND_IN_DIGITS + d)).unwrap_or(c)).collect();
    let mut serials = serials.clone();
    serials.0.insert("serial".to_owned(), hidden);
    let mut out = entry.clone();
    out.set_serial_number(serials);
    Some(out)
}

/// Whether citeproc-js reads `number` as text: its first part (up to a
/// hyphen, slash, comma, ampersand or space) has no digit and is not a Roman
/// numeral, while the rest has one (hayagriva reads it as a number then).
fn is_text(number: &str) -> bool {
    let first = number.trim().split(['-', '\u{2013}', '/', ',', '&', ' ']).next().unwrap_or_default();
    let roman = !first.is_empty() && first.chars().all(|c| "ivxlcdmIVXLCDM".contains(c));
    !first.contains(|c: char| c.is_ascii_digit()) && !roman && number.contains(|c: char| c.is_ascii_digit())
}

/// The entry with its version as its printing number too, for a style
/// whose `version` reads the printing number
/// ([`styles::mend`](super::styles::mend)); `None` when it has no version.
pub(super) fn version_as_printing(entry: &Entry) -> Option<Entry> {
    let version = entry.keyed_serial_number("version")?.to_owned();
    let mut out = entry.clone();
    out.set_keyed_serial_number("printing", version);
    Some(out)
}

/// The entry with each part of its edition capitalised, where the edition
/// is text with parts (`Release 3.0., personal`, `twenty-third`) and the
/// style prints it with `text-case="capitalize-first"`: citeproc-js splits
/// a number variable at commas, ampersands and hyphens and applies the case
/// to each part (`Release 3.0., Personal`, `Twenty-Third`), hayagriva to the
/// whole. `None` when nothing changes.
pub(super) fn edition_parts_capitalised(entry: &Entry) -> Option<Entry> {
    let Some(MaybeTyped::String(edition)) = entry.edition() else { return None };
    let mut out = String::with_capacity(edition.len());
    let mut part_start = true;
    for c in edition.chars() {
        if part_start && c.is_lowercase() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        part_start = matches!(c, ',' | '&' | '-' | '\u{2013}') || (part_start && c.is_whitespace());
    }
    if out == *edition {
        return None;
    }
    let mut changed = entry.clone();
    changed.set_edition(MaybeTyped::String(out));
    Some(changed)
}

/// The digit a stand-in stands for.
pub(super) fn digit(c: char) -> Option<char> {
    let d = (c as u32).checked_sub(STAND_IN_DIGITS).filter(|d| *d < 10)?;
    char::from_digit(d, 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_citeproc_js_reads_as_text() {
        for text in ["TR-2101", "TR 90-3", "NPS-09-95-003", "Special Publication 424", "STAN-CS-80-824", "TN-K/27-70"] {
            assert!(is_text(text), "{text}");
        }
        for number in ["126", "NPS012-81-005", "LPS5006", "A12", "v2", "88/322/34", "99-02", "iv-2", "Draft"] {
            assert!(!is_text(number), "{number}");
        }
    }

    #[test]
    fn each_part_of_an_edition_is_capitalised() {
        let edition = |e: &str| {
            let yaml = format!("r:\n  type: book\n  title: T\n  edition: {e}\n");
            let entry = hayagriva::io::from_yaml_str(&yaml).unwrap().iter().next().unwrap().clone();
            edition_parts_capitalised(&entry).map(|e| e.edition().unwrap().to_string())
        };
        assert_eq!(edition("'Release 3.0., personal'").as_deref(), Some("Release 3.0., Personal"));
        assert_eq!(edition("twenty-third").as_deref(), Some("Twenty-Third"));
        assert_eq!(edition("Revised and enlarged"), None, "one part, left to the style");
        assert_eq!(edition("2"), None, "a number");
    }

    #[test]
    fn the_digits_stand_in_and_print_as_themselves() {
        let yaml = "r:\n  type: report\n  title: T\n  serial-number: TR-2101\n";
        let entry = hayagriva::io::from_yaml_str(yaml).unwrap().iter().next().unwrap().clone();
        let hidden = as_text(&entry).unwrap();
        let serial = &hidden.serial_number().unwrap().0["serial"];
        assert!(serial.parse::<hayagriva::types::Numeric>().is_err(), "hayagriva reads it as text");
        assert_eq!(serial.chars().map(|c| digit(c).unwrap_or(c)).collect::<String>(), "TR-2101");
    }
}
