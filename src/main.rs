//! The `citelock` binary: parses arguments, runs the command, maps the result
//! to an exit code (0 clean, 1 error-level findings, 2 usage/config/I-O failure).

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
