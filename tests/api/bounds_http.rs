//! Bounds under attack, HTTP side: bodies that never finish, too many connections from one
//! client, a disk down to its reserve, a forged `Host`, and an old data directory others can read.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::blocking::multipart::{Form, Part};
use serde_json::{json, Value};

use crate::helpers::*;

/// A short body deadline, so a trickled body is cut off quickly.
const SHORT_BODIES: &str = "[limits]\nbody_timeout_s = 2\n";

fn addr(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_owned()
}

/// Opens a connection and sends `head` (the request line and headers, without the blank line
/// that ends them) and then `body`.
fn send(app: &TestApp, head: &str, body: &[u8]) -> TcpStream {
    let mut s = TcpStream::connect(addr(app)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(s, "{head}\r\n\r\n").unwrap();
    s.write_all(body).unwrap();
    s
}

/// One response read off a connection: status and body. The connection may stay open, so
/// the body is read by its `Content-Length`.
fn response(s: &mut TcpStream) -> (u16, String) {
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte) {
            Ok(1) => raw.push(byte[0]),
            other => panic!(
                "no whole response: {other:?} after {:?}",
                String::from_utf8_lossy(&raw)
            ),
        }
    }
    let head = String::from_utf8(raw).unwrap();
    let status = head[9..12].parse().unwrap();
    let len: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().unwrap())
        })
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn post_head(app: &TestApp, path: &str, content_type: &str, len: usize) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: {content_type}\r\nContent-Length: {len}",
        addr(app)
    )
}

#[test]
fn a_trickled_body_is_cut_off_with_408_on_json_form_and_multipart_routes() {
    let app = spawn_app_with(SHORT_BODIES);
    let stalled = [
        ("/api/v1/cases", "application/json", &b"{\"ch"[..]),
        (
            "/followup",
            "application/x-www-form-urlencoded",
            &b"code="[..],
        ),
        (
            "/api/v1/cases",
            "multipart/form-data; boundary=x",
            &b"--x\r\nContent-Disposition: form-data; name=\"case\"\r\n\r\n{\"ch"[..],
        ),
    ];
    // Five bytes (or so) of a declared thousand, then nothing.
    let mut open: Vec<_> = stalled
        .iter()
        .map(|(path, content_type, part)| {
            send(&app, &post_head(&app, path, content_type, 1000), part)
        })
        .collect();
    // Meanwhile the server answers others.
    assert_eq!(app.get("/api/v1/channels").status(), 200);
    for ((path, content_type, _), s) in stalled.iter().zip(&mut open) {
        let (status, body) = response(s);
        assert_eq!(status, 408, "{path} {content_type}: {body}");
        if path.starts_with("/api/") {
            let problem: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(problem["error"], "body_timeout", "{content_type}");
        } else {
            assert!(body.contains("did not arrive in time"), "{body}");
        }
        // And the connection is closed: the rest of that body cannot pass for a request.
        let mut rest = Vec::new();
        assert_eq!(s.read_to_end(&mut rest).unwrap(), 0, "{path}");
    }
    assert_eq!(app.case_count(), 0);
    // Still answering, and a whole body goes through as before.
    app.submit(report("after the trickles"));
}

#[test]
fn a_body_dripping_a_byte_at_a_time_is_cut_off_by_its_deadline() {
    let app = spawn_app_with(SHORT_BODIES);
    let body = report("drip").to_string().into_bytes();
    let mut s = send(
        &app,
        &post_head(&app, "/api/v1/cases", "application/json", body.len() + 1000),
        &body[..1],
    );
    // Never quiet for long, so an idle timeout alone would never end it.
    let mut writer = s.try_clone().unwrap();
    let drip = std::thread::spawn(move || {
        for _ in 0..600 {
            std::thread::sleep(Duration::from_millis(200));
            if writer.write_all(b" ").is_err() {
                break;
            }
        }
    });
    let (status, answer) = response(&mut s);
    assert_eq!(status, 408, "{answer}");
    drop(s);
    drop(drip);
    assert_eq!(app.case_count(), 0);
}

#[test]
fn connections_over_the_per_client_limit_are_refused_with_503() {
    let app = spawn_app_with("[limits]\nconnections_per_client = 3\n");
    let get = format!("GET /api/v1/channels HTTP/1.1\r\nHost: {}", addr(&app));
    // Three connections, each known to the server (it answered on it), then kept busy with a
    // body that is still on its way.
    let mut ports = Vec::new();
    let mut held: Vec<_> = (0..3)
        .map(|_| {
            let mut s = send(&app, &get, b"");
            assert_eq!(response(&mut s).0, 200);
            ports.push(s.local_addr().unwrap().port());
            write!(
                s,
                "{}\r\n\r\n{{",
                post_head(&app, "/api/v1/cases", "application/json", 1000)
            )
            .unwrap();
            s
        })
        .collect();
    let mut fourth = send(&app, &get, b"");
    let (status, body) = response(&mut fourth);
    assert_eq!(status, 503, "{body}");
    let problem: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problem["error"], "too_many_connections");
    // The refused connection is closed by the server.
    let mut rest = Vec::new();
    assert_eq!(fourth.read_to_end(&mut rest).unwrap(), 0);

    // One held connection closes: a new one is taken again once the server has seen it go.
    drop(held.pop());
    let mut answered = None;
    for _ in 0..100 {
        let mut s = send(&app, &get, b"");
        let (status, _) = response(&mut s);
        if status == 200 {
            answered = Some(status);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(answered, Some(200), "a freed slot was never given back");
    // Counted in memory only: no client address reaches the log.
    let logs = app.logs();
    for port in ports {
        assert!(!logs.contains(&format!("127.0.0.1:{port}")), "{logs}");
    }
}

#[test]
fn a_forged_host_does_not_pass_the_origin_check() {
    let app = spawn_app_with("public_url = \"https://ethics.example.org\"\n");
    let body = report("cross-site").to_string();
    let post = |host: &str, origin: &str| {
        let mut s = send(
            &app,
            &format!(
                "POST /api/v1/cases HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\n\
                 Content-Type: application/json\r\nContent-Length: {}",
                body.len()
            ),
            body.as_bytes(),
        );
        response(&mut s)
    };
    // The attacker's page sends its own origin, and a `Host` to match it.
    let (status, answer) = post("evil.example", "http://evil.example");
    assert_eq!(status, 403, "{answer}");
    assert!(answer.contains("cross_site"), "{answer}");
    let (status, answer) = post(&addr(&app), &app.base);
    assert_eq!(
        status, 403,
        "the listening address is not the site: {answer}"
    );
    assert_eq!(app.case_count(), 0);
    // The site's own origin passes, whatever `Host` a proxy forwards.
    let (status, answer) = post(&addr(&app), "https://ethics.example.org");
    assert_eq!(status, 201, "{answer}");
}

/// Every file and directory below `dir` (itself included) with its permission bits.
fn modes_below(dir: &Path) -> Vec<(PathBuf, u32)> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            pending.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        }
        out.push((path, meta.mode() & 0o777));
    }
    out
}

#[test]
fn an_existing_data_dir_that_others_can_read_is_made_private_at_start() {
    let mut app = spawn_app();
    let file = Part::bytes(b"evidence".to_vec()).file_name("a.txt");
    let form = Form::new()
        .text("case", report("with a file").to_string())
        .part("file", file);
    let res = app
        .client
        .post(app.url("/api/v1/cases"))
        .multipart(form)
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    // Killed, so the database's -wal and -shm stay; then opened up as an old version or a
    // careless `cp -r` might have left it.
    app.kill();
    let data = app.data_dir();
    std::fs::create_dir_all(data.join("mail")).unwrap();
    std::fs::write(
        data.join("mail").join("old.eml"),
        "To: officer@example.org\r\n",
    )
    .unwrap();
    for (path, _) in modes_below(&data) {
        let mode = if path.is_dir() { 0o755 } else { 0o644 };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    for name in ["sealbox.sqlite", "sealbox.sqlite-wal", "sealbox.sqlite-shm"] {
        assert!(data.join(name).exists(), "{name}");
    }

    app.start();
    let modes = modes_below(&data);
    for part in [
        "sealbox.sqlite-wal",
        "keys/lookup.key",
        "mail/old.eml",
        "files/",
    ] {
        assert!(
            modes
                .iter()
                .any(|(p, _)| p.to_string_lossy().contains(part)),
            "{part} is checked"
        );
    }
    let open: Vec<_> = modes.iter().filter(|(_, m)| m & 0o077 != 0).collect();
    assert!(open.is_empty(), "readable by others: {open:?}");
    let logs = app.logs();
    assert!(logs.contains("were made private"), "{logs}");
    assert!(!logs.contains("old.eml"), "no paths in the log: {logs}");
    // And it still works.
    app.submit(report("after"));
}

/// Rewrites the server's `[limits] min_free_bytes` and restarts it.
fn restart_with_reserve(app: &mut TestApp, bytes: u64) {
    app.kill();
    let file = app.root.path().join("sealbox.toml");
    let config = std::fs::read_to_string(&file).unwrap();
    let config: String = config
        .lines()
        .map(|l| {
            if l.starts_with("min_free_bytes") {
                format!("min_free_bytes = {bytes}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(&file, config).unwrap();
    app.start();
}

/// Cases in the database, read from a copy (the live one sits in the server's namespace).
fn cases_on_disk(app: &TestApp) -> i64 {
    let copy = tempfile::tempdir().unwrap();
    for name in ["sealbox.sqlite", "sealbox.sqlite-wal"] {
        let from = app.inside(&app.data_dir().join(name));
        if from.exists() {
            std::fs::copy(from, copy.path().join(name)).unwrap();
        }
    }
    rusqlite::Connection::open(copy.path().join("sealbox.sqlite"))
        .unwrap()
        .query_row("SELECT COUNT(*) FROM cases", [], |r| r.get(0))
        .unwrap()
}

fn blobs_on_disk(app: &TestApp) -> usize {
    std::fs::read_dir(app.inside(&app.data_dir().join("files")))
        .map(|d| d.count())
        .unwrap_or(0)
}

fn assert_507(res: reqwest::blocking::Response) {
    let status = res.status();
    let body = res.text().unwrap();
    assert_eq!(status, 507, "{body}");
    let problem: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problem["error"], "insufficient_storage", "{body}");
    assert!(!body.contains("claim_code"), "{body}");
}

#[test]
fn a_disk_down_to_its_reserve_refuses_with_507_and_keeps_nothing() {
    let Some(mut app) = spawn_app_on_disk("[limits]\nmin_free_bytes = 1099511627776\n", 64) else {
        return;
    };
    // A reserve larger than the disk: nothing new is taken, through the API or the form.
    assert_507(app.post_json("/api/v1/cases", &report("over the reserve")));
    let page = app.post_form(
        "/report",
        &[("channel", "report"), ("f_what", "by the form")],
    );
    assert_eq!(page.status(), 507);
    assert!(page
        .text()
        .unwrap()
        .contains("running out of storage space"));
    assert_eq!(cases_on_disk(&app), 0);

    // A reserve 8 MiB below what is free: a small case fits, a large upload does not.
    let free = sealbox::store::disk::available(&app.inside(&app.data_dir())).unwrap();
    restart_with_reserve(&mut app, free - (8 << 20));
    let code = app.submit(report("fits"));
    // Sent without a length, so only the re-checks while it streams can stop it.
    let big = Part::reader(std::io::repeat(7).take(24 << 20)).file_name("big.bin");
    let form = Form::new()
        .text("case", report("too big for the reserve").to_string())
        .part("file", big);
    let res = app
        .client
        .post(app.url("/api/v1/cases"))
        .multipart(form)
        .send()
        .unwrap();
    assert_507(res);
    assert_eq!(cases_on_disk(&app), 1, "no half case");
    assert_eq!(blobs_on_disk(&app), 0, "no half file");
    // Declared too large: refused before a byte of the body is read.
    let mut s = send(
        &app,
        &format!(
            "{}\r\nAuthorization: Bearer {code}",
            post_head(
                &app,
                "/api/v1/followup/files",
                "multipart/form-data; boundary=x",
                24 << 20
            )
        ),
        b"",
    );
    let (status, body) = response(&mut s);
    assert_eq!(status, 507, "{body}");

    // No room at all: a follow-up message and upload are refused too, and kept nowhere.
    restart_with_reserve(&mut app, 1 << 40);
    let res = app
        .client
        .post(app.url("/api/v1/followup/messages"))
        .bearer_auth(&code)
        .json(&json!({ "body": "one more thing" }))
        .send()
        .unwrap();
    assert_507(res);
    let res = app
        .client
        .post(app.url("/api/v1/followup/files"))
        .bearer_auth(&code)
        .multipart(Form::new().part("file", Part::bytes(vec![1u8; 1024]).file_name("a.bin")))
        .send()
        .unwrap();
    assert_507(res);
    assert_eq!(blobs_on_disk(&app), 0);
    let thread: Value = app.followup_api(&code).json().unwrap();
    assert_eq!(
        thread["messages"].as_array().map(Vec::len),
        Some(0),
        "{thread}"
    );
    assert!(!app.logs().contains("panicked"));
}
