//! Faults on purpose: the server killed mid-load, a full disk, a disk that turns read-only, and
//! many clients at once. What a client was told must stay true.

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::blocking::multipart::{Form, Part};
use reqwest::blocking::Response;
use serde_json::{json, Value};

use crate::helpers::*;

const NO_LIMITS: &str =
    "[limits]\ncases_per_hour_per_client = 0\nclaim_failures_per_minute_per_client = 0\nmin_free_bytes = 0\n";

/// Whether `text` holds anything shaped like a claim code (five groups of four).
fn shows_a_claim_code(text: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .any(|word| {
            let groups: Vec<&str> = word.split('-').collect();
            groups.len() == 5 && groups.iter().all(|g| g.len() == 4)
        })
}

fn integrity(db: &Path) -> String {
    rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

/// A copy of the database (and its log) in `data`, taken while the server is idle. SQLite
/// resolves `/proc/PID/root` to this process's own root, so it cannot open the server's view of
/// the file in place.
fn copy_of_db(data: &Path) -> (tempfile::TempDir, std::path::PathBuf) {
    let copy = tempfile::tempdir().unwrap();
    for name in ["sealbox.sqlite", "sealbox.sqlite-wal"] {
        std::fs::copy(data.join(name), copy.path().join(name)).unwrap();
    }
    let db = copy.path().join("sealbox.sqlite");
    (copy, db)
}

fn what_of(app: &TestApp, code: &str) -> String {
    let res = app.followup_api(code);
    assert_eq!(
        res.status(),
        200,
        "claim code {code} no longer opens its case"
    );
    res.json::<Value>().unwrap()["fields"]["what"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn every_claim_code_handed_out_survives_a_kill_during_load() {
    let mut app = spawn_app_with(NO_LIMITS);
    let url = app.url("/api/v1/cases");
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..8)
        .map(|i| {
            let (url, stop) = (url.clone(), stop.clone());
            std::thread::spawn(move || {
                let http = client();
                let mut received = Vec::new();
                for n in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let what = format!("report {i}/{n}");
                    // A request cut off by the kill gets no answer, so no code: that is fine.
                    let Ok(res) = http.post(&url).json(&report(&what)).send() else {
                        break;
                    };
                    if res.status() != 201 {
                        break;
                    }
                    let Ok(body) = res.json::<Value>() else { break };
                    received.push((body["claim_code"].as_str().unwrap().to_owned(), what));
                }
                received
            })
        })
        .collect();
    // Kill once a good number of cases are in, while every client is still mid-flight.
    let started = Instant::now();
    while app.case_count() < 40 && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    app.kill();
    stop.store(true, Ordering::Relaxed);
    let received: Vec<(String, String)> = clients
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    assert!(received.len() >= 30, "only {} cases", received.len());

    let db = app.data_dir().join("sealbox.sqlite");
    assert_eq!(integrity(&db), "ok");
    app.start();
    for (code, what) in &received {
        assert_eq!(&what_of(&app, code), what);
    }
    assert_eq!(integrity(&db), "ok");
    // The server goes on taking cases after the restart.
    app.submit(report("after the crash"));
}

#[test]
fn sixty_four_clients_submit_and_follow_up_at_once() {
    let app = spawn_app_with(NO_LIMITS);
    let base = app.base.clone();
    let start = Arc::new(std::sync::Barrier::new(64));
    let clients: Vec<_> = (0..64)
        .map(|i| {
            let (base, start) = (base.clone(), start.clone());
            std::thread::spawn(move || {
                let http = client();
                let mut statuses = Vec::new();
                let what = format!("concurrent report {i}");
                start.wait();
                let res = http
                    .post(format!("{base}/api/v1/cases"))
                    .json(&report(&what))
                    .send()
                    .unwrap();
                statuses.push(res.status().as_u16());
                let code = res.json::<Value>().unwrap()["claim_code"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                let res = http
                    .post(format!("{base}/api/v1/followup/messages"))
                    .bearer_auth(&code)
                    .json(&json!({ "body": format!("more from {i}") }))
                    .send()
                    .unwrap();
                statuses.push(res.status().as_u16());
                let res = http
                    .get(format!("{base}/api/v1/followup"))
                    .bearer_auth(&code)
                    .send()
                    .unwrap();
                statuses.push(res.status().as_u16());
                let case = res.json::<Value>().unwrap();
                assert_eq!(case["fields"]["what"], what.as_str());
                assert_eq!(case["messages"][0]["body"], format!("more from {i}"));
                statuses
            })
        })
        .collect();
    let statuses: Vec<u16> = clients
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    assert_eq!(statuses.len(), 64 * 3);
    assert!(
        statuses.iter().all(|s| [200, 201].contains(s)),
        "{statuses:?}"
    );
    let numbers: Vec<i64> = app
        .db()
        .prepare("SELECT number FROM cases")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(numbers.len(), 64);
    assert_eq!(
        numbers.iter().collect::<HashSet<_>>().len(),
        64,
        "{numbers:?}"
    );
}

/// Checks a refused submission: a 503 that says why, and no claim code anywhere in it.
fn assert_refused_for_storage(app: &TestApp, res: Response, json: bool) -> String {
    let status = res.status();
    let body = res.text().unwrap();
    assert_eq!(status, 503, "{body}\n{}", app.logs());
    assert!(!shows_a_claim_code(&body), "a code for nothing: {body}");
    if json {
        let problem: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(problem["error"], "storage_unavailable", "{body}");
    } else {
        assert!(body.contains("cannot store anything right now"), "{body}");
    }
    body
}

/// A case with a 256 KiB file, through the API.
fn submit_with_file(app: &TestApp, what: &str) -> Response {
    let file = Part::bytes(vec![42u8; 256 * 1024]).file_name("proof.bin");
    let form = Form::new()
        .text("case", report(what).to_string())
        .part("file", file);
    app.client
        .post(app.url("/api/v1/cases"))
        .multipart(form)
        .send()
        .unwrap()
}

fn submit_page(app: &TestApp, what: &str) -> Response {
    app.post_form("/report", &[("channel", "report"), ("f_what", what)])
}

fn blob_count(app: &TestApp) -> usize {
    std::fs::read_dir(app.inside(&app.data_dir().join("files")))
        .map(|d| d.count())
        .unwrap_or(0)
}

#[test]
fn a_full_disk_refuses_submissions_with_503_and_hands_out_no_code() {
    let Some(app) = spawn_app_on_disk(NO_LIMITS, 48) else {
        return;
    };
    let before = app.submit(report("before the disk filled"));
    let data = app.inside(&app.data_dir());

    // Fill the file system to the last block.
    let filler = data.join("filler");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&filler).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        while f.write_all(&chunk).is_ok() {}
        let _ = f.sync_all();
    }

    // SQLite may still fit a case or two into space its log already holds; each one it takes
    // is stored for real. After that, every kind of submission is refused.
    let mut stored = vec![(before, "before the disk filled".to_owned())];
    let mut refused = 0;
    for n in 0..40 {
        let what = format!("while full {n}");
        let res = app.post_json("/api/v1/cases", &report(&what));
        if res.status() == 201 {
            assert_eq!(refused, 0, "taken after a refusal");
            let code = res.json::<Value>().unwrap()["claim_code"]
                .as_str()
                .unwrap()
                .to_owned();
            stored.push((code, what));
            continue;
        }
        assert_refused_for_storage(&app, res, true);
        refused += 1;
        if refused == 3 {
            break;
        }
    }
    assert_eq!(refused, 3, "the full disk was never noticed");
    let blobs = blob_count(&app);
    let res = submit_with_file(&app, "with a file, while full");
    assert_refused_for_storage(&app, res, true);
    assert_eq!(blob_count(&app), blobs, "no stray file");
    let res = submit_page(&app, "by the form, while full");
    let page = assert_refused_for_storage(&app, res, false);
    assert!(
        page.contains("by the form, while full"),
        "the form comes back filled in"
    );
    let (_copy, db) = copy_of_db(&data);
    let cases: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM cases", [], |r| r.get(0))
        .unwrap();
    assert_eq!(cases as usize, stored.len(), "no half case");

    // Space comes back: the server takes cases again without a restart.
    std::fs::remove_file(&filler).unwrap();
    let after = app.submit(report("after space came back"));
    stored.push((after, "after space came back".to_owned()));
    let res = submit_with_file(&app, "with a file, after");
    assert_eq!(res.status(), 201);
    for (code, what) in &stored {
        assert_eq!(&what_of(&app, code), what);
    }
    let (_copy, db) = copy_of_db(&data);
    assert_eq!(integrity(&db), "ok");
}

#[test]
fn a_disk_turned_read_only_refuses_submissions_with_503_and_hands_out_no_code() {
    let Some(app) = spawn_app_on_disk(NO_LIMITS, 48) else {
        return;
    };
    let code = app.submit(report("before the disk failed"));
    app.abort_disk();

    let res = app.post_json("/api/v1/cases", &report("after the disk failed"));
    assert_refused_for_storage(&app, res, true);
    let res = submit_with_file(&app, "with a file, after the disk failed");
    assert_refused_for_storage(&app, res, true);
    let res = submit_page(&app, "by the form, after the disk failed");
    assert_refused_for_storage(&app, res, false);
    let res = app
        .client
        .post(app.url("/api/v1/followup/messages"))
        .bearer_auth(&code)
        .json(&json!({ "body": "one more thing" }))
        .send()
        .unwrap();
    assert_refused_for_storage(&app, res, true);

    // The site itself stays up and says so; nothing panicked.
    assert_eq!(app.get("/report").status(), 200);
    let logs = app.logs();
    assert!(
        logs.contains("the data directory refused the write"),
        "{logs}"
    );
    assert!(!logs.contains("panicked"), "{logs}");
}
