//! Oral reports: an officer takes a report down for a reporter and hands over the claim code;
//! records (minutes, transcripts) the reporter corrects and approves; requests to talk.

use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::*;

fn followup_post(
    app: &TestApp,
    code: &str,
    path: &str,
    body: Option<Value>,
) -> reqwest::blocking::Response {
    let mut req = app.client.post(app.url(path)).bearer_auth(code);
    if let Some(body) = body {
        req = req.json(&body);
    }
    req.send().unwrap()
}

fn followup(app: &TestApp, code: &str) -> Value {
    let res = app.followup_api(code);
    assert_eq!(res.status(), 200);
    res.json().unwrap()
}

#[test]
fn a_phone_report_is_taken_down_and_its_minutes_approved_in_the_second_version() {
    let work = tempfile::tempdir().unwrap();
    let recovery = age_keygen(work.path(), "recovery.txt");
    let app = spawn_app_with(&format!("recovery_recipient = \"{recovery}\"\n"));
    app.add_officer("anna@example.org", "Anna", &[]);
    app.add_officer("ben@example.org", "Ben", &[]);
    let token = officer_token(&app, "anna@example.org");
    let what = canary("phone-report");

    // Anna takes the call down; the code comes back once.
    let res = officer_api(
        &app,
        &token,
        Method::POST,
        "/api/v1/officer/cases",
        Some(json!({ "channel": "report", "fields": { "what": what }, "source": "phone" })),
    );
    assert_eq!(res.status(), 201);
    let created: Value = res.json().unwrap();
    let case_id = created["id"].as_str().unwrap().to_owned();
    let code = created["claim_code"].as_str().unwrap().to_owned();
    assert!(created["number"].as_i64().unwrap() > 0);
    let case = officer_case(&app, &token, &case_id);
    assert_eq!(case["source"], "phone");
    assert_eq!(case["fields"]["what"], what.as_str());

    // The reporter reads the same case with the code.
    let seen = followup(&app, &code);
    assert_eq!(seen["fields"]["what"], what.as_str());

    // Minutes, version 1.
    let minutes_v1 = format!(
        "{} Caller says the invoices were changed.",
        canary("minutes-v1")
    );
    let res = officer_api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/officer/cases/{case_id}/records"),
        Some(json!({ "kind": "minutes", "body": minutes_v1 })),
    );
    assert_eq!(res.status(), 201);
    let record_id = res.json::<Value>().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let inbox = officer_api(&app, &token, Method::GET, "/api/v1/officer/cases", None)
        .json::<Value>()
        .unwrap();
    assert_eq!(inbox["cases"][0]["awaiting_approval"], true);

    // Officers cannot approve: the route needs the claim code.
    let res = followup_post(
        &app,
        &token,
        &format!("/api/v1/followup/records/{record_id}/approve"),
        None,
    );
    assert_eq!(res.status(), 401);

    let seen = followup(&app, &code);
    let record = &seen["records"][0];
    assert_eq!(record["id"], record_id.as_str());
    assert_eq!(record["kind"], "minutes");
    assert_eq!(record["version"], 1);
    assert_eq!(record["body"], minutes_v1.as_str());
    assert_eq!(record["state"], "awaiting_approval");

    // The reporter asks for a correction.
    let correction = canary("correction");
    let res = followup_post(
        &app,
        &code,
        &format!("/api/v1/followup/records/{record_id}/comment"),
        Some(json!({ "body": format!("{correction}: it was March, not May") })),
    );
    assert_eq!(res.status(), 201);
    let case = officer_case(&app, &token, &case_id);
    assert_eq!(case["records"][0]["state"], "changes_requested");
    assert!(case["records"][0]["comments"][0]["body"]
        .as_str()
        .unwrap()
        .contains(&correction));

    // Version 2 answers it; version 1 stays readable to both.
    let minutes_v2 = format!(
        "{} Caller says the invoices were changed in March.",
        canary("minutes-v2")
    );
    let res = officer_api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/officer/cases/{case_id}/records/{record_id}"),
        Some(json!({ "body": minutes_v2 })),
    );
    assert_eq!(res.status(), 201);
    assert_eq!(res.json::<Value>().unwrap()["version"], 2);
    let seen = followup(&app, &code);
    assert_eq!(seen["records"][0]["version"], 2);
    assert_eq!(seen["records"][0]["state"], "awaiting_approval");
    assert_eq!(
        seen["records"][0]["versions"][0]["body"],
        minutes_v1.as_str()
    );

    // Approval: the digest of version 2's text, in the answer, the case and the audit chain.
    let res = followup_post(
        &app,
        &code,
        &format!("/api/v1/followup/records/{record_id}/approve"),
        None,
    );
    assert_eq!(res.status(), 200);
    let digest = res.json::<Value>().unwrap()["approved_sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        digest,
        format!("{:x}", Sha256::digest(minutes_v2.as_bytes()))
    );
    let seen = followup(&app, &code);
    assert_eq!(seen["records"][0]["state"], "approved");
    assert_eq!(seen["records"][0]["approved_sha256"], digest.as_str());
    let case = officer_case(&app, &token, &case_id);
    assert_eq!(case["records"][0]["approved_version"], 2);
    assert!(case["history"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["detail"].as_str().unwrap().contains(&digest)));

    // Frozen: no new version, no second approval, no comment.
    let res = officer_api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/officer/cases/{case_id}/records/{record_id}"),
        Some(json!({ "body": "a quiet rewrite" })),
    );
    assert_eq!(res.status(), 409);
    let res = followup_post(
        &app,
        &code,
        &format!("/api/v1/followup/records/{record_id}/approve"),
        None,
    );
    assert_eq!(res.status(), 409);
    let res = followup_post(
        &app,
        &code,
        &format!("/api/v1/followup/records/{record_id}/comment"),
        Some(json!({ "body": "late" })),
    );
    assert_eq!(res.status(), 409);

    // At rest only ciphertext; the recovery identity opens the minutes with the age CLI.
    assert_nowhere_in(&app.data_dir(), &minutes_v1);
    assert_nowhere_in(&app.data_dir(), &correction);
    let db = app.db();
    let (grant, sealed): (Vec<u8>, Vec<u8>) = db
        .query_row(
            "SELECT g.sealed, v.sealed FROM record_versions v
             JOIN records r ON r.id = v.record_id
             JOIN grants g ON g.case_id = r.case_id AND g.holder = 'recovery' AND g.key = 'case'
             WHERE v.version = 2",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let comment: Vec<u8> = db
        .query_row("SELECT sealed FROM record_comments", [], |r| r.get(0))
        .unwrap();
    let dir = work.path();
    std::fs::write(dir.join("grant.age"), grant).unwrap();
    std::fs::write(dir.join("v2.age"), sealed).unwrap();
    std::fs::write(dir.join("comment.age"), comment).unwrap();
    age(
        &["-d", "-i", "recovery.txt", "-o", "case.key", "grant.age"],
        dir,
    );
    let plain = String::from_utf8(age(&["-d", "-i", "case.key", "v2.age"], dir)).unwrap();
    assert!(plain.contains(&minutes_v2));
    let plain = String::from_utf8(age(&["-d", "-i", "case.key", "comment.age"], dir)).unwrap();
    assert!(plain.contains(&correction));
}

#[test]
fn bad_records_are_refused_with_the_reason() {
    let app = spawn_app();
    app.add_officer("anna@example.org", "Anna", &[]);
    let token = officer_token(&app, "anna@example.org");
    let code = app.submit(report("first"));
    let other = app.submit(report("second"));
    let held = held_cases(&app, &token);
    let case_of = |code: &str| case_id_of(&app, &token, code);
    let (first, second) = (case_of(&code), case_of(&other));
    assert_eq!(held.len(), 2);
    let write = |case: &str, body: Value| {
        officer_api(
            &app,
            &token,
            Method::POST,
            &format!("/api/v1/officer/cases/{case}/records"),
            Some(body),
        )
    };

    let res = write(&first, json!({ "kind": "minutes", "body": "   " }));
    assert_eq!(res.status(), 422);
    // A list of the field values is no object, whatever serde would make of it.
    let res = write(&first, json!(["minutes", "text"]));
    assert_eq!(res.status(), 422);
    let res = write(
        &first,
        json!({ "kind": "minutes", "body": "x".repeat(100_001) }),
    );
    assert_eq!(res.status(), 422);
    let res = write(&first, json!({ "kind": "diary", "body": "text" }));
    assert!(
        matches!(res.status().as_u16(), 400 | 422),
        "{}",
        res.status()
    );
    let res = write(
        &first,
        json!({ "kind": "transcript", "body": "Q: what happened?" }),
    );
    assert_eq!(res.status(), 201);
    let record = res.json::<Value>().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // A record of another case is not found through this one, by officers or the reporter.
    let res = officer_api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/officer/cases/{second}/records/{record}"),
        Some(json!({ "body": "v2" })),
    );
    assert_eq!(res.status(), 404);
    let res = followup_post(
        &app,
        &other,
        &format!("/api/v1/followup/records/{record}/approve"),
        None,
    );
    assert_eq!(res.status(), 404);
    let res = followup_post(
        &app,
        "AAAA-BBBB-CCCC-DDDD-EEEE",
        &format!("/api/v1/followup/records/{record}/approve"),
        None,
    );
    assert_eq!(res.status(), 401);
    let res = followup_post(
        &app,
        &code,
        &format!("/api/v1/followup/records/{record}/comment"),
        Some(json!({ "body": "" })),
    );
    assert_eq!(res.status(), 422);

    // Taken down by an officer: a source from the web, or none of the channel's, is refused.
    let res = officer_api(
        &app,
        &token,
        Method::POST,
        "/api/v1/officer/cases",
        Some(json!({ "channel": "report", "fields": { "what": "x" }, "source": "web" })),
    );
    assert_eq!(res.status(), 422);
    let res = officer_api(
        &app,
        &token,
        Method::POST,
        "/api/v1/officer/cases",
        Some(json!({ "channel": "report", "fields": {}, "source": "letter" })),
    );
    assert_eq!(res.status(), 422);
    assert_eq!(held_cases(&app, &token).len(), 2, "nothing half-written");
}

#[test]
fn a_report_taken_down_honours_the_exclusion_of_the_officer_who_took_it() {
    let app = spawn_app();
    let anna = app.add_officer("anna@example.org", "Anna", &[]);
    app.add_officer("ben@example.org", "Ben", &[]);
    let anna_token = officer_token(&app, "anna@example.org");
    let ben_token = officer_token(&app, "ben@example.org");
    let what = canary("about-anna");
    let res = officer_api(
        &app,
        &anna_token,
        Method::POST,
        "/api/v1/officer/cases",
        Some(json!({
            "channel": "report",
            "fields": { "what": what },
            "source": "meeting",
            "exclude_officers": [anna],
        })),
    );
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Anna wrote it down, and still cannot open it: nor list it, nor write records to it.
    assert!(held_cases(&app, &anna_token).is_empty());
    let res = officer_api(
        &app,
        &anna_token,
        Method::GET,
        &format!("/api/v1/officer/cases/{id}"),
        None,
    );
    assert_eq!(res.status(), 403);
    let res = officer_api(
        &app,
        &anna_token,
        Method::POST,
        &format!("/api/v1/officer/cases/{id}/records"),
        Some(json!({ "kind": "minutes", "body": "notes" })),
    );
    assert_eq!(res.status(), 403);
    let case = officer_case(&app, &ben_token, &id);
    assert_eq!(case["fields"]["what"], what.as_str());
    assert_eq!(case["source"], "meeting");
}

#[test]
fn a_reporter_asks_for_a_meeting_and_the_answer_in_the_thread_settles_it() {
    let (smtp, mailbox) = crate::mail::smtp_server(0);
    let app = spawn_app_with(&crate::mail::mail_config(smtp, ""));
    app.add_officer("anna@example.org", "Anna", &[]);
    let token = officer_token(&app, "anna@example.org");
    let code = app.submit(report("something to discuss"));
    let id = case_id_of(&app, &token, &code);
    let when = canary("availability");

    let res = followup_post(
        &app,
        &code,
        "/api/v1/followup/meeting",
        Some(json!({ "kind": "meeting", "availability": format!("{when} Tuesdays after 5") })),
    );
    assert_eq!(res.status(), 201);
    let res = followup_post(
        &app,
        &code,
        "/api/v1/followup/meeting",
        Some(json!({ "kind": "dinner", "availability": "x" })),
    );
    assert!(matches!(res.status().as_u16(), 400 | 422));
    let res = followup_post(
        &app,
        &code,
        "/api/v1/followup/meeting",
        Some(json!({ "kind": "call", "availability": " " })),
    );
    assert_eq!(res.status(), 422);

    let inbox = officer_api(&app, &token, Method::GET, "/api/v1/officer/cases", None)
        .json::<Value>()
        .unwrap();
    assert_eq!(inbox["cases"][0]["meeting_requested"], true);
    let case = officer_case(&app, &token, &id);
    let request = &case["meeting_requests"][0];
    assert_eq!(request["kind"], "meeting");
    assert!(request["availability"].as_str().unwrap().contains(&when));
    assert!(request["answered_at"].is_null());
    let due = time::OffsetDateTime::parse(
        request["due_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let days = (due - time::OffsetDateTime::now_utc()).whole_days();
    assert!(
        (12..=14).contains(&days),
        "due in 14 days by default, {days}"
    );
    assert_nowhere_in(&app.data_dir(), &when);

    // The handler is told, without content.
    let meeting_mail = || {
        mailbox
            .lock()
            .unwrap()
            .iter()
            .find(|m| {
                m.to.iter().any(|t| t.contains("anna@example.org"))
                    && m.data.contains("a call or a meeting")
            })
            .cloned()
    };
    crate::mail::wait_for("the meeting alert", 20, || meeting_mail().is_some());
    assert!(!meeting_mail().unwrap().data.contains(&when));

    // Anna answers in the thread: the request is answered.
    let res = officer_api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/officer/cases/{id}/messages"),
        Some(json!({ "body": "Tuesday 18:00 at the front desk works." })),
    );
    assert_eq!(res.status(), 201);
    let case = officer_case(&app, &token, &id);
    assert!(case["meeting_requests"][0]["answered_at"].is_string());
    let seen = followup(&app, &code);
    assert!(seen["meetings"][0]["answered_at"].is_string());
    assert!(seen["messages"][0]["body"]
        .as_str()
        .unwrap()
        .contains("Tuesday 18:00"));
}

/// A page as a signed-in browser sees it.
fn page(browser: &reqwest::blocking::Client, app: &TestApp, path: &str) -> String {
    let res = browser.get(app.url(path)).send().unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.text().unwrap()
}

fn post(
    browser: &reqwest::blocking::Client,
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::blocking::Response {
    browser.post(app.url(path)).form(form).send().unwrap()
}

#[test]
fn the_whole_story_through_the_pages_without_javascript() {
    let app = spawn_app();
    app.add_officer("anna@example.org", "Anna", &[]);
    let anna = officer_browser(&app, "anna@example.org");
    let what = canary("called-in");

    // Anna opens "record a report" from the inbox, chooses the channel, fills its form.
    let inbox = page(&anna, &app, "/officer");
    assert!(inbox.contains("href=\"/officer/record\""));
    let chooser = page(&anna, &app, "/officer/record");
    assert!(chooser.contains("name=\"channel\""));
    let form = page(&anna, &app, "/officer/record?channel=report");
    assert!(form.contains("name=\"f_what\"") && form.contains("name=\"source\""));
    let csrf = csrf_in(&form);
    let token = between(&form, "name=\"form_token\" value=\"", "\"").to_owned();
    assert!(!token.is_empty());
    let recording = || {
        reqwest::blocking::multipart::Part::bytes(b"RIFF....WAVEfmt ".to_vec())
            .file_name("call.wav")
    };
    let multipart = |consent: bool| {
        let mut f = reqwest::blocking::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("form_token", token.clone())
            .text("channel", "report")
            .text("source", "phone")
            .text("f_what", what.clone());
        if consent {
            f = f.text("recording_consent", "on");
        }
        f.part("file", recording())
    };
    // A recording without the reporter's consent is refused, the form kept.
    let res = anna
        .post(app.url("/officer/record"))
        .multipart(multipart(false))
        .send()
        .unwrap();
    assert_eq!(res.status(), 422);
    let again = res.text().unwrap();
    assert!(again.contains("agreed"), "the reason is shown");
    assert!(again.contains(&what), "what was typed is kept");
    assert_eq!(app.case_count(), 0);
    let res = anna
        .post(app.url("/officer/record"))
        .multipart(multipart(true))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    let slip = res.text().unwrap();
    let code = claim_code_in(&slip);
    assert!(code.len() > 10, "the slip shows the code: {slip}");
    assert!(slip.contains("/followup"));
    // Sent again (a reload): the same slip, no second case.
    let res = anna
        .post(app.url("/officer/record"))
        .multipart(multipart(true))
        .send()
        .unwrap();
    assert_eq!(claim_code_in(&res.text().unwrap()), code);
    assert_eq!(app.case_count(), 1);

    // The case page says how it came in and holds the recording.
    let token = officer_token(&app, "anna@example.org");

    let id = only_case_id(&app, &token);
    let case = page(&anna, &app, &format!("/officer/cases/{id}"));
    assert!(case.contains(&what) && case.contains("Phone") && case.contains("call.wav"));

    // Minutes from the case page.
    let csrf = csrf_in(&case);
    let v1 = canary("minutes-one");
    let res = post(
        &anna,
        &app,
        &format!("/officer/cases/{id}/records"),
        &[("csrf", &csrf), ("kind", "minutes"), ("body", &v1)],
    );
    assert_eq!(res.status(), 303, "back to the case page");
    let inbox = page(&anna, &app, "/officer");
    assert!(inbox.contains("awaiting the reporter"), "{inbox}");

    // The reporter signs in with the code from the slip and asks for a correction.
    let reporter = followup_browser(&app, &code);
    let mine = page(&reporter, &app, "/followup");
    assert!(mine.contains(&v1) && mine.contains("Approve this version"));
    let record = between(&mine, "/followup/records/", "/approve").to_owned();
    let rcsrf = csrf_in(&mine);
    let res = post(
        &reporter,
        &app,
        &format!("/followup/records/{record}/comment"),
        &[("csrf", &rcsrf), ("body", "It was March.")],
    );
    assert_eq!(res.status(), 303);
    assert!(page(&reporter, &app, "/followup").contains("Corrections asked for"));

    // Anna answers with version 2.
    let case = page(&anna, &app, &format!("/officer/cases/{id}"));
    assert!(case.contains("It was March."));
    let v2 = canary("minutes-two");
    let res = post(
        &anna,
        &app,
        &format!("/officer/cases/{id}/records/{record}"),
        &[("csrf", &csrf), ("body", &v2)],
    );
    assert_eq!(res.status(), 303);

    // The reporter approves version 2; version 1 stays readable; the record is final.
    let mine = page(&reporter, &app, "/followup");
    assert!(mine.contains(&v2) && mine.contains(&v1) && mine.contains("Earlier versions"));
    let res = post(
        &reporter,
        &app,
        &format!("/followup/records/{record}/approve"),
        &[("csrf", &rcsrf)],
    );
    assert_eq!(res.status(), 303);
    let mine = page(&reporter, &app, "/followup");
    let digest = format!("{:x}", Sha256::digest(v2.as_bytes()));
    assert!(mine.contains(&digest), "the approved digest is shown");
    assert!(!mine.contains("Approve this version"));
    let res = post(
        &anna,
        &app,
        &format!("/officer/cases/{id}/records/{record}"),
        &[("csrf", &csrf), ("body", "rewrite")],
    );
    assert_eq!(res.status(), 409);

    // The printable page (and so the export) carries both versions and the approval.
    let print = page(&anna, &app, &format!("/officer/cases/{id}/print"));
    assert!(print.contains(&v1) && print.contains(&v2) && print.contains(&digest));

    // The reporter asks to talk; Anna sees it in the inbox and on the case page.
    let res = post(
        &reporter,
        &app,
        "/followup/meeting",
        &[
            ("csrf", &rcsrf),
            ("kind", "call"),
            ("availability", "mornings"),
        ],
    );
    assert_eq!(res.status(), 303);
    assert!(page(&anna, &app, "/officer").contains("asks to talk"));
    let case = page(&anna, &app, &format!("/officer/cases/{id}"));
    assert!(case.contains("Requests to talk") && case.contains("mornings"));

    // In German and Brazilian Portuguese too.
    assert!(page(&reporter, &app, "/followup?lang=de").contains("Protokolle Ihrer Aussagen"));
    assert!(page(&reporter, &app, "/followup?lang=pt-BR").contains("Registros do que você disse"));

    // Statistics count it as taken down by phone.
    let res = officer_api(
        &app,
        &token,
        Method::GET,
        "/api/v1/officer/statistics",
        None,
    );
    let stats: Value = res.json().unwrap();
    let phone = stats["by_source"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "phone")
        .unwrap();
    assert!(
        phone["counts"].as_array().unwrap().iter().any(|c| c != 0),
        "{phone}"
    );
}

#[test]
fn a_request_to_talk_nobody_answers_is_reminded_once_and_never_after_the_answer() {
    let (smtp, mailbox) = crate::mail::smtp_server(0);
    let channel = URGENT_CHANNEL
        .replace(
            "acknowledge_days = 0",
            "acknowledge_days = 30\nresolve_days = 90\nmeeting_days = 0",
        )
        .replace("kind = \"complaint\"", "kind = \"whistleblowing\"");
    let app = spawn_app_with(&crate::mail::mail_config(
        smtp,
        &format!("reminder_interval_s = 1\n{channel}"),
    ));
    app.add_officer("anna@example.org", "Anna", &[]);
    let code = app.submit(json!({ "channel": "urgent", "fields": { "what": "talk to me" } }));
    let overdue = || {
        mailbox
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.data.contains("is overdue"))
            .count()
    };
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert_eq!(overdue(), 0, "the case itself is not overdue");
    let res = followup_post(
        &app,
        &code,
        "/api/v1/followup/meeting",
        Some(json!({ "kind": "call", "availability": "now" })),
    );
    assert_eq!(res.status(), 201);
    // Due today (meeting_days = 0), so already past: one overdue reminder, once.
    crate::mail::wait_for("the overdue reminder", 30, || overdue() == 1);
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert_eq!(overdue(), 1);

    // Answered in the thread: never reminded again.
    let token = officer_token(&app, "anna@example.org");
    let id = case_id_of(&app, &token, &code);
    let res = officer_api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/officer/cases/{id}/messages"),
        Some(json!({ "body": "Calling you at 10." })),
    );
    assert_eq!(res.status(), 201);
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert_eq!(overdue(), 1, "no reminder once answered");
}
