//! Time and peak memory of the release binary against hostile input. Servers
//! on loopback: a gzip bomb (1 GiB of zeros in ~1 MB), an endless body, a byte
//! drip, and a lying Content-Length, each capped by the default limits (100
//! MiB body cap). Files: YAML alias bombs and deep nesting, deep JSON, BibTeX
//! and RIS built to make parsers loop or recurse, HTML nested 100,000 deep,
//! reports of nothing but brackets, a WARC record claiming exabytes.
//! Run: `cargo build --release && cargo bench --bench hostile`.

mod support;

use std::io::Write;
use std::net::TcpListener;
use std::time::{Duration, Instant};

fn main() {
    let bin = support::release_binary();
    servers(bin);
    files(bin);
}

fn servers(bin: &str) {
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

/// One hostile file, where it goes, and the command that reads it.
struct Case {
    name: &'static str,
    path: &'static str,
    bytes: Vec<u8>,
    args: &'static [&'static str],
}

fn files(bin: &str) {
    let n = 100_000;
    let nest = |open: &str, close: &str| format!("{}{}", open.repeat(n), close.repeat(n));
    let mut bomb = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        bomb.push_str(&format!("a{i}: &a{i} [{}]\n", vec![format!("*a{}", i - 1); 9].join(",")));
    }
    let lib_bomb = format!("{bomb}k:\n  type: misc\n  title: boom\n  note: *a9\n");
    // In a log the anchors must sit inside a record: one field holds all ten levels.
    let levels: Vec<String> = (0..10)
        .map(|i| match i {
            0 => "&a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]".to_owned(),
            _ => format!("&a{i} [{}]", vec![format!("*a{}", i - 1); 9].join(",")),
        })
        .collect();
    let log_bomb = format!("- schema: 1\n  id: x\n  key: k\n  method: file\n  source: [{}]\n", levels.join(", "));
    let warc = "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Target-URI: https://example.org/k\r\nContent-Length: 9000000000000000000\r\n\r\nshort";
    let cases = [
        Case {
            name: "YAML alias bomb (references)",
            path: "references/x.yml",
            bytes: lib_bomb.into(),
            args: &["lint"],
        },
        Case {
            name: "YAML nested 100k deep (references)",
            path: "references/x.yml",
            bytes: format!("x:\n  type: misc\n  title: {}\n", nest("[", "]")).into(),
            args: &["lint"],
        },
        Case {
            name: "YAML nested 100k deep (capture log)",
            path: "archive/captures/k.yml",
            bytes: format!("- schema: 1\n  id: {}\n", nest("[", "]")).into(),
            args: &["verify"],
        },
        Case {
            name: "TOML nested 100k deep (config)",
            path: "citelock.toml",
            bytes: format!("x = {}\n", nest("[", "]")).into(),
            args: &["lint"],
        },
        Case {
            name: "YAML alias bomb (capture log)",
            path: "archive/captures/k.yml",
            bytes: log_bomb.into(),
            args: &["verify"],
        },
        Case {
            name: "CSL-JSON nested 100k deep",
            path: "in.json",
            bytes: format!("[{{\"id\": \"a\", \"title\": {}}}]", nest("[", "]")).into(),
            args: &["add", "--csl-json", "in.json"],
        },
        Case {
            name: "BibTeX braces 100k deep",
            path: "in.bib",
            bytes: format!("@book{{a, title = {}}}", nest("{", "}")).into(),
            args: &["add", "--bibtex", "in.bib"],
        },
        Case {
            name: "BibTeX 200k unclosed entries",
            path: "in.bib",
            bytes: "@article{x, title = {".repeat(200_000).into(),
            args: &["add", "--bibtex", "in.bib"],
        },
        Case {
            name: "RIS one 10 MB line",
            path: "in.ris",
            bytes: format!("TY  - BOOK\nTI  - {}\nER  - \n", "x".repeat(10 << 20)).into(),
            args: &["add", "--ris", "in.ris"],
        },
        Case {
            name: "HTML 100k nested <div>",
            path: "in.html",
            bytes: nest("<div>", "</div>").into(),
            args: &["archive", "--attach", "k", "in.html"],
        },
        Case {
            name: "HTML 100k distinct <b id>",
            path: "in.html",
            bytes: (0..n).map(|i| format!("<b id={i}>")).collect::<String>().into(),
            args: &["archive", "--attach", "k", "in.html"],
        },
        Case {
            name: "PDF object nested 100k deep",
            path: "in.pdf",
            bytes: format!(
                "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /X {} >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
                nest("[", "]")
            )
            .into(),
            args: &["archive", "--attach", "k", "in.pdf"],
        },
        Case {
            name: "Markdown 1M brackets",
            path: "report.md",
            bytes: "[".repeat(1 << 20).into(),
            args: &["check", "report.md"],
        },
        Case {
            name: "Markdown 100k nested quotes",
            path: "report.md",
            bytes: format!("{} \"q\" [@k]", ">".repeat(n)).into(),
            args: &["check", "report.md"],
        },
        Case {
            name: "Typst 100k nested content",
            path: "report.typ",
            bytes: nest("#[", "]").into(),
            args: &["check", "report.typ"],
        },
        Case {
            name: "LaTeX 100k nested groups",
            path: "report.tex",
            bytes: nest("\\emph{", "}").into(),
            args: &["check", "report.tex"],
        },
        Case {
            name: "WARC record of 9 EB",
            path: "in.warc",
            bytes: warc.into(),
            args: &["archive", "--import-warc", "in.warc"],
        },
    ];
    println!("\n{:36} {:>8} {:>10} {:>5}  first line of output", "hostile file", "time", "peak", "exit");
    for case in cases {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::process::Command::new(bin).args(["-q", "init"]).current_dir(root).status().unwrap();
        std::fs::write(
            root.join("references/library.yml"),
            "k:\n  type: web\n  title: K\n  url: https://example.org/k\n",
        )
        .unwrap();
        std::fs::write(root.join(case.path), &case.bytes).unwrap();
        let t = Instant::now();
        let out = std::process::Command::new("/usr/bin/time")
            .args(["-f", "%M", bin, "--color", "never"])
            .args(case.args)
            .current_dir(root)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let kb: f64 = stderr.lines().last().unwrap_or("0").trim().parse().unwrap_or(0.0);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let first = stdout.lines().chain(stderr.lines()).find(|l| !l.trim().is_empty()).unwrap_or("");
        let first: String = first.chars().take(90).collect();
        println!(
            "{:36} {:6.2} s {:7.1} MB {:>5}  {first}",
            case.name,
            t.elapsed().as_secs_f64(),
            kb / 1024.0,
            out.status.code().unwrap_or(-1)
        );
    }
}
