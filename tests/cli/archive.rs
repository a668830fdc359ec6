//! `archive --attach`, `--pin`, `verify`, and what damage `verify` and `sha256sum -c` name.

use std::os::unix::fs::PermissionsExt;
use std::process::Command as Std;

use super::{Env, LIBRARY, codes, with_code};

const TEXT: &str = "The licenses for most software are designed to take away your freedom.\n";

/// A repository with two snapshots attached.
fn env() -> Env {
    let env = Env::new();
    env.write("references/library.yml", LIBRARY);
    env.write("gpl.txt", TEXT);
    env.write("darwin.txt", "Origin of Species, first edition.\n");
    for (key, file) in [("gpl3", "gpl.txt"), ("darwin1859", "darwin.txt")] {
        let r = env.run(&["archive", "--attach", key, file, "--source", "written by the test"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    env
}

fn object_of(env: &Env, key: &str) -> String {
    let log = env.read(&format!("archive/captures/{key}.yml"));
    let line = log.lines().find(|l| l.trim_start().starts_with("sha256:")).unwrap();
    let hex = line.split(':').nth(1).unwrap().trim();
    format!("archive/objects/sha256/{}/{}", &hex[..2], &hex[2..])
}

fn sha256sum_check(env: &Env) -> (bool, String) {
    let out =
        Std::new("sha256sum").args(["-c", "manifest-sha256.txt"]).current_dir(env.path("archive")).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn attach_records_provenance_and_verify_and_sha256sum_agree() {
    let env = env();
    let log = env.read("archive/captures/gpl3.yml");
    for needle in [
        "method: file",
        "file-name: gpl.txt",
        "source: written by the test",
        "url: https://www.gnu.org/licenses/gpl-3.0.txt",
        "content-type: text/plain",
        "text-extractor: citelock-text/1 plain",
    ] {
        assert!(log.contains(needle), "{needle} missing:\n{log}");
    }
    let object = object_of(&env, "gpl3");
    assert_eq!(env.read(&object), TEXT);
    assert!(std::fs::metadata(env.path(&object)).unwrap().permissions().readonly());
    let (code, doc) = env.json(&["verify"]);
    assert_eq!((code, codes(&doc).len()), (0, 0), "{doc}");
    assert!(sha256sum_check(&env).0);
    assert_eq!(env.run(&["show", "gpl3", "--text"]).stdout, TEXT);

    // Flip one byte: both name the object.
    let path = env.path(&object);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[4] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();
    let (code, doc) = env.json(&["verify"]);
    assert_eq!(code, 1);
    let f = with_code(&doc, "hash-mismatch");
    assert_eq!(f.len(), 1, "{doc}");
    assert_eq!(f[0]["file"], object.as_str());
    let (ok, out) = sha256sum_check(&env);
    assert!(!ok);
    assert!(out.contains(&format!("{}: FAILED", object.trim_start_matches("archive/"))), "{out}");
}

#[test]
fn deleted_renamed_and_unlisted_objects_and_bad_logs_are_named() {
    let env = env();
    let gpl = object_of(&env, "gpl3");
    let darwin = object_of(&env, "darwin1859");
    std::fs::remove_file(env.path(&gpl)).unwrap();
    let renamed = format!("{}0", &darwin[..darwin.len() - 1]);
    std::fs::rename(env.path(&darwin), env.path(&renamed)).unwrap();
    let (code, doc) = env.json(&["verify"]);
    assert_eq!(code, 1);
    let missing = with_code(&doc, "missing-object");
    let places: Vec<&str> = missing.iter().map(|f| f["file"].as_str().unwrap()).collect();
    assert!(places.contains(&"archive/manifest-sha256.txt"), "{doc}");
    assert!(places.contains(&"archive/captures/gpl3.yml"), "{doc}");
    assert!(places.contains(&"archive/captures/darwin1859.yml"), "{doc}");
    assert_eq!(
        with_code(&doc, "hash-mismatch")[0]["file"],
        renamed.as_str(),
        "the renamed file no longer matches its name"
    );

    env.write("archive/captures/gpl3.yml", "- schema: 1\n  id: x\n  colour: red\n");
    env.write("archive/manifest-sha256.txt", &format!("{}not a line\n", env.read("archive/manifest-sha256.txt")));
    let (_, doc) = env.json(&["verify"]);
    let invalid = with_code(&doc, "capture-invalid");
    assert_eq!(invalid[0]["file"], "archive/captures/gpl3.yml");
    assert!(invalid[0]["line"].as_u64().is_some());
    assert_eq!(with_code(&doc, "manifest-mismatch")[0]["line"], 3);
}

#[test]
fn lfs_pointers_and_orphans() {
    let env = env();
    let gpl = object_of(&env, "gpl3");
    let path = env.path(&gpl);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::write(&path, "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n").unwrap();
    std::fs::write(env.path("archive/captures/darwin1859.yml"), "").unwrap();
    let (code, doc) = env.json(&["verify"]);
    assert_eq!(code, 1);
    assert_eq!(with_code(&doc, "lfs-pointer")[0]["file"], gpl.as_str());
    let orphan = with_code(&doc, "orphan-object");
    assert_eq!(orphan.len(), 1, "{doc}");
    assert_eq!(orphan[0]["severity"], "warning");
}

#[test]
fn shards_cover_everything_once() {
    let env = Env::new();
    env.write("references/library.yml", LIBRARY);
    for i in 0..12 {
        env.write(&format!("f{i}.txt"), &format!("file {i}\n"));
        env.run(&["archive", "--attach", "gpl3", &format!("f{i}.txt")]);
    }
    for i in 0..12 {
        let path = env.path(&format!("f{i}.txt"));
        std::fs::write(path, "").unwrap();
    }
    // Damage every object, then count the damage each shard finds.
    for entry in walk(&env.path("archive/objects/sha256")) {
        std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::write(&entry, "x").unwrap();
    }
    let mut seen = Vec::new();
    for k in 1..=3 {
        let (_, doc) = env.json(&["verify", "--shard", &format!("{k}/3")]);
        seen.extend(with_code(&doc, "hash-mismatch").iter().map(|f| f["file"].as_str().unwrap().to_owned()));
    }
    seen.sort();
    let before = seen.len();
    seen.dedup();
    assert_eq!((before, seen.len()), (12, 12));
    assert_eq!(env.run(&["verify", "--shard", "4/3"]).code, 2);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}

#[test]
fn pin_moves_the_current_snapshot() {
    let env = env();
    env.write("second.txt", "A second copy.\n");
    env.run(&["archive", "--attach", "gpl3", "second.txt"]);
    assert_eq!(env.run(&["show", "gpl3", "--text"]).stdout, "A second copy.\n", "the newest snapshot is current");
    let log = env.read("archive/captures/gpl3.yml");
    let first_id = log.lines().find(|l| l.contains(" id: ")).unwrap().split(": ").nth(1).unwrap().to_owned();
    let r = env.run(&["archive", "--pin", "gpl3", &first_id]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(env.run(&["show", "gpl3", "--text"]).stdout, TEXT);
    let r = env.run(&["archive", "--pin", "gpl3", "no-such-id"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no snapshot with id no-such-id"), "{}", r.stderr);
    assert_eq!(env.json(&["verify"]).0, 0);
}

#[test]
fn attaching_to_an_unknown_key_changes_nothing() {
    let env = Env::new();
    env.write("a.txt", "x\n");
    let r = env.run(&["archive", "--attach", "nobody", "a.txt"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no reference with key `nobody`"), "{}", r.stderr);
    assert_eq!(env.read("archive/manifest-sha256.txt"), "");
    assert!(walk(&env.path("archive/objects/sha256")).is_empty());
}

#[test]
fn a_second_writer_fails_fast() {
    let env = env();
    let archive = citelock::archive::Archive::new(env.path("archive"));
    let _held = citelock::archive::lock::acquire(&archive).unwrap();
    let r = env.run(&["archive", "--attach", "gpl3", "gpl.txt"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("another citelock process is writing"), "{}", r.stderr);
    // verify takes no lock.
    assert_eq!(env.json(&["verify"]).0, 0);
}

#[test]
fn the_lock_is_released_when_its_holder_is_killed() {
    use super::server::{Server, respond};
    let s = Server::start(|_, st| {
        std::thread::sleep(std::time::Duration::from_secs(5));
        respond(st, "200 OK", &[("Content-Type", "text/plain")], b"slow");
    });
    let env = Env::new();
    env.write("references/library.yml", &format!("k:\n  type: web\n  title: K\n  url: '{}'\n", s.url("/k")));
    env.write("citelock.toml", &format!("[fetch]\nallow-hosts = [\"{}\"]\n", s.origin()));
    let mut child = env.spawn(&["archive"]);
    // Wait for the writer to name itself in the lock file (taking the lock
    // here to look would race it).
    let holder = format!("pid {}", child.id());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::fs::read_to_string(env.path("archive/.lock")).unwrap_or_default() != holder {
        assert!(std::time::Instant::now() < deadline, "the writer never took the lock");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let archive = citelock::archive::Archive::new(env.path("archive"));
    let busy = citelock::archive::lock::acquire(&archive).unwrap_err().to_string();
    assert!(busy.contains(&format!("another citelock process is writing to this archive ({holder})")), "{busy}");
    let _ = child.kill(); // SIGKILL: no destructor runs
    let _ = child.wait();
    assert!(citelock::archive::lock::acquire(&archive).is_ok(), "the kernel dropped the dead holder's lock");
    assert_eq!(env.json(&["verify"]).0, 0);
}

#[test]
fn a_crash_at_any_point_of_the_write_path_leaves_a_verifiable_archive() {
    for point in ["after-temp-write", "after-rename", "before-log-append"] {
        let env = env();
        env.write("new.txt", &format!("crash at {point}\n"));
        let out = env
            .cmd()
            .args(["archive", "--attach", "gpl3", "new.txt"])
            .env("CITELOCK_CRASH_AT", point)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{point}: the process was meant to abort");
        let (code, doc) = env.json(&["verify"]);
        assert_eq!(code, 0, "{point}: {doc}");
        for path in walk(&env.path("archive/objects/sha256")) {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            assert!(name.starts_with(".tmp-") || name.len() == 62, "{point}: {name}");
        }
        // The next writer cleans up and succeeds.
        let r = env.run(&["archive", "--attach", "gpl3", "new.txt"]);
        assert_eq!(r.code, 0, "{point}: {}", r.stderr);
        assert!(walk(&env.path("archive/objects/sha256")).iter().all(|p| !p.to_string_lossy().contains(".tmp-")));
        let (code, doc) = env.json(&["verify"]);
        assert_eq!((code, codes(&doc).len()), (0, 0), "{point}: {doc}");
    }
}

#[test]
fn twenty_seeded_sigkills_of_archive_leave_a_verifiable_archive() {
    use super::server::{Server, respond};
    let mut rng = super::Rng::seeded();
    let seed = rng.seed;
    let s = Server::start(|path, st| {
        std::thread::sleep(std::time::Duration::from_millis(20));
        let body = format!("page {path}\n").repeat(2000);
        respond(st, "200 OK", &[("Content-Type", "text/plain")], body.as_bytes());
    });
    let env = Env::new();
    let mut lib = String::new();
    for i in 0..60 {
        lib.push_str(&format!("k{i}:\n  type: web\n  title: P{i}\n  url: '{}'\n", s.url(&format!("/{i}"))));
    }
    env.write("references/library.yml", &lib);
    env.write("citelock.toml", &format!("[fetch]\nallow-hosts = [\"{}\"]\n", s.origin()));
    // 20 here; `bash scripts/fault-suite.sh` runs 100 (CITELOCK_TEST_KILLS).
    let kills: u32 = std::env::var("CITELOCK_TEST_KILLS").ok().and_then(|s| s.parse().ok()).unwrap_or(20);
    // Every snapshot a log has recorded must survive every later kill.
    let recorded = |env: &Env| -> std::collections::BTreeSet<(String, String)> {
        let archive = citelock::archive::Archive::new(env.path("archive"));
        (0..60)
            .flat_map(|i| archive.captures(&format!("k{i}")).expect("every log parses after a kill"))
            .filter(|c| c.is_snapshot())
            .map(|c| (c.id, c.sha256.unwrap_or_default()))
            .collect()
    };
    let (mut before, mut temp_files) = (recorded(&env), 0);
    for kill in 0..kills {
        let mut child = env.spawn(&["archive", "--refresh"]);
        std::thread::sleep(std::time::Duration::from_millis(rng.next() % 400));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let (code, doc) = env.json(&["verify"]);
        assert_eq!(code, 0, "seed {seed}, kill {kill}: {doc}");
        for path in walk(&env.path("archive/objects/sha256")) {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            assert!(name.starts_with(".tmp-") || name.len() == 62, "seed {seed}, kill {kill}: {name}");
            temp_files += usize::from(name.starts_with(".tmp-"));
        }
        let after = recorded(&env);
        let lost: Vec<_> = before.difference(&after).collect();
        assert!(lost.is_empty(), "seed {seed}, kill {kill}: snapshots lost: {lost:?}");
        before = after;
    }
    println!(
        "{kills} kills: verify clean after each, {} snapshots recorded, 0 lost; leftover temp files seen across the checks: {temp_files}",
        before.len()
    );
    // The next run completes and leaves no temp files.
    assert_eq!(env.run(&["archive"]).code, 0);
    assert!(walk(&env.path("archive/objects/sha256")).iter().all(|p| !p.to_string_lossy().contains(".tmp-")));
    assert_eq!(env.json(&["verify"]).0, 0);
}

#[test]
fn verify_runs_clean_while_archive_writes() {
    use super::server::{Server, respond};
    let s = Server::start(|path, st| {
        std::thread::sleep(std::time::Duration::from_millis(30));
        respond(st, "200 OK", &[("Content-Type", "text/plain")], format!("page {path}\n").repeat(500).as_bytes());
    });
    let env = Env::new();
    let lib: String =
        (0..40).map(|i| format!("k{i}:\n  type: web\n  title: P{i}\n  url: '{}'\n", s.url(&format!("/{i}")))).collect();
    env.write("references/library.yml", &lib);
    env.write("citelock.toml", &format!("[fetch]\nallow-hosts = [\"{}\"]\n", s.origin()));
    let mut writer = env.spawn(&["archive", "--host-concurrency", "1", "--max-concurrency", "1"]);
    let mut checks = 0;
    while writer.try_wait().unwrap().is_none() {
        let (code, doc) = env.json(&["verify"]);
        assert_eq!(code, 0, "verify during archive: {doc}");
        checks += 1;
    }
    assert!(writer.wait().unwrap().success());
    assert!(checks >= 2, "verify ran while archive wrote ({checks} times)");
    assert_eq!(env.json(&["verify"]).0, 0);
}

#[test]
fn verify_changes_nothing_on_disk() {
    let env = env();
    let snapshot = |env: &Env| -> Vec<(std::path::PathBuf, std::time::SystemTime, u64)> {
        let mut all: Vec<_> = walk(&env.path("archive"))
            .into_iter()
            .map(|p| {
                let m = std::fs::metadata(&p).unwrap();
                (p, m.modified().unwrap(), m.len())
            })
            .collect();
        all.sort();
        all
    };
    let before = snapshot(&env);
    for format in ["human", "json", "sarif"] {
        env.run(&["--format", format, "verify"]);
    }
    assert_eq!(snapshot(&env), before);
}

mod warc_import {
    use super::super::server::{Server, respond};
    use super::super::{Env, codes, with_code};

    fn page_server() -> Server {
        Server::start(|path, s| match path {
            "/page" => {
                respond(s, "200 OK", &[("Content-Type", "text/html; charset=utf-8")], b"<p>words of the page</p>")
            }
            _ => respond(s, "404 Not Found", &[], b""),
        })
    }

    fn library(s: &Server) -> String {
        format!("page:\n  type: web\n  title: Page\n  url: '{}'\n", s.url("/page"))
    }

    #[test]
    fn a_warc_written_by_wget_imports_as_a_web_archive_capture() {
        let s = page_server();
        let env = Env::new();
        env.write("references/library.yml", &library(&s));
        let ok = std::process::Command::new("wget")
            .args(["-q", "--warc-file=site", "-O", "/dev/null", &s.url("/page")])
            .current_dir(env.root())
            .status()
            .expect("Debian's wget")
            .success();
        assert!(ok, "wget fetched the page");
        let (code, doc) = env.json(&["archive", "--import-warc", "site.warc.gz"]);
        assert_eq!(code, 0, "{doc}");
        let log = env.read("archive/captures/page.yml");
        assert!(log.contains("method: web-archive") && log.contains("warc-file: site.warc.gz"), "{log}");
        assert!(log.contains("warc-record-id: <urn:uuid:"), "{log}");
        assert_eq!(env.run(&["show", "page", "--text"]).stdout.trim(), "words of the page");
        assert_eq!(env.json(&["verify"]).0, 0);
    }

    #[test]
    fn our_own_warc_round_trips_to_the_same_objects() {
        let s = page_server();
        let env = Env::new();
        env.write("citelock.toml", "[fetch]\nallow-private = true\n");
        env.write("references/library.yml", &library(&s));
        assert_eq!(env.run(&["archive"]).code, 0);
        assert_eq!(env.run(&["export", "--to", "warc", "-o", "out.warc.gz"]).code, 0);
        let sha = |e: &Env| {
            e.read("archive/captures/page.yml").lines().find(|l| l.starts_with("  sha256:")).unwrap().to_owned()
        };
        let other = Env::new();
        other.write("references/library.yml", &library(&s));
        std::fs::copy(env.path("out.warc.gz"), other.path("in.warc.gz")).unwrap();
        let (code, doc) = other.json(&["archive", "--import-warc", "in.warc.gz"]);
        assert_eq!((code, codes(&doc).len()), (0, 0), "{doc}");
        assert_eq!(sha(&other), sha(&env), "the same bytes, so the same object");
    }

    #[test]
    fn bad_digests_unknown_urls_and_broken_files() {
        let env = Env::new();
        env.write("references/library.yml", "a:\n  type: web\n  title: A\n  url: https://a.test/page\n");
        let record = |uri: &str, digest: &str, body: &str| {
            format!(
                "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:{uri}>\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2020-01-02T03:04:05Z\r\nContent-Type: text/plain\r\nWARC-Block-Digest: {digest}\r\nContent-Length: {}\r\n\r\n{body}\r\n\r\n",
                body.len()
            )
        };
        // sha1 of "hello", in base32; the body says "hellO".
        let warc = record("https://a.test/page", "sha1:VL2MMHO4YXUKFWV63YHTWSBM3GXKSQ2N", "hellO")
            + &record("https://elsewhere.test/", "sha1:VL2MMHO4YXUKFWV63YHTWSBM3GXKSQ2N", "hello");
        env.write("in.warc", &warc);
        let (code, doc) = env.json(&["archive", "--import-warc", "in.warc"]);
        assert_eq!(code, 1, "{doc}");
        assert_eq!(with_code(&doc, "warc-digest-mismatch").len(), 1, "{doc}");
        assert_eq!(with_code(&doc, "warc-record-skipped")[0]["data"]["uri"], "https://elsewhere.test/");
        assert!(!env.path("archive/captures/a.yml").exists(), "nothing imported");
        env.write("good.warc", &record("https://a.test/page", "sha1:VL2MMHO4YXUKFWV63YHTWSBM3GXKSQ2N", "hello"));
        assert_eq!(env.json(&["archive", "--import-warc", "good.warc"]).0, 0);
        assert!(env.read("archive/captures/a.yml").contains("method: web-archive"));
        // --add-references: the unknown page becomes a reference (from its metadata), then a capture.
        let page = "<html><head><title>Somewhere Else</title></head><body>x</body></html>";
        let html = format!(
            "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:x>\r\nWARC-Target-URI: https://elsewhere.test/\r\nWARC-Date: 2021-02-03T04:05:06Z\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{page}\r\n\r\n",
            page.len()
        );
        env.write("new.warc", &html);
        let (code, doc) = env.json(&["archive", "--import-warc", "new.warc", "--add-references"]);
        assert_eq!(code, 0, "{doc}");
        let lib = env.read("references/library.yml");
        assert!(
            lib.contains("title: Somewhere Else")
                && lib.contains("https://elsewhere.test/")
                && lib.contains("2021-02-03"),
            "{lib}"
        );
        let key =
            lib.lines().rfind(|l| !l.starts_with(' ') && l.ends_with(':')).unwrap().trim_end_matches(':').to_owned();
        let log = env.read(&format!("archive/captures/{key}.yml"));
        assert!(log.contains("method: web-archive") && log.contains("warc-file: new.warc"), "{log}");
        env.write("not.warc", "GIF89a, not a WARC at all");
        let r = env.run(&["archive", "--import-warc", "not.warc"]);
        assert_eq!(r.code, 2);
        assert!(r.stderr.contains("not.warc") && r.stderr.contains("no WARC record at byte 0"), "{}", r.stderr);
        let cut = &warc[..warc.len() - 7]; // inside the last body
        env.write("cut.warc", cut);
        let r = env.run(&["archive", "--import-warc", "cut.warc"]);
        assert_eq!(r.code, 2);
        assert!(r.stderr.contains("cut short"), "{}", r.stderr);
    }
}

mod from_web_archive {
    use std::sync::{Arc, Mutex};

    use super::super::server::{Server, respond};
    use super::super::{Env, with_code};

    #[test]
    fn the_capture_closest_to_the_access_date_is_fetched_raw() {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let a = asked.clone();
        let s = Server::start(move |path, s| {
            a.lock().unwrap().push(path.to_owned());
            match path {
                p if p.starts_with("/cdx/search/cdx?") && p.contains("gone.test") => respond(
                    s,
                    "200 OK",
                    &[("Content-Type", "application/json")],
                    br#"[["timestamp","original","statuscode"],["20200316000000","http://gone.test/page","200"]]"#,
                ),
                p if p.starts_with("/cdx/") => respond(s, "200 OK", &[("Content-Type", "application/json")], b"[]"),
                "/web/20200316000000id_/http://gone.test/page" => {
                    respond(s, "200 OK", &[("Content-Type", "text/html")], b"<p>the page as archived</p>")
                }
                _ => respond(s, "404 Not Found", &[], b""),
            }
        });
        let env = Env::new();
        env.write("citelock.toml", &format!("[fetch]\nallow-private = true\nweb-archive = \"{}\"\n", s.url("")));
        env.write(
            "references/library.yml",
            "gone:\n  type: web\n  title: Gone\n  url: {value: 'http://gone.test/page', date: 2020-03-15}\nnever:\n  type: web\n  title: Never\n  url: 'http://never.test/'\n",
        );
        let (code, doc) = env.json(&["archive", "--from-web-archive"]);
        assert_eq!(code, 1, "{doc}");
        assert_eq!(with_code(&doc, "fetch-failed")[0]["data"]["key"], "never", "{doc}");
        let log = env.read("archive/captures/gone.yml");
        assert!(log.contains("method: web-archive") && log.contains("url: http://gone.test/page"), "{log}");
        assert!(log.contains(&format!("memento-url: {}/web/20200316000000/http://gone.test/page", s.url(""))), "{log}");
        assert!(log.contains("memento-datetime: 2020-03-16T00:00:00Z"), "{log}");
        assert_eq!(env.run(&["show", "gone", "--text"]).stdout.trim(), "the page as archived");
        let cdx = asked.lock().unwrap().iter().find(|p| p.contains("gone.test")).cloned().unwrap();
        assert!(cdx.contains("closest=20200315") && cdx.contains("filter=statuscode%3A200"), "{cdx}");
        assert!(!asked.lock().unwrap().iter().any(|p| p.contains("never.test/page")), "no live fetch");
        let bib = env.run(&["export", "--with-archive", "gone"]).stdout;
        assert!(bib.contains("Archived by 127.0.0.1 on 2020-03-16"), "{bib}");
        assert_eq!(env.json(&["verify"]).0, 0);
    }
}

mod web_archive_failures {
    use super::super::server::{Server, respond};
    use super::super::{Env, with_code};

    #[test]
    fn a_cdx_service_that_answers_404_or_garbage_is_a_finding_and_stores_nothing() {
        let s = Server::start(|path, s| match path {
            p if p.contains("missing.test") => respond(s, "404 Not Found", &[], b"no such service"),
            _ => respond(s, "200 OK", &[("Content-Type", "application/json")], b"<html>not json at all</html>"),
        });
        let env = Env::new();
        env.write("citelock.toml", &format!("[fetch]\nallow-private = true\nweb-archive = \"{}\"\n", s.url("")));
        env.write(
            "references/library.yml",
            "a:\n  type: web\n  title: A\n  url: 'http://missing.test/'\nb:\n  type: web\n  title: B\n  url: 'http://garbage.test/'\n",
        );
        let (code, doc) = env.json(&["archive", "--from-web-archive"]);
        assert_eq!(code, 1, "{doc}");
        let failed = with_code(&doc, "fetch-failed");
        assert_eq!(failed.len(), 2, "{doc}");
        assert!(failed.iter().any(|f| f["message"].as_str().unwrap().contains("answered 404")), "{doc}");
        assert!(failed.iter().any(|f| f["message"].as_str().unwrap().contains("no capture")), "{doc}");
        assert!(!env.path("archive/captures/a.yml").exists() && !env.path("archive/captures/b.yml").exists());
        assert_eq!(env.read("archive/manifest-sha256.txt"), "");
    }
}

mod submit_web_archive {
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use super::super::Env;
    use super::super::server::{Server, respond};

    #[test]
    fn submissions_are_opt_in_spaced_and_warned_about() {
        let saves = Arc::new(Mutex::new(Vec::new()));
        let sv = saves.clone();
        let s = Server::start(move |path, s| {
            if path.starts_with("/save/") {
                sv.lock().unwrap().push((Instant::now(), path.to_owned()));
            }
            respond(s, "200 OK", &[("Content-Type", "text/html")], b"<p>live</p>")
        });
        let env = Env::new();
        env.write("citelock.toml", &format!("[fetch]\nallow-private = true\nweb-archive = \"{}\"\n", s.url("")));
        env.write(
            "references/library.yml",
            &format!(
                "a:\n  type: web\n  title: A\n  url: '{}'\nb:\n  type: web\n  title: B\n  url: '{}'\n",
                s.url("/a"),
                s.url("/b")
            ),
        );
        assert_eq!(env.run(&["archive"]).code, 0);
        assert!(saves.lock().unwrap().is_empty(), "nothing is submitted unless asked");
        let r = env.run(&["archive", "--refresh", "--submit-web-archive", "--submit-interval", "1"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stderr.contains("publishes 2 URLs") && r.stderr.contains("confidential"), "{}", r.stderr);
        let saves = saves.lock().unwrap();
        assert_eq!(saves.len(), 2);
        assert_eq!(saves[0].1, format!("/save/{}", s.url("/a")));
        assert!(saves[1].0 - saves[0].0 >= Duration::from_millis(950), "spaced by the interval");
    }
}

mod timegate {
    use super::super::Env;
    use super::super::server::{Server, redirect, respond};

    #[test]
    fn a_memento_timegate_is_asked_with_accept_datetime() {
        let s = Server::start(|path, s| match path {
            "/tg/http://gone.test/page" => redirect(s, "/mem/20200316/http://gone.test/page"),
            "/mem/20200316/http://gone.test/page" => respond(
                s,
                "200 OK",
                &[("Content-Type", "text/html"), ("Memento-Datetime", "Mon, 16 Mar 2020 08:09:10 GMT")],
                b"<p>as it was</p>",
            ),
            _ => respond(s, "404 Not Found", &[], b""),
        });
        let env = Env::new();
        env.write("citelock.toml", &format!("[fetch]\nallow-private = true\ntimegate = \"{}\"\n", s.url("/tg/")));
        env.write(
            "references/library.yml",
            "gone:\n  type: web\n  title: Gone\n  url: {value: 'http://gone.test/page', date: 2020-03-15}\nnone:\n  type: web\n  title: None\n  url: 'http://none.test/'\n",
        );
        let (code, doc) = env.json(&["archive", "--from-web-archive"]);
        assert_eq!(code, 1, "{doc}");
        assert!(doc.to_string().contains("no memento of http://none.test/"), "{doc}");
        let log = env.read("archive/captures/gone.yml");
        assert!(log.contains("memento-datetime: 2020-03-16T08:09:10Z"), "{log}");
        assert!(log.contains(&format!("memento-url: {}", s.url("/mem/20200316/http://gone.test/page"))), "{log}");
        assert_eq!(env.run(&["show", "gone", "--text"]).stdout.trim(), "as it was");
        let heads = s.heads.lock().unwrap();
        let asked = heads.iter().find(|h| h.contains("/tg/http://gone.test/page")).unwrap();
        assert!(asked.to_lowercase().contains("accept-datetime: sun, 15 mar 2020 12:00:00 gmt"), "{asked}");
    }
}

mod injected_faults {
    use super::super::{Env, codes};

    fn env() -> Env {
        let env = Env::new();
        env.write("references/library.yml", "x:\n  type: misc\n  title: X\n");
        env.write("copy.txt", "the copy\n");
        env
    }

    fn attach_failing(env: &Env, fault: &str) -> super::super::Run {
        env.cmd().args(["archive", "--attach", "x", "copy.txt"]).env("CITELOCK_FAIL_AT", fault).output().unwrap().into()
    }

    /// Files under `archive/` but the lock file, sorted.
    fn archive_files(env: &Env) -> Vec<String> {
        let mut files: Vec<String> = super::walk(&env.path("archive"))
            .iter()
            .map(|p| p.strip_prefix(env.root()).unwrap().display().to_string())
            .filter(|f| f != "archive/.lock")
            .collect();
        files.sort();
        files
    }

    #[test]
    fn a_full_disk_while_storing_leaves_nothing_behind() {
        for fault in ["temp-write:ENOSPC", "temp-sync:EIO"] {
            let env = env();
            let before = archive_files(&env);
            let manifest = env.read("archive/manifest-sha256.txt");
            let r = attach_failing(&env, fault);
            assert_eq!(r.code, 2, "{fault}: {}", r.stderr);
            let words = if fault.ends_with("ENOSPC") { "No space left on device" } else { "Input/output error" };
            assert!(r.stderr.contains(words), "{fault}: {}", r.stderr);
            assert_eq!(archive_files(&env), before, "{fault}: no object, no temp file, no log");
            assert_eq!(env.read("archive/manifest-sha256.txt"), manifest);
            let (code, doc) = env.json(&["verify"]);
            assert_eq!((code, codes(&doc).len()), (0, 0), "{fault}: {doc}");
            assert_eq!(env.run(&["archive", "--attach", "x", "copy.txt"]).code, 0, "{fault}: and then it works");
        }
    }

    #[test]
    fn a_failing_log_write_keeps_the_old_log_and_verify_says_what_is_left() {
        let env = env();
        assert_eq!(env.run(&["archive", "--attach", "x", "copy.txt"]).code, 0);
        let log = env.read("archive/captures/x.yml");
        env.write("copy.txt", "another copy\n");
        let r = attach_failing(&env, "atomic-write:EIO");
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert_eq!(env.read("archive/captures/x.yml"), log, "the log is as it was");
        assert!(!archive_files(&env).iter().any(|f| f.contains(".tmp")), "{:?}", archive_files(&env));
        // The manifest write failed first: the new object is an orphan, which verify names as a warning.
        let (code, doc) = env.json(&["verify"]);
        assert_eq!(code, 0, "{doc}");
        assert!(codes(&doc).iter().all(|c| c == "orphan-object"), "{doc}");
    }
}
