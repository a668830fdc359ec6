//! PDF text, pages kept apart by form feeds (`\f`, as `pdftotext` does).
//! PDF parsers panic, loop and balloon on hostile files, so extraction runs in
//! a separate process (citelock's hidden `__extract-pdf` command) that limits
//! its own address space and CPU time; the parent adds a wall-clock timeout.
//! Library users that set no helper get no PDF text, never an unbounded parse.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::Extracted;

/// The extractor name recorded for PDF text.
pub fn extractor() -> String {
    "citelock-text/1 pdf (pdf-extract 0.12)".to_owned()
}

static HELPER: OnceLock<PathBuf> = OnceLock::new();

/// Names the program that runs `__extract-pdf` (the citelock binary itself).
pub fn set_helper(program: PathBuf) {
    let _ = HELPER.set(program);
}

/// Address space the helper may use.
pub const MEMORY_LIMIT: u64 = 1024 * 1024 * 1024;
/// CPU seconds the helper may use.
pub const CPU_LIMIT: u64 = 20;
/// Wall-clock seconds the parent waits.
pub const WALL_LIMIT: Duration = Duration::from_secs(30);
/// Text a helper may print (more is cut).
const OUTPUT_LIMIT: u64 = 64 * 1024 * 1024;

/// Extracts a PDF's text in the helper process; `None` if there is no helper,
/// or the helper failed, crashed or ran out of time or memory.
pub fn extract(object: &Path) -> Option<Extracted> {
    let helper = HELPER.get()?;
    let mut child = Command::new(helper)
        .arg("__extract-pdf")
        .arg(object)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdout = child.stdout.take()?;
    let reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = (&mut stdout).take(OUTPUT_LIMIT).read_to_end(&mut text);
        text
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() < WALL_LIMIT => std::thread::sleep(Duration::from_millis(10)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let text = reader.join().ok()?;
    if !status?.success() {
        return None;
    }
    Some(Extracted { text: String::from_utf8_lossy(&text).into_owned(), extractor: extractor() })
}

/// The helper's side: limit this process, parse, print pages joined by `\f`.
/// Returns the text, or why it could not be read.
pub fn helper_main(path: &Path) -> Result<String, String> {
    use rustix::process::{Resource, Rlimit, setrlimit};
    let limit = |r, v| setrlimit(r, Rlimit { current: Some(v), maximum: Some(v) });
    limit(Resource::As, MEMORY_LIMIT).map_err(|e| format!("cannot limit memory: {e}"))?;
    limit(Resource::Cpu, CPU_LIMIT).map_err(|e| format!("cannot limit CPU time: {e}"))?;
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let pages = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem_by_pages(&bytes))
        .map_err(|_| "the PDF parser panicked".to_owned())?
        .map_err(|e| format!("cannot read the PDF: {e}"))?;
    Ok(pages.join("\u{c}"))
}
