//! Bad input gets a clear error, and nothing of a refused case is stored.

use serde_json::{json, Value};

use crate::helpers::*;

fn error_of(res: reqwest::blocking::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().unwrap())
}

#[test]
fn invalid_submissions_are_refused_with_the_field_named() {
    let app = spawn_app();
    let officer = app.add_officer("o@example.org", "Olga", &[]);
    let cases: [(Value, &str); 8] = [
        (json!({"channel": "report", "fields": {}}), "fields.what"),
        (
            json!({"channel": "report", "fields": {"what": " \n "}}),
            "fields.what",
        ),
        (
            json!({"channel": "nope", "fields": {"what": "x"}}),
            "channel",
        ),
        (
            json!({"channel": "report", "fields": {"what": "x".repeat(20_001)}}),
            "fields.what",
        ),
        (
            json!({"channel": "report", "fields": {"what": "x", "when": "a\nb"}}),
            "fields.when",
        ),
        (
            json!({"channel": "report", "fields": {"what": "x", "colour": "red"}}),
            "fields.colour",
        ),
        (
            json!({"channel": "report", "fields": {"what": "x"}, "exclude_officers": ["no-such-officer"]}),
            "exclude_officers",
        ),
        (
            json!({"channel": "report", "fields": {"what": "x"}, "exclude_officers": [officer]}),
            "exclude_officers",
        ),
    ];
    for (body, field) in cases {
        let (status, err) = error_of(app.post_json("/api/v1/cases", &body));
        assert_eq!(status, 422, "{body}");
        assert_eq!(err["error"], "invalid_input");
        assert_eq!(err["field"], field, "{body}");
        assert!(!err["message"].as_str().unwrap().is_empty());
    }
    let contact_cases = [
        (
            json!({"channel": "report", "fields": {"what": "x"}, "contact": {"email": "a@example.org", "consent": true}}),
            "contact.email",
        ),
        (
            json!({"channel": "complaint", "fields": {"subject": "s", "description": "d"}, "contact": {"email": "a@example.org"}}),
            "contact.consent",
        ),
        (
            json!({"channel": "complaint", "fields": {"subject": "s", "description": "d"}, "contact": {"email": "not-an-address", "consent": true}}),
            "contact.email",
        ),
    ];
    for (body, field) in contact_cases {
        let (status, err) = error_of(app.post_json("/api/v1/cases", &body));
        assert_eq!(
            (status, err["field"].as_str().unwrap()),
            (422, field),
            "{body}"
        );
    }
    assert_eq!(
        app.case_count(),
        0,
        "a refused submission left a case behind"
    );
    let grants: i64 = app
        .db()
        .query_row("SELECT COUNT(*) FROM grants", [], |r| r.get(0))
        .unwrap();
    assert_eq!(grants, 0);
}

#[test]
fn malformed_and_oversized_bodies_are_refused() {
    let app = spawn_app_with("[limits]\njson_body_bytes = 4096\n");
    let raw = |body: &str, content_type: &str| {
        app.client
            .post(app.url("/api/v1/cases"))
            .header("content-type", content_type)
            .body(body.to_owned())
            .send()
            .unwrap()
    };
    let (status, err) = error_of(raw("{\"channel\": ", "application/json"));
    assert_eq!((status, err["error"].as_str().unwrap()), (400, "malformed"));
    let (status, _) = error_of(raw("[1,2,3]", "application/json"));
    assert_eq!(status, 422);
    let (status, err) = error_of(raw(
        r#"{"channel":"report","fields":{"what":"x"},"extra":1}"#,
        "application/json",
    ));
    assert_eq!(status, 422);
    assert!(err["message"].as_str().unwrap().contains("extra"), "{err}");
    let (status, _) = error_of(raw(r#"{"channel":"report"}"#, "text/plain"));
    assert_eq!(status, 415);

    let big = json!({"channel": "report", "fields": {"what": "x".repeat(5000)}});
    let (status, err) = error_of(app.post_json("/api/v1/cases", &big));
    assert_eq!(status, 413);
    assert_eq!(err["error"], "too_large");
    assert!(err["message"].as_str().unwrap().contains("4096"));

    let long = "y".repeat(5000);
    let res = app.post_form("/report", &[("channel", "report"), ("f_what", &long)]);
    assert_eq!(res.status(), 413);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));

    let res = app
        .client
        .post(app.url("/followup"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("code=AAAA&code=BBBB")
        .send()
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(app.case_count(), 0);
}

#[test]
fn the_form_comes_back_with_the_input_and_the_error() {
    let app = spawn_app();
    let res = app.post_form(
        "/report",
        &[
            ("channel", "report"),
            ("f_what", ""),
            ("f_where", "Warehouse <B> & yard"),
        ],
    );
    assert_eq!(res.status(), 422);
    let page = res.text().unwrap();
    assert!(page.contains("What happened? is required"), "{page}");
    assert!(
        page.contains("Warehouse &#60;B&#62; &#38; yard")
            || page.contains("Warehouse &lt;B&gt; &amp; yard"),
        "{page}"
    );
    assert!(!page.contains("<B>"), "input must be escaped");

    let res = app.post_form(
        "/complaint",
        &[
            ("channel", "complaint"),
            ("f_subject", "Refund"),
            ("f_description", "Never arrived"),
            ("contact_email", "me@example.org"),
        ],
    );
    assert_eq!(res.status(), 422);
    let page = res.text().unwrap();
    assert!(page.contains("tick the box"));
    assert!(page.contains("value=\"me@example.org\"") && page.contains("Never arrived"));
    assert_eq!(app.case_count(), 0);
}

#[test]
fn case_creation_is_rate_limited_per_client() {
    let app = spawn_app_with("[limits]\ncases_per_hour_per_client = 2\n");
    app.submit(report("one"));
    app.submit(report("two"));
    let (status, err) = error_of(app.post_json("/api/v1/cases", &report("three")));
    assert_eq!(
        (status, err["error"].as_str().unwrap()),
        (429, "rate_limited")
    );
    let res = app.post_form("/report", &[("channel", "report"), ("f_what", "four")]);
    assert_eq!(res.status(), 429);
    assert_eq!(app.case_count(), 2);
}

#[test]
fn unknown_addresses_are_404_in_the_right_format() {
    let app = spawn_app();
    let (status, err) = error_of(app.get("/api/v1/nothing-here"));
    assert_eq!((status, err["error"].as_str().unwrap()), (404, "not_found"));
    let res = app.get("/nothing-here/../../etc/passwd");
    assert_eq!(res.status(), 404);
    assert!(res.text().unwrap().contains("Page not found"));
    assert_eq!(app.get("/report?channel=complaint").status(), 404);
    let res = app.get("/report?channel=a&channel=b");
    assert_eq!(res.status(), 400);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
}
