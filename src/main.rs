//! The `citelock` binary: parses arguments, runs the command, maps the result
//! to an exit code (0 clean, 1 error-level findings, 2 usage/config/I-O failure).

mod cli;

/// hayagriva allocates and frees small selector trees at every type test of
/// a style (a quarter of an export's time went to glibc's malloc and free).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
