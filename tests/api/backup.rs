//! `sealbox backup`, `backup --verify` and `restore`: a backup taken under load restores to a
//! working installation, opens with the reference `age` tool and nothing else, and a restore
//! never lands on data or leaves half a directory behind.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use reqwest::blocking::multipart::{Form, Part};
use serde_json::Value;

use crate::helpers::*;

const LOAD: &str = "[limits]\ncases_per_hour_per_client = 0\n";

/// A server whose recovery identity the test holds, in `root/recovery.txt`.
fn app_with_recovery() -> (TestApp, String) {
    let keys = tempfile::tempdir().unwrap();
    let public = age_keygen(keys.path(), "recovery.txt");
    let config = format!("recovery_recipient = \"{public}\"\n{LOAD}");
    let app = spawn_bare_app(&config);
    std::fs::copy(
        keys.path().join("recovery.txt"),
        app.root.path().join("recovery.txt"),
    )
    .unwrap();
    (app, config)
}

fn cli(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let out = app.cli_with_stdin(args, "");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A case with an attachment, through the multipart API; returns the claim code.
fn submit_with_file(app: &TestApp, what: &str, bytes: Vec<u8>) -> String {
    let form = Form::new().text("case", report(what).to_string()).part(
        "file",
        Part::bytes(bytes)
            .file_name("evidence.bin")
            .mime_str("application/octet-stream")
            .unwrap(),
    );
    let res = app
        .client
        .post(app.url("/api/v1/cases"))
        .multipart(form)
        .send()
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().unwrap_or_default());
    res.json::<Value>().unwrap()["claim_code"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn opens_with(app: &TestApp, code: &str, what: &str) {
    let res = app.followup_api(code);
    assert_eq!(
        res.status(),
        200,
        "{code}: {}",
        res.text().unwrap_or_default()
    );
    let case: Value = res.json().unwrap();
    assert_eq!(case["fields"]["what"], what, "{code}");
}

/// Takes a backup while another thread keeps submitting; returns the backup file and every
/// (claim code, text) handed out before the backup began.
fn backup_under_load(app: &TestApp) -> (PathBuf, Vec<(String, String)>) {
    let mut before = Vec::new();
    for i in 0..4 {
        let what = canary(&format!("before-{i}"));
        before.push((app.submit(report(&what)), what));
    }
    let what = canary("with-file");
    let code = submit_with_file(app, &what, vec![7u8; 300_000]);
    before.push((code, what));

    let handed_out = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let load = {
        let (base, handed_out, stop) = (app.base.clone(), handed_out.clone(), stop.clone());
        std::thread::spawn(move || {
            let client = client();
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                let what = format!("during-{n}");
                let res = client
                    .post(format!("{base}/api/v1/cases"))
                    .json(&report(&what))
                    .send()
                    .unwrap();
                assert_eq!(res.status(), 201);
                let code = res.json::<Value>().unwrap()["claim_code"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                handed_out.lock().unwrap().push((code, what));
                n += 1;
            }
            n
        })
    };
    // Let the load get going, then note what was handed out before the backup began.
    while handed_out.lock().unwrap().len() < 3 {
        std::thread::yield_now();
    }
    before.extend(handed_out.lock().unwrap().iter().cloned());
    let file = app.root.path().join("backup.age");
    let (ok, stdout, stderr) = cli(app, &["backup", "--to", path(&file)]);
    stop.store(true, Ordering::SeqCst);
    let during = load.join().unwrap();
    assert!(ok, "{stderr}");
    assert!(stdout.contains("backed up"), "{stdout}");
    assert!(during >= 3);
    (file, before)
}

#[test]
fn a_backup_under_load_restores_every_case_handed_out_before_it() {
    let (app, config) = app_with_recovery();
    let (file, before) = backup_under_load(&app);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // No temp file is left beside it.
    let beside: Vec<_> = std::fs::read_dir(app.root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".sealbox-backup"))
        .collect();
    assert!(beside.is_empty(), "{beside:?}");

    let mut restored = unstarted_app(&config);
    let identity = app.root.path().join("recovery.txt");
    let (ok, stdout, stderr) = cli(
        &restored,
        &[
            "restore",
            "--from",
            path(&file),
            "--identity",
            path(&identity),
        ],
    );
    assert!(ok, "{stderr}");
    assert!(stdout.contains("restored"), "{stdout}");
    let (ok, stdout, stderr) = cli(&restored, &["audit", "verify"]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("audit log intact"), "{stdout}");

    restored.start();
    for (code, what) in &before {
        opens_with(&restored, code, what);
    }
    // The attachment came along and still opens for its submitter.
    let case: Value = restored.followup_api(&before[4].0).json().unwrap();
    let files = case["files"].as_array().expect("files in the follow-up");
    assert_eq!(files.len(), 1, "{case}");
    let integrity: String = restored
        .db()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
}

#[test]
fn the_backup_opens_with_age_and_shows_nothing_without_the_identity() {
    let (app, _) = app_with_recovery();
    let what = canary("sealed");
    app.submit(report(&what));
    submit_with_file(&app, &canary("file"), vec![1u8; 70_000]);
    let file = app.root.path().join("backup.age");
    let (ok, _, stderr) = cli(&app, &["backup", "--to", path(&file)]);
    assert!(ok, "{stderr}");

    let raw = std::fs::read(&file).unwrap();
    assert!(raw.starts_with(b"age-encryption.org/v1\n"));
    for clear in [
        what.as_bytes(),
        b"CREATE TABLE",
        b"SQLite format 3",
        b"sealbox.sqlite",
    ] {
        assert!(
            !raw.windows(clear.len()).any(|w| w == clear),
            "{} readable in the backup",
            String::from_utf8_lossy(clear)
        );
    }

    let tar = age(&["-d", "-i", "recovery.txt", "backup.age"], app.root.path());
    let mut archive = tar::Archive::new(tar.as_slice());
    let names: Vec<String> = archive
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names[0], "sealbox.sqlite", "{names:?}");
    for key in ["keys/audit.key", "keys/lookup.key"] {
        assert!(names.iter().any(|n| n == key), "{names:?}");
    }
    assert_eq!(
        names.iter().filter(|n| n.starts_with("files/")).count(),
        1,
        "{names:?}"
    );
}

#[test]
fn restore_refuses_a_non_empty_dir_and_a_file_for_another_key() {
    let (app, config) = app_with_recovery();
    let code = app.submit(report("kept"));
    let file = app.root.path().join("backup.age");
    assert!(cli(&app, &["backup", "--to", path(&file)]).0);
    let identity = app.root.path().join("recovery.txt");

    // Onto the live data directory: refused, nothing touched.
    let (ok, _, stderr) = cli(
        &app,
        &[
            "restore",
            "--from",
            path(&file),
            "--identity",
            path(&identity),
        ],
    );
    assert!(!ok);
    assert!(stderr.contains("is not empty"), "{stderr}");
    opens_with(&app, &code, "kept");

    // With an identity the file was not sealed to: refused, no directory left behind.
    let other = unstarted_app(&config);
    age_keygen(other.root.path(), "other.txt");
    let wrong = other.root.path().join("other.txt");
    let (ok, _, stderr) = cli(
        &other,
        &["restore", "--from", path(&file), "--identity", path(&wrong)],
    );
    assert!(!ok);
    assert!(stderr.contains("sealed to another key"), "{stderr}");
    assert!(!other.data_dir().exists());
    let (ok, _, stderr) = cli(
        &other,
        &[
            "backup",
            "--verify",
            path(&file),
            "--identity",
            path(&wrong),
        ],
    );
    assert!(!ok);
    assert!(stderr.contains("sealed to another key"), "{stderr}");

    // A cut file fails half way: nothing is left behind either.
    let raw = std::fs::read(&file).unwrap();
    let cut = other.root.path().join("cut.age");
    std::fs::write(&cut, &raw[..raw.len() * 2 / 3]).unwrap();
    let (ok, _, stderr) = cli(
        &other,
        &[
            "restore",
            "--from",
            path(&cut),
            "--identity",
            path(&identity),
        ],
    );
    assert!(!ok);
    assert!(stderr.contains("damaged"), "{stderr}");
    assert!(!other.data_dir().exists());
    let leftovers: Vec<_> = std::fs::read_dir(other.root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".sealbox"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn verify_accepts_a_good_backup_and_rejects_a_corrupted_one() {
    let (app, _) = app_with_recovery();
    app.submit(report("one"));
    submit_with_file(&app, "two", vec![3u8; 200_000]);
    let file = app.root.path().join("backup.age");
    assert!(cli(&app, &["backup", "--to", path(&file)]).0);
    let identity = app.root.path().join("recovery.txt");

    let (ok, stdout, stderr) = cli(
        &app,
        &[
            "backup",
            "--verify",
            path(&file),
            "--identity",
            path(&identity),
        ],
    );
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("is sound: 2 case(s), 1 attachment(s)"),
        "{stdout}"
    );

    let mut raw = std::fs::read(&file).unwrap();
    let middle = raw.len() / 2;
    raw[middle] ^= 0x40;
    let bad = app.root.path().join("bad.age");
    std::fs::write(&bad, &raw).unwrap();
    let (ok, _, stderr) = cli(
        &app,
        &[
            "backup",
            "--verify",
            path(&bad),
            "--identity",
            path(&identity),
        ],
    );
    assert!(!ok);
    assert!(stderr.contains("is damaged"), "{stderr}");
}

#[test]
fn a_backup_needs_a_recipient() {
    let app = spawn_bare_app("");
    let file = app.root.path().join("backup.age");
    let (ok, _, stderr) = cli(&app, &["backup", "--to", path(&file)]);
    assert!(!ok);
    assert!(stderr.contains("no recipient"), "{stderr}");
    assert!(!file.exists());

    // --recipient serves instead.
    let public = age_keygen(app.root.path(), "mine.txt");
    let (ok, _, stderr) = cli(
        &app,
        &["backup", "--to", path(&file), "--recipient", &public],
    );
    assert!(ok, "{stderr}");
    let identity = app.root.path().join("mine.txt");
    let (ok, _, stderr) = cli(
        &app,
        &[
            "backup",
            "--verify",
            path(&file),
            "--identity",
            path(&identity),
        ],
    );
    assert!(ok, "{stderr}");
}
