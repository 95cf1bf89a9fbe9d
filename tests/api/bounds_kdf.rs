//! Bounded under attack, argon2id side: a flood of sign-ins cannot starve a new report, one
//! claim code holds at most one derivation, TOTP guessing locks the account, junk is discarded.

use std::thread;

use serde_json::{json, Value};

use crate::helpers::*;

/// Limits off (as behind a proxy), one worker, a tiny queue.
const TIGHT: &str = "[limits]
cases_per_hour_per_client = 0
claim_failures_per_minute_per_client = 0
login_failures_per_minute_per_client = 0
kdf_workers = 1
kdf_queue = 2
";

fn wrong_code_sign_ins(app: &TestApp, n: usize) -> Vec<thread::JoinHandle<(u16, Option<String>)>> {
    (0..n)
        .map(|_| {
            let url = app.url("/api/v1/followup");
            // Each a different well-formed code: a repeated one would share one derivation.
            let code = {
                use secrecy::ExposeSecret;
                sealbox::crypto::ClaimCode::generate()
                    .grouped()
                    .expose_secret()
                    .to_owned()
            };
            thread::spawn(move || {
                let res = client().get(url).bearer_auth(code).send().unwrap();
                let retry = res
                    .headers()
                    .get("retry-after")
                    .map(|v| v.to_str().unwrap().to_owned());
                (res.status().as_u16(), retry)
            })
        })
        .collect()
}

#[test]
fn a_flood_of_wrong_codes_cannot_keep_a_report_out() {
    let app = spawn_app_with(TIGHT);
    let flood = wrong_code_sign_ins(&app, 40);
    // The report goes in while the flood is queued; it has a lane of its own.
    let code = app.submit(report("a report during a flood"));
    assert_eq!(app.followup_api(&code).status(), 200);
    let answers: Vec<_> = flood.into_iter().map(|h| h.join().unwrap()).collect();
    let busy: Vec<_> = answers.iter().filter(|(s, _)| *s == 503).collect();
    assert!(
        !busy.is_empty(),
        "a queue of 2 cannot hold 40 sign-ins: {answers:?}"
    );
    assert!(busy.iter().all(|(_, retry)| retry.is_some()), "{busy:?}");
    assert!(
        answers.iter().all(|(s, _)| *s == 503 || *s == 401),
        "{answers:?}"
    );
    let res = app
        .client
        .get(app.url("/api/v1/followup"))
        .bearer_auth("AAAA-BBBB-CCCC-DDDD-EEEE")
        .send()
        .unwrap();
    assert_eq!(res.status(), 401, "the server answers normally afterwards");
}

#[test]
fn a_full_queue_answers_busy_as_json_and_as_a_page() {
    let app = spawn_app_with(TIGHT);
    let flood = wrong_code_sign_ins(&app, 30);
    let mut seen_json = false;
    for h in flood {
        let (status, retry) = h.join().unwrap();
        if status == 503 {
            assert!(retry.unwrap().parse::<u64>().unwrap() >= 1);
            seen_json = true;
        }
    }
    assert!(seen_json);
    // The message a client sees says what to do.
    let flood = wrong_code_sign_ins(&app, 30);
    let res = app.post_form("/followup", &[("code", "AAAA-BBBB-CCCC-DDDD-EEEE")]);
    let status = res.status().as_u16();
    let page = res.text().unwrap();
    for h in flood {
        h.join().unwrap();
    }
    assert!(status == 401 || status == 503, "{status}");
    if status == 503 {
        assert!(page.contains("busy"), "{page}");
    }
}

#[test]
fn one_claim_code_holds_at_most_one_derivation() {
    let app = spawn_app_with(&TIGHT.replace("kdf_queue = 2", "kdf_queue = 64"));
    let code = app.submit(report("mine"));
    let jobs_before = app.logs().matches("argon2id job lane=\"sign-in\"").count();
    // Wrong codes hold the single worker, so the same-code requests behind them overlap.
    let flood = wrong_code_sign_ins(&app, 8);
    let same: Vec<_> = (0..6)
        .map(|_| {
            let (url, code) = (app.url("/api/v1/followup"), code.clone());
            thread::spawn(move || {
                client()
                    .get(url)
                    .bearer_auth(code)
                    .send()
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    for h in flood {
        assert_eq!(h.join().unwrap().0, 401);
    }
    for h in same {
        assert_eq!(
            h.join().unwrap(),
            200,
            "every request sharing the derivation is answered"
        );
    }
    let logs = app.logs();
    let jobs = logs.matches("argon2id job lane=\"sign-in\"").count() - jobs_before;
    assert!(logs.contains("joined the derivation in flight"), "{logs}");
    assert!(
        jobs < 8 + 6,
        "the six same-code sign-ins must share derivations: {jobs} jobs"
    );
}

fn enrol_totp(app: &TestApp, email: &str) -> sealbox::crypto::totp::TotpSecret {
    let browser = officer_browser(app, email);
    let page = browser
        .get(app.url("/officer/account"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let secret = sealbox::crypto::totp::TotpSecret::from_base32(between(
        &page,
        "<code class=\"secret\">",
        "</code>",
    ))
    .unwrap();
    let code = secret.code_at(now()).unwrap();
    let res = browser
        .post(app.url("/officer/account/totp"))
        .form(&[("csrf", csrf_in(&page).as_str()), ("code", code.as_str())])
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    secret
}

#[test]
fn five_wrong_totp_codes_lock_the_account_even_against_the_right_one() {
    let app = spawn_app_with(TIGHT);
    app.add_officer("t@example.org", "Tia", &["--admin"]);
    let secret = enrol_totp(&app, "t@example.org");
    let login = |totp: &str| {
        app.post_json(
            "/api/v1/officer/login",
            &json!({"email": "t@example.org", "password": PASSWORD, "totp": totp}),
        )
    };
    let right = secret.code_at(now() + 30).unwrap();
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..4 {
        let res = login(wrong);
        assert_eq!(res.status(), 401);
        assert_eq!(res.json::<Value>().unwrap()["error"], "totp_rejected");
    }
    let res = login(wrong);
    assert_eq!(res.status(), 429, "the fifth wrong code locks");
    assert!(res.headers().contains_key("retry-after"));
    let body: Value = res.json().unwrap();
    assert_eq!(body["error"], "locked");
    assert!(body["message"].as_str().unwrap().contains("15 minutes"));
    let res = login(&right);
    assert_eq!(res.status(), 429, "a right code is refused while locked");
    assert_eq!(res.json::<Value>().unwrap()["error"], "locked");
    let locks: i64 = app
        .db()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'totp_locked'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(locks, 1);
}

#[test]
fn a_right_code_resets_the_count_of_wrong_ones() {
    let app = spawn_app_with(TIGHT);
    app.add_officer("t@example.org", "Tia", &["--admin"]);
    let secret = enrol_totp(&app, "t@example.org");
    let login = |totp: &str| {
        app.post_json(
            "/api/v1/officer/login",
            &json!({"email": "t@example.org", "password": PASSWORD, "totp": totp}),
        )
        .status()
    };
    let right = secret.code_at(now() + 30).unwrap();
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..4 {
        assert_eq!(login(wrong), 401);
    }
    assert_eq!(login(&right), 200);
    for _ in 0..4 {
        assert_eq!(login(wrong), 401, "the count started again");
    }
}

#[test]
fn a_junk_case_is_discarded_with_a_reason_and_purged_after_the_grace() {
    let app = spawn_app_with("discard_grace_days = 0\n");
    app.add_officer("o@example.org", "Olu", &[]);
    let junk = canary("junk");
    let code = app.submit(report(&junk));
    let keep = app.submit(report("a real report"));
    let token = officer_token(&app, "o@example.org");
    let list = |query: &str| -> Vec<Value> {
        officer_api(
            &app,
            &token,
            reqwest::Method::GET,
            &format!("/api/v1/officer/cases{query}"),
            None,
        )
        .json::<Value>()
        .unwrap()["cases"]
            .as_array()
            .unwrap()
            .clone()
    };
    let cases = list("");
    assert_eq!(cases.len(), 2);
    let id = cases
        .iter()
        .find(|c| {
            let path = format!("/api/v1/officer/cases/{}", c["id"].as_str().unwrap());
            officer_api(&app, &token, reqwest::Method::GET, &path, None)
                .text()
                .unwrap()
                .contains(&junk)
        })
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let discard = |body: Value| {
        officer_api(
            &app,
            &token,
            reqwest::Method::POST,
            &format!("/api/v1/officer/cases/{id}/discard"),
            Some(body),
        )
    };
    let res = discard(json!({}));
    assert_eq!(res.status(), 422, "a reason is required");
    assert_eq!(res.json::<Value>().unwrap()["field"], "reason");
    assert_eq!(discard(json!({"reason": "   "})).status(), 422);
    let reason = canary("reason");
    assert_eq!(discard(json!({ "reason": reason })).status(), 200);
    assert_eq!(discard(json!({ "reason": reason })).status(), 409);

    assert_eq!(list("").len(), 1, "the inbox no longer lists it");
    let discarded = list("?status=discarded");
    assert_eq!(discarded.len(), 1);
    assert_eq!(discarded[0]["status"], "discarded");
    let seen: Value = app.followup_api(&code).json().unwrap();
    assert_eq!(seen["status"], "closed", "the submitter sees it closed");
    let audited: i64 = app
        .db()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'discarded' AND case_id = ?1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
    assert_nowhere_in(&app.data_dir(), &reason);

    let out = app.cli_with_stdin(&["purge"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(app.case_count(), 1, "purged after a grace of 0 days");
    assert_eq!(app.followup_api(&code).status(), 401);
    assert_eq!(
        app.followup_api(&keep).status(),
        200,
        "the other case stays"
    );
    let details: i64 = app
        .db()
        .query_row(
            "SELECT count(*) FROM audit_log
             WHERE case_id = ?1 AND detail != '' AND action != 'purged'",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(details, 0, "its audit details are stripped");
    let out = app.cli_with_stdin(&["audit", "verify"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn the_case_page_discards_after_a_confirmation_step() {
    let app = spawn_app();
    app.add_officer("o@example.org", "Olu", &[]);
    app.submit(report("spam spam spam"));
    let browser = officer_browser(&app, "o@example.org");
    let token = officer_token(&app, "o@example.org");
    let id = officer_api(
        &app,
        &token,
        reqwest::Method::GET,
        "/api/v1/officer/cases",
        None,
    )
    .json::<Value>()
    .unwrap()["cases"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = browser
        .get(app.url(&format!("/officer/cases/{id}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let csrf = csrf_in(&page);
    let action = format!("/officer/cases/{id}/discard");
    assert!(page.contains(&action));
    let res = browser
        .post(app.url(&action))
        .form(&[("csrf", csrf.as_str()), ("reason", "")])
        .send()
        .unwrap();
    assert_eq!(res.status(), 422, "no reason, no discard");
    let res = browser
        .post(app.url(&action))
        .form(&[("csrf", csrf.as_str()), ("reason", "spam")])
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    let confirm = res.text().unwrap();
    assert!(confirm.contains("name=\"confirm\""), "{confirm}");
    assert_eq!(app.case_count(), 1);
    let still: Vec<Value> = officer_api(
        &app,
        &token,
        reqwest::Method::GET,
        "/api/v1/officer/cases",
        None,
    )
    .json::<Value>()
    .unwrap()["cases"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(still.len(), 1, "nothing happens before the confirmation");
    let res = browser
        .post(app.url(&action))
        .form(&[
            ("csrf", csrf.as_str()),
            ("reason", "spam"),
            ("confirm", "1"),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status(), 303);
    let inbox = officer_api(
        &app,
        &token,
        reqwest::Method::GET,
        "/api/v1/officer/cases",
        None,
    )
    .json::<Value>()
    .unwrap();
    assert_eq!(inbox["cases"].as_array().unwrap().len(), 0);
}
