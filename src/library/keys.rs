//! Citation keys: what makes one invalid, when two collide, and how a new one
//! is generated (`authorYEARword`, then suffixes a, b, c… while taken).

use hayagriva::Entry;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Why a key cannot be used, if it cannot.
pub fn invalid_reason(key: &str) -> Option<&'static str> {
    if key.is_empty() {
        Some("the key is empty")
    } else if key.chars().any(char::is_control) {
        Some("the key contains a control character (a line break?)")
    } else if key.chars().any(char::is_whitespace) {
        Some("the key contains whitespace")
    } else {
        None
    }
}

/// The form under which keys collide on case-insensitive or normalising file
/// systems: NFKC, then lower case.
pub fn fold(key: &str) -> String {
    key.nfkc().flat_map(char::to_lowercase).collect()
}

/// Lower-case ASCII letters and digits of `s`, accents stripped (`Müller` → `muller`).
fn ascii_word(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

const STOPWORDS: &[&str] = &[
    "a", "an", "the", "of", "on", "in", "and", "for", "to", "at", "by", "with", "from", "is", "der", "die", "das",
    "le", "la", "les", "el", "un", "une",
];

/// The base of a generated key: first author's family name (or editor, or
/// organisation), year, first significant title word. `anon2020study`.
pub fn base(entry: &Entry) -> String {
    let who = entry
        .authors()
        .or(entry.editors())
        .and_then(|p| p.first())
        .map(|p| ascii_word(&p.name))
        .or_else(|| entry.organization().map(|o| ascii_word(&o.value.to_string())))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "anon".into());
    let date = entry.date().or_else(|| entry.parents().first().and_then(Entry::date));
    let year = date.map_or_else(|| "nd".to_owned(), |d| d.year.to_string());
    let title = entry.title().map(|t| t.value.to_string()).unwrap_or_default();
    let word = title
        .split(|c: char| !c.is_alphanumeric())
        .map(ascii_word)
        .find(|w| !w.is_empty() && !STOPWORDS.contains(&w.as_str()))
        .unwrap_or_default();
    // A hostile title of one 10 MB word must not make a 10 MB key.
    let short = |s: &str| s.chars().take(24).collect::<String>();
    format!("{}{year}{}", short(&who), short(&word))
}

/// `base`, or `base` + a, b, … z, aa, ab… : the first that `taken` does not hold.
pub fn unique(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_owned();
    }
    (0usize..)
        .map(|n| format!("{base}{}", suffix(n)))
        .find(|k| !taken(k))
        .expect("an unbounded sequence of keys has a free one")
}

fn suffix(mut n: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'a' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_keys() {
        assert!(invalid_reason("").is_some());
        assert!(invalid_reason("a b").is_some());
        assert!(invalid_reason("a\nb").is_some());
        assert_eq!(invalid_reason("baez/article"), None);
        assert_eq!(invalid_reason("gaonkar:in"), None);
        assert_eq!(invalid_reason("müller2020"), None);
    }

    #[test]
    fn collisions_by_case_and_normalisation() {
        assert_eq!(fold("Smith2020"), fold("smith2020"));
        assert_eq!(fold("Mu\u{308}ller"), fold("M\u{fc}ller"));
        assert_ne!(fold("a"), fold("b"));
    }

    #[test]
    fn suffixes() {
        let taken = ["k", "ka", "kb"];
        assert_eq!(unique("k", |k| taken.contains(&k)), "kc");
        assert_eq!(unique("z", |_| false), "z");
        assert_eq!(suffix(25), "z");
        assert_eq!(suffix(26), "aa");
    }

    #[test]
    fn generated_base() {
        let lib = hayagriva::io::from_yaml_str(
            "x:\n  type: article\n  title: The Structure of Things\n  author: Müller, Jörg\n  date: 2019-03\n",
        )
        .unwrap();
        assert_eq!(base(lib.get("x").unwrap()), "muller2019structure");
        let long = format!("x:\n  type: misc\n  title: {}\n  author: {}\n", "t".repeat(100_000), "a".repeat(1000));
        let lib = hayagriva::io::from_yaml_str(&long).unwrap();
        assert_eq!(base(lib.get("x").unwrap()), format!("{}nd{}", "a".repeat(24), "t".repeat(24)));
    }
}
