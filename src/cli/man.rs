//! `citelock man`.

use super::Outcome;

/// Print the man page (roff): `citelock man > citelock.1`.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<Outcome> {
    let man = clap_mangen::Man::new(super::command());
    man.render(&mut std::io::stdout())?;
    Ok(Outcome::Done { errors: false })
}
