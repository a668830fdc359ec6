//! `push`, `pull` and `verify --remote` against a real S3 server: `s3s-fs`,
//! started per test on a free loopback port with throwaway credentials
//! (`.ci/test` installs it). Proxies on loopback flip bytes, throttle and cut
//! connections between citelock and the server.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Std, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::{Env, LIBRARY, Rng, Run, codes, with_code};

const ACCESS: &str = "citelock-test";
const SECRET: &str = "citelock-test-secret";
const BUCKET: &str = "reports";

/// An `s3s-fs` process over a temporary directory holding one bucket.
struct S3 {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl S3 {
    fn start() -> S3 {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(BUCKET)).unwrap();
        let port = free_port();
        let child = Std::new(s3s_fs())
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--access-key", ACCESS, "--secret-key", SECRET])
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("s3s-fs runs (.ci/test installs it: cargo install s3s-fs --version 0.14.1 --features binary)");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "s3s-fs did not start on port {port}");
            std::thread::sleep(Duration::from_millis(20));
        }
        S3 { child, port, dir }
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The server's file of an object.
    fn file(&self, prefix: &str, hex: &str) -> PathBuf {
        self.dir.path().join(BUCKET).join(prefix).join(format!("objects/sha256/{}/{}", &hex[..2], &hex[2..]))
    }

    /// Every object name the server holds under a prefix.
    fn objects(&self, prefix: &str) -> Vec<String> {
        let root = self.dir.path().join(BUCKET).join(prefix).join("objects/sha256");
        let mut out = Vec::new();
        for d in std::fs::read_dir(&root).into_iter().flatten().flatten() {
            for f in std::fs::read_dir(d.path()).unwrap().flatten() {
                out.push(format!("{}{}", d.file_name().to_string_lossy(), f.file_name().to_string_lossy()));
            }
        }
        out.sort();
        out
    }
}

impl Drop for S3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn s3s_fs() -> PathBuf {
    if let Some(p) = std::env::var_os("S3S_FS") {
        return p.into();
    }
    let home = PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo/bin/s3s-fs");
    if home.exists() { home } else { "s3s-fs".into() }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Runs citelock with the test's credentials.
fn run(env: &Env, args: &[&str]) -> Run {
    env.cmd()
        .args(args)
        .env("AWS_ACCESS_KEY_ID", ACCESS)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap()
        .into()
}

fn json(env: &Env, args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let r = run(env, &all);
    let v = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", r.stdout, r.stderr));
    (r.code, v)
}

/// A repository set up for the remote at `endpoint`, with `n` attached snapshots.
fn repo(endpoint: &str, n: usize) -> Env {
    let env = Env::new();
    let r = run(&env, &["init", "--remote", &format!("s3://{BUCKET}/team/report")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    point_at(&env, endpoint);
    let mut library = LIBRARY.to_owned();
    for i in 0..n {
        library.push_str(&format!("\nsrc{i}:\n  type: report\n  title: Source {i}\n  date: 2026\n"));
        let body: String = (0..(i * 97) % 5000 + 10).map(|j| char::from(b'a' + ((i + j) % 26) as u8)).collect();
        env.write(&format!("src{i}.txt"), &body);
    }
    env.write("references/library.yml", &library);
    for i in 0..n {
        let r = run(
            &env,
            &["archive", "--attach", &format!("src{i}"), &format!("src{i}.txt"), "--source", "written by the test"],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    env
}

/// Sets `[remote]`'s endpoint (path-style, as loopback servers need).
fn point_at(env: &Env, endpoint: &str) {
    let text = env.read("citelock.toml");
    let set = |key: &str, value: &str, text: &str| -> String {
        let lines: Vec<String> =
            text.lines().filter(|l| !l.starts_with(&format!("{key} ="))).map(str::to_owned).collect();
        lines.join("\n").replacen("\n[remote]\n", &format!("\n[remote]\n{key} = {value}\n"), 1)
    };
    let text = set("endpoint", &format!("\"{endpoint}\""), &text);
    let text = set("path-style", "true", &text);
    env.write("citelock.toml", &text);
}

/// A clone of the repository without its objects, as `git clone` gives with objects ignored.
fn fresh_clone(env: &Env) -> Env {
    let clone = Env::empty();
    let out = Std::new("cp").arg("-a").arg(format!("{}/.", env.root().display())).arg(clone.root()).output().unwrap();
    assert!(out.status.success());
    let objects = clone.path("archive/objects/sha256");
    let _ = Std::new("chmod").arg("-R").arg("u+w").arg(&objects).output();
    std::fs::remove_dir_all(&objects).unwrap();
    clone
}

fn manifest_hexes(env: &Env) -> Vec<String> {
    let mut v: Vec<String> = env
        .read("archive/manifest-sha256.txt")
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn push_pull_into_a_fresh_clone_and_verify_both_sides() {
    let s3 = S3::start();
    let env = repo(&s3.endpoint(), 3);
    assert!(env.read("archive/.gitignore").contains("objects/"));
    let r = run(&env, &["push"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("pushed 3 objects"), "{}", r.stderr);
    assert_eq!(s3.objects("team/report"), manifest_hexes(&env), "the remote mirrors the local layout");
    let again = run(&env, &["push"]);
    assert!(again.stderr.contains("pushed 0 objects") && again.stderr.contains("3 already there"), "{}", again.stderr);

    let (code, doc) = json(&env, &["verify", "--remote"]);
    assert_eq!(code, 0, "{doc}");
    assert!(with_code(&doc, "remote-missing").is_empty() && with_code(&doc, "remote-mismatch").is_empty(), "{doc}");
    assert!(with_code(&doc, "remote-no-checksum").is_empty(), "s3s-fs stores the SHA-256 it checked: {doc}");

    let clone = fresh_clone(&env);
    let (code, doc) = json(&clone, &["verify"]);
    assert_eq!(code, 1);
    assert_eq!(with_code(&doc, "missing-object").len(), 6, "3 in the manifest, 3 in logs: {doc}");
    let r = run(&clone, &["pull", "src1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("pulled 1 object"), "{}", r.stderr);
    let r = run(&clone, &["pull"]);
    assert!(r.stderr.contains("pulled 2 objects") && r.stderr.contains("1 already here"), "{}", r.stderr);
    let r = run(&clone, &["verify"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(run(&clone, &["verify", "--remote", "--quick"]).code, 0);
}

#[test]
fn a_corrupt_remote_object_is_seen_by_a_sample_and_refused_by_pull() {
    let s3 = S3::start();
    let env = repo(&s3.endpoint(), 2);
    assert_eq!(run(&env, &["push"]).code, 0);
    let hex = manifest_hexes(&env)[0].clone();
    let file = s3.file("team/report", &hex);
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[0] ^= 0x20;
    std::fs::write(&file, &bytes).unwrap();

    // The stored checksum says what the server received, not what its disk holds now.
    let r = run(&env, &["verify", "--remote"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stderr.contains("their bytes were not read"), "says what it cannot see: {}", r.stderr);
    let (code, doc) = json(&env, &["verify", "--remote", "--read-data-subset", "100%"]);
    assert_eq!(code, 1, "{doc}");
    let bad = with_code(&doc, "remote-mismatch");
    assert_eq!(bad.len(), 1, "{doc}");
    assert!(bad[0]["file"].as_str().unwrap().ends_with(&hex[2..]), "{doc}");

    let clone = fresh_clone(&env);
    let (code, doc) = json(&clone, &["pull"]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(codes(&doc), ["hash-mismatch"], "{doc}");
    assert!(!clone.path(&format!("archive/objects/sha256/{}/{}", &hex[..2], &hex[2..])).exists());
    let left: Vec<_> =
        std::fs::read_dir(clone.path("archive/objects/sha256")).unwrap().flatten().map(|e| e.file_name()).collect();
    assert!(left.iter().all(|n| !n.to_string_lossy().starts_with(".tmp-")), "no partial object: {left:?}");
}

#[test]
fn wrong_credentials_bucket_or_endpoint_are_clear_errors() {
    let s3 = S3::start();
    let env = repo(&s3.endpoint(), 1);
    let r: Run = env
        .cmd()
        .args(["push"])
        .env("AWS_ACCESS_KEY_ID", ACCESS)
        .env("AWS_SECRET_ACCESS_KEY", "wrong")
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("credentials refused"), "{}", r.stderr);

    let text = env.read("citelock.toml").replace("s3://reports/", "s3://no-such-bucket/");
    env.write("citelock.toml", &text);
    let r = run(&env, &["push"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no bucket `no-such-bucket`"), "{}", r.stderr);

    point_at(&env, &format!("http://127.0.0.1:{}", free_port()));
    let r = run(&env, &["verify", "--remote"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("cannot reach the endpoint"), "{}", r.stderr);

    env.write("citelock.toml", &format!("{}\nsecret-access-key = \"x\"\n", env.read("citelock.toml")));
    let r = run(&env, &["push"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("never read from citelock.toml"), "{}", r.stderr);
}

#[test]
fn a_killed_push_resumes_and_two_pushes_at_once_agree() {
    let s3 = S3::start();
    let env = repo(&s3.endpoint(), 24);
    let mut rng = Rng::seeded();
    for _ in 0..20 {
        let mut child = env.spawn_with(&["push"], &[("AWS_ACCESS_KEY_ID", ACCESS), ("AWS_SECRET_ACCESS_KEY", SECRET)]);
        std::thread::sleep(Duration::from_millis(rng.below(120) as u64));
        let _ = child.kill();
        let _ = child.wait();
    }
    let hexes = manifest_hexes(&env);
    let first = env.spawn_with(&["push"], &[("AWS_ACCESS_KEY_ID", ACCESS), ("AWS_SECRET_ACCESS_KEY", SECRET)]);
    let r = run(&env, &["push"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(first.wait_with_output().unwrap().status.success());
    assert_eq!(s3.objects("team/report"), hexes, "nothing lost, nothing extra");
    let (code, doc) = json(&env, &["verify", "--remote", "--read-data-subset", "100%"]);
    assert_eq!(code, 0, "every object whole: {doc}");
}

/// A loopback proxy in front of `upstream`; `edit` sees each connection's request bytes
/// (and may change them), `reply` may answer a request itself instead of forwarding it.
struct Proxy {
    port: u16,
    requests: Arc<AtomicUsize>,
}

impl Proxy {
    fn start(upstream: u16, flip_put_body: bool, throttle_first: usize, cut_get_after: Option<usize>) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(AtomicUsize::new(0));
        let seen = requests.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let seen = seen.clone();
                std::thread::spawn(move || {
                    relay(client, upstream, &seen, flip_put_body, throttle_first, cut_get_after)
                });
            }
        });
        Proxy { port, requests }
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// One connection, one request (the response says `Connection: close`): answers the first
/// `throttle_first` requests with 503 SlowDown, flips the first body byte of a PUT, or cuts a
/// GET's response short.
fn relay(mut client: TcpStream, upstream: u16, seen: &AtomicUsize, flip: bool, throttle: usize, cut: Option<usize>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if client.read(&mut byte).unwrap_or(0) == 0 {
            return;
        }
        head.push(byte[0]);
    }
    if seen.fetch_add(1, Ordering::SeqCst) < throttle {
        let body = "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";
        let _ = write!(
            client,
            "HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        return;
    }
    let is_put = head.starts_with(b"PUT ");
    let is_get = head.starts_with(b"GET ") && !head.windows(9).any(|w| w == b"list-type");
    let mut server = TcpStream::connect(("127.0.0.1", upstream)).unwrap();
    server.write_all(&head).unwrap();
    let mut back = server.try_clone().unwrap();
    let mut to_client = client.try_clone().unwrap();
    let down = std::thread::spawn(move || {
        let mut sent = 0usize;
        let mut buf = [0u8; 8192];
        let mut first = true;
        loop {
            let n = back.read(&mut buf).unwrap_or(0);
            if n == 0 {
                break;
            }
            if std::mem::take(&mut first) {
                let line_end = buf[..n].windows(2).position(|w| w == b"\r\n").unwrap_or(0) + 2;
                let _ = to_client.write_all(&buf[..line_end]);
                let _ = to_client.write_all(b"Connection: close\r\n");
                let _ = to_client.write_all(&buf[line_end..n]);
                sent += n;
                continue;
            }
            let n = match cut.filter(|_| is_get) {
                Some(limit) if sent + n > limit => limit.saturating_sub(sent),
                _ => n,
            };
            if to_client.write_all(&buf[..n]).is_err() || cut.is_some_and(|l| is_get && sent + n >= l) {
                break;
            }
            sent += n;
        }
        let _ = to_client.shutdown(std::net::Shutdown::Both);
    });
    let mut first = true;
    let mut buf = [0u8; 8192];
    loop {
        let n = client.read(&mut buf).unwrap_or(0);
        if n == 0 {
            break;
        }
        if flip && is_put && first {
            buf[0] ^= 0x01;
        }
        first = false;
        if server.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = server.shutdown(std::net::Shutdown::Write);
    let _ = down.join();
}

#[test]
fn a_byte_flipped_in_transit_is_refused_and_nothing_counts_as_pushed() {
    let s3 = S3::start();
    let proxy = Proxy::start(s3.port, true, 0, None);
    let env = repo(&proxy.endpoint(), 1);
    let (code, doc) = json(&env, &["push"]);
    assert_eq!(code, 1, "{doc}");
    let bad = with_code(&doc, "hash-mismatch");
    assert_eq!(bad.len(), 1, "{doc}");
    assert!(bad[0]["message"].as_str().unwrap().contains("refused the upload"), "{doc}");
    assert!(
        s3.objects("team/report").is_empty(),
        "nothing stored: {:?} {:?}",
        s3.objects("team/report"),
        std::fs::read_dir(s3.dir.path().join(BUCKET).join("team/report/objects/sha256"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect::<Vec<_>>()
    );
    point_at(&env, &s3.endpoint());
    let (code, doc) = json(&env, &["verify", "--remote", "--quick"]);
    assert_eq!((code, codes(&doc)), (1, vec!["remote-missing".to_owned()]), "{doc}");
    assert_eq!(run(&env, &["push"]).code, 0, "a clean path pushes it");
}

#[test]
fn slow_down_is_retried_with_backoff() {
    let s3 = S3::start();
    let proxy = Proxy::start(s3.port, false, 2, None);
    let env = repo(&proxy.endpoint(), 1);
    let started = Instant::now();
    let r = run(&env, &["push"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("pushed 1 object"), "{}", r.stderr);
    assert!(proxy.requests.load(Ordering::SeqCst) >= 4, "two 503s, then list and put");
    assert!(started.elapsed() > Duration::from_millis(10), "it waited between tries");
}

#[test]
fn an_interrupted_pull_leaves_no_partial_object() {
    let s3 = S3::start();
    let env = repo(&s3.endpoint(), 1);
    let big: String = "0123456789abcdef".repeat(64 * 1024);
    env.write("big.txt", &big);
    assert_eq!(run(&env, &["archive", "--attach", "src0", "big.txt", "--source", "written by the test"]).code, 0);
    assert_eq!(run(&env, &["push"]).code, 0);
    let proxy = Proxy::start(s3.port, false, 0, Some(100_000));
    let clone = fresh_clone(&env);
    point_at(&clone, &proxy.endpoint());
    let r = run(&clone, &["pull"]);
    assert_ne!(r.code, 0, "{}", r.stderr);
    let objects = Path::new("archive/objects/sha256");
    let mut left = Vec::new();
    for d in std::fs::read_dir(clone.path(objects.to_str().unwrap())).into_iter().flatten().flatten() {
        if d.path().is_dir() {
            left.extend(std::fs::read_dir(d.path()).unwrap().flatten().map(|f| f.path()));
        } else {
            left.push(d.path());
        }
    }
    for f in &left {
        let (hex, len) = citelock::archive::store::hash_file(f).unwrap();
        let name = format!(
            "{}{}",
            f.parent().unwrap().file_name().unwrap().to_string_lossy(),
            f.file_name().unwrap().to_string_lossy()
        );
        assert_eq!(hex, name, "every object left is whole ({len} bytes): {}", f.display());
    }
    point_at(&clone, &s3.endpoint());
    assert_eq!(run(&clone, &["pull"]).code, 0);
    assert_eq!(run(&clone, &["verify"]).code, 0);
}

#[test]
fn objects_above_the_threshold_go_in_parts_with_their_checksums_recorded() {
    let s3 = S3::start();
    let env = repo(&s3.endpoint(), 0);
    let text = env.read("citelock.toml").replacen(
        "\n[remote]\n",
        "\n[remote]\nmultipart-threshold = 5242880\npart-size = 5242880\n",
        1,
    );
    env.write("citelock.toml", &text);
    let mut rng = Rng::from_seed(7);
    let big: String = (0..12 * 1024 * 1024 + 5).map(|_| char::from(b'a' + rng.below(26) as u8)).collect();
    env.write("big.txt", &big);
    assert_eq!(run(&env, &["archive", "--attach", "gpl3", "big.txt", "--source", "written by the test"]).code, 0);
    let hex = manifest_hexes(&env)[0].clone();
    let r = run(&env, &["push"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let record = env.read(&format!("archive/multipart/{hex}.yml"));
    assert!(record.contains("part-size: 5242880") && record.contains("-3\n"), "three parts: {record}");
    assert_eq!(std::fs::read(s3.file("team/report", &hex)).unwrap(), big.as_bytes(), "the parts make the object");
    // s3s-fs 0.14 keeps no checksum for a multipart upload: verify says what it could not see.
    let (code, doc) = json(&env, &["verify", "--remote"]);
    assert_eq!((code, codes(&doc)), (0, vec!["remote-no-checksum".to_owned()]), "{doc}");
    let clone = fresh_clone(&env);
    assert_eq!(run(&clone, &["pull"]).code, 0);
    assert_eq!(run(&clone, &["verify"]).code, 0);
    let again = run(&env, &["push"]);
    assert!(again.stderr.contains("pushed 0 objects"), "{}", again.stderr);
}

#[test]
fn attach_can_push_and_check_can_pull_what_it_reads() {
    let s3 = S3::start();
    let env = repo(&s3.endpoint(), 0);
    env.write("gpl.txt", "The licenses for most software are designed to take away your freedom.\n");
    let r = run(&env, &["archive", "--attach", "gpl3", "gpl.txt", "--source", "written by the test", "--push"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("pushed 1 object"), "{}", r.stderr);
    assert_eq!(s3.objects("team/report"), manifest_hexes(&env));
    env.write(
        "report.md",
        "As the GPL says, \"the licenses for most software are designed to take away your freedom\" [@gpl3].\n",
    );

    let clone = fresh_clone(&env);
    let (code, doc) = json(&clone, &["check", "report.md"]);
    assert_eq!(code, 1, "{doc}");
    let missing = with_code(&doc, "missing-object");
    assert_eq!(missing.len(), 1, "{doc}");
    assert!(missing[0]["help"].as_str().unwrap().contains("citelock pull gpl3"), "{doc}");
    let r = run(&clone, &["export", "--to", "warc", "-o", "out.warc.gz", "gpl3"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("citelock pull gpl3"), "{}", r.stderr);

    let (code, doc) = json(&clone, &["check", "--pull", "report.md"]);
    assert!(with_code(&doc, "missing-object").is_empty(), "{doc}");
    assert_eq!(code, 0, "{doc}");
}
