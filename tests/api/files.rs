//! Attachments: sent with a case by form and API, added later, sent back by officers; streamed
//! into standard age files; cleaned of hidden metadata on request; held to limits; and never
//! left behind by a failure or a disconnect.

use std::io::Write;
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use reqwest::blocking::multipart::{Form, Part};
use reqwest::blocking::Response;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::images;

/// Bytes that look like nothing in particular, with the multipart boundary's favourite
/// sequences (`\r\n--`) sprinkled in.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out: Vec<u8> = (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    for i in (0..len.saturating_sub(4)).step_by(4099) {
        out[i..i + 4].copy_from_slice(b"\r\n--");
    }
    out
}

fn part(name: &str, bytes: Vec<u8>, media_type: &str) -> Part {
    Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str(media_type)
        .unwrap()
}

/// A multipart API submission: the case, then the files.
fn case_form(case: &Value, files: Vec<Part>, clean: bool) -> Form {
    let mut form = Form::new().text("case", case.to_string());
    if clean {
        form = form.text("clean_metadata", "true");
    }
    files.into_iter().fold(form, |f, p| f.part("file", p))
}

fn post_case(app: &TestApp, form: Form) -> Response {
    app.client
        .post(app.url("/api/v1/cases"))
        .multipart(form)
        .send()
        .unwrap()
}

fn claim_code(res: Response) -> String {
    assert_eq!(res.status(), 201, "{}", res.text().unwrap_or_default());
    res.json::<Value>().unwrap()["claim_code"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn download(app: &TestApp, token: &str, url: &str) -> Response {
    app.client
        .get(app.url(url))
        .bearer_auth(token)
        .send()
        .unwrap()
}

/// The attachment files on disk.
fn blobs(app: &TestApp) -> Vec<std::path::PathBuf> {
    match std::fs::read_dir(app.data_dir().join("files")) {
        Ok(dir) => dir.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    }
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "timed out: {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn age_keygen(dir: &Path) -> String {
    let out = Command::new("age-keygen")
        .args(["-o", "recovery.txt"])
        .current_dir(dir)
        .output()
        .expect("age-keygen (scripts/test installs it)");
    assert!(out.status.success());
    std::fs::read_to_string(dir.join("recovery.txt"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .unwrap()
        .to_owned()
}

fn age_decrypt(identity: &Path, file: &Path) -> Vec<u8> {
    let out = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(identity)
        .arg(file)
        .output()
        .expect("age (scripts/test installs it)");
    assert!(
        out.status.success(),
        "age -d {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn files_sent_with_a_report_reach_the_officer_intact_and_open_with_age() {
    let work = tempfile::tempdir().unwrap();
    let recovery = age_keygen(work.path());
    let app = spawn_app_with(&format!("recovery_recipient = \"{recovery}\"\n"));
    app.add_officer("o@example.org", "Officer", &[]);
    let secret_name = canary("name");
    let secret_text = canary("content");
    let binary = noise(3 << 20, 7);
    let text = format!("minutes of the meeting: {secret_text}\n").into_bytes();
    let form = case_form(
        &report("see the attached minutes"),
        vec![
            part("ledger.bin", binary.clone(), "application/octet-stream"),
            part(&format!("{secret_name}.txt"), text.clone(), "text/plain"),
        ],
        false,
    );
    let code = claim_code(post_case(&app, form));

    // The officer sees both files and downloads them byte for byte.
    let token = officer_token(&app, "o@example.org");
    let id = only_case_id(&app, &token);
    let case = officer_case(&app, &token, &id);
    let files = case["files"].as_array().unwrap();
    assert_eq!(files.len(), 2, "{case}");
    assert_eq!(files[0]["name"], "ledger.bin");
    assert_eq!(files[0]["size"], binary.len());
    assert_eq!(files[0]["author"], "submitter");
    assert_eq!(files[0]["cleaned"], false);
    assert_eq!(files[1]["name"], format!("{secret_name}.txt"));
    assert_eq!(files[1]["type"], "text/plain");
    for (file, original) in files.iter().zip([&binary, &text]) {
        let url = file["url"].as_str().unwrap();
        assert_eq!(
            url,
            format!(
                "/api/v1/officer/cases/{id}/files/{}",
                file["id"].as_str().unwrap()
            )
        );
        let res = download(&app, &token, url);
        assert_eq!(res.status(), 200);
        let headers = res.headers().clone();
        assert_eq!(headers["content-type"], "application/octet-stream");
        assert_eq!(headers["cache-control"], "no-store");
        assert_eq!(
            headers["content-length"].to_str().unwrap(),
            original.len().to_string()
        );
        let disposition = headers["content-disposition"].to_str().unwrap();
        assert!(
            disposition.starts_with("attachment; filename="),
            "{disposition}"
        );
        assert_eq!(&res.bytes().unwrap()[..], &original[..]);
    }
    let downloads: i64 = app
        .db()
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'file_downloaded' AND case_id = ?1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(downloads, 2);

    // The submitter sees and downloads their own files with the claim code.
    let mine: Value = app.followup_api(&code).json().unwrap();
    let listed = mine["files"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    let res = app
        .client
        .get(app.url(listed[1]["url"].as_str().unwrap()))
        .bearer_auth(&code)
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(&res.bytes().unwrap()[..], &text[..]);

    // On disk: standard age files under random names, which the reference tool opens with
    // the case key (reached here through the recovery identity).
    let grant: Vec<u8> = app
        .db()
        .query_row(
            "SELECT sealed FROM grants WHERE holder = 'recovery' AND key = 'case'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    std::fs::write(work.path().join("grant.age"), grant).unwrap();
    let case_key = age_decrypt(
        &work.path().join("recovery.txt"),
        &work.path().join("grant.age"),
    );
    std::fs::write(work.path().join("case.key"), case_key).unwrap();
    for (file, original) in files.iter().zip([&binary, &text]) {
        let blob = app
            .data_dir()
            .join("files")
            .join(format!("{}.age", file["id"].as_str().unwrap()));
        let sealed = std::fs::read(&blob).unwrap();
        assert!(sealed.starts_with(b"age-encryption.org/v1\n"));
        assert_eq!(&age_decrypt(&work.path().join("case.key"), &blob), original);
    }

    // Neither the name nor the content is in clear anywhere: database, files or log.
    for secret in [&secret_name, &secret_text] {
        assert_nowhere_in(&app.data_dir(), secret);
        assert!(!app.logs().contains(secret.as_str()));
    }
}

#[test]
fn the_report_form_takes_files_and_the_follow_up_page_adds_more_without_javascript() {
    let app = spawn_app();
    app.add_officer("o@example.org", "Officer", &[]);
    let page = app.get("/report").text().unwrap();
    assert!(page.contains(r#"enctype="multipart/form-data""#));
    assert!(page.contains(r#"<input type="file" id="file" name="file" multiple>"#));
    assert!(page.contains("Remove hidden metadata from my photos"));
    assert!(page.contains("stored exactly as you send them"));

    let scan = noise(200_000, 11);
    let form = Form::new()
        .text("channel", "report")
        .text("f_what", "receipts attached")
        .text("clean_metadata", "on")
        .part("file", part("receipt.pdf", scan.clone(), "application/pdf"))
        .part(
            "file",
            part("note.txt", b"second file".to_vec(), "text/plain"),
        )
        // A file input left empty sends a nameless, empty part: nothing to store.
        .part("file", Part::bytes(Vec::new()).file_name(""));
    let res = app
        .client
        .post(app.url("/report"))
        .multipart(form)
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    let code = claim_code_in(&res.text().unwrap());
    assert_eq!(blobs(&app).len(), 2);

    // The follow-up page lists them with download links that work with the session cookie.
    let browser = followup_browser(&app, &code);
    let page = browser
        .get(app.url("/followup"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("receipt.pdf"), "{page}");
    assert!(page.contains(r#"enctype="multipart/form-data""#));
    let link = between(&page, "<a href=\"/followup/files/", "\"").to_owned();
    let res = browser
        .get(app.url(&format!("/followup/files/{link}")))
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(&res.bytes().unwrap()[..], &scan[..]);

    // Adding a file later: without the CSRF token nothing is stored.
    let csrf = csrf_in(&page);
    let later = || part("later.txt", b"one more thing".to_vec(), "text/plain");
    let res = browser
        .post(app.url("/followup/messages"))
        .multipart(Form::new().text("body", "").part("file", later()))
        .send()
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(blobs(&app).len(), 2);
    let res = browser
        .post(app.url("/followup/messages"))
        .multipart(
            Form::new()
                .text("csrf", csrf)
                .text("body", "")
                .part("file", later()),
        )
        .send()
        .unwrap();
    assert_eq!(res.status(), 303);
    let page = browser
        .get(app.url("/followup"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("later.txt"));
    assert_eq!(blobs(&app).len(), 3);

    // The officer's page lists all three and serves them to the officer's browser.
    let officer = officer_browser(&app, "o@example.org");
    let id = only_case_id(&app, &officer_token(&app, "o@example.org"));
    let page = officer
        .get(app.url(&format!("/officer/cases/{id}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    for name in ["receipt.pdf", "note.txt", "later.txt"] {
        assert!(page.contains(name), "{name} missing");
    }
    assert!(page.contains("metadata as sent"));
    let link = between(
        &page,
        &format!("<a href=\"/officer/cases/{id}/files/"),
        "\"",
    )
    .to_owned();
    let res = officer
        .get(app.url(&format!("/officer/cases/{id}/files/{link}")))
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(&res.bytes().unwrap()[..], &scan[..]);
}

#[test]
fn officers_send_files_back_and_keep_internal_ones_from_the_submitter() {
    let config = r#"
[[channels]]
id = "report"
kind = "whistleblowing"
title = "Report"
[[channels.fields]]
id = "what"
label = "What happened?"
type = "textarea"
required = true
"#;
    let app = spawn_app_with(config);
    app.add_officer("a@example.org", "Alice", &[]);
    let bob = app.add_officer("b@example.org", "Bob", &[]);
    let code = app.submit(json!({
        "channel": "report",
        "fields": { "what": "Bob's expenses" },
        "exclude_officers": [bob],
    }));

    // The submitter adds a file later through the API, with a message.
    let res = app
        .client
        .post(app.url("/api/v1/followup/files"))
        .bearer_auth(&code)
        .multipart(Form::new().text("body", "here is the invoice").part(
            "file",
            part("invoice.pdf", noise(50_000, 3), "application/pdf"),
        ))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    let added: Value = res.json().unwrap();
    assert_eq!(added["files"].as_array().unwrap().len(), 1);

    // Alice replies with a file, and keeps another internal.
    let token = officer_token(&app, "a@example.org");
    let id = only_case_id(&app, &token);
    let send = |internal: bool, name: &str| {
        let mut form = Form::new();
        if internal {
            form = form.text("internal", "true");
        }
        app.client
            .post(app.url(&format!("/api/v1/officer/cases/{id}/files")))
            .bearer_auth(&token)
            .multipart(form.part("file", part(name, name.as_bytes().to_vec(), "text/plain")))
            .send()
            .unwrap()
    };
    assert_eq!(send(false, "form-to-sign.txt").status(), 201);
    assert_eq!(send(true, "legal-opinion.txt").status(), 201);

    let case = officer_case(&app, &token, &id);
    let files = case["files"].as_array().unwrap();
    let by_name = |n: &str| files.iter().find(|f| f["name"] == n).unwrap().clone();
    assert_eq!(by_name("invoice.pdf")["author"], "submitter");
    assert_eq!(by_name("form-to-sign.txt")["author"], "officer");
    assert_eq!(by_name("form-to-sign.txt")["officer"], "Alice");
    assert_eq!(by_name("legal-opinion.txt")["internal"], true);
    assert_eq!(by_name("form-to-sign.txt")["internal"], false);
    let message_sent = case["messages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["body"] == "here is the invoice");
    assert!(message_sent);

    // The submitter sees their file and Alice's, never the internal one, even by its id.
    let mine: Value = app.followup_api(&code).json().unwrap();
    let names: Vec<&str> = mine["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["invoice.pdf", "form-to-sign.txt"]);
    let internal_id = by_name("legal-opinion.txt")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .client
        .get(app.url(&format!("/api/v1/followup/files/{internal_id}")))
        .bearer_auth(&code)
        .send()
        .unwrap();
    assert_eq!(res.status(), 404);

    // Bob, excluded by the submitter, can neither download nor add.
    let bob_token = officer_token(&app, "b@example.org");
    let url = by_name("invoice.pdf")["url"].as_str().unwrap().to_owned();
    assert_eq!(download(&app, &bob_token, &url).status(), 403);
    let res = app
        .client
        .post(app.url(&format!("/api/v1/officer/cases/{id}/files")))
        .bearer_auth(&bob_token)
        .multipart(Form::new().part("file", part("x.txt", b"x".to_vec(), "text/plain")))
        .send()
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(blobs(&app).len(), 3);
    // Another case's file id does not open through this case, nor a made-up one.
    assert_eq!(
        download(
            &app,
            &token,
            &format!("/api/v1/officer/cases/{id}/files/{}", "0".repeat(32))
        )
        .status(),
        404
    );
}

#[test]
fn hidden_metadata_is_removed_from_photos_when_asked() {
    let app = spawn_app();
    app.add_officer("o@example.org", "Officer", &[]);
    let secret = canary("gps-camera");
    let jpeg = images::jpeg(&secret);
    let png = images::png(&secret);
    let pdf = format!("%PDF-1.7\n/Author ({secret})\n").into_bytes();
    assert!(images::contains(&jpeg, secret.as_bytes()) && images::contains(&png, b"eXIf"));
    let form = case_form(
        &report("photos of the spill"),
        vec![
            part("IMG_0001.jpg", jpeg.clone(), "image/jpeg"),
            part("screen.png", png.clone(), "image/png"),
            part("memo.pdf", pdf.clone(), "application/pdf"),
        ],
        true,
    );
    let cleaned = claim_code(post_case(&app, form));
    // The same photo without cleaning, in a second case, arrives untouched.
    let form = case_form(
        &report("as is"),
        vec![part("IMG_0002.jpg", jpeg.clone(), "image/jpeg")],
        false,
    );
    let as_is = claim_code(post_case(&app, form));

    let token = officer_token(&app, "o@example.org");
    let ids = [
        case_id_of(&app, &token, &cleaned),
        case_id_of(&app, &token, &as_is),
    ];
    let case = officer_case(&app, &token, &ids[0]);
    let files = case["files"].as_array().unwrap();
    let fetch = |f: &Value| {
        download(&app, &token, f["url"].as_str().unwrap())
            .bytes()
            .unwrap()
    };

    let clean_jpeg = fetch(&files[0]);
    assert_eq!(files[0]["cleaned"], true);
    assert_eq!(files[0]["size"], clean_jpeg.len());
    for marker in [
        secret.as_bytes(),
        b"Exif\0\0",
        b"http://ns.adobe.com/xap",
        b"taken by",
    ] {
        assert!(
            !images::contains(&clean_jpeg, marker),
            "{:?} left",
            String::from_utf8_lossy(marker)
        );
    }
    assert!(clean_jpeg.len() < jpeg.len());
    assert_eq!(
        images::decode_jpeg(&clean_jpeg),
        images::decode_jpeg(&jpeg),
        "the picture is unchanged"
    );

    let clean_png = fetch(&files[1]);
    assert_eq!(files[1]["cleaned"], true);
    for marker in [secret.as_bytes(), b"eXIf", b"tEXt", b"tIME"] {
        assert!(
            !images::contains(&clean_png, marker),
            "{:?} left",
            String::from_utf8_lossy(marker)
        );
    }
    assert_eq!(
        images::decode_png(&clean_png),
        images::decode_png(&png),
        "the picture is unchanged"
    );
    assert_eq!(images::decode_png(&clean_png), images::pixels());

    // Other types are kept as sent, and the officer is told.
    assert_eq!(files[2]["cleaned"], false);
    assert_eq!(&fetch(&files[2])[..], &pdf[..]);
    let page = officer_browser(&app, "o@example.org")
        .get(app.url(&format!("/officer/cases/{}", ids[0])))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert_eq!(page.matches("hidden metadata removed").count(), 2);
    assert_eq!(page.matches("metadata as sent").count(), 1);

    let untouched = officer_case(&app, &token, &ids[1]);
    let file = &untouched["files"][0];
    assert_eq!(file["cleaned"], false);
    assert_eq!(&fetch(file)[..], &jpeg[..]);

    // A broken photo cannot be cleaned: refused with a reason, nothing kept.
    let before = blobs(&app).len();
    let form = case_form(
        &report("broken"),
        vec![part(
            "cut.jpg",
            jpeg[..jpeg.len() / 2].to_vec(),
            "image/jpeg",
        )],
        true,
    );
    let res = post_case(&app, form);
    assert_eq!(res.status(), 422);
    let body: Value = res.json().unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("not a complete JPEG"),
        "{body}"
    );
    assert_eq!(blobs(&app).len(), before);
    assert_eq!(app.case_count(), 2);
}

const LIMITED: &str = r#"
[limits]
cases_per_hour_per_client = 0
[[channels]]
id = "report"
kind = "whistleblowing"
title = "Report"
max_file_bytes = 100000
max_files = 2
max_total_bytes = 150000
[[channels.fields]]
id = "what"
label = "What happened?"
type = "textarea"
required = true
"#;

#[test]
fn limits_refuse_with_413_naming_the_limit_and_keep_nothing() {
    let app = spawn_app_with(LIMITED);
    app.add_officer("o@example.org", "Officer", &[]);
    let file = |n: usize| part("f.bin", noise(n, n as u64), "application/octet-stream");
    let refused = |files: Vec<Part>, limit: &str| {
        let res = post_case(&app, case_form(&report("limits"), files, false));
        assert_eq!(res.status(), 413);
        let body: Value = res.json().unwrap();
        assert_eq!(body["error"], "too_large");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(limit), "{message}");
        assert!(message.contains("nothing was stored"), "{message}");
        assert_eq!(app.case_count(), 0);
        assert!(blobs(&app).is_empty(), "files left behind");
    };
    refused(vec![file(100_001)], "a file may be at most 97.6 KiB");
    refused(vec![file(10), file(10), file(10)], "at most 2 files");
    refused(
        vec![file(90_000), file(90_000)],
        "at most 146.4 KiB together",
    );

    // Within limits it goes through; the follow-up counts what the case already holds.
    let code = claim_code(post_case(
        &app,
        case_form(&report("ok"), vec![file(100_000)], false),
    ));
    let add = |n: usize| {
        app.client
            .post(app.url("/api/v1/followup/files"))
            .bearer_auth(&code)
            .multipart(Form::new().part("file", file(n)))
            .send()
            .unwrap()
    };
    let res = add(60_000);
    assert_eq!(res.status(), 413);
    assert!(res.text().unwrap().contains("together"));
    assert_eq!(add(40_000).status(), 201);
    let res = add(1);
    assert_eq!(res.status(), 413);
    assert!(res.text().unwrap().contains("at most 2 files"));
    assert_eq!(blobs(&app).len(), 2);

    // An empty file with a name is refused; the form shows why and keeps the text.
    let form = Form::new()
        .text("channel", "report")
        .text("f_what", "my careful account")
        .part("file", part("empty.txt", Vec::new(), "text/plain"));
    let res = app
        .client
        .post(app.url("/report"))
        .multipart(form)
        .send()
        .unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().unwrap();
    assert!(page.contains("“empty.txt” is empty"), "{page}");
    assert!(page.contains("my careful account"));
    // So is an over-size file through the form, with the text kept and the files asked for again.
    let form = Form::new()
        .text("channel", "report")
        .text("f_what", "my careful account")
        .part("file", file(100_001));
    let res = app
        .client
        .post(app.url("/report"))
        .multipart(form)
        .send()
        .unwrap();
    assert_eq!(res.status(), 413);
    let page = res.text().unwrap();
    assert!(page.contains("a file may be at most 97.6 KiB"), "{page}");
    assert!(page.contains("my careful account"));
    assert!(page.contains("choose them again"));
    assert_eq!(app.case_count(), 1);
    assert_eq!(blobs(&app).len(), 2);
}

#[test]
fn a_failed_submission_removes_the_files_it_wrote() {
    let app = spawn_app();
    app.add_officer("o@example.org", "Officer", &[]);
    // The files stream in first; the case itself then fails validation.
    let form = case_form(
        &json!({ "channel": "report", "fields": {} }),
        vec![part("a.bin", noise(600_000, 5), "application/octet-stream")],
        false,
    );
    let res = post_case(&app, form);
    assert_eq!(res.status(), 422);
    assert_eq!(app.case_count(), 0);
    assert!(blobs(&app).is_empty());
    // Files before the case part: refused, since their limits are not known yet.
    let form = Form::new()
        .part(
            "file",
            part("a.bin", noise(1000, 5), "application/octet-stream"),
        )
        .text("case", report("late").to_string());
    let res = post_case(&app, form);
    assert_eq!(res.status(), 422);
    assert!(blobs(&app).is_empty());
    // Not JSON in the case part: 400.
    let res = post_case(&app, Form::new().text("case", "{not json"));
    assert_eq!(res.status(), 400);
    // Files where files are not taken: 415.
    let res = app
        .client
        .post(app.url("/api/v1/followup/files"))
        .bearer_auth("ABCD")
        .json(&json!({}))
        .send()
        .unwrap();
    assert_eq!(res.status(), 415);
}

#[test]
fn a_disconnect_mid_upload_leaves_nothing_behind() {
    let app = spawn_app();
    app.add_officer("o@example.org", "Officer", &[]);
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&addr).unwrap();
    let head = format!(
        "--XYZ\r\nContent-Disposition: form-data; name=\"case\"\r\n\r\n{}\r\n\
         --XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n",
        report("cut off")
    );
    write!(
        stream,
        "POST /api/v1/cases HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: multipart/form-data; boundary=XYZ\r\nContent-Length: 500000000\r\n\r\n{head}"
    )
    .unwrap();
    let chunk = noise(1 << 20, 9);
    for _ in 0..4 {
        stream.write_all(&chunk).unwrap();
    }
    // The server is writing the file…
    wait_until("the upload to reach the disk", || !blobs(&app).is_empty());
    // …when the client goes away.
    drop(stream);
    wait_until("the partial file to be removed", || blobs(&app).is_empty());
    assert_eq!(app.case_count(), 0);

    // The same for a follow-up upload.
    let code = app.submit(report("follow-up cut off"));
    let mut stream = TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "POST /api/v1/followup/files HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {code}\r\n\
         Content-Type: multipart/form-data; boundary=XYZ\r\nContent-Length: 500000000\r\n\r\n\
         --XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\r\n"
    )
    .unwrap();
    for _ in 0..4 {
        stream.write_all(&chunk).unwrap();
    }
    wait_until("the upload to reach the disk", || !blobs(&app).is_empty());
    drop(stream);
    wait_until("the partial file to be removed", || blobs(&app).is_empty());
    let files: i64 = app
        .db()
        .query_row("SELECT COUNT(*) FROM files", [], |r| r.get(0))
        .unwrap();
    assert_eq!(files, 0);
}

#[test]
fn a_crash_mid_upload_leaves_nothing_after_the_restart() {
    let mut app = spawn_app();
    app.add_officer("o@example.org", "Officer", &[]);
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "POST /api/v1/cases HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: multipart/form-data; boundary=XYZ\r\nContent-Length: 500000000\r\n\r\n\
         --XYZ\r\nContent-Disposition: form-data; name=\"case\"\r\n\r\n{}\r\n\
         --XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\r\n",
        report("crash")
    )
    .unwrap();
    stream.write_all(&noise(2 << 20, 1)).unwrap();
    wait_until("the upload to reach the disk", || !blobs(&app).is_empty());
    app.kill();
    drop(stream);
    assert!(!blobs(&app).is_empty(), "the crash left a partial file");
    app.start();
    assert!(blobs(&app).is_empty(), "the restart removed it");
    assert_eq!(app.case_count(), 0);
}

#[test]
fn file_names_that_are_paths_are_only_names() {
    let app = spawn_app();
    app.add_officer("o@example.org", "Officer", &[]);
    let form = case_form(
        &report("names"),
        vec![
            part("../../../../etc/passwd", b"one".to_vec(), "text/plain"),
            part("..\\..\\windows\\boot.ini", b"two".to_vec(), "text/plain"),
            part("..", b"three".to_vec(), "text/plain"),
            part("report\u{202e}fdp.exe", b"four".to_vec(), "text/plain"),
        ],
        false,
    );
    claim_code(post_case(&app, form));
    let token = officer_token(&app, "o@example.org");
    let id = only_case_id(&app, &token);
    let case = officer_case(&app, &token, &id);
    let names: Vec<&str> = case["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["passwd", "boot.ini", "file", "reportfdp.exe"]);
    // Everything written is inside the data directory: four age files, nothing else new.
    let outside: Vec<_> = files_below(app.root.path())
        .into_iter()
        .filter(|(p, _)| !p.starts_with(app.data_dir()) && !p.ends_with("sealbox.toml"))
        .collect();
    assert!(
        outside.is_empty(),
        "{:?}",
        outside.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    assert_eq!(blobs(&app).len(), 4);
    // File ids in paths are ids, never paths.
    for bad in [
        "..%2F..%2Fsealbox.sqlite",
        "..%2fkeys%2flookup.key",
        "%2e%2e",
        "sealbox.sqlite",
    ] {
        let res = download(
            &app,
            &token,
            &format!("/api/v1/officer/cases/{id}/files/{bad}"),
        );
        assert_eq!(res.status(), 404, "{bad}");
    }
}

#[test]
fn purging_a_case_deletes_its_files() {
    let app = spawn_app_with(
        r#"
[[channels]]
id = "report"
kind = "whistleblowing"
title = "Report"
retention_days = 0
[[channels.fields]]
id = "what"
label = "What happened?"
type = "textarea"
required = true
"#,
    );
    app.add_officer("o@example.org", "Officer", &[]);
    let purged = claim_code(post_case(
        &app,
        case_form(
            &report("purged"),
            vec![part("a.txt", b"a".to_vec(), "text/plain")],
            false,
        ),
    ));
    let kept = claim_code(post_case(
        &app,
        case_form(
            &report("kept"),
            vec![part("b.txt", b"b".to_vec(), "text/plain")],
            false,
        ),
    ));
    assert_eq!(blobs(&app).len(), 2);
    let token = officer_token(&app, "o@example.org");
    let id = case_id_of(&app, &token, &purged);
    for body in [
        json!({"status": "acknowledged"}),
        json!({"status": "closed", "outcome": "no_action"}),
    ] {
        let path = format!("/api/v1/officer/cases/{id}/status");
        assert_eq!(
            officer_api(&app, &token, Method::POST, &path, Some(body)).status(),
            200
        );
    }
    std::thread::sleep(Duration::from_millis(1100));
    let out = app.cli_with_stdin(&["purge"], "");
    assert!(out.status.success());
    assert_eq!(blobs(&app).len(), 1);
    let mine: Value = app.followup_api(&kept).json().unwrap();
    assert_eq!(mine["files"][0]["name"], "b.txt");
}

/// Resets a connection (RST), as a client that vanishes does.
fn reset(stream: TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: setsockopt reads `linger` for the given size; the descriptor is open.
    unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            &linger as *const libc::linger as *const libc::c_void,
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

/// Starts a raw follow-up upload of one file named `name`, sending `sent` of `data`.
fn raw_followup_upload(app: &TestApp, code: &str, data: &[u8], sent: usize) -> (TcpStream, String) {
    let addr = app.base.trim_start_matches("http://").to_owned();
    let head = "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n\r\n";
    let tail = "\r\n--XYZ--\r\n".to_owned();
    let len = head.len() + data.len() + tail.len();
    let mut s = TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "POST /api/v1/followup/files HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {code}\r\n\
         Connection: close\r\nContent-Type: multipart/form-data; boundary=XYZ\r\n\
         Content-Length: {len}\r\n\r\n{head}"
    )
    .unwrap();
    s.write_all(&data[..sent]).unwrap();
    (s, tail)
}

fn answer(mut s: TcpStream) -> String {
    let mut out = String::new();
    let _ = std::io::Read::read_to_string(&mut s, &mut out);
    out
}

#[test]
fn what_decides_where_files_go_must_come_before_them() {
    let app = spawn_app();
    app.add_officer("a@example.org", "Alice", &[]);
    let code = app.submit(report("x"));
    let token = officer_token(&app, "a@example.org");
    let id = only_case_id(&app, &token);
    // "internal" after the file would have sealed it for the submitter: refused, nothing kept.
    let form = Form::new()
        .part(
            "file",
            part("legal-opinion.txt", b"privileged".to_vec(), "text/plain"),
        )
        .text("internal", "true")
        .text("body", "internal note");
    let res = app
        .client
        .post(app.url(&format!("/api/v1/officer/cases/{id}/files")))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.text().unwrap().contains("must come before the files"));
    assert!(blobs(&app).is_empty());
    let mine: Value = app.followup_api(&code).json().unwrap();
    assert!(mine["files"].as_array().unwrap().is_empty());
    // The same for cleaning asked for too late.
    let res = app
        .client
        .post(app.url("/api/v1/followup/files"))
        .bearer_auth(&code)
        .multipart(
            Form::new()
                .part("file", part("p.jpg", images::jpeg("late"), "image/jpeg"))
                .text("clean_metadata", "true"),
        )
        .send()
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(blobs(&app).is_empty());
}

#[test]
fn one_upload_at_a_time_per_case_so_parallel_ones_cannot_pass_the_limits() {
    let app = spawn_app_with(&LIMITED.replace("max_files = 2", "max_files = 1"));
    app.add_officer("o@example.org", "O", &[]);
    let code = app.submit(report("x"));
    let data = vec![b'a'; 50_000];
    let (mut first, tail) = raw_followup_upload(&app, &code, &data, 20_000);
    wait_until("the first upload to start", || !blobs(&app).is_empty());
    let (mut second, tail2) = raw_followup_upload(&app, &code, &data, 20_000);
    second.write_all(&data[20_000..]).unwrap();
    second.write_all(tail2.as_bytes()).unwrap();
    let refused = answer(second);
    assert!(refused.starts_with("HTTP/1.1 409"), "{refused}");
    assert!(refused.contains("another upload to this case"), "{refused}");
    first.write_all(&data[20_000..]).unwrap();
    first.write_all(tail.as_bytes()).unwrap();
    let done = answer(first);
    assert!(done.starts_with("HTTP/1.1 201"), "{done}");
    let files: i64 = app
        .db()
        .query_row("SELECT COUNT(*) FROM files", [], |r| r.get(0))
        .unwrap();
    assert_eq!(files, 1);
}

#[test]
fn a_part_header_without_end_is_cut_off_not_buffered() {
    let app = spawn_app();
    app.add_officer("o@example.org", "O", &[]);
    std::thread::sleep(Duration::from_millis(300));
    let rss = || {
        std::fs::read_to_string(format!("/proc/{}/status", app.pid()))
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            .unwrap()
    };
    let before = rss();
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut s = TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "POST /api/v1/cases HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: multipart/form-data; boundary=XYZ\r\nContent-Length: 100000000\r\n\r\n\
         --XYZ\r\nContent-Disposition: form-data; name=\"case\"\r\nX-Pad: "
    )
    .unwrap();
    let junk = vec![b'a'; 1 << 20];
    for _ in 0..64 {
        if s.write_all(&junk).is_err() {
            break;
        }
    }
    let grown = rss().saturating_sub(before);
    assert!(
        grown < 16 * 1024,
        "one request made the server hold {} KiB more",
        grown
    );
    let refused = answer(s);
    assert!(
        refused.is_empty() || refused.starts_with("HTTP/1.1 400"),
        "{refused}"
    );
}

#[test]
fn a_client_gone_while_its_files_are_recorded_leaves_rows_and_blobs_matching() {
    let app = spawn_app();
    app.add_officer("o@example.org", "O", &[]);
    let code = app.submit(report("x"));
    // Another writer holds the database, so the commit waits; meanwhile the client vanishes.
    let db = rusqlite::Connection::open(app.data_dir().join("sealbox.sqlite")).unwrap();
    db.execute_batch("BEGIN IMMEDIATE").unwrap();
    let data = vec![b'a'; 10_000];
    let (mut s, tail) = raw_followup_upload(&app, &code, &data, data.len());
    s.write_all(tail.as_bytes()).unwrap();
    wait_until("the file to be written", || !blobs(&app).is_empty());
    std::thread::sleep(Duration::from_millis(500));
    reset(s);
    std::thread::sleep(Duration::from_millis(300));
    db.execute_batch("ROLLBACK").unwrap();
    drop(db);
    std::thread::sleep(Duration::from_millis(1000));
    let rows: i64 = app
        .db()
        .query_row("SELECT COUNT(*) FROM files", [], |r| r.get(0))
        .unwrap();
    assert_eq!(blobs(&app).len() as i64, rows, "rows and files differ");
    // Whichever way it went, a listed file opens.
    let mine: Value = app.followup_api(&code).json().unwrap();
    for f in mine["files"].as_array().unwrap() {
        let res = app
            .client
            .get(app.url(f["url"].as_str().unwrap()))
            .bearer_auth(&code)
            .send()
            .unwrap();
        assert_eq!(res.status(), 200);
    }
}

#[test]
fn a_second_server_on_the_same_data_directory_refuses_to_start() {
    let app = spawn_app();
    app.add_officer("o@example.org", "O", &[]);
    let code = app.submit(report("x"));
    let data = vec![b'a'; 200_000];
    let (mut s, tail) = raw_followup_upload(&app, &code, &data, 100_000);
    wait_until("the upload to start", || !blobs(&app).is_empty());
    let out = bin()
        .current_dir(app.root.path())
        .arg("--config")
        .arg(app.root.path().join("sealbox.toml"))
        .arg("--data-dir")
        .arg(app.data_dir())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("another `sealbox serve` is running"));
    s.write_all(&data[100_000..]).unwrap();
    s.write_all(tail.as_bytes()).unwrap();
    let done = answer(s);
    assert!(done.starts_with("HTTP/1.1 201"), "{done}");
    let mine: Value = app.followup_api(&code).json().unwrap();
    let url = mine["files"][0]["url"].as_str().unwrap().to_owned();
    let res = app
        .client
        .get(app.url(&url))
        .bearer_auth(&code)
        .send()
        .unwrap();
    assert_eq!(&res.bytes().unwrap()[..], &data[..]);
}
