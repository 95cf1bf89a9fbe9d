//! An officer signs in, finds a case in the inbox, reads it, talks to the submitter, keeps
//! internal notes, and moves it through the workflow to closing.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

#[test]
fn an_officer_works_a_case_through_the_pages() {
    let app = spawn_app();
    app.add_officer("olga@example.org", "Olga Ortiz", &[]);
    let what = canary("page-case");
    let code = app.submit(report(&what));

    let res = client().get(app.url("/officer")).send().unwrap();
    assert_eq!(res.status(), 303, "signed out: sent to sign in");
    assert_eq!(res.headers()["location"], "/officer/login");

    let bad = client()
        .post(app.url("/officer/login"))
        .form(&[
            ("email", "olga@example.org"),
            ("password", "wrong password!!"),
            ("totp", ""),
        ])
        .send()
        .unwrap();
    assert_eq!(bad.status(), 401);
    assert!(bad.text().unwrap().contains("not right"));

    let browser = client();
    let res = browser
        .post(app.url("/officer/login"))
        .form(&[
            ("email", "OLGA@example.org"),
            ("password", PASSWORD),
            ("totp", ""),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status(), 303);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("sealbox_officer=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
    );

    let inbox = browser
        .get(app.url("/officer"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let number = case_number_of(&app, &code);
    assert!(
        inbox.contains(&format!("#{number}")) && inbox.contains("badge\">new"),
        "{inbox}"
    );
    // The inbox shows the case's opening words, decrypted for this page.
    assert!(
        inbox.contains(&what),
        "the inbox says what the case is about"
    );
    let case_id = between(&inbox, "href=\"/officer/cases/", "\"").to_owned();

    let page = browser
        .get(app.url(&format!("/officer/cases/{case_id}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains(&what));
    let csrf = csrf_in(&page);
    let post = |path: &str, form: &[(&str, &str)]| {
        browser
            .post(app.url(&format!("/officer/cases/{case_id}/{path}")))
            .form(form)
            .send()
            .unwrap()
    };

    assert_eq!(
        post("messages", &[("body", "no token")]).status(),
        403,
        "CSRF token required"
    );
    assert_eq!(
        post("messages", &[("csrf", "forged"), ("body", "forged")]).status(),
        403
    );
    assert_eq!(
        post(
            "messages",
            &[("csrf", &csrf), ("body", "Thank you. Which invoices?")]
        )
        .status(),
        303
    );
    let note = canary("note");
    assert_eq!(
        post("notes", &[("csrf", &csrf), ("body", &note)]).status(),
        303
    );
    assert_eq!(
        post("status", &[("csrf", &csrf), ("status", "acknowledged")]).status(),
        303
    );
    assert_eq!(
        post("status", &[("csrf", &csrf), ("status", "closed")]).status(),
        422,
        "closing needs an outcome"
    );
    let res = post(
        "status",
        &[
            ("csrf", &csrf),
            ("status", "closed"),
            ("outcome", "substantiated"),
            ("summary", "Invoices corrected; staff retrained."),
        ],
    );
    assert_eq!(res.status(), 303);
    let res = post("status", &[("csrf", &csrf), ("status", "acknowledged")]);
    assert_eq!(res.status(), 409, "a closed case cannot be acknowledged");
    assert!(res.text().unwrap().contains("reopen"));

    let page = browser
        .get(app.url(&format!("/officer/cases/{case_id}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains(&note) && page.contains("Substantiated"));
    assert!(
        page.contains("status changed") && page.contains("Received → Acknowledged"),
        "history:\n{page}"
    );

    // The submitter reads the reply and the summary, never the internal note.
    let case: Value = app.followup_api(&code).json().unwrap();
    assert_eq!(case["status"], "closed");
    assert_eq!(case["outcome"], "substantiated");
    assert_eq!(case["messages"][0]["author"], "officer");
    assert_eq!(case["messages"][0]["body"], "Thank you. Which invoices?");
    assert!(!case.to_string().contains(&note));
    app.post_form("/followup", &[("code", &code)]);
    assert!(app
        .get("/followup")
        .text()
        .unwrap()
        .contains("staff retrained"));
    assert_nowhere_in(&app.data_dir(), &note);

    let res = browser
        .post(app.url("/officer/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        browser.get(app.url("/officer")).send().unwrap().status(),
        303
    );
}

#[test]
fn an_officer_works_cases_through_the_api() {
    let app = spawn_app();
    app.add_officer("api@example.org", "Api Officer", &[]);
    let what = canary("api-case");
    let code = app.submit(report(&what));
    app.submit(json!({"channel": "complaint", "fields": {"subject": "s", "description": "d"}}));

    let res = app.post_json(
        "/api/v1/officer/login",
        &json!({"email": "api@example.org", "password": "wrong password!!"}),
    );
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().unwrap()["error"], "unauthorized");
    let res = app.post_json(
        "/api/v1/officer/login",
        &json!({"email": "nobody@example.org", "password": PASSWORD}),
    );
    assert_eq!(
        res.status(),
        401,
        "an unknown email is answered like a wrong password"
    );
    let token = officer_token(&app, "api@example.org");
    let call = |method: Method, path: &str, body: Option<Value>| {
        officer_api(&app, &token, method, path, body)
    };

    assert_eq!(
        officer_api(&app, "forged", Method::GET, "/api/v1/officer/cases", None).status(),
        401
    );
    let list: Value = call(Method::GET, "/api/v1/officer/cases", None)
        .json()
        .unwrap();
    let cases = list["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 2);
    // Soonest deadline first: the complaint must be acknowledged within a day.
    assert_eq!(cases[0]["channel"], "complaint");
    assert_eq!(cases[1]["channel"], "report");
    assert!(cases[0].get("fields").is_none(), "metadata only");
    let id = cases[1]["id"].as_str().unwrap().to_owned();
    let filtered: Value = call(
        Method::GET,
        "/api/v1/officer/cases?channel=report&status=received",
        None,
    )
    .json()
    .unwrap();
    assert_eq!(filtered["cases"].as_array().unwrap().len(), 1);
    assert_eq!(
        call(Method::GET, "/api/v1/officer/cases?status=bogus", None).status(),
        422
    );

    let case: Value = call(Method::GET, &format!("/api/v1/officer/cases/{id}"), None)
        .json()
        .unwrap();
    assert_eq!(case["fields"]["what"], what.as_str());
    assert_eq!(case["files"], json!([]));
    let received = time_of(&case["received_at"]);
    assert_eq!(
        time_of(&case["deadlines"]["acknowledge_by"]) - received,
        7 * 86_400
    );

    let status = |body: Value| {
        call(
            Method::POST,
            &format!("/api/v1/officer/cases/{id}/status"),
            Some(body),
        )
    };
    assert_eq!(
        status(json!({"status": "in_progress"})).status(),
        409,
        "acknowledge first"
    );
    assert_eq!(status(json!({"status": "nonsense"})).status(), 422);
    let res = status(json!({"status": "acknowledged"}));
    assert_eq!(res.status(), 200);
    let case: Value = call(Method::GET, &format!("/api/v1/officer/cases/{id}"), None)
        .json()
        .unwrap();
    let acknowledged = time_of(&case["deadlines"]["acknowledged_at"]);
    assert_eq!(
        time_of(&case["deadlines"]["resolve_by"]) - (acknowledged - acknowledged % 86_400),
        90 * 86_400,
        "feedback within 3 months of the day of acknowledgement"
    );

    assert_eq!(
        call(
            Method::POST,
            &format!("/api/v1/officer/cases/{id}/messages"),
            Some(json!({"body": "Can you say more?"}))
        )
        .status(),
        201
    );
    assert_eq!(
        status(json!({"status": "awaiting_submitter"})).status(),
        200
    );
    assert_eq!(
        call(
            Method::POST,
            &format!("/api/v1/officer/cases/{id}/notes"),
            Some(json!({"body": "Check ledger."}))
        )
        .status(),
        201
    );
    assert_eq!(
        call(
            Method::POST,
            &format!("/api/v1/officer/cases/{id}/notes"),
            Some(json!({"body": ""}))
        )
        .status(),
        422
    );

    // The submitter answers: the case goes back in progress.
    let res = app
        .client
        .post(app.url("/api/v1/followup/messages"))
        .bearer_auth(&code)
        .json(&json!({"body": "The Q3 ones."}))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    let case: Value = call(Method::GET, &format!("/api/v1/officer/cases/{id}"), None)
        .json()
        .unwrap();
    assert_eq!(case["status"], "in_progress");
    assert_eq!(case["messages"].as_array().unwrap().len(), 2);
    assert_eq!(case["notes"][0]["body"], "Check ledger.");
    let me = case["handlers"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        call(
            Method::POST,
            &format!("/api/v1/officer/cases/{id}/assign"),
            Some(json!({"officer_id": me}))
        )
        .status(),
        200
    );
    assert_eq!(
        call(
            Method::POST,
            &format!("/api/v1/officer/cases/{id}/assign"),
            Some(json!({"officer_id": "stranger"}))
        )
        .status(),
        422
    );

    let res = status(
        json!({"status": "closed", "outcome": "unsubstantiated", "summary": "No evidence found."}),
    );
    assert_eq!(res.json::<Value>().unwrap()["status"], "closed");
    assert_eq!(status(json!({"status": "acknowledged"})).status(), 409);
    assert_eq!(
        status(json!({"status": "in_progress"})).status(),
        200,
        "reopen"
    );
    assert_eq!(
        call(Method::GET, "/api/v1/officer/cases/no-such-case", None).status(),
        404
    );

    assert_eq!(
        call(Method::POST, "/api/v1/officer/logout", None).status(),
        204
    );
    assert_eq!(
        call(Method::GET, "/api/v1/officer/cases", None).status(),
        401
    );
}

fn time_of(v: &Value) -> i64 {
    let text = v.as_str().unwrap_or_else(|| panic!("not a date: {v}"));
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .unwrap()
        .unix_timestamp()
}

#[test]
fn the_inbox_pages_and_marks_overdue_cases() {
    let app = spawn_app_with(&format!(
        "[limits]\ncases_per_hour_per_client = 0\n{URGENT_CHANNEL}"
    ));
    app.add_officer("p@example.org", "Pager", &[]);
    for i in 0..53 {
        app.submit(json!({"channel": "urgent", "fields": {"what": format!("case {i}")}}));
    }
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let token = officer_token(&app, "p@example.org");
    let first: Value = officer_api(
        &app,
        &token,
        Method::GET,
        "/api/v1/officer/cases?overdue=true",
        None,
    )
    .json()
    .unwrap();
    assert_eq!(first["cases"].as_array().unwrap().len(), 50);
    assert!(first["cases"][0]["overdue"].as_bool().unwrap());
    let next = first["next"].as_str().unwrap();
    let second: Value = officer_api(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/officer/cases?overdue=true&next={next}"),
        None,
    )
    .json()
    .unwrap();
    assert_eq!(second["cases"].as_array().unwrap().len(), 3);
    assert!(second.get("next").is_none());
    let numbers: Vec<i64> = first["cases"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["cases"].as_array().unwrap())
        .map(|c| c["number"].as_i64().unwrap())
        .collect();
    // Every case once, across both pages; all due the same day, so then by number.
    assert_eq!(numbers.len(), 53);
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");

    let browser = officer_browser(&app, "p@example.org");
    let page = browser
        .get(app.url("/officer?overdue=1"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("badge bad\">overdue") && page.contains("Next page"));
}

#[test]
fn two_factor_sign_in_is_enrolled_and_never_accepts_a_code_twice() {
    let app = spawn_app();
    app.add_officer("t@example.org", "Tia", &["--admin"]);
    app.add_officer("u@example.org", "Uma", &[]);
    let browser = officer_browser(&app, "t@example.org");
    let page = browser
        .get(app.url("/officer/account"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        page.contains("<svg viewBox"),
        "QR code rendered on the server"
    );
    let secret = sealbox::crypto::totp::TotpSecret::from_base32(between(
        &page,
        "<code class=\"secret\">",
        "</code>",
    ))
    .unwrap();
    let csrf = csrf_in(&page);
    let res = browser
        .post(app.url("/officer/account/totp"))
        .form(&[("csrf", csrf.as_str()), ("code", "000000")])
        .send()
        .unwrap();
    assert_eq!(res.status(), 422);
    let enrol_code = secret.code_at(now()).unwrap();
    let res = browser
        .post(app.url("/officer/account/totp"))
        .form(&[("csrf", csrf.as_str()), ("code", enrol_code.as_str())])
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().unwrap().contains("Two-factor sign-in is on"));

    let login = |totp: Option<&str>| {
        let mut body = json!({"email": "t@example.org", "password": PASSWORD});
        if let Some(code) = totp {
            body["totp"] = code.into();
        }
        app.post_json("/api/v1/officer/login", &body)
    };
    let res = login(None);
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().unwrap()["error"], "totp_required");
    assert_eq!(
        login(Some(&enrol_code)).status(),
        401,
        "the enrolment code cannot be used again"
    );
    let next = secret.code_at(now() + 30).unwrap();
    assert_eq!(login(Some(&next)).status(), 200);
    let res = login(Some(&next));
    assert_eq!(res.status(), 401, "a code is never accepted twice");
    assert_eq!(res.json::<Value>().unwrap()["error"], "totp_rejected");

    // The admin requires 2FA for everyone: Uma must enrol before anything else, even in the
    // session she opened before.
    let uma_before = officer_browser(&app, "u@example.org");
    assert_eq!(
        uma_before.get(app.url("/officer")).send().unwrap().status(),
        200
    );
    let admin = browser
        .get(app.url("/officer/admin"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let res = browser
        .post(app.url("/officer/admin/settings"))
        .form(&[("csrf", csrf_in(&admin).as_str()), ("require_totp", "1")])
        .send()
        .unwrap();
    assert!(res.text().unwrap().contains("now required"));
    let res = uma_before.get(app.url("/officer")).send().unwrap();
    assert_eq!(res.headers()["location"], "/officer/account");
    let uma = officer_browser(&app, "u@example.org");
    let res = uma.get(app.url("/officer")).send().unwrap();
    assert_eq!(res.headers()["location"], "/officer/account");
    let token = officer_token(&app, "u@example.org");
    assert_eq!(
        officer_api(&app, &token, Method::GET, "/api/v1/officer/cases", None).status(),
        403
    );
    let res = officer_api(&app, &token, Method::POST, "/api/v1/officer/logout", None);
    assert_eq!(res.status(), 204, "sign-out stays open");
}

#[test]
fn an_excluded_officer_can_never_reach_the_case() {
    let recovery_dir = tempfile::tempdir().unwrap();
    let recovery = sealbox::crypto::KeyPair::generate();
    let identity_file = recovery_dir.path().join("recovery.txt");
    std::fs::write(
        &identity_file,
        secrecy::ExposeSecret::expose_secret(&recovery.secret.to_secret_string()),
    )
    .unwrap();
    let app = spawn_app_with(&format!("recovery_recipient = \"{}\"\n", recovery.public));
    app.add_officer("alice@example.org", "Alice", &["--admin"]);
    let bob = app.add_officer("bob@example.org", "Bob", &[]);
    let code = app.submit(json!({"channel": "report", "fields": {"what": "Bob takes kickbacks"}, "exclude_officers": [bob]}));
    app.submit(report("unrelated"));

    let bob_token = officer_token(&app, "bob@example.org");
    let list: Value = officer_api(&app, &bob_token, Method::GET, "/api/v1/officer/cases", None)
        .json()
        .unwrap();
    assert_eq!(
        list["cases"].as_array().unwrap().len(),
        1,
        "only the other case"
    );
    let excluded_id = case_id_of(&app, &officer_token(&app, "alice@example.org"), &code);
    let excluded_number = case_number_of(&app, &code);
    let try_all = || {
        for (method, path, body) in [
            (
                Method::GET,
                format!("/api/v1/officer/cases/{excluded_id}"),
                None,
            ),
            (
                Method::POST,
                format!("/api/v1/officer/cases/{excluded_id}/messages"),
                Some(json!({"body": "hi"})),
            ),
            (
                Method::POST,
                format!("/api/v1/officer/cases/{excluded_id}/notes"),
                Some(json!({"body": "hi"})),
            ),
            (
                Method::POST,
                format!("/api/v1/officer/cases/{excluded_id}/status"),
                Some(json!({"status": "acknowledged"})),
            ),
            (
                Method::POST,
                format!("/api/v1/officer/cases/{excluded_id}/assign"),
                Some(json!({"officer_id": null})),
            ),
        ] {
            assert_eq!(
                officer_api(&app, &bob_token, method, &path, body).status(),
                403,
                "{path}"
            );
        }
        let bob_page = officer_browser(&app, "bob@example.org");
        assert_eq!(
            bob_page
                .get(app.url(&format!("/officer/cases/{excluded_id}")))
                .send()
                .unwrap()
                .status(),
            403
        );
    };
    try_all();

    // Neither an admin's re-grant nor the recovery identity gives it to him.
    let alice = officer_browser(&app, "alice@example.org");
    let admin = alice
        .get(app.url("/officer/admin"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let res = alice
        .post(app.url(&format!("/officer/admin/officers/{bob}/grant")))
        .form(&[("csrf", csrf_in(&admin).as_str())])
        .send()
        .unwrap();
    assert!(res
        .text()
        .unwrap()
        .contains(&format!("Excluded by the submitter: #{excluded_number}")));
    let out = app.cli_with_stdin(
        &[
            "officer",
            "grant",
            "--email",
            "bob@example.org",
            "--recovery-identity",
            identity_file.to_str().unwrap(),
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains(&format!("excluded by the submitter: #{excluded_number}")));
    try_all();
    let grants: i64 = app
        .db()
        .query_row(
            "SELECT COUNT(*) FROM grants WHERE case_id = ?1 AND officer_id = ?2",
            [&excluded_id, &bob],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        grants, 0,
        "no grant exists for him, so even the database cannot help him"
    );
    assert_eq!(app.followup_api(&code).status(), 200);
}

#[test]
fn officer_sign_in_failures_are_rate_limited() {
    let app = spawn_app_with("[limits]\nlogin_failures_per_minute_per_client = 3\n");
    app.add_officer("r@example.org", "Rae", &[]);
    for _ in 0..3 {
        let res = app.post_json(
            "/api/v1/officer/login",
            &json!({"email": "r@example.org", "password": "wrong password!!"}),
        );
        assert_eq!(res.status(), 401);
    }
    let res = app.post_json(
        "/api/v1/officer/login",
        &json!({"email": "r@example.org", "password": PASSWORD}),
    );
    assert_eq!(res.status(), 429);
    let res = client()
        .post(app.url("/officer/login"))
        .form(&[
            ("email", "r@example.org"),
            ("password", PASSWORD),
            ("totp", ""),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status(), 429);
}

#[test]
fn the_case_history_counts_repeated_readings_and_is_paged() {
    let app = spawn_app();
    // The first officer is an admin, who sees readings of the case.
    app.add_officer("admin@example.org", "Ada", &[]);
    app.submit(report("a history to page"));
    let token = officer_token(&app, "admin@example.org");
    let id = only_case_id(&app, &token);
    let browser = officer_browser(&app, "admin@example.org");
    let page = |query: &str| {
        let res = browser
            .get(app.url(&format!("/officer/cases/{id}{query}")))
            .send()
            .unwrap();
        assert_eq!(res.status(), 200);
        res.text().unwrap()
    };
    for _ in 0..3 {
        page("");
    }
    let text = page("");
    // Four readings in a row: one line with a count, not four lines.
    assert!(text.contains("case opened ×4"), "{text}");
    assert_eq!(text.matches("case opened").count(), 1, "{text}");

    // Sixty notes (not readings, so each is a line): the history comes in pages of 50.
    for i in 0..60 {
        let res = officer_api(
            &app,
            &token,
            Method::POST,
            &format!("/api/v1/officer/cases/{id}/notes"),
            Some(json!({"body": format!("note {i}")})),
        );
        assert_eq!(res.status(), 201, "{}", res.text().unwrap());
    }
    let newest = page("");
    assert!(newest.contains("Earlier entries") && !newest.contains("Later entries"));
    assert!(
        !newest.contains("case received"),
        "the oldest entry is on page 2"
    );
    let older = page("?history=2");
    assert!(older.contains("Later entries") && !older.contains("Earlier entries"));
    assert!(older.contains("case received"), "{older}");
    assert!(older.contains(" of "), "{older}");
    assert_eq!(
        app.client
            .get(app.url(&format!("/officer/cases/{id}?history=many")))
            .send()
            .unwrap()
            .status(),
        400
    );
}

#[test]
fn a_refusal_inside_the_officer_area_keeps_its_frame_and_language() {
    let app = spawn_app();
    app.add_officer("alice@example.org", "Alice", &[]);
    let bob = app.add_officer("bob@example.org", "Bob", &[]);
    app.submit(
        json!({"channel": "report", "fields": {"what": "about Bob"}, "exclude_officers": [bob]}),
    );
    let id = only_case_id(&app, &officer_token(&app, "alice@example.org"));
    // Bob signs in from a German browser: the officer pages speak German to him.
    let browser = client();
    let res = browser
        .post(app.url("/officer/login"))
        .header("Accept-Language", "de")
        .form(&[
            ("email", "bob@example.org"),
            ("password", PASSWORD),
            ("totp", ""),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status(), 303);
    let res = browser
        .get(app.url(&format!("/officer/cases/{id}")))
        .header("Accept-Language", "de")
        .send()
        .unwrap();
    assert_eq!(res.status(), 403);
    let page = res.text().unwrap();
    // The officer's frame (navigation, sign-out), not the reporter pages', in German.
    assert!(page.contains("<body class=\"officer\">"), "{page}");
    assert!(page.contains("action=\"/officer/logout\""), "{page}");
    assert!(page.contains("Kein Zugriff"), "{page}");
    assert!(page.contains("lang=\"de\""), "{page}");
    // Signed out, the same frame without the navigation.
    let res = client()
        .get(app.url("/officer/disclosures/nope"))
        .send()
        .unwrap();
    assert!(res.status().is_client_error() || res.status().is_redirection());
}

#[test]
fn the_german_print_page_of_a_complaint_speaks_german_of_a_customer() {
    let app = spawn_app();
    app.add_officer("o@example.org", "Olga", &[]);
    app.submit(json!({
        "channel": "complaint",
        "fields": {"subject": "Late", "description": "Three weeks late."}
    }));
    let token = officer_token(&app, "o@example.org");
    let id = only_case_id(&app, &token);
    let res = officer_api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/officer/cases/{id}/status"),
        Some(json!({"status": "acknowledged"})),
    );
    assert_eq!(res.status(), 200);
    let browser = client();
    let res = browser
        .post(app.url("/officer/login"))
        .header("Accept-Language", "de")
        .form(&[
            ("email", "o@example.org"),
            ("password", PASSWORD),
            ("totp", ""),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status(), 303);
    let page = browser
        .get(app.url(&format!("/officer/cases/{id}/print")))
        .header("Accept-Language", "de")
        .send()
        .unwrap()
        .text()
        .unwrap();
    for german in [
        "Nachrichten mit dem Kunden",
        "Fall eingegangen",
        "Status geändert",
        "Kunde/Kundin",
        "Eingegangen → ",
    ] {
        assert!(page.contains(german), "no {german:?} in:\n{page}");
    }
    for english_or_wrong in [
        "Hinweisgeber",
        "case received",
        "status changed",
        "received →",
    ] {
        assert!(
            !page.contains(english_or_wrong),
            "{english_or_wrong:?} in:\n{page}"
        );
    }
}
