//! Peak memory of `citelock archive` against hostile loopback servers: a gzip
//! bomb (1 GiB of zeros in ~1 MB), an endless body, a byte drip, and a lying
//! Content-Length, each capped by the default limits (100 MiB body cap).
//! Run: `cargo build --release && cargo bench --bench hostile`.

mod support;

use std::io::Write;
use std::net::TcpListener;
use std::time::{Duration, Instant};

fn main() {
    let bin = support::release_binary();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..1024 {
        gz.write_all(&zeros).unwrap();
    }
    let bomb = std::sync::Arc::new(gz.finish().unwrap());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let b = bomb.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let b = b.clone();
            std::thread::spawn(move || match support::read_head(&s).split_whitespace().nth(1).unwrap_or("/") {
                "/bomb" => {
                    let _ = write!(
                        s,
                        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
                        b.len()
                    );
                    let _ = s.write_all(&b);
                }
                "/endless" => {
                    let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n");
                    let chunk = vec![b'x'; 1 << 16];
                    while s.write_all(&chunk).is_ok() {}
                }
                "/drip" => {
                    let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n");
                    while s.write_all(b"x").is_ok() {
                        std::thread::sleep(Duration::from_millis(500));
                    }
                }
                _ => {
                    let _ = s.write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\nContent-Type: text/plain\r\n\r\nshort",
                    );
                }
            });
        }
    });
    println!("gzip bomb: {} bytes on the wire, 1 GiB decoded", bomb.len());
    for case in ["bomb", "endless", "drip", "liar"] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::process::Command::new(bin).args(["-q", "init"]).current_dir(root).status().unwrap();
        let lib = format!("k:\n  type: web\n  title: K\n  url: 'http://127.0.0.1:{port}/{case}'\n");
        std::fs::write(root.join("references/library.yml"), lib).unwrap();
        let cfg = format!("[fetch]\nallow-hosts = [\"127.0.0.1:{port}\"]\ntotal-timeout = 10\n");
        std::fs::write(root.join("citelock.toml"), cfg).unwrap();
        let t = Instant::now();
        let out = std::process::Command::new("/usr/bin/time")
            .args(["-f", "%M", bin, "-q", "archive"])
            .current_dir(root)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let kb: f64 = stderr.lines().last().unwrap_or("0").trim().parse().unwrap_or(0.0);
        let log = std::fs::read_to_string(root.join("archive/captures/k.yml")).unwrap_or_default();
        let outcome = log
            .lines()
            .find(|l| l.contains("truncated:") || l.contains("error:"))
            .unwrap_or("stored whole")
            .trim()
            .to_owned();
        println!(
            "{case:8} {:6.2} s  {:6.1} MB peak  exit {}  {outcome}",
            t.elapsed().as_secs_f64(),
            kb / 1024.0,
            out.status.code().unwrap_or(-1)
        );
    }
}
