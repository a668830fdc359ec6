//! The output writers: one function per format, all fed the same findings.

mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod markdown;

pub use junit::escape;
pub use markdown::markdown;
mod sarif;

use std::io::{self, Write};
use std::path::Path;

use super::Findings;

/// How findings are printed (`--format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// rustc-like text with the source line (default).
    #[default]
    Human,
    /// JSON, version 1 (README: "Findings as JSON").
    Json,
    /// GitHub Actions workflow commands (`::error file=…::`).
    Github,
    /// JUnit XML, one test case per finding.
    Junit,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// GitLab's Code Quality report (the merge request widget).
    Gitlab,
}

/// What a writer needs besides the findings.
pub struct Context<'a> {
    /// Repository root; finding paths are relative to it (the human writer reads source lines from it).
    pub root: &'a Path,
    /// The command that produced the findings (`lint`), for report names.
    pub command: &'a str,
    /// Whether to use ANSI colours (human format only).
    pub color: bool,
}

/// Writes `findings` in `format`.
pub fn write(format: Format, findings: &Findings, ctx: &Context, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human => human::write(findings, ctx, out),
        Format::Json => json::write(findings, out),
        Format::Github => github::write(findings, out),
        Format::Junit => junit::write(findings, ctx, out),
        Format::Sarif => sarif::write(findings, out),
        Format::Gitlab => gitlab::write(findings, out),
    }
}
