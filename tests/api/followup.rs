//! A submitter comes back with the claim code, reads the case and writes back.

use serde_json::{json, Value};

use crate::helpers::*;

#[test]
fn the_submitter_follows_up_through_the_pages() {
    let app = spawn_app();
    let what = canary("page-followup");
    let code = app.submit(report(&what));

    let login = app.get("/followup");
    assert!(login.headers().get("set-cookie").is_none());
    assert!(login.text().unwrap().contains("name=\"code\""));

    // Typed loosely: lower case, spaces instead of dashes.
    let typed = format!("  {}  ", code.to_lowercase().replace('-', " "));
    let res = app.post_form("/followup", &[("code", &typed)]);
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/followup");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("sealbox_followup="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain http on loopback: {cookie}"
    );

    let page = app.get("/followup").text().unwrap();
    assert!(page.contains(&what), "{page}");
    assert!(page.contains("Received"));
    let csrf = csrf_in(&page);

    // Without the CSRF token the message is refused.
    let res = app.post_form("/followup/messages", &[("body", "no token")]);
    assert_eq!(res.status(), 403);
    // From another site it is refused too.
    let res = app
        .client
        .post(app.url("/followup/messages"))
        .header("Origin", "https://evil.example")
        .form(&[("csrf", csrf.as_str()), ("body", "cross-site")])
        .send()
        .unwrap();
    assert_eq!(res.status(), 403);
    // An empty message gets the page back with an error.
    let res = app.post_form("/followup/messages", &[("csrf", &csrf), ("body", "   ")]);
    assert_eq!(res.status(), 422);
    assert!(res
        .text()
        .unwrap()
        .contains("write a message or choose a file to send"));

    let res = app.post_form(
        "/followup/messages",
        &[("csrf", &csrf), ("body", "I can add: it started in May.")],
    );
    assert_eq!(res.status(), 303);
    let page = app.get("/followup").text().unwrap();
    assert!(page.contains("I can add: it started in May."));
    assert!(!page.contains("cross-site") && !page.contains("no token"));

    // Signing out ends the session on the server.
    let res = app.post_form("/followup/logout", &[("csrf", &csrf)]);
    assert_eq!(res.status(), 303);
    assert!(res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    let replay = client()
        .get(app.url("/followup"))
        .header("Cookie", cookie.split(';').next().unwrap())
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(replay.contains("name=\"code\"") && !replay.contains(&what));
}

#[test]
fn the_submitter_follows_up_through_the_api() {
    let app = spawn_app();
    let code = app.submit(json!({
        "channel": "complaint",
        "fields": { "subject": "Overcharged", "description": "Billed twice." }
    }));
    let case: Value = app.followup_api(&code.replace('-', "")).json().unwrap();
    assert_eq!(case["channel"], "complaint");
    assert_eq!(case["status"], "received");
    assert_eq!(case["fields"]["description"], "Billed twice.");
    assert_eq!(case["messages"], json!([]));
    assert!(case["received_at"].as_str().unwrap().ends_with('Z'));

    let res = app
        .client
        .post(app.url("/api/v1/followup/messages"))
        .bearer_auth(&code)
        .json(&json!({ "body": "Statement attached later." }))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    let case: Value = app.followup_api(&code).json().unwrap();
    assert_eq!(case["messages"][0]["author"], "submitter");
    assert_eq!(case["messages"][0]["body"], "Statement attached later.");

    let res = app
        .client
        .post(app.url("/api/v1/followup/messages"))
        .bearer_auth(&code)
        .json(&json!({ "body": "" }))
        .send()
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(res.json::<Value>().unwrap()["field"], "body");
}

#[test]
fn unknown_wrong_and_malformed_codes_get_the_same_401() {
    let app = spawn_app();
    let real = app.submit(report("something"));
    // Same shape, one character changed: a wrong code.
    let mut wrong: Vec<char> = real.chars().collect();
    wrong[0] = if wrong[0] == 'A' { 'B' } else { 'A' };
    let wrong: String = wrong.into_iter().collect();
    let mut answers = Vec::new();
    let mut pages = Vec::new();
    for code in [wrong.as_str(), "0000-0000-0000-0000-0000", "not a code", ""] {
        let res = app.followup_api(code);
        assert_eq!(res.status(), 401, "{code}");
        assert_eq!(res.headers()["www-authenticate"], "Bearer");
        answers.push(res.text().unwrap());
        let page = app.post_form("/followup", &[("code", code)]);
        assert_eq!(page.status(), 401);
        assert!(page.headers().get("set-cookie").is_none());
        pages.push(page.text().unwrap());
    }
    assert!(pages.windows(2).all(|w| w[0] == w[1]));
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
    assert_eq!(app.get("/api/v1/followup").status(), 401);
}

#[test]
fn claim_code_guessing_is_rate_limited() {
    let app = spawn_app_with("[limits]\nclaim_failures_per_minute_per_client = 3\n");
    let code = app.submit(report("rate limit"));
    for _ in 0..3 {
        assert_eq!(app.followup_api("AAAA-AAAA-AAAA-AAAA-AAAA").status(), 401);
    }
    let res = app.followup_api("AAAA-AAAA-AAAA-AAAA-AAAA");
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    assert_eq!(res.json::<Value>().unwrap()["error"], "rate_limited");
    // Even the right code waits: the limit is on the client, not the code.
    assert_eq!(app.followup_api(&code).status(), 429);
    assert_eq!(app.post_form("/followup", &[("code", &code)]).status(), 429);
}

#[test]
fn an_idle_follow_up_session_ends() {
    let app = spawn_app_with("[sessions]\nfollowup_idle_s = 1\n");
    let what = canary("idle");
    let code = app.submit(report(&what));
    assert_eq!(app.post_form("/followup", &[("code", &code)]).status(), 303);
    assert!(app.get("/followup").text().unwrap().contains(&what));
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let page = app.get("/followup").text().unwrap();
    assert!(page.contains("name=\"code\"") && !page.contains(&what));
}
