//! Session fixation: a session cookie set before sign-in is never the one after it, and
//! sign-out ends the session on the server.

use reqwest::Method;
use serde_json::{json, Value};

use super::*;

#[test]
fn a_session_cookie_set_before_sign_in_is_never_the_one_after_it() {
    let app = spawn_app();
    app.add_officer("olga@example.org", "Olga Officer", &[]);
    app.add_officer("mallory@example.org", "Mallory Insider", &[]);
    let what = canary("victim");
    let victim_code = app.submit(report(&what));
    let attacker_code = app.submit(report("the attacker's own case"));
    let login_form = "name=\"code\"";

    // Follow-up: a value the attacker made up, and a real session of the attacker's own case
    // (what an attacker can actually plant: one the server knows), set in the victim's browser
    // before the victim signs in.
    let made_up = "sealbox_followup=chosen-by-the-attacker-0123456789abcdef".to_owned();
    for planted in [made_up, followup_cookie(&app, &attacker_code)] {
        let res = get_with(&app, &planted, "/followup");
        assert!(
            res.headers().get("set-cookie").is_none(),
            "a planted value is not adopted"
        );
        let res = bare()
            .post(app.url("/followup"))
            .header("Cookie", &planted)
            .form(&[("code", victim_code.as_str())])
            .send()
            .unwrap();
        assert_eq!(res.status(), 303);
        let issued = set_cookie(&res, "sealbox_followup");
        assert_ne!(issued, planted, "the session id changes on sign-in");
        assert!(page_with(&app, &issued, "/followup").contains(&what));
        // Whoever knows the planted value gets nothing: not the victim's case, and not even
        // their own case any more (the sign-in ended the session it replaced).
        let page = page_with(&app, &planted, "/followup");
        assert!(
            page.contains(login_form) && !page.contains(&what),
            "{planted}"
        );
        let file = get_with(&app, &planted, "/followup/files/anything");
        assert_eq!(file.status(), 401);
    }

    // Officers: the same, with Mallory's own signed-in session as the planted one.
    let made_up = "sealbox_officer=chosen-by-the-attacker-0123456789abcdef".to_owned();
    for planted in [made_up, officer_cookie(&app, "mallory@example.org")] {
        let res = get_with(&app, &planted, "/officer/login");
        assert!(res.headers().get("set-cookie").is_none());
        let res = bare()
            .post(app.url("/officer/login"))
            .header("Cookie", &planted)
            .form(&[
                ("email", "olga@example.org"),
                ("password", PASSWORD),
                ("totp", ""),
            ])
            .send()
            .unwrap();
        assert_eq!(res.status(), 303);
        let issued = set_cookie(&res, "sealbox_officer");
        assert_ne!(issued, planted, "the session id changes on sign-in");
        assert!(page_with(&app, &issued, "/officer").contains("Olga Officer"));
        let res = get_with(&app, &planted, "/officer");
        assert_eq!(res.status(), 303, "{planted} is not signed in");
        assert_eq!(res.headers()["location"], "/officer/login");
    }

    // Sign-out ends the session on the server: a copy of the cookie kept from before it opens
    // nothing afterwards (the browser's own copy is deleted too, but that is not the defence).
    let officer = Agent::officer(&app, "olga@example.org");
    let case_id = case_id_of(&app, &officer_token(&app, "olga@example.org"), &victim_code);
    assert!(page_with(&app, &officer.cookie, &format!("/officer/cases/{case_id}")).contains(&what));
    let res = post_form_with(
        &app,
        &officer.cookie,
        "/officer/logout",
        &owned(&[("csrf", &officer.csrf)]),
    );
    assert_eq!(res.status(), 303);
    assert!(res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    for path in [
        "/officer",
        &format!("/officer/cases/{case_id}"),
        "/officer/account",
    ] {
        let res = get_with(&app, &officer.cookie, path);
        assert_eq!(res.status(), 303, "{path} after sign-out");
        assert_eq!(res.headers()["location"], "/officer/login");
    }
    let res = post_form_with(
        &app,
        &officer.cookie,
        &format!("/officer/cases/{case_id}/notes"),
        &owned(&[("csrf", &officer.csrf), ("body", "after sign-out")]),
    );
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/officer/login");

    let token = officer_token(&app, "olga@example.org");
    let call = |method: Method, path: &str| officer_api(&app, &token, method, path, None);
    assert_eq!(call(Method::GET, "/api/v1/officer/cases").status(), 200);
    assert_eq!(call(Method::POST, "/api/v1/officer/logout").status(), 204);
    assert_eq!(call(Method::GET, "/api/v1/officer/cases").status(), 401);
    assert_eq!(
        call(Method::GET, &format!("/api/v1/officer/cases/{case_id}")).status(),
        401
    );

    let submitter = Agent::submitter(&app, &victim_code);
    let res = post_form_with(
        &app,
        &submitter.cookie,
        "/followup/logout",
        &owned(&[("csrf", &submitter.csrf)]),
    );
    assert_eq!(res.status(), 303);
    let page = page_with(&app, &submitter.cookie, "/followup");
    assert!(page.contains(login_form) && !page.contains(&what));
    let res = post_form_with(
        &app,
        &submitter.cookie,
        "/followup/messages",
        &owned(&[("csrf", &submitter.csrf), ("body", "after sign-out")]),
    );
    assert_eq!(res.status(), 401);
    for code in [&victim_code, &attacker_code] {
        let view: Value = app.followup_api(code).json().unwrap();
        assert_eq!(view["messages"], json!([]), "no message was stored");
    }
}
