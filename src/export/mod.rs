//! Getting references out: bibliographies in any CSL style ([`csl`]), the
//! library as BibTeX/BibLaTeX ([`bibtex`]), CSL-JSON ([`csl_json`]) and RIS
//! ([`ris`]), and reports rendered with their citations ([`render`]). Each
//! entry can carry where its archived copy is ([`Archived`]).

pub mod bibtex;
pub mod csl;
pub mod csl_json;
pub mod flat;
pub mod render;
pub mod ris;

/// An entry's archived copy, as the exports cite it.
#[derive(Debug, Clone)]
pub struct Archived {
    /// The object, relative to the repository root (or a URL under `archive-base-url`).
    pub location: String,
    /// When it was captured, `YYYY-MM-DD`.
    pub date: String,
    /// How: `http`, `file`, `web-archive`.
    pub method: String,
    /// For web-archive imports: the archive that holds it.
    pub service: Option<String>,
}

impl Archived {
    /// Who holds the copy: this repository's archive, or the web archive it came from.
    pub fn holder(&self) -> String {
        match (&self.service, self.method.as_str()) {
            (Some(s), _) => s.clone(),
            (None, "web-archive") => "a web archive".to_owned(),
            _ => "citelock archive".to_owned(),
        }
    }

    /// The sentence a bibliography carries, true to how the copy was made.
    pub fn sentence(&self) -> String {
        let (date, at) = (&self.date, &self.location);
        match (self.method.as_str(), &self.service) {
            ("http", _) => format!("Archived from the original on {date}: {at}"),
            ("web-archive", Some(service)) => format!("Archived by {service} on {date}: {at}"),
            ("web-archive", None) => format!("Archived by a web archive on {date}: {at}"),
            _ => format!("Copy on file, attached {date}: {at}"),
        }
    }
}
