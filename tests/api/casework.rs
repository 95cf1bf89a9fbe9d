//! Casework at scale: triage (category, priority) with inbox filters and statistics, links
//! between cases that only show to who can open both, canned replies.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

const TRIAGE_CONFIG: &str = r#"
[[channels]]
id = "report"
kind = "whistleblowing"
title = "Report"
categories = ["Fraud", "Harassment"]
[[channels.fields]]
id = "what"
label = "What happened?"
type = "textarea"
required = true

[[replies]]
id = "thanks"
title = { en = "Thank you", de = "Danke" }
body = { en = "Thank you for your report.", de = "Danke für Ihre Meldung." }
"#;

fn api(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let res = officer_api(app, token, method, path, body);
    let status = res.status().as_u16();
    (status, res.json().unwrap_or(Value::Null))
}

fn listed(app: &TestApp, token: &str, query: &str) -> Vec<i64> {
    let (status, body) = api(
        app,
        token,
        Method::GET,
        &format!("/api/v1/officer/cases{query}"),
        None,
    );
    assert_eq!(status, 200, "{body}");
    body["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_i64().unwrap())
        .collect()
}

#[test]
fn triage_files_cases_and_the_inbox_and_statistics_follow() {
    let app = spawn_app_with(TRIAGE_CONFIG);
    app.add_officer("anna@example.org", "Anna", &[]);
    let token = officer_token(&app, "anna@example.org");
    let fraud = app.submit(report("invoices changed"));
    let other = app.submit(report("something else"));
    let (fraud_id, fraud_no) = (
        case_id_of(&app, &token, &fraud),
        case_number_of(&app, &fraud),
    );
    let other_no = case_number_of(&app, &other);

    let (status, body) = api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/officer/cases/{fraud_id}/triage"),
        Some(json!({ "category": "Fraud", "priority": "high" })),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({ "category": "Fraud", "priority": "high" }));
    // What is left out stays; a category the channel does not offer is refused.
    let (_, body) = api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/officer/cases/{fraud_id}/triage"),
        Some(json!({ "priority": "critical" })),
    );
    assert_eq!(body["category"], "Fraud");
    let (status, body) = api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/officer/cases/{fraud_id}/triage"),
        Some(json!({ "category": "Gossip" })),
    );
    assert_eq!(status, 422);
    assert_eq!(body["field"], "category");
    let (status, _) = api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/officer/cases/{fraud_id}/triage"),
        Some(json!({ "priority": "urgent" })),
    );
    assert!(matches!(status, 400 | 422), "{status}");

    let case = api(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/officer/cases/{fraud_id}"),
        None,
    )
    .1;
    assert_eq!(case["category"], "Fraud");
    assert_eq!(case["priority"], "critical");
    assert_eq!(listed(&app, &token, "?category=Fraud"), [fraud_no]);
    assert_eq!(listed(&app, &token, "?priority=critical"), [fraud_no]);
    assert_eq!(listed(&app, &token, "?priority=normal"), [other_no]);
    let (status, _) = api(
        &app,
        &token,
        Method::GET,
        "/api/v1/officer/cases?priority=urgent",
        None,
    );
    assert_eq!(status, 422);
    let inbox = api(&app, &token, Method::GET, "/api/v1/officer/cases", None).1;
    let line = inbox["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["number"] == fraud_no)
        .unwrap()
        .clone();
    assert_eq!(line["category"], "Fraud");
    assert_eq!(line["priority"], "critical");

    // Statistics count by category, one case being a small cell.
    let stats = api(
        &app,
        &token,
        Method::GET,
        "/api/v1/officer/statistics",
        None,
    )
    .1;
    let fraud_series = &stats["by_category"][0];
    assert_eq!(fraud_series["id"], "Fraud");
    assert!(fraud_series["counts"]
        .as_array()
        .unwrap()
        .contains(&json!("<5")));

    // The same through the pages: the form on the case page, the filter and marks in the inbox.
    let browser = officer_browser(&app, "anna@example.org");
    let page = browser
        .get(app.url(&format!("/officer/cases/{fraud_id}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let csrf = csrf_in(&page);
    let res = browser
        .post(app.url(&format!("/officer/cases/{fraud_id}/triage")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("category", "Harassment"),
            ("priority", "low"),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status(), 303);
    let inbox = browser
        .get(app.url("/officer?priority=low"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(inbox.contains(&format!("#{fraud_no}")) && !inbox.contains(&format!("#{other_no}")));
    assert!(inbox.contains("Harassment") && inbox.contains("Low"));
    let inbox = browser
        .get(app.url("/officer?category=Fraud"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(!inbox.contains(&format!("#{fraud_no}<")));
}

#[test]
fn links_show_only_to_those_who_can_open_both_cases() {
    let app = spawn_app();
    let anna = app.add_officer("anna@example.org", "Anna", &[]);
    let ben = app.add_officer("ben@example.org", "Ben", &[]);
    let both = app.submit(report("the first report"));
    let not_ben = app.submit(json!({
        "channel": "report",
        "fields": { "what": "about Ben" },
        "exclude_officers": [ben],
    }));
    let _ = anna;
    let anna_token = officer_token(&app, "anna@example.org");
    let ben_token = officer_token(&app, "ben@example.org");
    let first = case_id_of(&app, &anna_token, &both);
    let second = case_id_of(&app, &anna_token, &not_ben);
    let second_no = case_number_of(&app, &not_ben);

    // Ben cannot link to the case he is kept out of: it answers like an unknown number.
    let (status, body) = api(
        &app,
        &ben_token,
        Method::POST,
        &format!("/api/v1/officer/cases/{first}/links"),
        Some(json!({ "case": second_no.to_string() })),
    );
    assert_eq!(status, 422, "{body}");
    let (unknown, unknown_body) = api(
        &app,
        &ben_token,
        Method::POST,
        &format!("/api/v1/officer/cases/{first}/links"),
        Some(json!({ "case": "1" })),
    );
    assert_eq!(
        (unknown, &unknown_body["message"]),
        (status, &body["message"])
    );

    // Anna links them; each shows the other to her.
    let (status, body) = api(
        &app,
        &anna_token,
        Method::POST,
        &format!("/api/v1/officer/cases/{first}/links"),
        Some(json!({ "case": second_no.to_string() })),
    );
    assert_eq!(status, 201, "{body}");
    let (status, _) = api(
        &app,
        &anna_token,
        Method::POST,
        &format!("/api/v1/officer/cases/{second}/links"),
        Some(json!({ "case": first.clone() })),
    );
    assert_eq!(status, 409, "linked already, from either side");
    let a = api(
        &app,
        &anna_token,
        Method::GET,
        &format!("/api/v1/officer/cases/{first}"),
        None,
    )
    .1;
    assert_eq!(a["links"][0]["id"], second.as_str());
    let b = api(
        &app,
        &anna_token,
        Method::GET,
        &format!("/api/v1/officer/cases/{second}"),
        None,
    )
    .1;
    assert_eq!(b["links"][0]["id"], first.as_str());

    // Ben opens the first case and sees no link, on the API or the page.
    let a = api(
        &app,
        &ben_token,
        Method::GET,
        &format!("/api/v1/officer/cases/{first}"),
        None,
    )
    .1;
    assert_eq!(a["links"], json!([]));
    assert!(!a.to_string().contains(&second));
    let page = officer_browser(&app, "ben@example.org")
        .get(app.url(&format!("/officer/cases/{first}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(!page.contains(&second) && !page.contains(&format!("#{second_no}")));
}

#[test]
fn canned_replies_come_in_the_officers_language_and_fill_the_reply_box() {
    let app = spawn_app_with(TRIAGE_CONFIG);
    app.add_officer("anna@example.org", "Anna", &[]);
    let token = officer_token(&app, "anna@example.org");
    let code = app.submit(report("please answer"));
    let id = case_id_of(&app, &token, &code);

    let (status, body) = api(&app, &token, Method::GET, "/api/v1/officer/replies", None);
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "replies": [{ "id": "thanks", "title": "Thank you", "body": "Thank you for your report." }] })
    );
    let (_, body) = api(
        &app,
        &token,
        Method::GET,
        "/api/v1/officer/replies?lang=de",
        None,
    );
    assert_eq!(body["replies"][0]["body"], "Danke für Ihre Meldung.");

    let browser = officer_browser(&app, "anna@example.org");
    let page = browser
        .get(app.url(&format!("/officer/cases/{id}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("name=\"reply\"") && page.contains(">Thank you<"));
    let page = browser
        .get(app.url(&format!("/officer/cases/{id}?reply=thanks")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        page.contains(">Thank you for your report.</textarea>"),
        "the reply box is filled"
    );
}

#[test]
fn replies_and_categories_that_cannot_work_stop_the_start_naming_them() {
    for (config, named) in [
        ("[[replies]]\nid = \"Bad Id\"\ntitle = \"T\"\nbody = \"B\"\n", "Bad Id"),
        ("[[replies]]\nid = \"empty\"\ntitle = \"T\"\nbody = \"\"\n", "empty"),
        (
            "[[channels]]\nid = \"r\"\nkind = \"whistleblowing\"\ntitle = \"R\"\ncategories = [\"A\", \"A\"]\n[[channels.fields]]\nid = \"what\"\nlabel = \"What\"\ntype = \"text\"\n",
            "category \"A\"",
        ),
    ] {
        let app = unstarted_app(config);
        let out = app.cli_with_stdin(&["officer", "list"], "");
        let text = String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
        assert!(!out.status.success(), "{config}: {text}");
        assert!(text.contains(named), "{config}: {text}");
    }
}

#[test]
fn the_inbox_says_what_each_case_is_about_and_stores_nothing_readable_for_it() {
    let app = spawn_app();
    app.add_officer("anna@example.org", "Anna", &[]);
    let ben = app.add_officer("ben@example.org", "Ben", &[]);
    let words = canary("opening");
    let long = format!("{words} {}", "and then it went on and on ".repeat(20));
    app.submit(report(&long));
    let secret = canary("about-ben");
    app.submit(json!({
        "channel": "report",
        "fields": { "what": secret },
        "exclude_officers": [ben],
    }));
    let anna = officer_token(&app, "anna@example.org");
    let inbox = api(&app, &anna, Method::GET, "/api/v1/officer/cases", None).1;
    let summaries: Vec<String> = inbox["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["summary"].as_str().unwrap().to_owned())
        .collect();
    let first = summaries
        .iter()
        .find(|s| s.starts_with(&words))
        .expect("the opening words");
    assert!(
        first.ends_with('…') && first.chars().count() <= 121,
        "{first}"
    );
    assert!(summaries.iter().any(|s| s == &secret));
    let page = officer_browser(&app, "anna@example.org")
        .get(app.url("/officer"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains(&words) && page.contains(&secret));

    // Ben sees no summary of the case he is kept out of, on the API or the page.
    let ben_token = officer_token(&app, "ben@example.org");
    let inbox = api(&app, &ben_token, Method::GET, "/api/v1/officer/cases", None).1;
    assert!(!inbox.to_string().contains(&secret));
    assert!(inbox.to_string().contains(&words));
    // Nothing of it was stored to show it.
    assert_nowhere_in(&app.data_dir(), &words);
}
