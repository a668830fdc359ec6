//! `citelock lsp`.

use super::{Ctx, Outcome};

/// Serve the Language Server Protocol on stdio: diagnostics, hover, completion, definition,
/// references, links, code actions, rename and code lens for reports and references/.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Accepted for editors that pass it; stdio is the only transport.
    #[arg(long)]
    stdio: bool,
}

pub fn run(ctx: &Ctx, _args: Args) -> anyhow::Result<Outcome> {
    let stdin = std::io::BufReader::new(std::io::stdin());
    let code = citelock::lsp::serve(stdin, std::io::stdout().lock(), &ctx.cwd);
    // 1 when the client went away without asking the server to shut down.
    Ok(Outcome::Done { errors: code != 0 })
}
