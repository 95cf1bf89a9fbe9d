//! Admins manage officers; grants follow membership; the audit log shows tampering; closed
//! cases are purged after retention.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::insider::{enrol, enrol_url_in, grant_on_page, token_with};

fn grants_of(app: &TestApp, officer_id: &str) -> i64 {
    app.db()
        .query_row(
            "SELECT COUNT(*) FROM grants WHERE officer_id = ?1",
            [officer_id],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn an_admin_adds_moves_resets_and_disables_officers() {
    let app = spawn_app();
    app.add_officer("ada@example.org", "Ada Admin", &["--admin"]);
    let report_number = case_number_of(&app, &app.submit(report("first report")));
    let complaint_number = case_number_of(
        &app,
        &app.submit(
            json!({"channel": "complaint", "fields": {"subject": "s", "description": "d"}}),
        ),
    );
    let ada = officer_browser(&app, "ada@example.org");
    let page = ada
        .get(app.url("/officer/admin"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let csrf = csrf_in(&page);

    // Added through the page: a one-time link, with which they set their own password.
    let res = ada
        .post(app.url("/officer/admin/officers"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "ned@example.org"),
            ("name", "Ned New"),
            ("channels", "report"),
        ])
        .send()
        .unwrap();
    let text = res.text().unwrap();
    assert!(text.contains("Added Ned New."), "{text}");
    let link = enrol_url_in(&text);
    let bad = ada
        .post(app.url("/officer/admin/officers"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "not an address"),
            ("name", "X"),
            ("channels", ""),
        ])
        .send()
        .unwrap();
    assert_eq!(bad.status(), 422);
    let ned = officer_id_of(&app, "ned@example.org");
    assert_eq!(grants_of(&app, &ned), 0, "no key to grant to yet");
    enrol(&app, &link, PASSWORD);
    // Then the admin passes on what they can open: #1 of the report channel.
    let text = grant_on_page(&app, &ada, &ned);
    assert!(
        text.contains(&format!("Granted: #{report_number}.")),
        "{text}"
    );
    assert_eq!(grants_of(&app, &ned), 2, "case and staff key of #1");

    // Widened to every channel: the complaint is granted too; narrowed again: revoked, after
    // a confirmation.
    let res = ada
        .post(app.url(&format!("/officer/admin/officers/{ned}/channels")))
        .form(&[("csrf", csrf.as_str()), ("channels", "all")])
        .send()
        .unwrap();
    assert!(res
        .text()
        .unwrap()
        .contains(&format!("Granted through you: #{complaint_number}")));
    assert_eq!(grants_of(&app, &ned), 4);
    let res = ada
        .post(app.url(&format!("/officer/admin/officers/{ned}/channels")))
        .form(&[("csrf", csrf.as_str()), ("channels", "complaint")])
        .send()
        .unwrap();
    assert!(res.text().unwrap().contains("takes 1 case(s) away"));
    assert_eq!(grants_of(&app, &ned), 4);
    ada.post(app.url(&format!("/officer/admin/officers/{ned}/channels")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("channels", "complaint"),
            ("confirm", "1"),
        ])
        .send()
        .unwrap();
    assert_eq!(grants_of(&app, &ned), 2);

    // A reset, confirmed, ends the key, the grants and the sessions, and gives a new link.
    let ned_token = officer_token(&app, "ned@example.org");
    let res = ada
        .post(app.url(&format!("/officer/admin/officers/{ned}/reset")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .unwrap();
    let text = res.text().unwrap();
    assert!(text.contains("Reset Ned New?") && text.contains("the 1 case(s) they hold"));
    assert_eq!(
        grants_of(&app, &ned),
        2,
        "nothing happens before the confirmation"
    );
    let res = ada
        .post(app.url(&format!("/officer/admin/officers/{ned}/reset")))
        .form(&[("csrf", csrf.as_str()), ("confirm", "1")])
        .send()
        .unwrap();
    let text = res.text().unwrap();
    assert!(text.contains("Reset: their password"), "{text}");
    let link = enrol_url_in(&text);
    assert_eq!(grants_of(&app, &ned), 0);
    assert_eq!(
        officer_api(&app, &ned_token, Method::GET, "/api/v1/officer/cases", None).status(),
        401,
        "sessions ended"
    );
    let res = app.post_json(
        "/api/v1/officer/login",
        &json!({"email": "ned@example.org", "password": PASSWORD}),
    );
    assert_eq!(res.status(), 401, "the old password is gone");
    enrol(&app, &link, "a brand new passphrase");
    grant_on_page(&app, &ada, &ned);
    let token = token_with(&app, "ned@example.org", "a brand new passphrase");
    let list: Value = officer_api(&app, &token, Method::GET, "/api/v1/officer/cases", None)
        .json()
        .unwrap();
    let id = list["cases"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        officer_api(
            &app,
            &token,
            Method::GET,
            &format!("/api/v1/officer/cases/{id}"),
            None
        )
        .status(),
        200
    );

    // Disabled: sessions end, sign-in is refused, and the grants stay for when they return.
    let res = ada
        .post(app.url(&format!("/officer/admin/officers/{ned}/disable")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .unwrap();
    assert!(res.text().unwrap().contains("Their grants are kept"));
    assert_eq!(grants_of(&app, &ned), 2);
    assert_eq!(
        officer_api(&app, &token, Method::GET, "/api/v1/officer/cases", None).status(),
        401
    );
    let res = app.post_json(
        "/api/v1/officer/login",
        &json!({"email": "ned@example.org", "password": "a brand new passphrase"}),
    );
    assert_eq!(res.status(), 401);

    // Not an admin: no admin page.
    app.add_officer("plain@example.org", "Plain", &[]);
    let plain = officer_browser(&app, "plain@example.org");
    assert_eq!(
        plain
            .get(app.url("/officer/admin"))
            .send()
            .unwrap()
            .status(),
        403
    );
}

#[test]
fn a_late_officer_is_granted_old_cases_with_the_recovery_identity() {
    let dir = tempfile::tempdir().unwrap();
    let recovery = sealbox::crypto::KeyPair::generate();
    let file = dir.path().join("recovery.txt");
    std::fs::write(
        &file,
        secrecy::ExposeSecret::expose_secret(&recovery.secret.to_secret_string()),
    )
    .unwrap();
    let app = spawn_app_with(&format!("recovery_recipient = \"{}\"\n", recovery.public));
    let what = canary("late");
    let code = app.submit(report(&what));
    app.add_officer("late@example.org", "Late", &[]);
    let token = officer_token(&app, "late@example.org");
    let list: Value = officer_api(&app, &token, Method::GET, "/api/v1/officer/cases", None)
        .json()
        .unwrap();
    assert_eq!(list["cases"].as_array().unwrap().len(), 0);

    let out = app.cli_with_stdin(
        &[
            "officer",
            "grant",
            "--email",
            "late@example.org",
            "--recovery-identity",
            file.to_str().unwrap(),
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let number = case_number_of(&app, &code);
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("granted: #{number}")));
    let list: Value = officer_api(&app, &token, Method::GET, "/api/v1/officer/cases", None)
        .json()
        .unwrap();
    let id = list["cases"][0]["id"].as_str().unwrap().to_owned();
    let case: Value = officer_case(&app, &token, &id);
    assert_eq!(case["fields"]["what"], what.as_str());
}

#[test]
fn audit_verify_finds_an_altered_or_removed_entry() {
    let app = spawn_app();
    app.add_officer("aud@example.org", "Audra", &[]);
    app.submit(report("audited"));
    let token = officer_token(&app, "aud@example.org");
    let list: Value = officer_api(&app, &token, Method::GET, "/api/v1/officer/cases", None)
        .json()
        .unwrap();
    let id = list["cases"][0]["id"].as_str().unwrap().to_owned();
    officer_api(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/officer/cases/{id}"),
        None,
    );
    officer_api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/officer/cases/{id}/status"),
        Some(json!({"status": "acknowledged"})),
    );
    app.post_json(
        "/api/v1/officer/login",
        &json!({"email": "aud@example.org", "password": "wrong password!!"}),
    );

    let actions: Vec<String> = app
        .db()
        .prepare("SELECT action FROM audit_log ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for expected in [
        "officer_added",
        "case_received",
        "sign_in",
        "case_opened",
        "status_changed",
        "sign_in_failed",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} missing from {actions:?}"
        );
    }
    let verify = || app.cli_with_stdin(&["audit", "verify"], "");
    let out = verify();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains(&format!("intact: {} entries", actions.len())));

    let db = rusqlite::Connection::open(app.data_dir().join("sealbox.sqlite")).unwrap();
    let refused = db.execute("UPDATE audit_log SET detail = 'x'", []);
    assert!(refused.unwrap_err().to_string().contains("append-only"));
    assert!(db.execute("DELETE FROM audit_log", []).is_err());
    // Someone with the database file in hand can drop the guards; the chain still tells.
    db.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    db.execute(
        "UPDATE audit_log SET detail = 'received → closed' WHERE action = 'status_changed'",
        [],
    )
    .unwrap();
    let bad: i64 = db
        .query_row(
            "SELECT id FROM audit_log WHERE action = 'status_changed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let out = verify();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(err.contains(&format!("entry {bad}")), "{err}");

    // Put it back, then remove an entry in the middle, then the newest ones.
    db.execute(
        "UPDATE audit_log SET detail = 'received → acknowledged' WHERE id = ?1",
        [bad],
    )
    .unwrap();
    assert!(verify().status.success());
    let last: i64 = db
        .query_row("SELECT MAX(id) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    db.execute("DELETE FROM audit_log WHERE id = ?1", [last])
        .unwrap();
    let out = verify();
    assert!(!out.status.success(), "removing the newest entry must show");
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("entry {last}")));
    db.execute("DELETE FROM audit_log WHERE id = 3", [])
        .unwrap();
    let out = verify();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("entry 3"));
}

#[test]
fn closed_cases_are_purged_after_retention() {
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
    app.add_officer("pur@example.org", "Pur", &[]);
    let code = app.submit(report(&canary("purge")));
    let kept = app.submit(report("still open"));
    let token = officer_token(&app, "pur@example.org");
    let id = case_id_of(&app, &token, &code);
    let status = |body: Value| {
        officer_api(
            &app,
            &token,
            Method::POST,
            &format!("/api/v1/officer/cases/{id}/status"),
            Some(body),
        )
        .status()
    };
    assert_eq!(status(json!({"status": "acknowledged"})), 200);
    assert_eq!(
        status(json!({"status": "closed", "outcome": "no_action"})),
        200
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let number = case_number_of(&app, &code);

    let out = app.cli_with_stdin(&["purge"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!(
        "purged 1 closed case(s) past retention: #{number}"
    )));
    assert_eq!(app.followup_api(&code).status(), 401, "the case is gone");
    assert_eq!(app.followup_api(&kept).status(), 200);
    let db = app.db();
    for table in ["grants", "messages", "notes", "case_reads"] {
        let n: i64 = db
            .query_row(
                &format!("SELECT COUNT(*) FROM {table} WHERE case_id = ?1"),
                [&id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 0, "{table}");
    }
    let purged: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'purged' AND case_id = ?1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(purged, 1);
    assert!(app
        .cli_with_stdin(&["audit", "verify"], "")
        .status
        .success());
}
