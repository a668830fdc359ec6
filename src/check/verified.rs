//! `references/verified.yml`: quotations a person checked by hand against a
//! source that cannot be archived (a print book). Each record names the
//! quotation, the key, the page, who checked it and when; `check` accepts a
//! matching quotation and says so.

use serde::Deserialize;

use crate::text::normalise;

/// The file, relative to the repository root.
pub const FILE: &str = "references/verified.yml";

/// One hand verification.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verified {
    /// The quotation as it appears in the report.
    pub quote: String,
    /// The citation key of the source.
    pub key: String,
    /// Where in the source (page).
    #[serde(default)]
    pub page: Option<String>,
    /// Who verified it.
    pub by: String,
    /// When (a date).
    pub date: String,
    /// Anything else (edition, library copy).
    #[serde(default)]
    pub note: Option<String>,
}

/// The records, or a message with the line of what is wrong.
pub fn load(root: &std::path::Path) -> Result<Vec<Verified>, String> {
    let text = match std::fs::read_to_string(root.join(FILE)) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{FILE}: {e}")),
    };
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    crate::library::outline::check(&text).map_err(|e| format!("{FILE}:{}: invalid YAML: {}", e.line, e.message))?;
    serde_yaml::from_str(&text).map_err(|e| {
        let line = e.location().map_or(String::new(), |l| format!(":{}", l.line()));
        format!("{FILE}{line}: {e}")
    })
}

/// The record that vouches for `quote` from one of `keys`, if any.
pub fn find<'a>(records: &'a [Verified], quote: &str, keys: &[String]) -> Option<&'a Verified> {
    let q = normalise(quote);
    records.iter().find(|r| keys.contains(&r.key) && normalise(&r.quote) == q)
}
