//! Sealed identity disclosure: a reporter's identity is sealed to its own key, held only by
//! custodians (and the recovery recipient); a handler reads it only after a custodian approved
//! their request, and the reporter sees when that happened.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

/// A handler of the report channel, and a custodian who handles only complaints, so holds no
/// report of their own: (handler token, custodian token, custodian id).
fn people(app: &TestApp) -> (String, String, String) {
    app.add_officer("h@example.org", "Hana Handler", &["--channels", "report"]);
    let custodian = app.add_officer(
        "c@example.org",
        "Cleo Custodian",
        &["--custodian", "--channels", "complaint"],
    );
    (
        officer_token(app, "h@example.org"),
        officer_token(app, "c@example.org"),
        custodian,
    )
}

/// With the whole database and the handler's password, try every key the handler can reach
/// on the sealed identity: `true` if any opens it.
fn handler_can_open_identity(app: &TestApp, email: &str, case_id: &str) -> bool {
    use sealbox::crypto::{keys, seal};
    let db = app.db();
    let (officer_id, sealed_key): (String, Vec<u8>) = db
        .query_row(
            "SELECT id, sealed_key FROM officers WHERE email = ?1",
            [email],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let officer = keys::unwrap_officer_key(&sealed_key, &PASSWORD.to_owned().into()).unwrap();
    let sealed_identity: Vec<u8> = db
        .query_row(
            "SELECT sealed_identity FROM cases WHERE id = ?1",
            [case_id],
            |r| r.get(0),
        )
        .unwrap();
    let mut reachable = vec![officer.clone()];
    let mut grants = db
        .prepare(
            "SELECT sealed FROM grants WHERE officer_id = ?1 AND case_id = ?2
             UNION ALL SELECT sealed FROM identity_grants WHERE officer_id = ?1 AND case_id = ?2",
        )
        .unwrap();
    let sealed: Vec<Vec<u8>> = grants
        .query_map([&officer_id, case_id], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    reachable.extend(
        sealed
            .iter()
            .filter_map(|g| keys::open_grant(g, &officer).ok()),
    );
    reachable
        .iter()
        .any(|key| seal::open(&sealed_identity, key).is_ok())
}

fn audit_actions(app: &TestApp) -> Vec<String> {
    let db = app.db();
    let mut stmt = db
        .prepare("SELECT action FROM audit_log ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_handler_reads_the_identity_only_after_a_custodian_approves() {
    let app = spawn_app();
    let (handler, custodian, custodian_id) = people(&app);
    let name = canary("identity-name");
    let contact = canary("identity-contact");
    let mut case = report("the books are cooked");
    case["identity"] = json!({ "name": name, "contact": contact });
    let code = app.submit(case);
    let id = only_case_id(&app, &handler);

    // Only the custodian holds the identity key; the handler holds the case, not the identity.
    let holders: Vec<(String, Option<String>)> = {
        let db = app.db();
        let mut stmt = db
            .prepare(
                "SELECT via, officer_id FROM identity_grants
                 WHERE case_id = ?1 AND holder = 'officer'",
            )
            .unwrap();
        stmt.query_map([&id], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(holders, [("custodian".to_owned(), Some(custodian_id))]);
    let seen = officer_case(&app, &handler, &id);
    assert!(seen["identity"]["given_at"].is_string());
    assert!(seen["identity"]["name"].is_null() && seen["identity"]["contact"].is_null());
    assert_eq!(seen["identity"]["may_request"], true);
    assert!(!handler_can_open_identity(&app, "h@example.org", &id));

    // The request: a reason is required, and one at a time.
    let ask = |body: Value| {
        officer_api(
            &app,
            &handler,
            Method::POST,
            &format!("/api/v1/officer/cases/{id}/disclosure"),
            Some(body),
        )
    };
    assert_eq!(ask(json!({ "reason": "  " })).status(), 422);
    let reason = canary("identity-reason");
    let res = ask(json!({ "reason": reason }));
    assert_eq!(res.status(), 201);
    let request: String = res.json::<Value>().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(ask(json!({ "reason": "again" })).status(), 409);

    // A handler cannot decide, not even their own; the request alone grants nothing.
    let decide = |token: &str, decision: &str| {
        officer_api(
            &app,
            token,
            Method::POST,
            &format!("/api/v1/officer/disclosures/{request}"),
            Some(json!({ "decision": decision })),
        )
    };
    assert_eq!(decide(&handler, "approve").status(), 403);
    assert_eq!(
        officer_api(
            &app,
            &handler,
            Method::GET,
            "/api/v1/officer/disclosures",
            None
        )
        .status(),
        403
    );
    assert!(!handler_can_open_identity(&app, "h@example.org", &id));
    assert!(officer_case(&app, &handler, &id)["identity"]["name"].is_null());

    // The custodian reads the reason and approves.
    let list: Value = officer_api(
        &app,
        &custodian,
        Method::GET,
        "/api/v1/officer/disclosures",
        None,
    )
    .json()
    .unwrap();
    assert_eq!(list["disclosures"][0]["reason"], reason.as_str());
    assert_eq!(list["disclosures"][0]["state"], "pending");
    assert_eq!(decide(&custodian, "maybe").status(), 422);
    assert_eq!(decide(&custodian, "approve").status(), 200);
    assert_eq!(decide(&custodian, "deny").status(), 409);

    let seen = officer_case(&app, &handler, &id);
    assert_eq!(seen["identity"]["name"], name.as_str());
    assert_eq!(seen["identity"]["contact"], contact.as_str());
    assert_eq!(seen["identity"]["requests"][0]["state"], "approved");
    assert!(handler_can_open_identity(&app, "h@example.org", &id));

    // The reporter sees that it was disclosed, to a role, never a name.
    let followup: Value = app.followup_api(&code).json().unwrap();
    let disclosed = &followup["identity"]["disclosed"];
    assert_eq!(disclosed.as_array().unwrap().len(), 1);
    assert_eq!(disclosed[0]["to"], "a case handler");
    assert!(!followup.to_string().contains("Hana"));

    let actions = audit_actions(&app);
    for step in ["disclosure_requested", "disclosure_approved"] {
        assert!(actions.iter().any(|a| a == step), "{step} not audited");
    }
    // Nowhere in clear: not in the database, the files, or the logs.
    for secret in [&name, &contact, &reason] {
        assert_nowhere_in(&app.data_dir(), secret);
        assert!(!app.logs().contains(secret.as_str()));
    }
}

#[test]
fn a_denied_request_grants_nothing_and_losing_the_case_loses_the_identity() {
    let channel = |id: &str, kind: &str| {
        format!(
            "[[channels]]\nid = \"{id}\"\nkind = \"{kind}\"\ntitle = \"{id}\"\n\
             [[channels.fields]]\nid = \"what\"\nlabel = \"What?\"\ntype = \"text\"\n"
        )
    };
    let app = spawn_app_with(&format!(
        "{}{}{}",
        channel("report", "whistleblowing"),
        channel("complaint", "complaint"),
        channel("other", "whistleblowing")
    ));
    let (handler, custodian, _) = people(&app);
    let mut case = report("x");
    case["identity"] = json!({ "name": "Rosa Reporter" });
    let code = app.submit(case);
    let id = only_case_id(&app, &handler);
    let ask = || {
        let res = officer_api(
            &app,
            &handler,
            Method::POST,
            &format!("/api/v1/officer/cases/{id}/disclosure"),
            Some(json!({ "reason": "we need to interview the witness" })),
        );
        assert_eq!(res.status(), 201);
        res.json::<Value>().unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let decide = |request: &str, decision: &str| {
        officer_api(
            &app,
            &custodian,
            Method::POST,
            &format!("/api/v1/officer/disclosures/{request}"),
            Some(json!({ "decision": decision })),
        )
        .status()
    };
    let first = ask();
    assert_eq!(decide(&first, "deny"), 200);
    assert!(officer_case(&app, &handler, &id)["identity"]["name"].is_null());
    assert!(!handler_can_open_identity(&app, "h@example.org", &id));
    assert_eq!(
        app.followup_api(&code).json::<Value>().unwrap()["identity"]["disclosed"],
        json!([])
    );
    assert!(audit_actions(&app).iter().any(|a| a == "disclosure_denied"));

    // Asked again and approved, then moved off the channel: the identity goes with the case.
    let second = ask();
    assert_eq!(decide(&second, "approve"), 200);
    assert_eq!(
        officer_case(&app, &handler, &id)["identity"]["name"],
        "Rosa Reporter"
    );
    app.add_officer("a@example.org", "Ada Admin", &["--admin"]);
    let browser = officer_browser(&app, "a@example.org");
    let admin_page = browser
        .get(app.url("/officer/admin"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let handler_id = officer_id_of(&app, "h@example.org");
    let res = browser
        .post(app.url(&format!("/officer/admin/officers/{handler_id}/channels")))
        .form(&[
            ("csrf", csrf_in(&admin_page).as_str()),
            ("channels", "other"),
            ("confirm", "1"),
        ])
        .send()
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let left: i64 = app
        .db()
        .query_row(
            "SELECT COUNT(*) FROM identity_grants WHERE officer_id = ?1",
            [&handler_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0);
}

#[test]
fn reporters_give_their_identity_on_the_pages_and_officers_ask_on_theirs() {
    let app = spawn_app();
    let (handler_token, _, _) = people(&app);
    // The report form offers it; the complaint form does not.
    let form = app.get("/report").text().unwrap();
    assert!(form.contains("name=\"identity_name\""));
    assert!(!app
        .get("/complaint")
        .text()
        .unwrap()
        .contains("identity_name"));

    let code = app.submit(report("anonymous at first"));
    let id = only_case_id(&app, &handler_token);
    assert_eq!(app.post_form("/followup", &[("code", &code)]).status(), 303);
    let page = app.get("/followup").text().unwrap();
    assert!(page.contains("You have not said who you are"));
    let csrf = csrf_in(&page);
    let res = app.post_form(
        "/followup/identity",
        &[
            ("csrf", &csrf),
            ("identity_name", ""),
            ("identity_contact", "only this"),
        ],
    );
    assert_eq!(res.status(), 422);
    let name = canary("later-name");
    let res = app.post_form(
        "/followup/identity",
        &[
            ("csrf", &csrf),
            ("identity_name", &name),
            ("identity_contact", "+49 30 1234"),
        ],
    );
    assert_eq!(res.status(), 303);
    let page = app.get("/followup").text().unwrap();
    assert!(page.contains("You gave your name and contact on"));
    assert!(
        !page.contains(&name),
        "the reporter's page does not show it back"
    );
    assert!(page.contains("has not been disclosed"));

    // The handler asks on the case page; the custodian approves on theirs.
    let handler = officer_browser(&app, "h@example.org");
    let case_page = handler
        .get(app.url(&format!("/officer/cases/{id}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(case_page.contains("Ask a custodian") && !case_page.contains(&name));
    let res = handler
        .post(app.url(&format!("/officer/cases/{id}/disclosure")))
        .form(&[
            ("csrf", csrf_in(&case_page).as_str()),
            ("reason", "to protect them"),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status(), 303);
    let custodian = officer_browser(&app, "c@example.org");
    let list = custodian
        .get(app.url("/officer/disclosures"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(list.contains("to protect them") && list.contains("Hana Handler"));
    let request = between(&list, "action=\"/officer/disclosures/", "/approve").to_owned();
    let forged = custodian
        .post(app.url(&format!("/officer/disclosures/{request}/approve")))
        .form(&[("csrf", "nope")])
        .send()
        .unwrap();
    assert_eq!(forged.status(), 403);
    let res = custodian
        .post(app.url(&format!("/officer/disclosures/{request}/approve")))
        .form(&[("csrf", csrf_in(&list).as_str())])
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().unwrap().contains("Approved"));
    let case_page = handler
        .get(app.url(&format!("/officer/cases/{id}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(case_page.contains(&name));
    let page = app.get("/followup").text().unwrap();
    assert!(page.contains("Disclosed to a case handler on"));
    // The printable page (and so an export) never carries the identity.
    let print = handler
        .get(app.url(&format!("/officer/cases/{id}/print")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let number = case_number_of(&app, &code);
    assert!(print.contains("to protect them") || print.contains(&format!("#{number}")));
    assert!(!print.contains(&name));

    // A handler who is no custodian gets no requests page.
    assert_eq!(
        handler
            .get(app.url("/officer/disclosures"))
            .send()
            .unwrap()
            .status(),
        403
    );
}

#[test]
fn channels_that_take_no_identity_refuse_one() {
    let app = spawn_app();
    app.add_officer("h@example.org", "Hana Handler", &[]);
    let res = app.post_json(
        "/api/v1/cases",
        &json!({"channel": "complaint", "fields": {"subject": "s", "description": "late"},
                "identity": {"name": "Carl Customer"}}),
    );
    assert_eq!(res.status(), 422);
    let code = app
        .submit(json!({"channel": "complaint", "fields": {"subject": "s", "description": "late"}}));
    let res = app
        .client
        .post(app.url("/api/v1/followup/identity"))
        .bearer_auth(&code)
        .json(&json!({ "name": "Carl Customer" }))
        .send()
        .unwrap();
    assert_eq!(res.status(), 409);
    assert!(app.followup_api(&code).json::<Value>().unwrap()["identity"].is_null());
    let long = "x".repeat(201);
    let mut case = report("y");
    case["identity"] = json!({ "name": long });
    assert_eq!(app.post_json("/api/v1/cases", &case).status(), 422);
}

#[test]
fn a_custodian_added_later_gets_the_identity_keys_through_the_recovery_identity() {
    let keys = tempfile::tempdir().unwrap();
    let recovery = age_keygen(keys.path(), "recovery.txt");
    let app = spawn_app_with(&format!("recovery_recipient = \"{recovery}\"\n"));
    let (handler, _, _) = people(&app);
    let mut case = report("x");
    case["identity"] = json!({ "name": "Rosa Reporter" });
    app.submit(case);
    let id = only_case_id(&app, &handler);
    let res = officer_api(
        &app,
        &handler,
        Method::POST,
        &format!("/api/v1/officer/cases/{id}/disclosure"),
        Some(json!({ "reason": "legal hold" })),
    );
    assert_eq!(res.status(), 201);

    app.add_officer(
        "d@example.org",
        "Dora Deputy",
        &["--custodian", "--channels", "complaint"],
    );
    let deputy = officer_token(&app, "d@example.org");
    let list: Value = officer_api(
        &app,
        &deputy,
        Method::GET,
        "/api/v1/officer/disclosures",
        None,
    )
    .json()
    .unwrap();
    assert_eq!(
        list["disclosures"],
        json!([]),
        "no key yet, so not even the request is listed"
    );

    let out = app.cli_with_stdin(
        &[
            "officer",
            "grant",
            "--email",
            "d@example.org",
            "--recovery-identity",
            keys.path().join("recovery.txt").to_str().unwrap(),
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("identity keys granted: 1"));
    let list: Value = officer_api(
        &app,
        &deputy,
        Method::GET,
        "/api/v1/officer/disclosures",
        None,
    )
    .json()
    .unwrap();
    assert_eq!(list["disclosures"][0]["reason"], "legal hold");
}

#[test]
fn no_identity_is_taken_while_nobody_could_read_it() {
    let app = spawn_bare_app("");
    app.add_officer("h@example.org", "Hana Handler", &[]);
    assert!(!app.get("/report").text().unwrap().contains("identity_name"));
    let mut case = report("x");
    case["identity"] = json!({ "name": "Rosa Reporter" });
    let res = app.post_json("/api/v1/cases", &case);
    assert_eq!(res.status(), 409);
    assert_eq!(app.case_count(), 0);
    let code = app.submit(report("y"));
    let res = app
        .client
        .post(app.url("/api/v1/followup/identity"))
        .bearer_auth(&code)
        .json(&json!({ "name": "Rosa Reporter" }))
        .send()
        .unwrap();
    assert_eq!(res.status(), 409);

    // Once a custodian exists, the form offers it again.
    app.add_officer("c@example.org", "Cleo Custodian", &["--custodian"]);
    assert!(app.get("/report").text().unwrap().contains("identity_name"));
}

#[test]
fn reporters_may_keep_a_custodian_out_and_admins_cannot_make_custodians() {
    let app = spawn_app();
    let (_, _, custodian_id) = people(&app);
    // A custodian is among the people a reporter may exclude on an identity-taking channel.
    let channels: Value = app.get("/api/v1/channels").json().unwrap();
    let report = channels["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "report")
        .unwrap();
    assert!(report["officers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["id"] == custodian_id.as_str()));
    let mut case = crate::helpers::report("it is about the custodian");
    case["identity"] = json!({ "name": "Rosa Reporter" });
    case["exclude_officers"] = json!([custodian_id]);
    app.submit(case);
    let held: i64 = app
        .db()
        .query_row(
            "SELECT COUNT(*) FROM identity_grants WHERE officer_id = ?1",
            [&custodian_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(held, 0);

    // An admin who is no custodian cannot create one; disabling a custodian suspends them and
    // keeps their identity keys, sealed, for when they are enabled again.
    app.add_officer("a@example.org", "Ada Admin", &["--admin"]);
    let admin = officer_browser(&app, "a@example.org");
    let page = admin
        .get(app.url("/officer/admin"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(!page.contains("name=\"custodian\""));
    let csrf = csrf_in(&page);
    let res = admin
        .post(app.url("/officer/admin/officers"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "m@example.org"),
            ("name", "Mallory"),
            ("channels", ""),
            ("custodian", "1"),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status(), 403);
    let mut second = crate::helpers::report("another");
    second["identity"] = json!({ "name": "Sam Source" });
    app.submit(second);
    let held = || -> i64 {
        app.db()
            .query_row(
                "SELECT COUNT(*) FROM identity_grants WHERE officer_id = ?1",
                [&custodian_id],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(held(), 1);
    let res = admin
        .post(app.url(&format!("/officer/admin/officers/{custodian_id}/disable")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .unwrap();
    assert!(
        res.status().is_success() || res.status() == 303,
        "{}",
        res.status()
    );
    assert_eq!(held(), 1);
}

#[test]
fn the_follow_up_page_offers_the_identity_form_only_when_it_can_succeed() {
    // A report taken while nobody could hold an identity: its case has no identity key holder.
    let app = spawn_bare_app("");
    app.add_officer("h@example.org", "Hana Handler", &[]);
    let code = app.submit(report("no holder"));
    let browser = followup_browser(&app, &code);
    let page = browser
        .get(app.url("/followup"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(!page.contains("identity_name"), "{page}");
    assert!(page.contains("No identity custodian can receive"), "{page}");

    // With a custodian from the start, the form is there; a refusal comes back beside it, in
    // the page's language, with what was typed.
    let app = spawn_app();
    app.add_officer("c@example.org", "Cleo Custodian", &["--custodian"]);
    let code = app.submit(report("a holder"));
    let browser = followup_browser(&app, &code);
    let page = browser
        .get(app.url("/followup?lang=de"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("identity_name"), "{page}");
    let csrf = csrf_in(&page);
    let long_contact = "x".repeat(600);
    let res = browser
        .post(app.url("/followup/identity?lang=de"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("identity_name", "Rosa Reporter"),
            ("identity_contact", long_contact.as_str()),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().unwrap();
    assert!(page.contains("value=\"Rosa Reporter\""), "{page}");
    assert!(page.contains("id=\"identity_error\""), "{page}");
    assert!(page.contains("lang=\"de\""), "{page}");
}
