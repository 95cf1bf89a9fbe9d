//! A submitter reports misconduct or complains, by page and by API, and gets a claim code.

use serde_json::{json, Value};

use crate::helpers::*;

#[test]
fn an_employee_reports_misconduct_through_the_page() {
    let app = spawn_app();
    let home = app.get("/").text().unwrap();
    assert!(home.contains("href=\"/report\"") && home.contains("href=\"/complaint\""));
    assert!(home.contains("href=\"/followup\""));

    let form = app.get("/report").text().unwrap();
    assert!(form.contains("name=\"f_what\""), "{form}");
    assert!(form.contains("name=\"f_how_known\""));
    assert!(
        !form.contains("contact_email"),
        "a report must not ask for an address"
    );

    let res = app.post_form(
        "/report",
        &[
            ("channel", "report"),
            ("f_what", "The CFO backdates invoices."),
            ("f_when", "Q3"),
        ],
    );
    assert_eq!(res.status(), 200);
    assert!(
        res.headers().get("set-cookie").is_none(),
        "no cookie before sign-in"
    );
    let page = res.text().unwrap();
    let code = claim_code_in(&page);
    assert_eq!(code.len(), 24, "{code}");
    assert!(page.contains("only time it is shown"));
    assert_eq!(app.case_count(), 1);
}

#[test]
fn a_customer_complains_through_the_page_with_a_contact_address() {
    let app = spawn_app();
    let form = app.get("/complaint").text().unwrap();
    assert!(form.contains("name=\"contact_email\"") && form.contains("name=\"contact_consent\""));

    let res = app.post_form(
        "/complaint",
        &[
            ("channel", "complaint"),
            ("f_subject", "Broken kettle"),
            ("f_description", "It leaked on day one."),
            ("f_reference", "ORD-1234"),
            ("contact_email", "customer@example.org"),
            ("contact_consent", "on"),
        ],
    );
    assert_eq!(res.status(), 200);
    let code = claim_code_in(&res.text().unwrap());
    let case: Value = app.followup_api(&code).json().unwrap();
    assert_eq!(case["channel"], "complaint");
    assert_eq!(case["fields"]["reference"], "ORD-1234");
    assert_eq!(case["contact"]["email"], "customer@example.org");
}

#[test]
fn both_channels_take_cases_through_the_api() {
    let app = spawn_app();
    let channels: Value = app.get("/api/v1/channels").json().unwrap();
    let ids: Vec<&str> = channels["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["report", "complaint"]);
    let report = &channels["channels"][0];
    assert_eq!(report["kind"], "whistleblowing");
    assert_eq!(report["fields"][0]["id"], "what");
    assert_eq!(report["fields"][0]["type"], "textarea");
    assert_eq!(report["fields"][0]["required"], true);

    let code = app.submit(report_json("Safety valves are bypassed."));
    let complaint = app.submit(json!({
        "channel": "complaint",
        "fields": { "subject": "Late delivery", "description": "Three weeks late." },
        "contact": { "email": "c@example.org", "consent": true }
    }));
    assert_ne!(code, complaint);
    assert_eq!(app.case_count(), 2);
    let numbers = [
        case_number_of(&app, &code),
        case_number_of(&app, &complaint),
    ];
    assert_ne!(numbers[0], numbers[1]);
    assert!(numbers
        .iter()
        .all(|n| (10_000_000..=99_999_999).contains(n)));
}

fn report_json(what: &str) -> Value {
    report(what)
}

#[test]
fn cases_are_granted_to_channel_officers_except_those_excluded() {
    let app = spawn_app();
    let alice = app.add_officer("alice@example.org", "Alice Ames", &[]);
    let bob = app.add_officer("bob@example.org", "Bob Burns", &[]);
    let carol = app.add_officer(
        "carol@example.org",
        "Carol Chen",
        &["--channels", "complaint"],
    );

    let channels: Value = app.get("/api/v1/channels").json().unwrap();
    let names = |i: usize| -> Vec<String> {
        channels["channels"][i]["officers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(0), ["Alice Ames", "Bob Burns"]);
    // A complaint channel lists nobody (it takes no exclusions).
    assert!(names(1).is_empty());

    let secret = canary("exclusion");
    app.submit(json!({
        "channel": "report",
        "fields": { "what": secret, "who": "Bob Burns" },
        "exclude_officers": [bob]
    }));
    let case_id = only_case_id(&app, &officer_token(&app, "alice@example.org"));
    // Who holds which key is read at rest: no API lists another officer's grants.
    let holders: Vec<(String, String, Option<String>)> = app
        .db()
        .prepare(
            "SELECT key, holder, officer_id FROM grants WHERE case_id = ?1 ORDER BY key, holder",
        )
        .unwrap()
        .query_map([&case_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let expect =
        |k: &str, h: &str, o: Option<&str>| (k.to_owned(), h.to_owned(), o.map(str::to_owned));
    assert_eq!(
        holders,
        [
            expect("case", "officer", Some(&alice)),
            expect("case", "recovery", None),
            expect("case", "submitter", None),
            expect("staff", "officer", Some(&alice)),
            expect("staff", "recovery", None),
        ]
    );
    assert!(!holders
        .iter()
        .any(|h| h.2.as_deref() == Some(&bob) || h.2.as_deref() == Some(&carol)));

    // Alice, and only Alice, can read it with her password.
    let plain = open_as_officer(&app, "alice@example.org", &case_id);
    assert!(plain.contains(&secret));
}

/// Opens a case's sealed submission the way an officer's session will: password → officer key
/// → case-key grant → content.
fn open_as_officer(app: &TestApp, email: &str, case_id: &str) -> String {
    use sealbox::crypto::{keys, seal};
    let db = app.db();
    let (officer_id, sealed_key): (String, Vec<u8>) = db
        .query_row(
            "SELECT id, sealed_key FROM officers WHERE email = ?1",
            [email],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let grant: Vec<u8> = db
        .query_row(
            "SELECT sealed FROM grants WHERE case_id = ?1 AND officer_id = ?2 AND key = 'case'",
            [case_id, &officer_id],
            |r| r.get(0),
        )
        .unwrap();
    let sealed_case: Vec<u8> = db
        .query_row(
            "SELECT sealed_submission FROM cases WHERE id = ?1",
            [case_id],
            |r| r.get(0),
        )
        .unwrap();
    let password = secrecy::SecretString::from(PASSWORD.to_owned());
    let officer_key = keys::unwrap_officer_key(&sealed_key, &password).unwrap();
    let case_key = keys::open_grant(&grant, &officer_key).unwrap();
    String::from_utf8(seal::open(&sealed_case, &case_key).unwrap().to_vec()).unwrap()
}

#[test]
fn configured_channels_replace_the_built_in_ones() {
    let app = spawn_app_with(
        r#"
[[channels]]
id = "hr"
kind = "whistleblowing"
title = "HR and conduct"
[[channels.fields]]
id = "area"
label = "Area"
type = "select"
options = ["Pay", "Safety"]
required = true
[[channels.fields]]
id = "day"
label = "Day it happened"
type = "date"
[[channels.fields]]
id = "details"
label = "Details"
type = "textarea"
max_length = 50
[[channels.fields]]
id = "ongoing"
label = "Still going on"
type = "checkbox"
"#,
    );
    let channels: Value = app.get("/api/v1/channels").json().unwrap();
    assert_eq!(channels["channels"].as_array().unwrap().len(), 1);
    assert_eq!(
        channels["channels"][0]["fields"][0]["options"],
        json!(["Pay", "Safety"])
    );
    assert_eq!(channels["channels"][0]["fields"][2]["max_length"], 50);
    assert_eq!(app.get("/complaint").status(), 404);

    let form = app.get("/report").text().unwrap();
    assert!(
        form.contains("<option value=\"Safety\">Safety</option>") && form.contains("type=\"date\"")
    );
    assert!(form.contains("type=\"checkbox\" id=\"f_ongoing\""));

    let code = app.submit(json!({
        "channel": "hr",
        "fields": { "area": "Safety", "day": "2026-11-02", "ongoing": true }
    }));
    let case: Value = app.followup_api(&code).json().unwrap();
    assert_eq!(case["fields"]["ongoing"], true);
    assert_eq!(case["fields"]["day"], "2026-11-02");

    let res = app.post_json(
        "/api/v1/cases",
        &json!({"channel": "hr", "fields": {"area": "Other"}}),
    );
    assert_eq!(res.status(), 422);
    assert_eq!(res.json::<Value>().unwrap()["field"], "fields.area");
    let res = app.post_json(
        "/api/v1/cases",
        &json!({"channel": "hr", "fields": {"area": "Pay", "details": "x".repeat(51)}}),
    );
    assert_eq!(res.status(), 422);
    assert_eq!(res.json::<Value>().unwrap()["field"], "fields.details");
}

#[test]
fn a_case_whose_code_was_shown_survives_a_crash() {
    let mut app = spawn_app();
    let what = canary("durable");
    let code = app.submit(report(&what));
    app.kill();
    app.start();
    let case: Value = app.followup_api(&code).json().unwrap();
    assert_eq!(case["fields"]["what"], what.as_str());
    let ok: String = app
        .db()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

#[test]
fn no_case_is_taken_while_nobody_could_read_it() {
    // No officer and no recovery key: a claim code would be a promise nobody could keep.
    let app = spawn_bare_app("");
    let channels: Value = app.get("/api/v1/channels").json().unwrap();
    assert_eq!(channels["channels"][0]["accepting"], false);
    let form = app.get("/report").text().unwrap();
    assert!(form.contains("cannot take a report yet") && !form.contains("<form method=\"post\""));
    let res = app.post_json("/api/v1/cases", &report("lost?"));
    assert_eq!(res.status(), 503);
    assert_eq!(res.json::<Value>().unwrap()["error"], "unavailable");
    let res = app.post_form("/report", &[("channel", "report"), ("f_what", "lost?")]);
    assert_eq!(res.status(), 503);
    assert!(!res.text().unwrap().contains("claim-code"));
    assert_eq!(app.case_count(), 0);

    app.add_officer("first@example.org", "First Officer", &[]);
    let channels: Value = app.get("/api/v1/channels").json().unwrap();
    assert_eq!(channels["channels"][0]["accepting"], true);
    app.submit(report("now someone can read it"));
    assert_eq!(app.case_count(), 1);
}

#[test]
fn complaint_channels_neither_offer_exclusions_nor_publish_officer_names() {
    let app = spawn_app();
    let olga = app.add_officer("o@example.org", "Olga Namesake", &[]);
    let channels: Value = app.get("/api/v1/channels").json().unwrap();
    for channel in channels["channels"].as_array().unwrap() {
        let names = channel["officers"].as_array().unwrap();
        match channel["kind"].as_str().unwrap() {
            "complaint" => {
                assert!(names.is_empty(), "{channel}");
                assert_eq!(channel["accepting"], true);
            }
            _ => assert_eq!(names.len(), 1, "{channel}"),
        }
    }
    let page = app.get("/complaint").text().unwrap();
    assert!(
        !page.contains("Olga Namesake"),
        "a complaint form lists staff"
    );
    assert!(app.get("/report").text().unwrap().contains("Olga Namesake"));

    let res = app.post_json(
        "/api/v1/cases",
        &serde_json::json!({
            "channel": "complaint",
            "fields": {"subject": "Refund", "description": "late"},
            "exclude_officers": [olga]
        }),
    );
    assert_eq!(res.status(), 422);
    assert_eq!(res.json::<Value>().unwrap()["field"], "exclude_officers");
    assert_eq!(app.case_count(), 0);
}
