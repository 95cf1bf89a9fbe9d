//! Shut-out officers: one the submitter excluded, or one an admin disabled, reaches the case
//! through no route.

use std::collections::BTreeSet;

use reqwest::blocking::Response;
use reqwest::Method;
use serde_json::{json, Value};

use super::*;

/// One request of a route as an officer would send it, with their page session (cookie and
/// token) or their API token, and a body the route would accept from someone entitled.
fn officer_request(w: &World, route: &Route, path: &str, page: &Agent, token: &str) -> Response {
    let app = &w.app;
    let url = app.url(path);
    let rb = bare().request(route.http_method(), url);
    let rb = if route.api() {
        with_token(rb, token)
    } else {
        rb.header("Cookie", &page.cookie)
    };
    if !route.post() {
        return rb.send().unwrap();
    }
    if route.api() {
        match api_body(route) {
            Some(body) => rb.json(&body).send().unwrap(),
            None => rb.multipart(planted_file()).send().unwrap(),
        }
    } else {
        let mut fields = vec![("csrf", page.csrf.as_str())];
        fields.extend(page_form(route));
        rb.form(&fields).send().unwrap()
    }
}

/// The routes that name a case, a file or a disclosure request, each with the case's id and
/// (where a case is named) its number, which the export routes also accept.
fn case_routes(w: &World) -> Vec<(Route, String)> {
    let mut out = Vec::new();
    for route in route_table() {
        if !route.has_params()
            || route.path.contains("/officers/{id}")
            || route.path.contains("/enrol/{token}")
        {
            continue;
        }
        if route.path.contains("/cases/{id}") {
            out.push((route.clone(), w.fill(&route.path, &w.case_id)));
            out.push((route.clone(), w.fill(&route.path, &w.number.to_string())));
        } else {
            out.push((route.clone(), w.fill(&route.path, &w.case_id)));
        }
    }
    out
}

#[test]
fn an_excluded_officer_reaches_the_case_through_no_route() {
    let w = world_with("");
    let app = &w.app;
    // Entitled officers see the secrets through these same requests: the canaries are
    // really there to be found.
    let alice = Agent::officer(app, "alice@example.org");
    let alice_token = officer_token(app, "alice@example.org");
    let mut seen = BTreeSet::new();
    for (route, path) in case_routes(&w) {
        if route.post() || route.path.contains("/followup/") {
            continue;
        }
        let res = officer_request(&w, &route, &path, &alice, &alice_token);
        for s in w.leaked(&res.text().unwrap()) {
            seen.insert(s.clone());
        }
    }
    for (i, s) in w.secrets.iter().enumerate() {
        // The identity and the request's reason are for custodians: Alice is one.
        assert!(seen.contains(s), "secret {i} not found by Alice: {s}");
    }

    let bob = Agent::officer(app, "bob@example.org");
    let bob_token = officer_token(app, "bob@example.org");
    // Bob's sessions work: he opens the case he was not kept out of.
    let other = page_with(
        app,
        &bob.cookie,
        &format!("/officer/cases/{}", w.other_case),
    );
    assert!(other.contains("a case Bob may read"));

    let before = snapshot(app);
    let mut tried = 0;
    for (route, path) in case_routes(&w) {
        let res = officer_request(&w, &route, &path, &bob, &bob_token);
        let status = res.status().as_u16();
        let what = format!("{} {path} as the excluded officer", route.method);
        let allowed: &[u16] = if route.path.contains("/followup/") {
            &[401] // the follow-up needs the claim code, whatever else is sent
        } else {
            &[403, 404]
        };
        assert!(allowed.contains(&status), "{what}: {status}");
        assert_ne!(
            header(&headers_of(&res), "content-type").first().copied(),
            Some("application/octet-stream"),
            "{what}: a download"
        );
        let body = res.text().unwrap();
        assert!(w.leaked(&body).is_empty(), "{what}: {:?}", w.leaked(&body));
        tried += 1;
    }
    assert!(tried >= 25, "{tried}");
    // Admin routes name officers: Bob is no admin, so he cannot grant himself the case.
    for route in route_table()
        .iter()
        .filter(|r| r.path.contains("/officers/{id}"))
    {
        let path = w.fill(&route.path, "");
        let res = officer_request(&w, route, &path, &bob, &bob_token);
        assert_eq!(res.status(), 403, "{path}");
    }
    // Lists: the case is in none of them, not even as a number.
    for path in [
        "/officer",
        "/officer/statistics",
        "/officer/statistics.csv",
        "/officer/disclosures",
        "/officer/account",
    ] {
        let body = page_with(app, &bob.cookie, path);
        assert!(w.leaked(&body).is_empty(), "{path}");
        assert!(
            !body.contains(&w.case_id) && !body.contains(&w.request_id),
            "{path}: {body}"
        );
        assert!(
            !body.contains(&format!("<td>#{}</td>", w.number)) && !body.contains("Hank"),
            "{path}: {body}"
        );
    }
    for path in [
        "/api/v1/officer/cases",
        "/api/v1/officer/statistics",
        "/api/v1/officer/disclosures",
    ] {
        let res = officer_api(app, &bob_token, Method::GET, path, None);
        assert_eq!(res.status(), 200, "{path}");
        let body = res.text().unwrap();
        assert!(w.leaked(&body).is_empty(), "{path}");
        assert!(
            !body.contains(&w.case_id) && !body.contains(&w.request_id),
            "{path}: {body}"
        );
    }
    assert!(
        changed(&before, &snapshot(app)).is_empty(),
        "refused requests changed {:?}",
        changed(&before, &snapshot(app))
    );
    let requests: Value = officer_api(
        app,
        &alice_token,
        Method::GET,
        "/api/v1/officer/disclosures",
        None,
    )
    .json()
    .unwrap();
    let request = requests["disclosures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == w.request_id.as_str())
        .expect("the request is listed");
    assert_eq!(request["state"], "pending");
}

#[test]
fn a_disabled_officer_reaches_the_case_through_no_route() {
    let w = world_with("");
    let app = &w.app;
    // Carol holds the case and is signed in on the page and the API.
    let carol = Agent::officer(app, "carol@example.org");
    let carol_token = officer_token(app, "carol@example.org");
    let page = page_with(app, &carol.cookie, &format!("/officer/cases/{}", w.case_id));
    assert!(page.contains(&w.secrets[0]));

    let alice = Agent::officer(app, "alice@example.org");
    let res = post_form_with(
        app,
        &alice.cookie,
        &format!("/officer/admin/officers/{}/disable", w.carol),
        &owned(&[("csrf", &alice.csrf)]),
    );
    assert_eq!(res.status(), 200);
    // Read at rest: nobody may sign in as a disabled officer, and no API lists another
    // officer's grants.
    let grants: i64 = app
        .db()
        .query_row(
            "SELECT COUNT(*) FROM grants WHERE officer_id = ?1",
            [&w.carol],
            |r| r.get(0),
        )
        .unwrap();
    assert!(grants > 0, "disabling suspends: the grants stay, sealed");

    let mut tried = 0;
    for (route, path) in case_routes(&w) {
        let res = officer_request(&w, &route, &path, &carol, &carol_token);
        let status = res.status().as_u16();
        let what = format!("{} {path} as the disabled officer", route.method);
        if route.api() || route.path.contains("/followup/") {
            assert_eq!(status, 401, "{what}");
        } else {
            assert_eq!(status, 303, "{what}: sent to sign in");
            assert_eq!(res.headers()["location"], "/officer/login", "{what}");
        }
        let body = res.text().unwrap();
        assert!(w.leaked(&body).is_empty(), "{what}: {:?}", w.leaked(&body));
        tried += 1;
    }
    assert!(tried >= 25);
    for path in ["/officer", "/officer/statistics", "/officer/disclosures"] {
        assert_eq!(get_with(app, &carol.cookie, path).status(), 303, "{path}");
    }
    let res = bare()
        .post(app.url("/officer/login"))
        .form(&[
            ("email", "carol@example.org"),
            ("password", PASSWORD),
            ("totp", ""),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status(), 401, "a disabled officer cannot sign in again");
    let res = app.post_json(
        "/api/v1/officer/login",
        &json!({ "email": "carol@example.org", "password": PASSWORD }),
    );
    assert_eq!(res.status(), 401);
}
