//! "Tell me when there is news": a reporter's address, sealed to the case key, gets a mail
//! that says nothing but that an officer wrote; officers never see it; it stops when removed.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::mail::{mail_config, smtp_server, wait_for};

#[test]
fn a_whistleblower_hears_of_news_without_content_and_stops_hearing_when_they_remove_it() {
    let (port, mailbox) = smtp_server(0);
    let app = spawn_app_with(&mail_config(port, ""));
    app.add_officer("anna@example.org", "Anna", &[]);
    let token = officer_token(&app, "anna@example.org");
    let code = app.submit(report("tell me"));
    let id = case_id_of(&app, &token, &code);
    let number = case_number_of(&app, &code);
    let address = format!("{}@example.net", canary("news").to_lowercase());

    let res = app
        .client
        .post(app.url("/api/v1/followup/notify"))
        .bearer_auth(&code)
        .json(&json!({ "email": address }))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    let res = app
        .client
        .post(app.url("/api/v1/followup/notify"))
        .bearer_auth(&code)
        .json(&json!({ "email": "not an address" }))
        .send()
        .unwrap();
    assert_eq!(res.status(), 422);
    let seen: Value = app.followup_api(&code).json().unwrap();
    assert_eq!(seen["notify_email"], address.as_str());

    // Officers never see it: not in the case JSON, the page, the printable page.
    let case = officer_api(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/officer/cases/{id}"),
        None,
    )
    .text()
    .unwrap();
    assert!(!case.contains(&address));
    let browser = officer_browser(&app, "anna@example.org");
    for path in [
        format!("/officer/cases/{id}"),
        format!("/officer/cases/{id}/print"),
    ] {
        let page = browser.get(app.url(&path)).send().unwrap().text().unwrap();
        assert!(!page.contains(&address), "{path}");
    }
    assert_nowhere_in(&app.data_dir(), &address);

    // Anna writes: a mail goes to the address, saying nothing of the case.
    let reply = canary("reply");
    let res = officer_api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/officer/cases/{id}/messages"),
        Some(json!({ "body": reply })),
    );
    assert_eq!(res.status(), 201);
    let to_reporter = || {
        mailbox
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.to.iter().any(|t| t == &address))
            .cloned()
            .collect::<Vec<_>>()
    };
    wait_for("the news mail", 30, || to_reporter().len() == 1);
    let news = &to_reporter()[0];
    assert!(news.data.contains("/followup"));
    for secret in [reply.as_str(), "tell me", &number.to_string(), "Anna"] {
        assert!(!news.data.contains(secret), "the mail says {secret:?}");
    }
    // A note for officers is no news to the reporter; minutes for them to approve are.
    officer_api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/officer/cases/{id}/notes"),
        Some(json!({ "body": "internal" })),
    );
    let res = officer_api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/officer/cases/{id}/records"),
        Some(json!({ "kind": "minutes", "body": "what was said" })),
    );
    assert_eq!(res.status(), 201);
    wait_for("the second news mail", 30, || to_reporter().len() == 2);

    // Removed: no more mail, and the address is gone from the case.
    let res = app
        .client
        .delete(app.url("/api/v1/followup/notify"))
        .bearer_auth(&code)
        .send()
        .unwrap();
    assert_eq!(res.status(), 204);
    let seen: Value = app.followup_api(&code).json().unwrap();
    assert!(seen.get("notify_email").is_none());
    officer_api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/officer/cases/{id}/messages"),
        Some(json!({ "body": "anyone there?" })),
    );
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert_eq!(to_reporter().len(), 2);
}

#[test]
fn the_follow_up_page_takes_and_removes_the_address_and_says_who_could_read_it() {
    let app = spawn_app();
    let code = app.submit(report("pages"));
    let browser = followup_browser(&app, &code);
    let page = browser
        .get(app.url("/followup"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("not a work address") || page.contains("never a work address"));
    let csrf = csrf_in(&page);
    let res = browser
        .post(app.url("/followup/notify"))
        .form(&[("csrf", csrf.as_str()), ("email", "me@example.net")])
        .send()
        .unwrap();
    assert_eq!(res.status(), 303);
    let page = browser
        .get(app.url("/followup"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("me@example.net"));
    let res = browser
        .post(app.url("/followup/notify/remove"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .unwrap();
    assert_eq!(res.status(), 303);
    let page = browser
        .get(app.url("/followup?lang=de"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(!page.contains("me@example.net") && page.contains("Benachrichtigen"));
}
