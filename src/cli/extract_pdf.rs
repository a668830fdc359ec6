//! `citelock __extract-pdf FILE` (hidden): the isolated PDF text helper.

use std::io::Write;
use std::path::PathBuf;

use super::Outcome;

/// Print a PDF's text, pages separated by form feeds, under memory and CPU limits.
#[derive(Debug, clap::Args)]
pub struct Args {
    file: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let text = citelock::text::pdf::helper_main(&args.file).map_err(anyhow::Error::msg)?;
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(Outcome::Done { errors: false })
}
