//! `citelock completions`.

use super::Outcome;

/// Print a shell completion script (e.g. `citelock completions bash > /etc/bash_completion.d/citelock`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let mut cmd = super::command();
    clap_complete::generate(args.shell, &mut cmd, "citelock", &mut std::io::stdout());
    Ok(Outcome::Done { errors: false })
}
