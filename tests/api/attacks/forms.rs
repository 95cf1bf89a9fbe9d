//! Forged forms: every page form that changes something needs its own session's CSRF token,
//! and the API, which takes no token, opens to no cookie.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{json, Value};

use super::*;

/// Whether `body` is the CSRF refusal, in any of the page languages.
fn is_csrf_refusal(body: &str) -> bool {
    sealbox::i18n::Lang::ALL
        .iter()
        .any(|l| body.contains(l.text("problem.csrf")))
}

/// What a form's success is seen in.
#[derive(PartialEq)]
enum Effect {
    /// Something the server stores.
    Stored,
    /// The session itself ends (sign-out): seen in whether `page` still opens with it.
    SessionEnds { page: &'static str, shows: String },
}

/// One state-changing form: the route, where to send it, as whom, with what fields (all valid,
/// so only the token decides), and another session of the same kind whose token it must not
/// take.
struct Forgery<'a> {
    route: &'static str,
    path: String,
    agent: &'a Agent,
    other: &'a Agent,
    fields: Vec<(String, String)>,
    /// The route takes files too (multipart), where the token is checked before any file.
    files: bool,
    effect: Effect,
}

fn with_csrf(fields: &[(String, String)], csrf: &str) -> Vec<(String, String)> {
    let mut out = vec![("csrf".to_owned(), csrf.to_owned())];
    out.extend_from_slice(fields);
    out
}

#[test]
fn every_form_that_changes_something_needs_its_own_sessions_csrf_token() {
    // The built-in channels, but complaints ask about retaliation right at closing, so the
    // check-in form is valid on the closed complaint below; and room for every API route's
    // refused claim code within a minute.
    let app = spawn_app_with(
        r#"
[limits]
claim_failures_per_minute_per_client = 100

[[channels]]
id = "report"
kind = "whistleblowing"
title = "Report"
[[channels.fields]]
id = "what"
label = "What happened?"
type = "textarea"
required = true

[[channels]]
id = "complaint"
kind = "complaint"
title = "Complaint"
checkin_days = [0]
[[channels.fields]]
id = "subject"
label = "Subject"
type = "text"
required = true
[[channels.fields]]
id = "description"
label = "Description"
type = "textarea"
required = true
"#,
    );
    app.add_officer(
        "alice@example.org",
        "Alice Admin",
        &["--admin", "--custodian"],
    );
    let bob = app.add_officer("bob@example.org", "Bob Handler", &[]);
    let with_identity = |what: &str| {
        let mut case = report(what);
        case["identity"] = json!({ "name": canary("name"), "contact": "by phone" });
        case
    };
    let code_asked = app.submit(with_identity("asked about on the case page"));
    let code_approve = app.submit(with_identity("a request to approve"));
    let code_deny = app.submit(with_identity("a request to deny"));
    let code_report = app.submit(report("the submitter writes"));
    // A complaint, to be closed so that its customer may rate it.
    let code_complaint = app.submit(json!({
        "channel": "complaint",
        "fields": { "subject": "Refund", "description": "Never arrived" },
        "contact": { "email": "customer@example.org", "consent": true }
    }));

    // Added after the cases, from the command line: holds none of them until granted.
    let erin = app.add_officer("erin@example.org", "Erin Late", &[]);

    let alice_token = officer_token(&app, "alice@example.org");
    let bob_token = officer_token(&app, "bob@example.org");
    let ask = |code: &str| -> String {
        let res = officer_api(
            &app,
            &bob_token,
            Method::POST,
            &format!(
                "/api/v1/officer/cases/{}/disclosure",
                case_id_of(&app, &bob_token, code)
            ),
            Some(json!({ "reason": "to call them back" })),
        );
        assert_eq!(res.status(), 201);
        res.json::<Value>().unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let to_approve = ask(&code_approve);
    let to_deny = ask(&code_deny);
    let complaint = case_id_of(&app, &alice_token, &code_complaint);
    for body in [
        json!({"status": "acknowledged"}),
        json!({"status": "closed", "outcome": "resolved", "summary": "Refunded."}),
    ] {
        let res = officer_api(
            &app,
            &alice_token,
            Method::POST,
            &format!("/api/v1/officer/cases/{complaint}/status"),
            Some(body),
        );
        assert_eq!(res.status(), 200);
    }

    let alice_page = Agent::officer(&app, "alice@example.org");
    let bob_page = Agent::officer(&app, "bob@example.org");
    let reporter = Agent::submitter(&app, &code_report);
    let customer = Agent::submitter(&app, &code_complaint);
    // Alice's account page holds a TOTP secret waiting to be confirmed: a right code for it
    // is what makes the enrolment form valid.
    let account = page_with(&app, &alice_page.cookie, "/officer/account");
    let totp = sealbox::crypto::totp::TotpSecret::from_base32(between(
        &account,
        "<code class=\"secret\">",
        "</code>",
    ))
    .unwrap();

    let case1 = case_id_of(&app, &alice_token, &code_asked);
    // Minutes of the reporter's case, for them to correct and approve.
    let reported = case_id_of(&app, &alice_token, &code_report);
    let res = officer_api(
        &app,
        &alice_token,
        Method::POST,
        &format!("/api/v1/officer/cases/{reported}/records"),
        Some(json!({ "kind": "minutes", "body": "what was said" })),
    );
    assert_eq!(res.status(), 201);
    let record = res.json::<Value>().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let linked_number = case_number_of(&app, &code_approve).to_string();
    let forgery = |route: &'static str,
                   path: String,
                   agent: &'static str,
                   fields: &[(&str, &str)]|
     -> (&'static str, String, &'static str, Vec<(String, String)>) {
        (route, path, agent, owned(fields))
    };
    // In an order where each success leaves the next forms valid: sign-outs last.
    let plan = vec![
        forgery(
            "/followup/messages",
            "/followup/messages".into(),
            "reporter",
            &[("body", "a forged message")],
        ),
        forgery(
            "/followup/identity",
            "/followup/identity".into(),
            "reporter",
            &[
                ("identity_name", "A Forged Name"),
                ("identity_contact", "forged"),
            ],
        ),
        forgery(
            "/followup/rating",
            "/followup/rating".into(),
            "customer",
            &[("score", "1"), ("comment", "forged")],
        ),
        forgery(
            "/followup/checkin",
            "/followup/checkin".into(),
            "customer",
            &[("retaliation", "none"), ("comment", "forged")],
        ),
        forgery(
            "/followup/contact/withdraw",
            "/followup/contact/withdraw".into(),
            "customer",
            &[],
        ),
        forgery(
            "/followup/notify",
            "/followup/notify".into(),
            "reporter",
            &[("email", "forged@example.org")],
        ),
        forgery(
            "/followup/notify/remove",
            "/followup/notify/remove".into(),
            "reporter",
            &[],
        ),
        forgery(
            "/followup/meeting",
            "/followup/meeting".into(),
            "reporter",
            &[("kind", "call"), ("availability", "forged times")],
        ),
        forgery(
            "/officer/cases/{id}/records/{record_id}",
            format!("/officer/cases/{reported}/records/{record}"),
            "alice",
            &[("body", "a forged version")],
        ),
        forgery(
            "/followup/records/{id}/comment",
            format!("/followup/records/{record}/comment"),
            "reporter",
            &[("body", "a forged correction")],
        ),
        forgery(
            "/followup/records/{id}/approve",
            format!("/followup/records/{record}/approve"),
            "reporter",
            &[],
        ),
        forgery(
            "/officer/cases/{id}/records",
            format!("/officer/cases/{case1}/records"),
            "alice",
            &[("kind", "transcript"), ("body", "a forged transcript")],
        ),
        forgery(
            "/officer/cases/{id}/triage",
            format!("/officer/cases/{case1}/triage"),
            "alice",
            &[("category", ""), ("priority", "critical")],
        ),
        forgery(
            "/officer/cases/{id}/links",
            format!("/officer/cases/{case1}/links"),
            "alice",
            &[("case", &linked_number)],
        ),
        forgery(
            "/officer/record",
            "/officer/record".into(),
            "alice",
            &[
                ("channel", "report"),
                ("source", "letter"),
                ("f_what", "a forged letter"),
            ],
        ),
        forgery(
            "/officer/cases/{id}/messages",
            format!("/officer/cases/{case1}/messages"),
            "alice",
            &[("body", "a forged reply")],
        ),
        forgery(
            "/officer/cases/{id}/notes",
            format!("/officer/cases/{case1}/notes"),
            "alice",
            &[("body", "a forged note")],
        ),
        forgery(
            "/officer/cases/{id}/status",
            format!("/officer/cases/{case1}/status"),
            "alice",
            &[("status", "acknowledged")],
        ),
        forgery(
            "/officer/cases/{id}/assign",
            format!("/officer/cases/{case1}/assign"),
            "alice",
            &[("officer_id", bob.as_str())],
        ),
        forgery(
            "/officer/cases/{id}/export",
            format!("/officer/cases/{case1}/export"),
            "alice",
            &[("recipient", "")],
        ),
        forgery(
            "/officer/cases/{id}/disclosure",
            format!("/officer/cases/{case1}/disclosure"),
            "bob",
            &[("reason", "a forged request")],
        ),
        forgery(
            "/officer/disclosures/{id}/approve",
            format!("/officer/disclosures/{to_approve}/approve"),
            "alice",
            &[],
        ),
        forgery(
            "/officer/disclosures/{id}/deny",
            format!("/officer/disclosures/{to_deny}/deny"),
            "alice",
            &[],
        ),
        forgery(
            "/officer/account/totp",
            "/officer/account/totp".into(),
            "alice",
            &[("code", "{totp}")],
        ),
        forgery(
            "/officer/account/password",
            "/officer/account/password".into(),
            "bob",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a forged new passphrase"),
            ],
        ),
        forgery(
            "/officer/admin/officers",
            "/officer/admin/officers".into(),
            "alice",
            &[
                ("email", "dave@example.org"),
                ("name", "Dave Forged"),
                ("channels", "complaint"),
            ],
        ),
        forgery(
            "/officer/admin/channels/{id}",
            "/officer/admin/channels/report".into(),
            "alice",
            &[
                ("kind", "whistleblowing"),
                ("title.en", "Forged"),
                ("f0.id", "what"),
                ("f0.type", "textarea"),
                ("f0.label.en", "What happened?"),
                ("action", "publish"),
            ],
        ),
        forgery(
            "/officer/admin/officers/{id}/channels",
            "/officer/admin/officers/{dave}/channels".into(),
            "alice",
            &[("channels", "report")],
        ),
        forgery(
            "/officer/admin/officers/{id}/reset",
            "/officer/admin/officers/{dave}/reset".into(),
            "alice",
            &[("confirm", "1")],
        ),
        forgery(
            "/officer/admin/officers/{id}/grant",
            format!("/officer/admin/officers/{erin}/grant"),
            "alice",
            &[],
        ),
        forgery(
            "/officer/admin/officers/{id}/disable",
            format!("/officer/admin/officers/{erin}/disable"),
            "alice",
            &[],
        ),
        forgery(
            "/officer/admin/officers/{id}/enable",
            format!("/officer/admin/officers/{erin}/enable"),
            "alice",
            &[],
        ),
        forgery(
            "/officer/admin/officers/{id}/promote",
            format!("/officer/admin/officers/{erin}/promote"),
            "alice",
            &[],
        ),
        forgery(
            "/officer/admin/officers/{id}/demote",
            format!("/officer/admin/officers/{erin}/demote"),
            "alice",
            &[],
        ),
        forgery(
            "/officer/account/language",
            "/officer/account/language".into(),
            "bob",
            &[("language", "de")],
        ),
        forgery(
            "/officer/admin/settings",
            "/officer/admin/settings".into(),
            "alice",
            &[("require_totp", "on")],
        ),
        forgery(
            "/officer/cases/{id}/discard",
            format!(
                "/officer/cases/{}/discard",
                case_id_of(&app, &alice_token, &code_deny)
            ),
            "alice",
            &[("reason", "junk"), ("confirm", "1")],
        ),
        forgery(
            "/followup/logout",
            "/followup/logout".into(),
            "reporter",
            &[],
        ),
        forgery("/officer/logout", "/officer/logout".into(), "bob", &[]),
    ];

    // Every page form that changes something is in the plan. The five that are not start a
    // session, make a case or use an enrolment link (the link is the credential): there is no
    // session yet to bind a token to, so the same-origin check (cross_site.rs) guards them.
    let before_sign_in = [
        "/report",
        "/complaint",
        "/followup",
        "/officer/login",
        "/officer/enrol/{token}",
    ];
    let planned: BTreeSet<&str> = plan.iter().map(|p| p.0).collect();
    for route in route_table().iter().filter(|r| r.post() && !r.api()) {
        assert!(
            planned.contains(route.path.as_str()) || before_sign_in.contains(&route.path.as_str()),
            "POST {} is not in this test's plan: add a valid form for it",
            route.path
        );
    }

    let forgeries: Vec<Forgery> = plan
        .into_iter()
        .map(|(route, path, who, fields)| {
            let (agent, other) = match who {
                "alice" => (&alice_page, &bob_page),
                "bob" => (&bob_page, &alice_page),
                "reporter" => (&reporter, &customer),
                _ => (&customer, &reporter),
            };
            let effect = match route {
                "/followup/logout" => Effect::SessionEnds {
                    page: "/followup",
                    shows: "name=\"body\"".into(),
                },
                // Bob must set up 2FA by now (the admin required it), so his account page
                // is the one page left open to him.
                "/officer/logout" => Effect::SessionEnds {
                    page: "/officer/account",
                    shows: "action=\"/officer/logout\"".into(),
                },
                _ => Effect::Stored,
            };
            Forgery {
                route,
                files: route.ends_with("/messages") || route.ends_with("/notes"),
                path,
                agent,
                other,
                fields,
                effect,
            }
        })
        .collect();

    for f in &forgeries {
        // Dave is the officer an earlier form in the plan adds.
        let path = if f.path.contains("{dave}") {
            f.path
                .replace("{dave}", &officer_id_of(&app, "dave@example.org"))
        } else {
            f.path.clone()
        };
        let fields: Vec<(String, String)> = f
            .fields
            .iter()
            .map(|(k, v)| {
                let v = if v == "{totp}" {
                    totp.code_at(now()).unwrap()
                } else {
                    v.clone()
                };
                (k.clone(), v)
            })
            .collect();
        let alive = |agent: &Agent| match &f.effect {
            Effect::SessionEnds { page, shows } => {
                let res = get_with(&app, &agent.cookie, page);
                res.status() == 200 && res.text().unwrap().contains(shows.as_str())
            }
            Effect::Stored => true,
        };
        assert!(
            alive(f.agent),
            "{}: the session works to begin with",
            f.route
        );
        let before = snapshot(&app);
        let attempts = [
            ("no token", fields.clone()),
            ("an empty token", with_csrf(&fields, "")),
            ("another session's token", with_csrf(&fields, &f.other.csrf)),
            (
                "a made-up token",
                with_csrf(&fields, "forged-token-forged-token"),
            ),
        ];
        for (how, form) in &attempts {
            let res = post_form_with(&app, &f.agent.cookie, &path, form);
            let what = format!("POST {} with {how}", f.route);
            assert_eq!(res.status(), 403, "{what}");
            assert_strict_headers(&headers_of(&res), false, &what);
            assert!(res.headers().get("set-cookie").is_none(), "{what}");
            assert!(is_csrf_refusal(&res.text().unwrap()), "{what}");
        }
        if f.files {
            for (how, form) in &attempts[2..] {
                let res = post_files_with(&app, &f.agent.cookie, &path, form, "forged file");
                assert_eq!(res.status(), 403, "POST {} with files and {how}", f.route);
            }
        }
        let after = snapshot(&app);
        assert!(
            changed(&before, &after).is_empty(),
            "POST {}: a refused form changed {:?}",
            f.route,
            changed(&before, &after)
        );
        assert!(
            alive(f.agent),
            "{}: a refused sign-out ended the session",
            f.route
        );

        // The same form with its own session's token goes through: the token alone decided.
        let res = post_form_with(
            &app,
            &f.agent.cookie,
            &path,
            &with_csrf(&fields, &f.agent.csrf),
        );
        let what = format!("POST {} with its token", f.route);
        assert!(
            res.status().is_success() || res.status() == 303,
            "{what}: {} {}",
            res.status(),
            res.text().unwrap_or_default()
        );
        assert_strict_headers(&headers_of(&res), false, &what);
        match f.effect {
            Effect::Stored => assert!(
                !changed(&before, &snapshot(&app)).is_empty(),
                "{what}: changed nothing, so the refusals above prove nothing"
            ),
            Effect::SessionEnds { .. } => assert!(!alive(f.agent), "{what}: still signed in"),
        }
    }

    // The API takes no CSRF token because no cookie opens it: every API route that changes
    // something, sent with both kinds of session cookie and no bearer token, is refused.
    let cookies = format!(
        "{}; {}",
        alice_page.cookie,
        Agent::submitter(&app, &code_report).cookie
    );
    let before = snapshot(&app);
    let mut tried = 0;
    for route in route_table().iter().filter(|r| r.post() && r.api()) {
        if ["/api/v1/cases", "/api/v1/officer/login"].contains(&route.path.as_str()) {
            continue; // open to anyone by design: a new case, a sign-in
        }
        let path = route
            .path
            .replace("{id}", &case1)
            .replace("{file_id}", "none");
        let rb = bare()
            .request(route.http_method(), app.url(&path))
            .header("Cookie", &cookies);
        let res = match api_body(route) {
            Some(body) => rb.json(&body).send().unwrap(),
            None => rb.multipart(planted_file()).send().unwrap(),
        };
        assert_eq!(res.status(), 401, "POST {} with cookies only", route.path);
        tried += 1;
    }
    assert!(tried >= 10);
    assert!(changed(&before, &snapshot(&app)).is_empty());
}
