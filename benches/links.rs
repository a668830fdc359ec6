//! `citelock links` against lychee on the same 10,000 URLs, A B A B, in one go.
//!
//! A keep-alive HTTP server answers on 50 loopback addresses (127.0.0.1–50,
//! one port: 50 hosts by name, as lychee keys its per-host limits) with 200,
//! 301 (to a 200), 404 and 500, some after a delay of 50–500 ms. Both tools
//! run with 64 requests in flight, 4 per host, no retries, GET, once with a
//! 50 ms per-host interval (lychee's default) and once with none. The
//! workload's latency floor is what the delays, limits and intervals allow
//! at best; wall times are reported against it and against lychee, peak
//! memory against lychee, and every URL's verdict is compared.
//!
//! Run: `cargo install lychee --locked` (outside the project), then
//! `cargo build --release && cargo bench --bench links` (`LYCHEE=path` if it is
//! not on PATH).

mod support;

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

const URLS: usize = 10_000;
const HOSTS: usize = 50;

/// What URL `i` answers: status, and delay before answering. Every host
/// gets every kind, interleaved (URL `i` is on host `i % 50`).
fn plan(i: usize) -> (u16, Duration) {
    let status = match (i / HOSTS) % 10 {
        6 => 301,
        7 => 404,
        8 => 500,
        _ => 200,
    };
    let delay = if i % 7 == 3 { 50 + (i * 7919) % 451 } else { 0 };
    (status, Duration::from_millis(delay as u64))
}

fn host(i: usize) -> usize {
    i % HOSTS + 1
}

/// The best any tool can do: every host's URLs spaced by the interval, each
/// host's delays spread over its slots, everyone's over the global slots.
fn floor(interval: Duration) -> f64 {
    let mut per_host: BTreeMap<usize, (usize, f64)> = BTreeMap::new();
    let mut total = 0.0;
    let mut longest: f64 = 0.0;
    for i in 0..URLS {
        let d = plan(i).1.as_secs_f64();
        let e = per_host.entry(host(i)).or_default();
        e.0 += 1;
        e.1 += d;
        total += d;
        longest = longest.max(d);
    }
    let hosts = per_host.values().map(|&(n, sum)| ((n - 1) as f64 * interval.as_secs_f64()).max(sum / 4.0));
    hosts.fold(total / 64.0, f64::max).max(longest)
}

async fn serve(listener: tokio::net::TcpListener) {
    loop {
        let Ok((mut s, _)) = listener.accept().await else { continue };
        tokio::spawn(async move {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            loop {
                let end = loop {
                    if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break p + 4;
                    }
                    match s.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                };
                let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                buf.drain(..end);
                let mut words = head.split_whitespace();
                let method = words.next().unwrap_or("GET").to_owned();
                let path = words.next().unwrap_or("/").to_owned();
                let response = if let Some(i) = path.strip_prefix("/u").and_then(|p| p.parse::<usize>().ok()) {
                    let (status, delay) = plan(i);
                    tokio::time::sleep(delay).await;
                    match status {
                        301 => format!(
                            "HTTP/1.1 301 Moved Permanently\r\nLocation: /final/{i}\r\nContent-Length: 0\r\n\r\n"
                        ),
                        200 => page(&method, "200 OK"),
                        404 => page(&method, "404 Not Found"),
                        _ => page(&method, "500 Internal Server Error"),
                    }
                } else {
                    page(&method, "200 OK")
                };
                if s.write_all(response.as_bytes()).await.is_err() {
                    return;
                }
            }
        });
    }
}

fn page(method: &str, status: &str) -> String {
    let body = "<html><body><p>a page of the link benchmark</p></body></html>";
    let shown = if method == "HEAD" { "" } else { body };
    format!("HTTP/1.1 {status}\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{shown}", body.len())
}

/// Wall seconds and peak RSS (MiB) of a command, through GNU time.
fn timed(cmd: &mut Command) -> (f64, f64, std::process::Output) {
    let report = tempfile::NamedTempFile::new().unwrap();
    let program = cmd.get_program().to_owned();
    let args: Vec<_> = cmd.get_args().map(ToOwned::to_owned).collect();
    let mut timed = Command::new("/usr/bin/time");
    timed.arg("-f").arg("%e %M").arg("-o").arg(report.path()).arg(program).args(args);
    if let Some(dir) = cmd.get_current_dir() {
        timed.current_dir(dir);
    }
    let out = timed.output().unwrap();
    let text = std::fs::read_to_string(report.path()).unwrap();
    // GNU time first says "Command exited with non-zero status N" when it did.
    let mut it = text.lines().last().unwrap_or_default().split_whitespace();
    let wall: f64 = it.next().unwrap().parse().unwrap();
    let kib: f64 = it.next().unwrap().parse().unwrap();
    (wall, kib / 1024.0, out)
}

/// citelock's verdicts by URL: dead or alive.
fn citelock_verdicts(json: &[u8], urls: &[String]) -> BTreeMap<String, bool> {
    let doc: serde_json::Value = serde_json::from_slice(json).expect("citelock's JSON");
    let mut alive: BTreeMap<String, bool> = urls.iter().map(|u| (u.clone(), true)).collect();
    for f in doc["findings"].as_array().unwrap() {
        if f["code"] == "dead-link" || f["code"] == "link-timeout" {
            alive.insert(f["data"]["url"].as_str().unwrap().to_owned(), false);
        }
    }
    alive
}

/// lychee's verdicts by URL: its error map lists the failures.
fn lychee_verdicts(json: &[u8], urls: &[String]) -> BTreeMap<String, bool> {
    let doc: serde_json::Value = serde_json::from_slice(json).expect("lychee's JSON");
    let mut alive: BTreeMap<String, bool> = urls.iter().map(|u| (u.clone(), true)).collect();
    for failures in doc["error_map"].as_object().into_iter().flat_map(|m| m.values()) {
        for f in failures.as_array().unwrap() {
            alive.insert(f["url"].as_str().unwrap().to_owned(), false);
        }
    }
    alive
}

fn main() {
    let bin = support::release_binary();
    let lychee = std::env::var("LYCHEE").unwrap_or_else(|_| "lychee".into());
    if Command::new(&lychee).arg("--version").output().is_err() {
        eprintln!("lychee not found: cargo install lychee --locked, then LYCHEE=path/to/lychee");
        std::process::exit(1);
    }
    let version = String::from_utf8(Command::new(&lychee).arg("--version").output().unwrap().stdout).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let port = rt.block_on(async {
        let first = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = first.local_addr().unwrap().port();
        tokio::spawn(serve(first));
        for h in 2..=HOSTS {
            let l = tokio::net::TcpListener::bind(format!("127.0.0.{h}:{port}")).await.unwrap();
            tokio::spawn(serve(l));
        }
        port
    });
    let urls: Vec<String> = (0..URLS).map(|i| format!("http://127.0.0.{}:{port}/u{i}", host(i))).collect();
    if let Ok(secs) = std::env::var("LINKS_BENCH_SERVE_ONLY") {
        // Serve the workload for a while, to try other tools against it by hand.
        println!("serving on port {port}");
        std::thread::sleep(Duration::from_secs(secs.parse().unwrap_or(600)));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    assert!(Command::new(bin).args(["-q", "init"]).current_dir(&repo).status().unwrap().success());
    let library: String = urls
        .iter()
        .enumerate()
        .map(|(i, u)| format!("u{i}:\n  type: web\n  title: Page {i}\n  url: '{u}'\n"))
        .collect();
    std::fs::write(repo.join("references/library.yml"), library).unwrap();
    let list = dir.path().join("urls.txt");
    std::fs::write(&list, urls.join("\n")).unwrap();
    println!(
        "{URLS} URLs on {HOSTS} hosts; {} delayed 50-500 ms; {}",
        (0..URLS).filter(|&i| plan(i).1 > Duration::ZERO).count(),
        version.trim()
    );

    for interval in ["50ms", "0ms"] {
        let gap = if interval == "50ms" { Duration::from_millis(50) } else { Duration::ZERO };
        let floor = floor(gap);
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        let mut verdicts = (BTreeMap::new(), BTreeMap::new());
        // The same manners for both, under lychee's flag names.
        let manners = [
            "--max-concurrency",
            "64",
            "--host-concurrency",
            "4",
            "--host-request-interval",
            interval,
            "--max-retries",
            "0",
            "--no-progress",
        ];
        for round in 0..2 {
            let (wall, mem, out) =
                timed(Command::new(bin).current_dir(&repo).args(["--format", "json", "links"]).args(manners).args([
                    "--method",
                    "get",
                    "--no-cache",
                    "--no-drift",
                    "--allow-private",
                ]));
            if round == 0 {
                verdicts.0 = citelock_verdicts(&out.stdout, &urls);
            }
            ours.push((wall, mem));
            let report = dir.path().join("lychee.json");
            let (wall, mem, out) = timed(
                Command::new(&lychee).args(manners).args(["--format", "json", "--output"]).arg(&report).arg(&list),
            );
            assert!(out.status.code().is_some(), "lychee ran");
            if round == 0 {
                verdicts.1 = lychee_verdicts(&std::fs::read(&report).unwrap(), &urls);
            }
            theirs.push((wall, mem));
        }
        let best = |v: &[(f64, f64)]| v.iter().map(|x| x.0).fold(f64::INFINITY, f64::min);
        let mem = |v: &[(f64, f64)]| v.iter().map(|x| x.1).fold(0.0, f64::max);
        let same = verdicts.0 == verdicts.1;
        let dead = verdicts.0.values().filter(|a| !**a).count();
        println!("\nper-host interval {interval}: floor {floor:.2} s");
        println!("  citelock runs {:?} s, peak {:.0} MiB", ours.iter().map(|x| x.0).collect::<Vec<_>>(), mem(&ours));
        println!(
            "  lychee   runs {:?} s, peak {:.0} MiB",
            theirs.iter().map(|x| x.0).collect::<Vec<_>>(),
            mem(&theirs)
        );
        println!(
            "  best: citelock {:.2} s = {:.2}x floor, {:.2}x lychee; lychee {:.2} s = {:.2}x floor; memory {:.2}x lychee",
            best(&ours),
            best(&ours) / floor,
            best(&ours) / best(&theirs),
            best(&theirs),
            best(&theirs) / floor,
            mem(&ours) / mem(&theirs)
        );
        let differ: Vec<&String> = verdicts.0.keys().filter(|u| verdicts.0.get(*u) != verdicts.1.get(*u)).collect();
        println!(
            "  verdicts: {dead} dead by citelock; same for every URL: {same} ({} differ{})",
            differ.len(),
            differ.first().map_or(String::new(), |u| format!(", e.g. {u}"))
        );
    }
}
