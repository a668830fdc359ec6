//! `citelock archive` of 1,000 URLs on ten loopback hosts (127.0.0.1–127.0.0.10,
//! 100 URLs each, 20 KiB pages, 10 ms server think time): wall time, peak
//! memory of the release binary, and the concurrency each server observed.
//! Run: `cargo build --release && cargo bench --bench archive`.

mod support;

use std::io::Write;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

struct Host {
    port: u16,
    max_open: Arc<AtomicUsize>,
    served: Arc<AtomicUsize>,
}

fn serve(ip: &str) -> Host {
    let listener = TcpListener::bind((ip, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let (max_open, served) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let open = Arc::new(AtomicUsize::new(0));
    let (m, s) = (max_open.clone(), served.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let now = open.fetch_add(1, Ordering::SeqCst) + 1;
            m.fetch_max(now, Ordering::SeqCst);
            let (open, s) = (open.clone(), s.clone());
            std::thread::spawn(move || {
                let first = support::read_head(&stream);
                std::thread::sleep(Duration::from_millis(10));
                let body = first.repeat(20 * 1024 / first.len().max(1));
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                s.fetch_add(1, Ordering::SeqCst);
                open.fetch_sub(1, Ordering::SeqCst);
            });
        }
    });
    Host { port, max_open, served }
}

fn main() {
    let bin = support::release_binary();
    let hosts: Vec<(String, Host)> =
        (1..=10).map(|i| (format!("127.0.0.{i}"), serve(&format!("127.0.0.{i}")))).collect();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::process::Command::new(bin).args(["-q", "init"]).current_dir(root).status().unwrap();
    let mut lib = String::new();
    let mut allow = Vec::new();
    for (ip, h) in &hosts {
        allow.push(format!("\"{ip}:{}\"", h.port));
        for j in 0..100 {
            lib.push_str(
                &format!("h{ip}-{j}:\n  type: web\n  title: Page {j}\n  url: 'http://{ip}:{}/page/{j}'\n", h.port)
                    .replace("h127.0.0.", "h"),
            );
        }
    }
    std::fs::write(root.join("references/library.yml"), lib).unwrap();
    std::fs::write(root.join("citelock.toml"), format!("[fetch]\nallow-hosts = [{}]\n", allow.join(", "))).unwrap();
    let t = Instant::now();
    let out = std::process::Command::new("/usr/bin/time")
        .args(["-f", "%M", bin, "-q", "archive"])
        .current_dir(root)
        .output()
        .unwrap();
    let wall = t.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let peak_kb: f64 = stderr.lines().last().unwrap_or("0").trim().parse().unwrap_or(0.0);
    assert!(out.status.success(), "{stderr}");
    let served: usize = hosts.iter().map(|(_, h)| h.served.load(Ordering::SeqCst)).sum();
    let per_host: Vec<usize> = hosts.iter().map(|(_, h)| h.max_open.load(Ordering::SeqCst)).collect();
    println!("archive of {served} URLs on 10 hosts: {:.2} s wall, {:.1} MB peak", wall.as_secs_f64(), peak_kb / 1024.0);
    println!("most connections open at once, per host: {per_host:?} (limit 2)");
    let verify = std::process::Command::new(bin).args(["-q", "verify"]).current_dir(root).status().unwrap();
    println!("verify after the run: {}", if verify.success() { "clean" } else { "FAILED" });
}
