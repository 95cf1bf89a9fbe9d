//! Case export: a printable page, and a tar of age files sealed to a recipient the officer
//! names, which the reference `age` tool opens; by page, API and command line; audit-logged.

use std::path::Path;
use std::process::Command;

use reqwest::blocking::multipart::{Form, Part};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

const EVIDENCE_NAME: &str = "ledger-2026.pdf";

fn evidence() -> Vec<u8> {
    (0..300_000u32).map(|i| (i * 7 + i / 251) as u8).collect()
}

/// A case with a file, a reply and an internal note; returns (case id, token, secret words).
fn worked_case(app: &TestApp) -> (String, String, [String; 3]) {
    app.add_officer("o@example.org", "Olga Officer", &[]);
    let what = canary("export-what");
    let form = Form::new().text("case", report(&what).to_string()).part(
        "file",
        Part::bytes(evidence())
            .file_name(EVIDENCE_NAME)
            .mime_str("application/pdf")
            .unwrap(),
    );
    let res = app
        .client
        .post(app.url("/api/v1/cases"))
        .multipart(form)
        .send()
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().unwrap_or_default());
    let token = officer_token(app, "o@example.org");
    let id = only_case_id(app, &token);
    let reply = canary("export-reply");
    let note = canary("export-note");
    for (path, body) in [("messages", &reply), ("notes", &note)] {
        let res = officer_api(
            app,
            &token,
            Method::POST,
            &format!("/api/v1/officer/cases/{id}/{path}"),
            Some(json!({ "body": body })),
        );
        assert_eq!(res.status(), 201);
    }
    (id, token, [what, reply, note])
}

/// Unpacks a tar into `dir`; returns the bundle's folder.
fn unpack(tar: &[u8], dir: &Path) -> std::path::PathBuf {
    tar::Archive::new(tar).unpack(dir).unwrap();
    let folders: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    assert_eq!(folders.len(), 1, "{folders:?}");
    let name = folders[0].file_name().unwrap().to_str().unwrap().to_owned();
    let number: i64 = name
        .strip_prefix("case-")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no case-<number>/ in the bundle: {name}"));
    assert!((10_000_000..=99_999_999).contains(&number), "{name}");
    folders[0].clone()
}

fn decrypt(folder: &Path, identity: &Path, entry: &str) -> Vec<u8> {
    age(&["-d", "-i", identity.to_str().unwrap(), entry], folder)
}

/// Everything a bundle must be: checksums that hold, a manifest without content, and every
/// entry an age file that `identity` opens to the whole case.
fn check_bundle(tar: &[u8], identity: &Path, secrets: &[String; 3]) {
    for secret in secrets.iter().map(String::as_str).chain([EVIDENCE_NAME]) {
        assert!(
            !tar.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} readable in the bundle"
        );
    }
    let work = tempfile::tempdir().unwrap();
    let folder = unpack(tar, work.path());
    let sums = Command::new("sha256sum")
        .args(["-c", "SHA256SUMS"])
        .current_dir(&folder)
        .output()
        .unwrap();
    assert!(
        sums.status.success(),
        "{}",
        String::from_utf8_lossy(&sums.stdout)
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(folder.join("manifest.json")).unwrap()).unwrap();
    let paths: Vec<&str> = manifest["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "files/001.age",
            "case.html.age",
            "case.json.age",
            "SHA256SUMS"
        ]
    );
    let number = manifest["case_number"].as_i64().unwrap();
    assert!((10_000_000..=99_999_999).contains(&number), "{manifest}");

    let page = String::from_utf8(decrypt(&folder, identity, "case.html.age")).unwrap();
    for secret in secrets
        .iter()
        .map(String::as_str)
        .chain([EVIDENCE_NAME, "files/001.age"])
    {
        assert!(page.contains(secret), "{secret} missing from the page");
    }
    assert!(!page.contains("<link") && !page.contains("<script") && !page.contains("src="));
    let doc: Value = serde_json::from_slice(&decrypt(&folder, identity, "case.json.age")).unwrap();
    assert_eq!(doc["format"], "sealbox-case-export/1");
    assert_eq!(doc["case"]["fields"]["what"], secrets[0].as_str());
    assert_eq!(doc["case"]["files"][0]["name"], EVIDENCE_NAME);
    assert_eq!(doc["file_entries"][0], "files/001.age");
    assert!(doc["history"].as_array().unwrap().len() >= 3);
    assert_eq!(decrypt(&folder, identity, "files/001.age"), evidence());
}

fn history_has_export(app: &TestApp, token: &str, id: &str, detail: &str) -> bool {
    let case: Value = officer_api(
        app,
        token,
        Method::GET,
        &format!("/api/v1/officer/cases/{id}"),
        None,
    )
    .json()
    .unwrap();
    case["history"].as_array().unwrap().iter().any(|h| {
        h["action"] == "case exported" && h["detail"].as_str().unwrap_or("").contains(detail)
    })
}

#[test]
fn an_api_export_opens_with_the_reference_age_tool_and_is_audited() {
    let app = spawn_app();
    let (id, token, secrets) = worked_case(&app);
    let keys = tempfile::tempdir().unwrap();
    let counsel = age_keygen(keys.path(), "counsel.txt");

    let res = officer_api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/officer/cases/{id}/export"),
        Some(json!({ "recipient": counsel })),
    );
    assert_eq!(res.status(), 200);
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    let (_, number) = only_case(&app, &token);
    assert!(
        disposition.contains(&format!("case-{number}.tar")),
        "{disposition}"
    );
    assert_eq!(res.headers()["cache-control"], "no-store");
    let tar = res.bytes().unwrap();
    check_bundle(&tar, &keys.path().join("counsel.txt"), &secrets);
    assert!(history_has_export(&app, &token, &id, &counsel));

    // The export's temporary files are gone: only the case's own attachment is on disk.
    let files = std::fs::read_dir(app.data_dir().join("files"))
        .unwrap()
        .count();
    assert_eq!(files, 1);
}

#[test]
fn an_export_without_a_recipient_is_sealed_to_the_officer() {
    let app = spawn_app();
    let (id, token, secrets) = worked_case(&app);
    let res = officer_api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/officer/cases/{id}/export"),
        Some(json!({})),
    );
    assert_eq!(res.status(), 200);
    let tar = res.bytes().unwrap();
    // The officer's own identity, from their account page, sealed with their password (the
    // scrypt recipient `age -d` prompts for), opened as only they can.
    let browser = officer_browser(&app, "o@example.org");
    let res = browser.get(app.url("/officer/account/key")).send().unwrap();
    assert_eq!(res.status(), 200);
    let sealed = res.bytes().unwrap().to_vec();
    assert!(sealed.starts_with(b"age-encryption.org/v1\n-> scrypt "));
    let key =
        sealbox::crypto::keys::unwrap_officer_key(&sealed, &PASSWORD.to_owned().into()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let identity = dir.path().join("me.txt");
    std::fs::write(
        &identity,
        secrecy::ExposeSecret::expose_secret(&key.to_secret_string()),
    )
    .unwrap();
    check_bundle(&tar, &identity, &secrets);
}

#[test]
fn exports_refuse_bad_recipients_and_officers_without_a_grant() {
    let app = spawn_app();
    let (id, token, _) = worked_case(&app);
    for (body, status) in [
        (json!({ "recipient": "age1notakey" }), 422),
        (json!({ "recipient": "AGE-SECRET-KEY-1QQQ" }), 422),
        (json!({ "recipient": 7 }), 422),
        (json!({ "to": "x" }), 422),
    ] {
        let res = officer_api(
            &app,
            &token,
            Method::POST,
            &format!("/api/v1/officer/cases/{id}/export"),
            Some(body.clone()),
        );
        assert_eq!(res.status(), status, "{body}");
        let err: Value = res.json().unwrap();
        assert!(err["message"].as_str().is_some(), "{err}");
    }
    // An officer the submitter kept out holds no grant: no export, nothing recorded.
    let kept_out = app.add_officer("k@example.org", "Kept Out", &[]);
    let mut case = report("second case");
    case["exclude_officers"] = json!([kept_out]);
    let second = case_id_of(&app, &token, &app.submit(case));
    let other = officer_token(&app, "k@example.org");
    let res = officer_api(
        &app,
        &other,
        Method::POST,
        &format!("/api/v1/officer/cases/{second}/export"),
        Some(json!({})),
    );
    assert_eq!(res.status(), 403);
    let exports: i64 = app
        .db()
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'case_exported'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(exports, 0);
    assert!(!history_has_export(&app, &token, &id, ""));
}

#[test]
fn the_case_page_prints_and_exports_without_javascript() {
    let app = spawn_app();
    let (id, token, secrets) = worked_case(&app);
    let browser = officer_browser(&app, "o@example.org");
    let page = browser
        .get(app.url(&format!("/officer/cases/{id}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains(&format!("/officer/cases/{id}/print")));
    let csrf = csrf_in(&page);

    let print = browser
        .get(app.url(&format!("/officer/cases/{id}/print")))
        .send()
        .unwrap();
    assert_eq!(print.status(), 200);
    let print = print.text().unwrap();
    for secret in &secrets {
        assert!(print.contains(secret.as_str()), "{secret} not printed");
    }
    assert!(print.contains(EVIDENCE_NAME) && !print.contains("<script"));
    assert!(history_has_export(&app, &token, &id, "printable page"));

    let refused = browser
        .post(app.url(&format!("/officer/cases/{id}/export")))
        .form(&[("csrf", csrf.as_str()), ("recipient", "not a key")])
        .send()
        .unwrap();
    assert_eq!(refused.status(), 422);
    assert!(refused.text().unwrap().contains("age public key"));

    let keys = tempfile::tempdir().unwrap();
    let counsel = age_keygen(keys.path(), "counsel.txt");
    let forged = browser
        .post(app.url(&format!("/officer/cases/{id}/export")))
        .form(&[("csrf", "wrong"), ("recipient", counsel.as_str())])
        .send()
        .unwrap();
    assert_eq!(forged.status(), 403);
    let res = browser
        .post(app.url(&format!("/officer/cases/{id}/export")))
        .form(&[("csrf", csrf.as_str()), ("recipient", counsel.as_str())])
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    check_bundle(
        &res.bytes().unwrap(),
        &keys.path().join("counsel.txt"),
        &secrets,
    );
}

#[test]
fn the_command_line_exports_as_an_officer_or_with_the_recovery_identity() {
    let keys = tempfile::tempdir().unwrap();
    let recovery = age_keygen(keys.path(), "recovery.txt");
    let counsel = age_keygen(keys.path(), "counsel.txt");
    let app = spawn_app_with(&format!("recovery_recipient = \"{recovery}\"\n"));
    let (id, token, secrets) = worked_case(&app);
    let counsel_file = keys.path().join("counsel.txt");
    let (_, number) = only_case(&app, &token);

    let out = app.cli_with_stdin(
        &[
            "export",
            &number.to_string(),
            "--to",
            &counsel,
            "--officer",
            "o@example.org",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    check_bundle(&out.stdout, &counsel_file, &secrets);

    let recovery_file = keys.path().join("recovery.txt");
    let out = app.cli_with_stdin(
        &[
            "export",
            &format!("#{number}"),
            "--to",
            &counsel,
            "--recovery-identity",
            recovery_file.to_str().unwrap(),
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    check_bundle(&out.stdout, &counsel_file, &secrets);

    // A wrong password, a stranger's identity, a missing opener: refused, nothing written.
    for (args, stdin) in [
        (
            vec!["--officer", "o@example.org", "--password-stdin"],
            "wrong password\n",
        ),
        (
            vec!["--recovery-identity", counsel_file.to_str().unwrap()],
            "",
        ),
        (vec![], ""),
    ] {
        let mut all = vec!["export", "1", "--to", counsel.as_str()];
        all.extend(args.iter().copied());
        let out = app.cli_with_stdin(&all, stdin);
        assert!(!out.status.success(), "{all:?} succeeded");
        assert!(out.stdout.is_empty(), "{all:?} wrote a bundle");
    }
    assert!(history_has_export(&app, &token, &id, &counsel));
    let by_operator: i64 = app
        .db()
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'case_exported' AND actor = 'operator'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(by_operator, 1);
}
