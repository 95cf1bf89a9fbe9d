//! Missing headers: every route, signed out and signed in, and every kind of error carries the
//! strict headers.

use std::collections::BTreeSet;

use reqwest::blocking::{RequestBuilder, Response};
use reqwest::Method;
use serde_json::json;

use super::*;

/// Every route, signed out and signed in, plus every kind of error, checked for the strict
/// headers: over plain http, and with an https public URL (which adds HSTS).
#[test]
fn every_route_and_every_error_carries_the_strict_headers() {
    for https in [false, true] {
        // Wrong claim codes are part of the sweep, so that limit is off here; a 429 comes from
        // the officer sign-in limit instead (claim_codes.rs checks the claim-code one).
        let limits = "[limits]\nclaim_failures_per_minute_per_client = 0\n\
                      login_failures_per_minute_per_client = 1\njson_body_bytes = 4096\n";
        let config = if https {
            format!("public_url = \"https://ethics.example.test\"\n{limits}")
        } else {
            limits.to_owned()
        };
        header_sweep(&world_with(&config), https);
    }
}

fn header_sweep(w: &World, https: bool) {
    let app = &w.app;
    let check = |res: Response, what: &str, set_cookie_ok: bool| -> u16 {
        let status = res.status().as_u16();
        let what = format!("{what} → {status}");
        let headers = headers_of(&res);
        assert_strict_headers(&headers, https, &what);
        if !set_cookie_ok {
            assert!(
                header(&headers, "set-cookie").is_empty(),
                "{what}: {headers:?}"
            );
        }
        status
    };
    let officer = Agent::officer(app, "alice@example.org");
    let token = officer_token(app, "alice@example.org");
    let submitter = Agent::submitter(app, &w.code);
    let mut statuses = BTreeSet::new();
    // Sign-outs last, so they do not end the sessions the others use.
    let mut routes = route_table();
    routes.sort_by_key(|r| r.path.ends_with("/logout"));
    for route in &routes {
        let path = w.fill(&route.path, &w.case_id);
        let followup = route.path.contains("/followup");
        let session = route.path.starts_with("/officer") || route.path.starts_with("/followup");
        let starts_session = ["/followup", "/officer/login"].contains(&route.path.as_str());
        for signed_in in [false, true] {
            let what = format!(
                "{} {} {}",
                if signed_in { "signed in" } else { "signed out" },
                route.method,
                route.path
            );
            let mut rb = bare().request(route.http_method(), app.url(&path));
            if signed_in {
                rb = match (route.api(), followup) {
                    (true, true) => with_token(rb, &w.code),
                    (true, false) => with_token(rb, &token),
                    (false, true) => rb.header("Cookie", &submitter.cookie),
                    (false, false) => rb.header("Cookie", &officer.cookie),
                };
            }
            if route.post() {
                rb = if route.api() {
                    rb.json(&json!({}))
                } else {
                    // A wrong token: every form is refused, none changes anything.
                    rb.form(&[("csrf", "wrong"), ("code", "wrong")])
                };
            }
            let res = rb.send().unwrap();
            let status = check(
                res,
                &what,
                starts_session || route.path.ends_with("/logout"),
            );
            // The enrolment page answers a made-up link with its 404 page (headers checked),
            // and this site has no logo configured.
            if signed_in
                && !route.post()
                && !route.path.contains("{token}")
                && route.path != "/static/logo"
            {
                assert!(
                    status == 200 || (session && !route.api() && status == 303),
                    "{what}: {status}"
                );
            }
            statuses.insert(status);
        }
    }
    // A successful sign-in sets the cookie, with the headers.
    let res = bare()
        .post(app.url("/followup"))
        .form(&[("code", w.code.as_str())])
        .send()
        .unwrap();
    assert_eq!(check(res, "sign-in", true), 303);
    // Errors of every kind.
    let big = "x".repeat(5000);
    let errors: Vec<(&str, RequestBuilder)> = vec![
        ("404 page", bare().get(app.url("/nothing/here"))),
        ("404 API", bare().get(app.url("/api/v1/nothing"))),
        (
            "404 POST",
            bare().post(app.url("/nothing")).form(&[("a", "b")]),
        ),
        (
            "unknown method",
            bare().request(Method::PUT, app.url("/report")),
        ),
        (
            "unknown method API",
            bare().request(Method::DELETE, app.url("/api/v1/cases")),
        ),
        ("HEAD", bare().head(app.url("/"))),
        (
            "OPTIONS",
            bare().request(Method::OPTIONS, app.url("/api/v1/cases")),
        ),
        (
            "400 form",
            bare()
                .post(app.url("/followup"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("code=a&code=b"),
        ),
        (
            "400 query",
            bare().get(app.url("/report?channel=a&channel=b")),
        ),
        (
            "400 JSON",
            bare()
                .post(app.url("/api/v1/cases"))
                .header("content-type", "application/json")
                .body("{\"channel\": "),
        ),
        (
            "415",
            bare()
                .post(app.url("/api/v1/cases"))
                .header("content-type", "text/plain")
                .body("{}"),
        ),
        (
            "413 JSON",
            bare()
                .post(app.url("/api/v1/cases"))
                .json(&json!({"channel": "report", "fields": {"what": big}})),
        ),
        (
            "413 form",
            bare()
                .post(app.url("/report"))
                .form(&[("channel", "report"), ("f_what", big.as_str())]),
        ),
        ("401 API", bare().get(app.url("/api/v1/officer/cases"))),
        (
            "401 claim",
            bare().get(app.url("/api/v1/followup")).bearer_auth("wrong"),
        ),
        (
            "401 sign-in",
            bare()
                .post(app.url("/api/v1/officer/login"))
                .json(&json!({"email": "alice@example.org", "password": "wrong password!"})),
        ),
        (
            "429 sign-in API",
            bare()
                .post(app.url("/api/v1/officer/login"))
                .json(&json!({"email": "alice@example.org", "password": "wrong password!"})),
        ),
        (
            "429 sign-in page",
            bare().post(app.url("/officer/login")).form(&[
                ("email", "alice@example.org"),
                ("password", "wrong password!"),
                ("totp", ""),
            ]),
        ),
        (
            "201",
            bare()
                .post(app.url("/api/v1/cases"))
                .json(&report("headers")),
        ),
        (
            "403 cross-site",
            bare()
                .post(app.url("/report"))
                .header("Origin", "https://evil.example")
                .form(&[("channel", "report")]),
        ),
        (
            "422",
            bare()
                .post(app.url("/api/v1/cases"))
                .json(&json!({"channel": "report", "fields": {}})),
        ),
        ("redirect", bare().get(app.url("/officer"))),
    ];
    for (what, rb) in errors {
        statuses.insert(check(rb.send().unwrap(), what, false));
    }
    // A multipart body declaring more than any case may hold: refused before it is read.
    let res = raw(
        app,
        "POST",
        b"/api/v1/cases",
        &[
            ("Content-Type", "multipart/form-data; boundary=x"),
            ("Content-Length", "999999999999"),
        ],
        b"",
    )
    .expect("an answer to a body declared too long");
    assert_eq!(res.status, 413);
    assert_strict_headers(&res.headers, https, "a body declared too long");
    statuses.insert(res.status);
    // The one kind of answer without them: the HTTP layer's refusal of a request it cannot
    // parse, sent before any route or middleware runs. It has nothing the headers could
    // protect: no body, no content type.
    let long_path = format!("/{}", "a".repeat(70_000));
    let names: Vec<String> = (0..200).map(|i| format!("X-Header-{i}")).collect();
    let many: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "a")).collect();
    for (what, target, extra) in [
        ("NUL in the path", &b"/a\0b"[..], &[][..]),
        ("a path over 64 KiB", long_path.as_bytes(), &[][..]),
        ("200 header lines", b"/", &many[..]),
    ] {
        let res = raw(app, "GET", target, extra, b"").expect(what);
        assert!(
            http_layer_refusal(&res),
            "{what}: {} {:?}",
            res.status,
            res.headers
        );
    }
    for expected in [200, 201, 303, 400, 401, 403, 404, 413, 415, 422, 429] {
        assert!(
            statuses.contains(&expected),
            "no {expected} seen: {statuses:?}"
        );
    }
}
