//! `citelock codes`.

use std::io::Write;

use super::Outcome;
use citelock::findings::Code;

/// List every finding code with its default level and what it means.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<Outcome> {
    let mut out = std::io::stdout().lock();
    let width = Code::ALL.iter().map(|c| c.name().len()).max().unwrap_or(0);
    for code in Code::ALL {
        writeln!(out, "{:width$}  {:7}  {}", code.name(), code.default_severity().name(), code.summary())?;
    }
    Ok(Outcome::Done { errors: false })
}
