//! Insiders, admins included, tried as they would try it: a reset to take over an account, a
//! sock-puppet account, a reset of a custodian, a click that would destroy access. Each attack
//! must fail, through the real server, with real SMTP, SQLite and age files.

use reqwest::blocking::Client;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::mail::{body_of, mail_config, smtp_server, wait_for};

/// The passphrase an insider chooses when they use a link meant for someone else.
const TAKEN: &str = "an insider's chosen words";

/// The enrolment link an admin page shows (once).
pub(crate) fn enrol_url_in(html: &str) -> String {
    between(html, "<code class=\"enrol-url\">", "</code>").to_owned()
}

/// The path of an enrolment link (its host is the configured `public_url`).
fn path_of(_app: &TestApp, url: &str) -> String {
    let at = url
        .find("/officer/enrol/")
        .unwrap_or_else(|| panic!("{url} is not an enrolment link"));
    url[at..].to_owned()
}

/// Uses an enrolment link the way a browser would: opens it, sets `password`.
pub(crate) fn enrol(app: &TestApp, url: &str, password: &str) {
    let path = path_of(app, url);
    let page = app.get(&path);
    assert_eq!(page.status(), 200);
    assert!(page.text().unwrap().contains("name=\"repeat_password\""));
    let res = app.post_form(
        &path,
        &[("password", password), ("repeat_password", password)],
    );
    assert_eq!(res.status(), 200);
    assert!(res.text().unwrap().contains("Your password is set"));
}

/// Signs in through the API with a password; the bearer token.
pub(crate) fn token_with(app: &TestApp, email: &str, password: &str) -> String {
    let res = app.post_json(
        "/api/v1/officer/login",
        &json!({ "email": email, "password": password }),
    );
    assert_eq!(res.status(), 200, "{}", res.text().unwrap_or_default());
    res.json::<Value>().unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// An admin adds an officer through the API; their id and enrolment link.
fn api_add(app: &TestApp, admin: &str, body: Value) -> (String, String) {
    let res = officer_api(
        app,
        admin,
        Method::POST,
        "/api/v1/officer/admin/officers",
        Some(body),
    );
    assert_eq!(res.status(), 201, "{}", res.text().unwrap_or_default());
    let out: Value = res.json().unwrap();
    (
        out["id"].as_str().unwrap().to_owned(),
        out["enrol_url"].as_str().unwrap().to_owned(),
    )
}

fn api_reset(app: &TestApp, admin: &str, id: &str) -> reqwest::blocking::Response {
    officer_api(
        app,
        admin,
        Method::POST,
        &format!("/api/v1/officer/admin/officers/{id}/reset"),
        None,
    )
}

/// "Grant cases" on the admin page, by a signed-in admin browser; the page it answers with.
pub(crate) fn grant_on_page(app: &TestApp, admin: &Client, id: &str) -> String {
    let page = admin.get(app.url("/officer/admin")).send().unwrap();
    let csrf = csrf_in(&page.text().unwrap());
    let res = admin
        .post(app.url(&format!("/officer/admin/officers/{id}/grant")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    res.text().unwrap()
}

fn holds(app: &TestApp, officer_id: &str, case_id: &str) -> bool {
    app.db()
        .query_row(
            "SELECT COUNT(*) FROM grants WHERE officer_id = ?1 AND case_id = ?2 AND key = 'case'",
            [officer_id, case_id],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
        > 0
}

fn holds_identity(app: &TestApp, officer_id: &str, case_id: &str) -> bool {
    app.db()
        .query_row(
            "SELECT COUNT(*) FROM identity_grants WHERE officer_id = ?1 AND case_id = ?2",
            [officer_id, case_id],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
        > 0
}

fn grants_of(app: &TestApp, officer_id: &str) -> i64 {
    app.db()
        .query_row(
            "SELECT COUNT(*) FROM grants WHERE officer_id = ?1",
            [officer_id],
            |r| r.get(0),
        )
        .unwrap()
}

/// A report that keeps `excluded` out.
fn report_excluding(what: &str, excluded: &[&str]) -> Value {
    json!({ "channel": "report", "fields": { "what": what }, "exclude_officers": excluded })
}

/// What an officer's API session sees of a case: its status code, and its body.
fn read_case(app: &TestApp, token: &str, case_id: &str) -> (u16, String) {
    let res = officer_api(
        app,
        token,
        Method::GET,
        &format!("/api/v1/officer/cases/{case_id}"),
        None,
    );
    (res.status().as_u16(), res.text().unwrap())
}

fn inbox_text(app: &TestApp, token: &str) -> String {
    officer_api(app, token, Method::GET, "/api/v1/officer/cases", None)
        .text()
        .unwrap()
}

fn recovery_app() -> (TestApp, tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let recovery = sealbox::crypto::KeyPair::generate();
    let file = dir.path().join("recovery.txt");
    std::fs::write(
        &file,
        secrecy::ExposeSecret::expose_secret(&recovery.secret.to_secret_string()),
    )
    .unwrap();
    let app = spawn_app_with(&format!("recovery_recipient = \"{}\"\n", recovery.public));
    (app, dir, file.to_str().unwrap().to_owned())
}

fn recovery_grant(app: &TestApp, email: &str, identity_file: &str) -> String {
    let out = app.cli_with_stdin(
        &[
            "officer",
            "grant",
            "--email",
            email,
            "--recovery-identity",
            identity_file,
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_reset_does_not_carry_the_admin_who_did_it_to_a_case_that_excluded_them() {
    let (smtp, inbox) = smtp_server(0);
    let app = spawn_app_with(&mail_config(smtp, ""));
    let x = app.add_officer("x@example.org", "Xavier Manager", &["--admin"]);
    app.add_officer("y@example.org", "Yara Admin", &["--admin"]);
    let b = app.add_officer("b@example.org", "Bea Handler", &[]);
    let secret = canary("about-x");
    let code = app.submit(report_excluding(&secret, &[&x]));
    // Yara holds every case here: she finds them by their claim codes.
    let y_token = officer_token(&app, "y@example.org");
    let case = case_id_of(&app, &y_token, &code);
    let number = case_number_of(&app, &code);
    assert!(holds(&app, &b, &case) && !holds(&app, &x, &case));

    // X resets B: X gets the link (and B is told by mail), and uses it first.
    let x_token = officer_token(&app, "x@example.org");
    let b_token = officer_token(&app, "b@example.org");
    let res = api_reset(&app, &x_token, &b);
    assert_eq!(res.status(), 200);
    let link = res.json::<Value>().unwrap()["enrol_url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        officer_api(&app, &b_token, Method::GET, "/api/v1/officer/cases", None).status(),
        401,
        "B's sessions ended with the reset"
    );
    assert_eq!(grants_of(&app, &b), 0, "the old key's grants are of no use");
    enrol(&app, &link, TAKEN);

    // B hears of the reset over SMTP, with the link and who did it, and of the new password.
    let mails_to_b = || -> Vec<String> {
        inbox
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.to.iter().any(|t| t.contains("b@example.org")))
            .map(body_of)
            .collect()
    };
    wait_for("the reset and enrolment mails", 20, || {
        let mails = mails_to_b();
        mails.iter().any(|m| m.contains("reset your account"))
            && mails
                .iter()
                .any(|m| m.contains("A new password and key were just set"))
    });
    let mails = mails_to_b();
    let reset_mail = mails
        .iter()
        .find(|m| m.contains("reset your account"))
        .unwrap();
    assert!(reset_mail.contains("Xavier Manager") && reset_mail.contains(&link));
    assert!(mails.iter().all(|m| !m.contains(&secret)));

    // Another admin passes B every case they can: not the one that excluded X.
    let y = officer_browser(&app, "y@example.org");
    let page = grant_on_page(&app, &y, &b);
    assert!(
        page.contains(&format!("Excluded by the submitter: #{number}")),
        "{page}"
    );
    assert!(!holds(&app, &b, &case));

    // X, signed in as B, cannot read it, list it, or tell that it exists.
    let as_b = token_with(&app, "b@example.org", TAKEN);
    let (status, body) = read_case(&app, &as_b, &case);
    assert!(status == 403 || status == 404, "{status}");
    assert!(!body.contains(&secret));
    assert!(!inbox_text(&app, &as_b).contains(&case));

    // A later case that excludes X does not reach the key X enrolled either; one that does
    // not exclude X does (so the rule, not a broken grant, keeps the first one out).
    let later = app.submit(report_excluding("later, about x", &[&x]));
    assert!(!holds(&app, &b, &case_id_of(&app, &y_token, &later)));
    let other = app.submit(report("not about x"));
    assert!(holds(&app, &b, &case_id_of(&app, &y_token, &other)));
}

#[test]
fn only_a_custodian_resets_a_custodian() {
    let app = spawn_app();
    app.add_officer("x@example.org", "Xavier Manager", &["--admin"]);
    app.add_officer(
        "z@example.org",
        "Zoe Custodian Admin",
        &["--admin", "--custodian"],
    );
    let c = app.add_officer("c@example.org", "Cleo Custodian", &["--custodian"]);
    let x_token = officer_token(&app, "x@example.org");
    let before: String = app
        .db()
        .query_row("SELECT public_key FROM officers WHERE id = ?1", [&c], |r| {
            r.get(0)
        })
        .unwrap();

    let res = api_reset(&app, &x_token, &c);
    assert_eq!(res.status(), 403);
    assert_eq!(res.json::<Value>().unwrap()["error"], "forbidden");
    // Nor on the page, confirmed or not (and the page offers no button for it).
    let x = officer_browser(&app, "x@example.org");
    let page = x
        .get(app.url("/officer/admin"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(!page.contains(&format!("/officer/admin/officers/{c}/reset")));
    let csrf = csrf_in(&page);
    for form in [
        vec![("csrf", csrf.as_str())],
        vec![("csrf", csrf.as_str()), ("confirm", "1")],
    ] {
        let res = x
            .post(app.url(&format!("/officer/admin/officers/{c}/reset")))
            .form(&form)
            .send()
            .unwrap();
        assert_eq!(res.status(), 403);
    }
    let after: String = app
        .db()
        .query_row("SELECT public_key FROM officers WHERE id = ?1", [&c], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(before, after);
    // A custodian can still log in: the refusals changed nothing.
    officer_token(&app, "c@example.org");

    let z_token = officer_token(&app, "z@example.org");
    assert_eq!(api_reset(&app, &z_token, &c).status(), 200);
}

#[test]
fn a_sock_puppet_never_gets_a_case_that_excluded_its_maker() {
    let (app, _dir, recovery) = recovery_app();
    let x = app.add_officer("x@example.org", "Xavier Manager", &["--admin"]);
    app.add_officer("y@example.org", "Yara Admin", &["--admin"]);
    let secret = canary("about-x");
    let code = app.submit(report_excluding(&secret, &[&x]));
    // Yara holds every case here: she finds them by their claim codes.
    let y_token = officer_token(&app, "y@example.org");
    let case = case_id_of(&app, &y_token, &code);
    let number = case_number_of(&app, &code);

    // X makes "Compliance desk", an admin too, and enrols it; the puppet makes another.
    let x_token = officer_token(&app, "x@example.org");
    let (puppet, link) = api_add(
        &app,
        &x_token,
        json!({ "email": "desk@example.org", "name": "Compliance desk", "admin": true }),
    );
    enrol(&app, &link, TAKEN);
    let puppet_token = token_with(&app, "desk@example.org", TAKEN);
    let (second, link) = api_add(
        &app,
        &puppet_token,
        json!({ "email": "desk2@example.org", "name": "Compliance desk 2" }),
    );
    enrol(&app, &link, TAKEN);

    // Both re-grant paths pass the case to neither.
    let y = officer_browser(&app, "y@example.org");
    for id in [&puppet, &second] {
        let page = grant_on_page(&app, &y, id);
        assert!(
            page.contains(&format!("Excluded by the submitter: #{number}")),
            "{page}"
        );
        let out = recovery_grant(
            &app,
            if id == &puppet {
                "desk@example.org"
            } else {
                "desk2@example.org"
            },
            &recovery,
        );
        assert!(
            out.contains(&format!("excluded by the submitter: #{number}")),
            "{out}"
        );
        assert!(!holds(&app, id, &case));
    }
    for email in ["desk@example.org", "desk2@example.org"] {
        let token = token_with(&app, email, TAKEN);
        let (status, body) = read_case(&app, &token, &case);
        assert!(status == 403 || status == 404, "{status}");
        assert!(!body.contains(&secret));
    }

    // Another admin resetting the puppet does not launder it: its links go to the address X
    // chose, so every key of the account stays X's.
    let res = api_reset(&app, &y_token, &puppet);
    assert_eq!(res.status(), 200);
    let link = res.json::<Value>().unwrap()["enrol_url"]
        .as_str()
        .unwrap()
        .to_owned();
    enrol(&app, &link, TAKEN);
    let page = grant_on_page(&app, &y, &puppet);
    assert!(
        page.contains(&format!("Excluded by the submitter: #{number}")),
        "{page}"
    );
    assert!(!holds(&app, &puppet, &case));

    // A later case excluding X goes to neither at intake; one that does not goes to both.
    let later = case_id_of(
        &app,
        &y_token,
        &app.submit(report_excluding("later, about x", &[&x])),
    );
    assert!(!holds(&app, &puppet, &later) && !holds(&app, &second, &later));
    let other = case_id_of(&app, &y_token, &app.submit(report("not about x")));
    assert!(holds(&app, &puppet, &other) && holds(&app, &second, &other));

    // The list a reporter may exclude from is unchanged: the people, not their makers.
    let channels: Value = app.get("/api/v1/channels").json().unwrap();
    let names: Vec<&str> = channels["channels"][0]["officers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Compliance desk") && names.contains(&"Xavier Manager"),
        "{names:?}"
    );
}

#[test]
fn a_puppet_custodian_never_gets_the_identity_of_a_reporter_who_excluded_its_maker() {
    let (app, _dir, recovery) = recovery_app();
    let x = app.add_officer(
        "x@example.org",
        "Xavier Custodian",
        &["--admin", "--custodian"],
    );
    app.add_officer("h@example.org", "Hana Handler", &[]);
    // Hana holds every case here: she finds them by their claim codes.
    let h_token = officer_token(&app, "h@example.org");
    let mut case = report_excluding("about x", &[&x]);
    case["identity"] = json!({ "name": canary("reporter"), "contact": "by phone" });
    let first = case_id_of(&app, &h_token, &app.submit(case));

    let x_token = officer_token(&app, "x@example.org");
    let (puppet, link) = api_add(
        &app,
        &x_token,
        json!({ "email": "p@example.org", "name": "Pat Custodian", "custodian": true }),
    );
    enrol(&app, &link, TAKEN);
    recovery_grant(&app, "p@example.org", &recovery);
    assert!(!holds_identity(&app, &puppet, &first));

    let mut later = report_excluding("later, about x", &[&x]);
    later["identity"] = json!({ "name": canary("reporter"), "contact": "by mail" });
    let later = case_id_of(&app, &h_token, &app.submit(later));
    assert!(!holds_identity(&app, &puppet, &later));
    let mut other = report("not about x");
    other["identity"] = json!({ "name": canary("reporter"), "contact": "by mail" });
    let other = case_id_of(&app, &h_token, &app.submit(other));
    assert!(holds_identity(&app, &puppet, &other));
}

#[test]
fn disabling_the_only_holder_suspends_and_enabling_restores() {
    // No recovery recipient: the handler's key is the one way to open the case.
    let app = spawn_bare_app("");
    let h = app.add_officer("h@example.org", "Hana Handler", &["--channels", "report"]);
    let secret = canary("sole");
    app.submit(report(&secret));
    app.add_officer(
        "m@example.org",
        "Max Admin",
        &["--admin", "--channels", "complaint"],
    );
    let h_token = officer_token(&app, "h@example.org");
    let case = only_case_id(&app, &h_token);
    let m = officer_browser(&app, "m@example.org");
    let csrf = csrf_in(
        &m.get(app.url("/officer/admin"))
            .send()
            .unwrap()
            .text()
            .unwrap(),
    );

    let res = m
        .post(app.url(&format!("/officer/admin/officers/{h}/disable")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .unwrap();
    assert!(res.text().unwrap().contains("Their grants are kept"));
    assert_eq!(grants_of(&app, &h), 2);
    assert_eq!(read_case(&app, &h_token, &case).0, 401, "sessions ended");
    let res = app.post_json(
        "/api/v1/officer/login",
        &json!({ "email": "h@example.org", "password": PASSWORD }),
    );
    assert_eq!(res.status(), 401, "refused while disabled");

    m.post(app.url(&format!("/officer/admin/officers/{h}/enable")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .unwrap();
    let token = officer_token(&app, "h@example.org");
    let (status, body) = read_case(&app, &token, &case);
    assert_eq!(status, 200);
    assert!(body.contains(&secret));
}

#[test]
fn deleting_the_last_grants_of_a_case_is_refused_with_a_count() {
    let app = spawn_bare_app("");
    let h = app.add_officer("h@example.org", "Hana Handler", &["--channels", "report"]);
    let numbers = [
        case_number_of(&app, &app.submit(report("one"))),
        case_number_of(&app, &app.submit(report("two"))),
    ];
    app.add_officer(
        "m@example.org",
        "Max Admin",
        &["--admin", "--channels", "complaint"],
    );
    let m = officer_browser(&app, "m@example.org");
    let csrf = csrf_in(
        &m.get(app.url("/officer/admin"))
            .send()
            .unwrap()
            .text()
            .unwrap(),
    );

    // Taking the channel away: first a confirmation naming how many cases it takes…
    let res = m
        .post(app.url(&format!("/officer/admin/officers/{h}/channels")))
        .form(&[("csrf", csrf.as_str()), ("channels", "complaint")])
        .send()
        .unwrap();
    let page = res.text().unwrap();
    assert!(
        page.contains("takes 2 case(s) away") && page.contains("name=\"confirm\""),
        "{page}"
    );
    assert_eq!(
        grants_of(&app, &h),
        4,
        "nothing happens before the confirmation"
    );
    // …then, confirmed, a refusal: nobody else could open them.
    let res = m
        .post(app.url(&format!("/officer/admin/officers/{h}/channels")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("channels", "complaint"),
            ("confirm", "1"),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status(), 409);
    let page = res.text().unwrap();
    assert!(
        page.contains("2 case(s) can be opened only with this officer"),
        "{page}"
    );
    for n in &numbers {
        assert!(
            !page.contains(&format!("#{n}")),
            "the refusal names case #{n}"
        );
    }
    assert_eq!(grants_of(&app, &h), 4);
    let listed = officer_listed(&app, "h@example.org");
    let columns: Vec<&str> = listed.split_whitespace().collect();
    assert_eq!(
        columns[columns.len() - 2],
        "report",
        "the refused change left the channels as they were: {listed}"
    );

    // A reset would cost them too: refused on the page (before any confirmation) and the API.
    let res = m
        .post(app.url(&format!("/officer/admin/officers/{h}/reset")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .unwrap();
    assert_eq!(res.status(), 409);
    assert!(res.text().unwrap().contains("Refused: 2 case(s)"));
    let token = officer_token(&app, "m@example.org");
    let res = api_reset(&app, &token, &h);
    assert_eq!(res.status(), 409);
    let body: Value = res.json().unwrap();
    assert_eq!(body["error"], "conflict");
    assert!(body["message"].as_str().unwrap().contains("2 case(s)"));
    assert_eq!(grants_of(&app, &h), 4);
    officer_token(&app, "h@example.org");
}

fn cli_list(app: &TestApp) -> String {
    let out = app.cli_with_stdin(&["officer", "list"], "");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn an_enrolment_link_works_once_expires_and_is_stored_only_as_a_hash() {
    let (smtp, inbox) = smtp_server(0);
    let app = spawn_app_with(&mail_config(smtp, ""));
    app.add_officer("a@example.org", "Ada Admin", &["--admin"]);
    let admin = officer_token(&app, "a@example.org");
    let (id, link) = api_add(
        &app,
        &admin,
        json!({ "email": "n@example.org", "name": "Ned New", "channels": ["report"] }),
    );
    let token = link.rsplit('/').next().unwrap().to_owned();
    assert_eq!(token.len(), 64);

    // Mailed to the officer over SMTP.
    wait_for("the enrolment mail", 20, || {
        inbox
            .lock()
            .unwrap()
            .iter()
            .any(|m| m.to.iter().any(|t| t.contains("n@example.org")))
    });
    let mail = inbox
        .lock()
        .unwrap()
        .iter()
        .find(|m| m.to.iter().any(|t| t.contains("n@example.org")))
        .map(body_of)
        .unwrap();
    assert!(mail.contains(&link) && mail.contains("Ada Admin"));

    // Not signed in yet, and no key: nothing can be granted to them, no password opens it.
    let res = app.post_json(
        "/api/v1/officer/login",
        &json!({ "email": "n@example.org", "password": "" }),
    );
    assert_eq!(res.status(), 401);
    assert!(cli_list(&app).contains("pending"));

    // Only the SHA-256 of the token is in the data directory (mail goes over SMTP here).
    use sha2::Digest;
    let hash: Vec<u8> = app
        .db()
        .query_row(
            "SELECT token_hash FROM enrolments WHERE officer_id = ?1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(hash, sha2::Sha256::digest(token.as_bytes()).to_vec());
    assert_nowhere_in(&app.data_dir(), &token);

    // The page speaks the reader's language, and needs no script.
    let path = path_of(&app, &link);
    for (lang, title) in [("de", "Passwort festlegen"), ("pt-BR", "Defina sua senha")] {
        let page = app.get(&format!("{path}?lang={lang}")).text().unwrap();
        assert!(page.contains(title), "{lang}");
        assert!(
            page.contains(&format!("action=\"{path}?lang={lang}\"")),
            "{lang}"
        );
        assert!(!page.contains("<script"));
    }

    // A second link replaces the first.
    let res = api_reset(&app, &admin, &id);
    assert_eq!(res.status(), 200);
    let newer = res.json::<Value>().unwrap()["enrol_url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.get(&path_of(&app, &link)).status(), 404);

    // It works once.
    enrol(&app, &newer, "a passphrase of my own");
    let path = path_of(&app, &newer);
    assert_eq!(app.get(&path).status(), 404);
    let again = app.post_form(&path, &[("password", TAKEN), ("repeat_password", TAKEN)]);
    assert_eq!(again.status(), 404);
    token_with(&app, "n@example.org", "a passphrase of my own");

    // A bad password keeps the link; an expired link works no more.
    let res = api_reset(&app, &admin, &id);
    let third = res.json::<Value>().unwrap()["enrol_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = path_of(&app, &third);
    let weak = app.post_form(
        &path,
        &[
            ("password", "Password1234"),
            ("repeat_password", "Password1234"),
        ],
    );
    assert_eq!(weak.status(), 422);
    let differ = app.post_form(
        &path,
        &[("password", TAKEN), ("repeat_password", "something else!")],
    );
    assert_eq!(differ.status(), 422);
    assert_eq!(app.get(&path).status(), 200);
    let db = rusqlite::Connection::open(app.data_dir().join("sealbox.sqlite")).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    db.execute(
        "UPDATE enrolments SET expires_at = created_at - 1 WHERE officer_id = ?1",
        [&id],
    )
    .unwrap();
    assert_eq!(app.get(&path).status(), 404);
    let late = app.post_form(&path, &[("password", TAKEN), ("repeat_password", TAKEN)]);
    assert_eq!(late.status(), 404);
    assert!(late.text().unwrap().contains("older than 72 hours"));
    let res = app.post_json(
        "/api/v1/officer/login",
        &json!({ "email": "n@example.org", "password": TAKEN }),
    );
    assert_eq!(res.status(), 401);
}

#[test]
fn an_admin_neither_sets_nor_downloads_another_officers_key() {
    let app = spawn_app();
    app.add_officer("a@example.org", "Ada Admin", &["--admin"]);
    let b = app.add_officer("b@example.org", "Bea Handler", &[]);
    let ada = officer_browser(&app, "a@example.org");
    let page = ada
        .get(app.url("/officer/admin"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        !page.contains("type=\"password\""),
        "no password field on the admin page"
    );
    let csrf = csrf_in(&page);

    // The old way of setting someone's password is gone.
    let res = ada
        .post(app.url(&format!("/officer/admin/officers/{b}/password")))
        .form(&[("csrf", csrf.as_str()), ("password", TAKEN)])
        .send()
        .unwrap();
    assert!(
        res.status() == 404 || res.status() == 405,
        "{}",
        res.status()
    );
    token_with(&app, "b@example.org", PASSWORD);
    assert!(
        app.post_json(
            "/api/v1/officer/login",
            &json!({ "email": "b@example.org", "password": TAKEN })
        )
        .status()
            == 401
    );

    // The one key download is one's own, whatever is asked for.
    let own: Vec<u8> = app
        .db()
        .query_row(
            "SELECT sealed_key FROM officers WHERE email = 'a@example.org'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let theirs: Vec<u8> = app
        .db()
        .query_row("SELECT sealed_key FROM officers WHERE id = ?1", [&b], |r| {
            r.get(0)
        })
        .unwrap();
    for path in [
        "/officer/account/key".to_owned(),
        format!("/officer/account/key?officer={b}"),
        format!("/officer/account/key?id={b}"),
    ] {
        let got = ada
            .get(app.url(&path))
            .send()
            .unwrap()
            .bytes()
            .unwrap()
            .to_vec();
        assert_eq!(got, own, "{path}");
        assert_ne!(got, theirs);
    }
    for path in [
        format!("/officer/admin/officers/{b}/key"),
        format!("/api/v1/officer/admin/officers/{b}/key"),
    ] {
        let status = ada.get(app.url(&path)).send().unwrap().status();
        assert!(status == 404 || status == 405, "{path}: {status}");
    }

    // Adding an officer on the page shows the link once and sets no password.
    let res = ada
        .post(app.url("/officer/admin/officers"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "n@example.org"),
            ("name", "Ned New"),
            ("channels", ""),
        ])
        .send()
        .unwrap();
    let page = res.text().unwrap();
    let link = enrol_url_in(&page);
    assert!(page.contains("awaiting enrolment"));
    let again = ada
        .get(app.url("/officer/admin"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(!again.contains(&link), "shown only once");
    enrol(&app, &link, "a passphrase of my own");
    token_with(&app, "n@example.org", "a passphrase of my own");
}
