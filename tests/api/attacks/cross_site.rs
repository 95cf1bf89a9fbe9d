//! Requests another site made: every POST route refuses them, whatever credentials they carry.

use serde_json::json;

use super::*;

#[test]
fn every_post_route_refuses_a_request_another_site_made() {
    let w = world_with("");
    let app = &w.app;
    let alice = Agent::officer(app, "alice@example.org");
    let token = officer_token(app, "alice@example.org");
    let submitter = followup_cookie(app, &w.code);
    let before = snapshot(app);
    let mut tried = 0;
    let evil = ("Origin", "https://evil.example");
    let null = ("Origin", "null");
    let fetch = |site| ("Sec-Fetch-Site", site);
    // What browsers send for a form another site made: its origin, or `null` after a
    // cross-site redirect (or from a page with `no-referrer`), with `Sec-Fetch-Site` saying so
    // where the browser sends it. `null` passes only as `same-origin` (see the positive case
    // below); a foreign origin never does.
    let cross_site: [&[(&str, &str)]; 7] = [
        &[evil],
        &[null],
        &[fetch("cross-site")],
        &[null, fetch("cross-site")],
        &[null, fetch("same-site")],
        &[evil, fetch("same-origin")],
        &[evil, fetch("cross-site")],
    ];
    for route in route_table().iter().filter(|r| r.post()) {
        for headers in cross_site {
            let path = w.fill(&route.path, &w.case_id);
            // Every credential the route could want, and a valid token: only the origin is wrong.
            let mut rb = bare()
                .request(route.http_method(), app.url(&path))
                .header("Cookie", format!("{}; {submitter}", alice.cookie));
            for (name, value) in headers {
                rb = rb.header(*name, *value);
            }
            let res = if route.api() {
                let bearer = if route.path.starts_with("/api/v1/followup") {
                    w.code.as_str()
                } else {
                    token.as_str()
                };
                with_token(rb, bearer)
                    .json(&json!({ "body": "cross-site" }))
                    .send()
                    .unwrap()
            } else {
                rb.form(&[
                    ("csrf", alice.csrf.as_str()),
                    ("body", "cross-site"),
                    ("code", w.code.as_str()),
                ])
                .send()
                .unwrap()
            };
            let what = format!("POST {} with {headers:?}", route.path);
            assert_eq!(res.status(), 403, "{what}");
            assert_strict_headers(&headers_of(&res), false, &what);
            assert!(res.headers().get("set-cookie").is_none(), "{what}");
            let body = res.text().unwrap();
            if route.api() {
                assert!(body.contains("\"cross_site\""), "{what}: {body}");
            } else {
                assert!(body.contains("another site"), "{what}: {body}");
            }
            tried += 1;
        }
    }
    let posts = route_table().iter().filter(|r| r.post()).count();
    assert!(posts > 35 && tried == posts * cross_site.len(), "{tried}");
    assert!(
        changed(&before, &snapshot(app)).is_empty(),
        "{:?}",
        changed(&before, &snapshot(app))
    );
    // A browser sends `Origin: null` with this site's own forms too, since every page has the
    // referrer policy `no-referrer`; with `Sec-Fetch-Site: same-origin` such a form goes through.
    let res = bare()
        .post(app.url("/followup"))
        .header("Origin", "null")
        .header("Sec-Fetch-Site", "same-origin")
        .form(&[("code", w.code.as_str())])
        .send()
        .unwrap();
    assert_eq!(res.status(), 303);
    let res = bare()
        .post(app.url(&format!("/officer/cases/{}/notes", w.case_id)))
        .header("Origin", "null")
        .header("Sec-Fetch-Site", "same-origin")
        .header("Cookie", &alice.cookie)
        .form(&[
            ("csrf", alice.csrf.as_str()),
            ("body", "from the page itself"),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status(), 303);
}
