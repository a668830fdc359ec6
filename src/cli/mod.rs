//! The command line: global flags, one module per subcommand, and the one
//! place that prints. Subcommands return findings; this module writes them.

mod add;
mod archive;
mod check;
mod codes;
mod completions;
mod export;
mod extract_pdf;
mod init;
mod links;
mod lint;
mod list;
mod lsp;
mod man;
mod merge;
mod net;
mod number;
mod progress;
mod pull;
mod push;
mod render;
mod show;
mod trace;
mod verify;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use citelock::config::Config;
use citelock::findings::{self, Findings, Format};
use citelock::library::Library;
use citelock::repo::Repo;
use clap::{Parser, Subcommand, ValueEnum};

/// Keep every claim in a report traceable to a fixed, verifiable copy of its source.
#[derive(Debug, Parser)]
#[command(name = "citelock", version = env!("CITELOCK_VERSION"), propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Run as if citelock was started in DIR (like `git -C`).
    #[arg(short = 'C', long = "repo", value_name = "DIR", global = true)]
    repo: Option<PathBuf>,
    /// How findings are printed.
    #[arg(long, value_enum, default_value_t = Format::Human, global = true)]
    format: Format,
    /// Print findings only: no summaries or status lines.
    #[arg(short, long, global = true)]
    quiet: bool,
    /// When to use colours (NO_COLOR in the environment also turns them off).
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true, value_name = "WHEN")]
    color: Color,
    #[command(subcommand)]
    command: Command,
}

/// `--color`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    Init(init::Args),
    Add(add::Args),
    List(list::Args),
    Show(show::Args),
    Lint(lint::Args),
    Archive(archive::Args),
    Verify(verify::Args),
    Push(push::Args),
    Pull(pull::Args),
    Check(check::Args),
    Links(links::Args),
    Export(export::Args),
    Render(render::Args),
    Number(number::Args),
    Trace(trace::Args),
    Lsp(lsp::Args),
    Merge(merge::Args),
    Codes(codes::Args),
    Completions(completions::Args),
    Man(man::Args),
    #[command(name = "__extract-pdf", hide = true)]
    ExtractPdf(extract_pdf::Args),
}

/// What every command gets.
pub struct Ctx {
    /// The working directory the user meant (after `-C`).
    pub cwd: PathBuf,
    format: Format,
    quiet: bool,
}

impl Ctx {
    /// The repository around the working directory.
    pub fn repo(&self) -> Repo {
        Repo::discover(&self.cwd)
    }

    /// `citelock.toml` of a repository.
    pub fn config(&self, repo: &Repo) -> anyhow::Result<Config> {
        Ok(Config::load(repo.root())?)
    }

    /// The repository, its config, its library, and the findings met loading it.
    pub fn load(&self) -> anyhow::Result<Loaded> {
        let repo = self.repo();
        let config = self.config(&repo)?;
        let (library, loading) = Library::load(&repo)?;
        let mut findings = self.findings(&config);
        findings.extend(loading);
        Ok(Loaded { repo, config, library, findings })
    }

    /// A findings collection that applies the configured levels.
    pub fn findings(&self, config: &Config) -> Findings {
        Findings::with_levels(config.levels.clone())
    }

    /// Prints findings to stdout in the chosen format, and (unless quiet) a summary on stderr.
    pub fn emit(&self, repo: &Repo, command: &str, findings: &Findings) -> io::Result<()> {
        self.emit_to(repo, command, findings, None)
    }

    /// [`Ctx::emit`], to a file (written whole, then renamed into place) when one is given.
    pub fn emit_to(&self, repo: &Repo, command: &str, findings: &Findings, file: Option<&Path>) -> io::Result<()> {
        if let Some(file) = file {
            let ctx = findings::Context { root: repo.root(), command, color: false };
            let mut bytes = Vec::new();
            findings::write(self.format, findings, &ctx, &mut bytes)?;
            citelock::atomic::write(&self.cwd.join(file), &bytes)?;
        } else {
            // Styles are always written; anstream strips them for pipes, NO_COLOR and --color never.
            let ctx = findings::Context { root: repo.root(), command, color: true };
            let mut out = anstream::stdout().lock();
            findings::write(self.format, findings, &ctx, &mut out)?;
            out.flush()?;
        }
        if !self.quiet && self.format == Format::Human {
            let s = findings.summary();
            if s.errors + s.warnings + s.infos > 0 {
                let mut parts = vec![count(s.errors, "error", "errors"), count(s.warnings, "warning", "warnings")];
                if s.infos > 0 {
                    parts.push(count(s.infos, "note", "notes"));
                }
                self.status(&format!("{command}: {}", parts.join(", ")))?;
            }
        }
        Ok(())
    }

    /// How a CI command ends (`links`, `merge`): its Markdown report appended
    /// to GitHub's step summary when `GITHUB_STEP_SUMMARY` is set, then that
    /// report (`--to markdown`) or the findings, to standard output or `output`.
    /// The report is written only when one of them wants it.
    pub fn emit_for_ci(
        &self,
        repo: &Repo,
        command: &str,
        findings: &Findings,
        markdown: impl Fn() -> String,
        to: Option<To>,
        output: Option<&Path>,
    ) -> io::Result<()> {
        if let Ok(path) = std::env::var("GITHUB_STEP_SUMMARY")
            && !path.is_empty()
        {
            let mut f = std::fs::OpenOptions::new().append(true).create(true).open(&path)?;
            f.write_all(markdown().as_bytes())?;
        }
        match (to, output) {
            (Some(To::Markdown), Some(out)) => citelock::atomic::write(&self.cwd.join(out), markdown().as_bytes()),
            (Some(To::Markdown), None) => io::stdout().write_all(markdown().as_bytes()),
            (None, out) => self.emit_to(repo, command, findings, out),
        }
    }

    /// Whether status lines are unwanted (quiet, or a machine format on stdout).
    pub fn quiet_or_machine(&self) -> bool {
        self.quiet || self.format != Format::Human
    }

    /// A status line on stderr, unless quiet.
    pub fn status(&self, line: &str) -> io::Result<()> {
        if self.quiet {
            return Ok(());
        }
        writeln!(anstream::stderr(), "{line}")
    }
}

/// A report instead of the findings (`--to`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum To {
    /// A summary line and a table of the findings (a step summary, a pull-request comment).
    Markdown,
}

/// What [`Ctx::load`] returns.
pub struct Loaded {
    pub repo: Repo,
    pub config: Config,
    pub library: Library,
    pub findings: Findings,
}

/// "1 entry", "2 entries".
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// What a command ended with.
pub enum Outcome {
    /// Done; findings (if any) were printed. `true` when some were errors.
    Done { errors: bool },
    /// Findings were printed, but the command could not do its job (the network is down): exit 2.
    Failed,
}

fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let cwd = match &cli.repo {
        Some(dir) => std::env::current_dir()?.join(dir),
        None => std::env::current_dir().context("cannot determine the current directory")?,
    };
    if !cwd.is_dir() {
        anyhow::bail!("-C {}: not a directory", cwd.display());
    }
    let ctx = Ctx { cwd, format: cli.format, quiet: cli.quiet };
    match cli.command {
        Command::Init(args) => init::run(&ctx, args),
        Command::Add(args) => add::run(&ctx, args),
        Command::List(args) => list::run(&ctx, args),
        Command::Show(args) => show::run(&ctx, args),
        Command::Lint(args) => lint::run(&ctx, args),
        Command::Archive(args) => archive::run(&ctx, args),
        Command::Verify(args) => verify::run(&ctx, args),
        Command::Push(args) => push::run(&ctx, args),
        Command::Pull(args) => pull::run(&ctx, args),
        Command::Check(args) => check::run(&ctx, args),
        Command::Links(args) => links::run(&ctx, args),
        Command::Merge(args) => merge::run(&ctx, args),
        Command::Export(args) => export::run(&ctx, args),
        Command::Render(args) => render::run(&ctx, args),
        Command::Number(args) => number::run(&ctx, args),
        Command::Trace(args) => trace::run(&ctx, args),
        Command::Lsp(args) => lsp::run(&ctx, args),
        Command::Codes(args) => codes::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
        Command::ExtractPdf(args) => extract_pdf::run(args),
    }
}

/// Parses arguments, runs, and maps the result to the exit-code contract.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Ok(me) = std::env::current_exe() {
        citelock::text::pdf::set_helper(me);
    }
    let choice = match cli.color {
        Color::Always => anstream::ColorChoice::Always,
        Color::Never => anstream::ColorChoice::Never,
        Color::Auto => anstream::ColorChoice::Auto,
    };
    choice.write_global();
    match run(cli) {
        Ok(Outcome::Done { errors: false }) => ExitCode::SUCCESS,
        Ok(Outcome::Done { errors: true }) => ExitCode::from(1),
        Ok(Outcome::Failed) => ExitCode::from(2),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let mut err = anstream::stderr();
            let red = anstyle::AnsiColor::Red.on_default().bold();
            let _ = write!(err, "{red}error{red:#}: {e}");
            for cause in e.chain().skip(1) {
                let _ = write!(err, ": {cause}");
            }
            let _ = writeln!(err);
            ExitCode::from(2)
        }
    }
}

/// A closed pipe (`citelock list | head`) is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe))
}

/// The clap command, for completions and the man page.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}
