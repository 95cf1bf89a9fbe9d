//! Retaliation check-ins after closing: asked on the follow-up page and the API when due,
//! sealed, "some" reopens and flags the case, statistics count it (small cells suppressed),
//! and a reporter who left an address is told by a content-free mail.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::mail::{mail_config, smtp_server, wait_for};

/// A whistleblowing channel that asks right at closing.
const ASK_AT_ONCE: &str = r#"
[[channels]]
id = "report"
kind = "whistleblowing"
title = "Report"
checkin_days = [0]
[[channels.fields]]
id = "what"
label = "What happened?"
type = "textarea"
required = true
"#;

fn close(app: &TestApp, token: &str, id: &str) {
    for body in [
        json!({ "status": "acknowledged" }),
        json!({ "status": "closed", "outcome": "substantiated" }),
    ] {
        let res = officer_api(
            app,
            token,
            Method::POST,
            &format!("/api/v1/officer/cases/{id}/status"),
            Some(body),
        );
        assert_eq!(res.status(), 200);
    }
}

fn answer(app: &TestApp, code: &str, body: Value) -> u16 {
    app.client
        .post(app.url("/api/v1/followup/checkin"))
        .bearer_auth(code)
        .json(&body)
        .send()
        .unwrap()
        .status()
        .as_u16()
}

#[test]
fn retaliation_reported_after_closing_reopens_and_flags_the_case() {
    let (port, mailbox) = smtp_server(0);
    let app = spawn_app_with(&mail_config(port, ASK_AT_ONCE));
    app.add_officer("anna@example.org", "Anna", &[]);
    let token = officer_token(&app, "anna@example.org");
    let code = app.submit(report("it happened"));
    let id = case_id_of(&app, &token, &code);

    // Not closed: nothing asked.
    assert_eq!(answer(&app, &code, json!({ "retaliation": "none" })), 409);
    let res = app
        .client
        .post(app.url("/api/v1/followup/notify"))
        .bearer_auth(&code)
        .json(&json!({ "email": "me@example.net" }))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    close(&app, &token, &id);

    // The address hears that a question waits, and nothing more.
    let asked = || {
        mailbox
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.to == ["me@example.net"] && m.data.contains("question"))
            .count()
    };
    wait_for("the check-in mail", 30, || asked() == 1);
    let seen: Value = app.followup_api(&code).json().unwrap();
    assert_eq!(seen["checkin"]["after_days"], 0);
    let page = followup_browser(&app, &code)
        .get(app.url("/followup"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("name=\"retaliation\""));

    let comment = canary("retaliation");
    assert_eq!(answer(&app, &code, json!({ "retaliation": "maybe" })), 422);
    assert_eq!(
        answer(
            &app,
            &code,
            json!({ "retaliation": "some", "comment": comment })
        ),
        201
    );
    assert_eq!(
        answer(&app, &code, json!({ "retaliation": "none" })),
        409,
        "once"
    );
    assert_nowhere_in(&app.data_dir(), &comment);

    // Reopened and flagged for its handlers; the comment reaches them sealed.
    let case: Value = officer_case(&app, &token, &id);
    assert_eq!(case["status"], "in_progress");
    assert_eq!(case["retaliation_reported"], true);
    let inbox: Value = officer_api(&app, &token, Method::GET, "/api/v1/officer/cases", None)
        .json()
        .unwrap();
    assert_eq!(inbox["cases"][0]["retaliation_reported"], true);
    let seen: Value = app.followup_api(&code).json().unwrap();
    assert!(seen["checkin"].is_null());

    // Statistics: one case is a small cell.
    let stats: Value = officer_api(
        &app,
        &token,
        Method::GET,
        "/api/v1/officer/statistics",
        None,
    )
    .json()
    .unwrap();
    assert_eq!(stats["retaliation_reported"], "<5");
}

#[test]
fn no_retaliation_keeps_the_case_closed_and_five_reports_are_counted() {
    let app = spawn_app_with(ASK_AT_ONCE);
    app.add_officer("anna@example.org", "Anna", &[]);
    let token = officer_token(&app, "anna@example.org");
    let quiet = app.submit(report("fine"));
    let id = case_id_of(&app, &token, &quiet);
    close(&app, &token, &id);
    // Through the page, JavaScript off.
    let browser = followup_browser(&app, &quiet);
    let page = browser
        .get(app.url("/followup"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let csrf = csrf_in(&page);
    let res = browser
        .post(app.url("/followup/checkin"))
        .form(&[("csrf", csrf.as_str()), ("retaliation", "none")])
        .send()
        .unwrap();
    assert_eq!(res.status(), 303);
    let case: Value = officer_case(&app, &token, &id);
    assert_eq!(case["status"], "closed");
    assert_eq!(case["retaliation_reported"], false);

    for i in 0..5 {
        let code = app.submit(report(&format!("case {i}")));
        let id = case_id_of(&app, &token, &code);
        close(&app, &token, &id);
        assert_eq!(answer(&app, &code, json!({ "retaliation": "some" })), 201);
    }
    let stats: Value = officer_api(
        &app,
        &token,
        Method::GET,
        "/api/v1/officer/statistics",
        None,
    )
    .json()
    .unwrap();
    assert_eq!(stats["retaliation_reported"], 5);
}
