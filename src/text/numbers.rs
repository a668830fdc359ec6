//! Numbers in prose, read to values so that a claim's figure and its source's
//! figure compare whatever way each is written: `200,000`, `200 000`,
//! `200.000`, `200k`, `0.5`, `45%`, `45 per cent`, `two hundred thousand`,
//! `2.5 million`, `a dozen`, `$5bn`, `2010–2012` (two numbers), `3rd`,
//! `1990s`. A written number may mean more than one value (`200.000` is
//! 200000 in German and 200 in English): every reading is kept, and two
//! numbers agree when any readings agree. A date (`16 May 2001`, `May 16,
//! 2001`, `March 2006`, `2001-05-16`) is one number: it agrees with a date
//! that has the same day, month and year, not with a `2001` elsewhere.

use std::sync::LazyLock;

use regex::Regex;

/// A number in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    /// Byte offsets of the number as written.
    pub start: usize,
    /// End byte offset.
    pub end: usize,
    /// Every value it can be read as.
    pub values: Vec<f64>,
    /// The value of its last written digit (`2.5 million`: 100,000): a
    /// source's figure within half of it agrees (the claim rounded it).
    pub precision: f64,
    /// Written in words (`two hundred`), not digits.
    pub spelled: bool,
    /// A calendar date, when the number is one.
    pub date: Option<Date>,
    /// Written as an ordinal (`1st`, `17th-century`).
    pub ordinal: bool,
}

/// A date as written: any of its parts may be missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    /// The year.
    pub year: Option<i32>,
    /// The month, 1–12.
    pub month: Option<u8>,
    /// The day of the month.
    pub day: Option<u8>,
}

impl Date {
    /// Whether a source's date says what this (a claim's) date says: the
    /// same day, month and year wherever this one gives them; a source date
    /// without a year may still give the day and month.
    pub fn agrees(&self, found: &Date) -> bool {
        let same = |a: Option<u8>, b: Option<u8>| a.is_none() || a == b;
        let year = self.year.is_none()
            || self.year == found.year
            || (found.year.is_none() && self.day.is_some() && found.day.is_some());
        year && same(self.month, found.month) && same(self.day, found.day)
    }

    /// `2001-05-16`, `2001-05`, `--05-16`.
    pub fn iso(&self) -> String {
        let mut out = self.year.map_or("-".to_owned(), |y| format!("{y:04}"));
        if let Some(m) = self.month {
            out.push_str(&format!("-{m:02}"));
            if let Some(d) = self.day {
                out.push_str(&format!("-{d:02}"));
            }
        }
        out
    }
}

const MONTHS: &str = "january|february|march|april|may|june|july|august|september|october|november|december|\
                      jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec";

fn month(name: &str) -> Option<u8> {
    let name = name.to_lowercase();
    let i = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        .iter()
        .position(|m| name.starts_with(m))?;
    Some(i as u8 + 1)
}

/// The months a text names (`June`, `Sept.`), wherever they stand.
pub fn months(text: &str) -> Vec<u8> {
    static NAME: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(&format!(r"(?i)\b({MONTHS})\b")).expect("a valid pattern"));
    NAME.find_iter(text).filter_map(|m| month(m.as_str())).collect()
}

/// Dates written with a month name or as ISO dates, in order.
fn dates(text: &str) -> Vec<Number> {
    static PATTERNS: LazyLock<[Regex; 4]> = LazyLock::new(|| {
        [
            // 16 May 2001, 16th of May, 2001
            Regex::new(&format!(
                r"(?i)\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{MONTHS})\b\.?(?:,?\s+(?P<y>\d{{4}})\b)?"
            )),
            // May 16, 2001
            Regex::new(&format!(
                r"(?i)\b(?P<m>{MONTHS})\b\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{{4}})\b)?"
            )),
            // March 2006
            Regex::new(&format!(r"(?i)\b(?P<m>{MONTHS})\b\.?,?\s+(?P<y>\d{{4}})\b")),
            // 2001-05-16
            Regex::new(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:\b|T)"),
        ]
        .map(|r| r.expect("a valid pattern"))
    });
    let mut out: Vec<Number> = Vec::new();
    for re in PATTERNS.iter() {
        for c in re.captures_iter(text) {
            let whole = c.get(0).expect("a match");
            let end = ["d", "m", "y"].iter().filter_map(|g| c.name(g)).map(|g| g.end()).max().unwrap_or(whole.end());
            if out.iter().any(|n| n.start < end && whole.start() < n.end) {
                continue;
            }
            let m = c.name("m").map(|m| m.as_str());
            let date = Date {
                year: c.name("y").and_then(|y| y.as_str().parse().ok()),
                month: m.and_then(|m| m.parse().ok().or_else(|| month(m))).filter(|m| (1..=12).contains(m)),
                day: c.name("d").and_then(|d| d.as_str().parse().ok()).filter(|d| (1..=31).contains(d)),
            };
            if date.month.is_none() || (date.day.is_none() && date.year.is_none()) {
                continue;
            }
            let value = f64::from(date.year.unwrap_or(i32::from(date.day.unwrap_or(0))));
            out.push(Number {
                start: whole.start(),
                end,
                values: vec![value],
                precision: 1.0,
                spelled: false,
                date: Some(date),
                ordinal: false,
            });
        }
    }
    out.sort_by_key(|n| n.start);
    out
}

/// Scale words after a number (`2.5 million`, `200k`).
fn scale(word: &str) -> Option<f64> {
    Some(match word {
        "hundred" => 1e2,
        "thousand" | "k" => 1e3,
        "million" | "millions" | "m" | "mn" | "mio" => 1e6,
        "billion" | "billions" | "bn" | "b" => 1e9,
        "trillion" | "trillions" | "tn" => 1e12,
        _ => return None,
    })
}

fn small(word: &str) -> Option<f64> {
    const UNITS: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 8] = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
    if let Some(i) = UNITS.iter().position(|u| *u == word) {
        return Some(i as f64);
    }
    if let Some(i) = TENS.iter().position(|t| *t == word) {
        return Some(20.0 + 10.0 * i as f64);
    }
    let (tens, unit) = word.split_once('-')?;
    let tens = TENS.iter().position(|t| *t == tens)?;
    let unit = UNITS[1..10].iter().position(|u| *u == unit)?;
    Some(20.0 + 10.0 * tens as f64 + 1.0 + unit as f64)
}

/// The words of `text` with their byte spans: letters, digits and the
/// characters inside a written number (`2,000.5`, `twenty-five`, `45%`).
fn words(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(at, c)) in chars.iter().enumerate() {
        let next = chars.get(i + 1).map(|x| x.1);
        let prev = i.checked_sub(1).map(|p| chars[p].1);
        let inner = match c {
            ',' | '.' | '\'' => prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit()),
            '-' => prev.is_some_and(char::is_alphabetic) && next.is_some_and(char::is_alphabetic),
            _ => false,
        };
        if c.is_alphanumeric() || inner {
            start.get_or_insert(at);
        } else if let Some(s) = start.take() {
            out.push((s, at));
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// Readings of a numeral written with digits: `2,000` and `2.000` (thousands
/// or a decimal), `2 000` is joined by the caller, `1,2,3` is not a number.
fn digits(word: &str) -> Vec<f64> {
    let core: &str = &word[..word.find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.')).unwrap_or(word.len())];
    if core.is_empty() || !core.starts_with(|c: char| c.is_ascii_digit()) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let groups_ok = |sep: char| {
        let parts: Vec<&str> = core.split(sep).collect();
        parts.len() > 1
            && (1..=3).contains(&parts[0].len())
            && parts[1..].iter().all(|p| p.len() == 3 && p.chars().all(|c| c.is_ascii_digit()))
    };
    let plain = |s: &str| s.parse::<f64>().ok();
    match (core.contains(','), core.contains('.')) {
        (false, false) => out.extend(plain(core)),
        (true, false) => {
            if groups_ok(',') {
                out.extend(plain(&core.replace(',', "")));
            }
            // `3,5` is a decimal comma; `1,2,3` (a list) is nothing.
            if core.matches(',').count() == 1 && !groups_ok(',') {
                out.extend(plain(&core.replace(',', ".")));
            }
        }
        (false, true) => {
            if core.matches('.').count() == 1 {
                out.extend(plain(core));
            }
            if groups_ok('.') {
                out.extend(plain(&core.replace('.', "")));
            }
        }
        (true, true) => {
            let (last_comma, last_dot) = (core.rfind(','), core.rfind('.'));
            let english = last_dot > last_comma;
            let cleaned = if english { core.replace(',', "") } else { core.replace('.', "").replace(',', ".") };
            out.extend(plain(&cleaned));
        }
    }
    out.retain(|v| v.is_finite());
    out
}

/// Every number in `text`.
pub fn find(text: &str) -> Vec<Number> {
    // Every date form has digits: most sentences need no date patterns run.
    let dates = if text.bytes().any(|b| b.is_ascii_digit()) { dates(text) } else { Vec::new() };
    let in_date = |at: usize| dates.iter().any(|d| d.start <= at && at < d.end);
    let words: Vec<(usize, usize)> = words(text).into_iter().filter(|w| !in_date(w.0)).collect();
    let lower: Vec<String> = words.iter().map(|&(s, e)| text[s..e].to_lowercase()).collect();
    let mut out: Vec<Number> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let (start, mut end) = words[i];
        let w = lower[i].as_str();
        let mut values;
        let mut precision = 1.0;
        let mut spelled = false;
        let mut ordinal = false;
        let mut used = 1;
        if w.starts_with(|c: char| c.is_ascii_digit()) {
            // `200 000`: groups of three joined by a space.
            let mut joined = w.to_owned();
            while let Some(&(s, e)) = words.get(i + used) {
                let next = &lower[i + used];
                let gap = &text[end..s];
                if (gap == " " || gap == "\u{a0}" || gap == "\u{202f}")
                    && next.len() == 3
                    && next.chars().all(|c| c.is_ascii_digit())
                    && joined.len() <= 3 + 4 * (used - 1)
                    && joined.chars().all(|c| c.is_ascii_digit())
                {
                    joined.push_str(next);
                    end = e;
                    used += 1;
                } else {
                    break;
                }
            }
            if used > 1 {
                values = joined.parse::<f64>().ok().into_iter().collect();
            } else {
                values = digits(w);
                // A decimal point (not a thousands group) sets the precision.
                if let Some((_, decimals)) = w.trim_end_matches(char::is_alphabetic).rsplit_once(['.', ','])
                    && (decimals.len() != 3 || values.len() == 1 && values[0].fract() != 0.0)
                {
                    precision = 10f64.powi(-(decimals.len() as i32));
                }
                // `200k`, `5bn`, `3rd`, `1990s`: a suffix stuck to the digits.
                let suffix = w.trim_start_matches(|c: char| c.is_ascii_digit() || c == ',' || c == '.');
                if let Some(f) = scale(suffix) {
                    values = values.iter().map(|v| v * f).collect();
                    precision *= f;
                } else if matches!(suffix.split('-').next(), Some("st" | "nd" | "rd" | "th")) {
                    ordinal = true;
                } else if !suffix.is_empty() && suffix != "s" {
                    values.clear(); // `3d`, `mp3`: not a number
                }
            }
        } else if let Some(v) = small(w).or_else(|| (w == "dozen" && i > 0 && lower[i - 1] == "a").then_some(12.0)) {
            // Spelled out: `two hundred and five thousand`.
            spelled = true;
            let (mut total, mut current) = (0.0, v);
            while let Some(next) = lower.get(i + used) {
                if let Some(f) = scale(next).filter(|_| next.len() > 2) {
                    if f >= 1e3 {
                        total += current * f;
                        current = 0.0;
                    } else {
                        current *= f;
                    }
                } else if let Some(n) = small(next).filter(|_| current % 100.0 == 0.0 || current == 0.0) {
                    current += n;
                } else if next == "and"
                    && lower.get(i + used + 1).is_some_and(|n| small(n).is_some())
                    && current >= 100.0
                {
                } else {
                    break;
                }
                end = words[i + used].1;
                used += 1;
            }
            values = vec![total + current];
        } else {
            i += 1;
            continue;
        }
        // `2.5 million`, `45 per cent`.
        if (!spelled || used == 1)
            && let Some(f) = lower.get(i + used).and_then(|n| scale(n).filter(|_| n.len() > 2))
        {
            values = values.iter().map(|v| v * f).collect();
            precision *= f;
            end = words[i + used].1;
            used += 1;
        }
        // `2018–19`: the second year of a range, abbreviated.
        if let Some(prev) = out.last().filter(|p| p.end + 3 >= start && !spelled && w.len() == 2) {
            let century = prev.values.iter().find(|v| (1000.0..3000.0).contains(*v) && v.fract() == 0.0);
            if let Some(c) = century.filter(|_| text[prev.end..start].trim().chars().count() == 1) {
                let full = (c / 100.0).floor() * 100.0 + values.first().copied().unwrap_or(0.0);
                values.push(full);
            }
        }
        if !values.is_empty() {
            out.push(Number { start, end, values, precision, spelled, date: None, ordinal });
        }
        i += used;
    }
    out.extend(dates);
    out.sort_by_key(|n| n.start);
    out
}

impl Number {
    /// A small number in one word (`three frames`, `one of`): as often
    /// counted or inferred as quoted, so a claim's is not looked up (a
    /// source's still counts: `Part Two` holds a claim's `part 2`).
    pub fn is_lone_word(&self) -> bool {
        self.spelled && self.values.iter().all(|v| *v < 10.0) && self.date.is_none()
    }

    /// Whether a source's value is this number: one of its readings, or
    /// within half its precision (`2.5 million` for 2,481,000).
    pub fn agrees(&self, found: f64) -> bool {
        self.values.iter().any(|&v| v == found || (found - v).abs() <= self.precision / 2.0 * (1.0 + 1e-9))
    }

    /// Whether a number of a source says what this one says: a date only
    /// by a date, anything else by value.
    pub fn agrees_with(&self, found: &Number) -> bool {
        match (&self.date, &found.date) {
            (Some(mine), Some(theirs)) => mine.agrees(theirs),
            (Some(_), None) => false,
            // `one` in a source is not a claim's `1st`.
            (None, _) if self.ordinal && found.is_lone_word() => false,
            (None, _) => found.values.iter().any(|&v| self.agrees(v)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<Vec<f64>> {
        find(text).into_iter().map(|n| n.values).collect()
    }

    #[test]
    fn reads_every_written_form() {
        assert_eq!(values("200,000 and 200 000 people"), [vec![200000.0], vec![200000.0]]);
        assert_eq!(values("200.000"), [vec![200.0, 200000.0]]);
        assert_eq!(values("200k or 5bn"), [vec![200000.0], vec![5e9]]);
        assert_eq!(values("2.5 million"), [vec![2.5e6]]);
        assert_eq!(values("two hundred thousand"), [vec![200000.0]]);
        assert_eq!(values("twenty-five and a dozen"), [vec![25.0], vec![12.0]]);
        assert_eq!(values("the 2018–19 season"), [vec![2018.0], vec![19.0, 2019.0]]);
        assert_eq!(values("45% or 45 per cent"), [vec![45.0], vec![45.0]]);
        assert_eq!(values("$5 million"), [vec![5e6]]);
        assert_eq!(values("from 2010–2012"), [vec![2010.0], vec![2012.0]]);
        assert_eq!(values("the 3rd in the 1990s"), [vec![3.0], vec![1990.0]]);
        assert_eq!(values("a 17th-century fresco"), [vec![17.0]]);
        assert_eq!(values("1.234,5"), [vec![1234.5]]);
        assert_eq!(values("3,5"), [vec![3.5]]);
    }

    #[test]
    fn dates_are_one_number_in_any_format() {
        let date = |t: &str| find(t).into_iter().filter_map(|n| n.date).map(|d| d.iso()).collect::<Vec<_>>();
        assert_eq!(date("died on 16 May 2001."), ["2001-05-16"]);
        assert_eq!(date("on May 16, 2001 and the 3rd of June"), ["2001-05-16", "--06-03"]);
        assert_eq!(date("In March 2006 and Sept. 2007"), ["2006-03", "2007-09"]);
        assert_eq!(date("PUBLISHED 2001-06-26T21:16:56"), ["2001-06-26"]);
        assert_eq!(date("you may 2 times"), ["--05-02"], "a month name beside a number is read as a date");
        let claim = find("died on 16 May 2001").remove(0);
        let agrees = |source: &str| find(source).iter().any(|n| claim.agrees_with(n));
        assert!(agrees("born 1944; died 16 May 2001"));
        assert!(agrees("died May 16"), "a source date without a year");
        assert!(!agrees("died May 25 2001. Published 26 Jun 2001"));
        assert!(!agrees("in 2001 he died"), "the year alone is not the date");
        let numbers = find("On 16 May 2001, 12 people");
        assert_eq!(numbers.len(), 2, "the date's digits are not numbers of their own: {numbers:?}");
    }

    #[test]
    fn lists_codes_and_words_are_not_numbers() {
        assert_eq!(values("1,2,3"), Vec::<Vec<f64>>::new());
        assert_eq!(values("an mp3 in 3d"), Vec::<Vec<f64>>::new());
        assert_eq!(values("someone is alone"), Vec::<Vec<f64>>::new());
    }

    #[test]
    fn spans_are_the_written_number() {
        let text = "about two hundred thousand people (2.5 million)";
        let spans: Vec<&str> = find(text).iter().map(|n| &text[n.start..n.end]).collect();
        assert_eq!(spans, ["two hundred thousand", "2.5 million"]);
    }

    #[test]
    fn a_rounded_claim_agrees_with_its_exact_source() {
        let one = |t: &str| find(t).remove(0);
        assert!(one("2.5 million").agrees(2_481_000.0));
        assert!(!one("2.5 million").agrees(2_400_000.0));
        assert!(one("29.6%").agrees(29.6));
        assert!(one("30").agrees(30.4));
        assert!(!one("30").agrees(29.0));
        assert!(!one("2011").agrees(2012.0));
        assert!(one("1,234").agrees(1234.0));
    }
}
