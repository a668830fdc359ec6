//! What the benchmarks that drive the release binary share; each uses part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::TcpStream;

/// The release binary, which these benchmarks measure as users run it.
pub fn release_binary() -> &'static str {
    let bin = concat!(env!("CARGO_MANIFEST_DIR"), "/target/release/citelock");
    assert!(std::path::Path::new(bin).exists(), "build the release binary first: cargo build --release");
    bin
}

/// Reads a request's head from a test server's connection; returns its first line.
pub fn read_head(stream: &TcpStream) -> String {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut first = String::new();
    let _ = reader.read_line(&mut first);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
    }
    first
}
