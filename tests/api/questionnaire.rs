//! Richer questions: checkboxes (several options; the value is a list) and numbers (with
//! bounds), through the API and the pages, validated with the field named.

use serde_json::{json, Value};

use crate::helpers::*;

const QUESTIONS: &str = r#"
[[channels]]
id = "report"
kind = "whistleblowing"
title = "Report"
[[channels.fields]]
id = "what"
label = "What happened?"
type = "textarea"
required = true
[[channels.fields]]
id = "areas"
label = { en = "Which areas?", de = "Welche Bereiche?" }
type = "checkboxes"
required = true
options = [{ en = "Pay", de = "Gehalt" }, "Safety", "Data"]
[[channels.fields]]
id = "people"
label = "How many people?"
type = "number"
min = 1
max = 500
"#;

fn send(app: &TestApp, fields: Value) -> (u16, Value) {
    let res = app.post_json(
        "/api/v1/cases",
        &json!({ "channel": "report", "fields": fields }),
    );
    let status = res.status().as_u16();
    (status, res.json().unwrap_or(Value::Null))
}

#[test]
fn checkboxes_and_numbers_are_validated_and_kept_as_lists_and_numbers() {
    let app = spawn_app_with(QUESTIONS);
    let channels: Value = app.get("/api/v1/channels").json().unwrap();
    let fields = &channels["channels"][0]["fields"];
    assert_eq!(fields[1]["type"], "checkboxes");
    assert_eq!(fields[1]["options"], json!(["Pay", "Safety", "Data"]));
    assert_eq!(fields[2]["type"], "number");
    assert_eq!(
        (fields[2]["min"].as_f64(), fields[2]["max"].as_f64()),
        (Some(1.0), Some(500.0))
    );

    // Refused, each naming the field.
    for (fields, named) in [
        (json!({ "what": "x" }), "fields.areas"),
        (json!({ "what": "x", "areas": [] }), "fields.areas"),
        (
            json!({ "what": "x", "areas": ["Pay", "Gossip"] }),
            "fields.areas",
        ),
        (json!({ "what": "x", "areas": true }), "fields.areas"),
        (
            json!({ "what": "x", "areas": ["Pay"], "people": "many" }),
            "fields.people",
        ),
        (
            json!({ "what": "x", "areas": ["Pay"], "people": 0 }),
            "fields.people",
        ),
        (
            json!({ "what": "x", "areas": ["Pay"], "people": "501" }),
            "fields.people",
        ),
        (json!({ "what": ["x"], "areas": ["Pay"] }), "fields.what"),
    ] {
        let (status, body) = send(&app, fields.clone());
        assert_eq!(status, 422, "{fields}: {body}");
        assert_eq!(body["field"], named, "{fields}: {body}");
    }
    assert_eq!(app.case_count(), 0, "nothing half-written");

    // Kept: the options in the form's order, the number as a number; one option as text too.
    let code = app.submit(json!({
        "channel": "report",
        "fields": { "what": "x", "areas": ["Data", "Pay"], "people": "12" },
    }));
    let seen: Value = app.followup_api(&code).json().unwrap();
    assert_eq!(seen["fields"]["areas"], json!(["Pay", "Data"]));
    assert_eq!(seen["fields"]["people"], 12);
    let code = app.submit(json!({
        "channel": "report",
        "fields": { "what": "x", "areas": "Safety", "people": 2.5 },
    }));
    let seen: Value = app.followup_api(&code).json().unwrap();
    assert_eq!(seen["fields"]["areas"], json!(["Safety"]));
    assert_eq!(seen["fields"]["people"], 2.5);
    let (status, _) = send(&app, json!({ "what": "x", "areas": ["Pay"] }));
    assert_eq!(status, 201, "a number not required may be left out");
}

#[test]
fn the_form_asks_with_checkboxes_and_a_number_field_and_keeps_choices_when_refused() {
    let app = spawn_app_with(QUESTIONS);
    let browser = client();
    let form = browser
        .get(app.url("/report?lang=de"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(form.contains("Welche Bereiche?") && form.contains("Gehalt"));
    assert!(
        form.contains("type=\"number\"")
            && form.contains("min=\"1\"")
            && form.contains("max=\"500\"")
    );
    let token = between(&form, "name=\"form_token\" value=\"", "\"").to_owned();

    // Refused (the number is out of bounds): both choices are still ticked.
    let refused = browser
        .post(app.url("/report"))
        .form(&[
            ("channel", "report"),
            ("form_token", token.as_str()),
            ("f_what", "It happened."),
            ("f_areas", "Pay"),
            ("f_areas", "Data"),
            ("f_people", "900"),
        ])
        .send()
        .unwrap();
    assert_eq!(refused.status(), 422);
    let page = refused.text().unwrap();
    assert!(page.contains("value=\"Pay\" checked") && page.contains("value=\"Data\" checked"));
    // The form and its refusal are valid HTML for the Nu checker.
    crate::html::assert_valid(&[
        ("/report?lang=de", form.clone()),
        ("/report (refused)", page.clone()),
    ]);
    assert!(!page.contains("value=\"Safety\" checked"));

    let sent = browser
        .post(app.url("/report"))
        .form(&[
            ("channel", "report"),
            ("form_token", token.as_str()),
            ("f_what", "It happened."),
            ("f_areas", "Pay"),
            ("f_areas", "Data"),
            ("f_people", "40"),
        ])
        .send()
        .unwrap();
    assert_eq!(sent.status(), 200);
    let code = claim_code_in(&sent.text().unwrap());
    let seen: Value = app.followup_api(&code).json().unwrap();
    assert_eq!(seen["fields"]["areas"], json!(["Pay", "Data"]));
    assert_eq!(seen["fields"]["people"], 40);
    // The follow-up page shows the choices in the reader's language.
    let page = followup_browser(&app, &code)
        .get(app.url("/followup?lang=de"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("Gehalt, Data"), "{page}");
}

#[test]
fn definitions_that_cannot_work_stop_the_start_naming_the_field() {
    for (field, named) in [
        (
            "id = \"a\"\nlabel = \"A\"\ntype = \"checkboxes\"\n",
            "needs options",
        ),
        (
            "id = \"n\"\nlabel = \"N\"\ntype = \"number\"\nmin = 5\nmax = 1\n",
            "min and max",
        ),
        (
            "id = \"t\"\nlabel = \"T\"\ntype = \"text\"\nmin = 1\n",
            "min and max",
        ),
        ("id = \"s\"\nlabel = \"S\"\ntype = \"slider\"\n", "slider"),
    ] {
        let config = format!(
            "[[channels]]\nid = \"r\"\nkind = \"whistleblowing\"\ntitle = \"R\"\n[[channels.fields]]\n{field}"
        );
        let app = unstarted_app(&config);
        let out = app.cli_with_stdin(&["officer", "list"], "");
        let text = String::from_utf8_lossy(&out.stderr).to_string()
            + &String::from_utf8_lossy(&out.stdout);
        assert!(!out.status.success(), "{field}: {text}");
        assert!(text.contains(named), "{field}: {text}");
    }
}

pub const STEPPED: &str = r#"
[[channels]]
id = "report"
kind = "whistleblowing"
title = "Report"
[[channels.fields]]
id = "what"
label = "What happened?"
type = "textarea"
required = true
step = 1
[[channels.fields]]
id = "hurt"
label = "Was anyone hurt?"
type = "checkbox"
step = 1
[[channels.fields]]
id = "injuries"
label = "What injuries?"
type = "textarea"
required = true
step = 2
show_if = { field = "hurt", equals = "true" }
[[channels.fields]]
id = "seen"
label = "How many people saw it?"
type = "number"
min = 0
step = 2
[[channels.fields]]
id = "photos"
label = "Photos of the place"
type = "files"
step = 2
"#;

/// The hidden answers a page carries, and its token, as a browser would send them back.
fn carried(page: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(at) = rest.find("<input type=\"hidden\" name=\"") {
        let tail = &rest[at + 27..];
        let name = &tail[..tail.find('"').unwrap()];
        let value = between(tail, "value=\"", "\"");
        let value = value
            .replace("&#10;", "\n")
            .replace("&#x0a;", "\n")
            .replace("&#x27;", "'")
            .replace("&quot;", "\"")
            .replace("&amp;", "&");
        if name != "page" {
            out.push((name.to_owned(), value));
        }
        rest = tail;
    }
    out
}

fn step_post(
    app: &TestApp,
    page: &str,
    at: &str,
    go: &str,
    answers: &[(&str, &str)],
) -> (u16, String) {
    let mut form = carried(page);
    form.retain(|(k, _)| !answers.iter().any(|(a, _)| a == k));
    form.extend(answers.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    form.push(("page".into(), at.into()));
    form.push(("go".into(), go.into()));
    let res = app
        .client
        .post(app.url("/report"))
        .form(&form)
        .send()
        .unwrap();
    (res.status().as_u16(), res.text().unwrap())
}

#[test]
fn a_step_by_step_form_asks_by_the_answers_given_checks_each_step_and_reviews() {
    let app = spawn_app_with(STEPPED);
    let first = app.get("/report").text().unwrap();
    assert!(first.contains("Step 1 of 2") && first.contains("id=\"f_what\""));
    assert!(!first.contains("f_injuries") && !first.contains("f_photos"));

    // Each step is checked on the server before the next.
    let (status, refused) = step_post(&app, &first, "1", "next", &[("f_what", "")]);
    assert_eq!(status, 422);
    assert!(refused.contains("Step 1 of 2") && refused.contains("What happened? is required"));

    // Hurt: the injuries are asked on step 2, and required.
    let story = "line one\nline two";
    let (status, second) = step_post(
        &app,
        &first,
        "1",
        "next",
        &[("f_what", story), ("f_hurt", "on")],
    );
    assert_eq!(status, 200, "{second}");
    assert!(second.contains("Step 2 of 2") && second.contains("id=\"f_injuries\""));
    assert!(
        !second.contains("f_photos"),
        "files are asked on the review page"
    );
    let (status, refused) = step_post(&app, &second, "2", "next", &[("f_injuries", "")]);
    assert_eq!(status, 422);
    assert!(refused.contains("What injuries? is required"));
    let (status, review) = step_post(
        &app,
        &second,
        "2",
        "next",
        &[("f_injuries", "a cut"), ("f_seen", "3")],
    );
    assert_eq!(status, 200, "{review}");
    assert!(review.contains("Check your answers"));
    for shown in [
        "line one",
        "a cut",
        "Was anyone hurt?",
        "How many people saw it?",
        "id=\"f_photos\"",
    ] {
        assert!(review.contains(shown), "{shown} not on the review page");
    }
    crate::html::assert_valid(&[
        ("step 1", first.clone()),
        ("step 1 refused", refused.clone()),
        ("step 2", second.clone()),
        ("review", review.clone()),
    ]);

    // Sent from the review page with a file for the photos question.
    let mut form = reqwest::blocking::multipart::Form::new();
    for (k, v) in carried(&review) {
        form = form.text(k, v);
    }
    form = form.text("go", "send").text("page", "3").part(
        "f_photos",
        reqwest::blocking::multipart::Part::bytes(b"a photo".to_vec()).file_name("place.jpg"),
    );
    let res = app
        .client
        .post(app.url("/report"))
        .multipart(form)
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    let code = claim_code_in(&res.text().unwrap());
    let case: Value = app.followup_api(&code).json().unwrap();
    assert_eq!(case["fields"]["what"], story);
    assert_eq!(case["fields"]["hurt"], true);
    assert_eq!(case["fields"]["injuries"], "a cut");
    assert_eq!(case["fields"]["seen"], 3);
    assert_eq!(case["fields"]["photos"], json!(["place.jpg"]));
    assert_eq!(case["files"][0]["field"], "photos");

    // Not hurt: step 2 does not ask about injuries, and an answer given to it before the
    // reporter changed their mind is not sent.
    let first = app.get("/report").text().unwrap();
    let (_, second) = step_post(
        &app,
        &first,
        "1",
        "next",
        &[("f_what", "calm"), ("f_hurt", "on")],
    );
    let (_, review) = step_post(&app, &second, "2", "next", &[("f_injuries", "stale")]);
    assert!(review.contains("stale"));
    let (_, again) = step_post(&app, &review, "3", "page-1", &[]);
    assert!(again.contains("Step 1 of 2") && again.contains(">calm</textarea>"));
    // Unticked now: the box is on this page, so it is simply not sent.
    let (_, unticked) = step_post(&app, &again, "1", "next", &[("f_what", "calm")]);
    assert!(unticked.contains("Step 2 of 2") && !unticked.contains("id=\"f_injuries\""));
    let (_, review) = step_post(&app, &unticked, "2", "next", &[]);
    // Not among the answers reviewed (the form still carries it, should the box be ticked
    // again), and not sent.
    assert!(!review.contains("<dd class=\"text\">stale"), "{review}");
    assert!(review.contains("type=\"hidden\" name=\"f_injuries\" value=\"stale\""));
    // Ticked again, the earlier answer is back in its box.
    let (_, first_again) = step_post(&app, &review, "3", "page-1", &[]);
    let (_, retick) = step_post(
        &app,
        &first_again,
        "1",
        "next",
        &[("f_what", "calm"), ("f_hurt", "on")],
    );
    assert!(retick.contains(">stale</textarea>"), "{retick}");
    let (status, receipt) = step_post(&app, &review, "3", "send", &[]);
    assert_eq!(status, 200, "{receipt}");
    let case: Value = app.followup_api(&claim_code_in(&receipt)).json().unwrap();
    assert_eq!(case["fields"]["hurt"], false);
    assert!(case["fields"].get("injuries").is_none(), "{case}");
    assert_eq!(app.case_count(), 2);
}

/// Files questions through the API: parts named `fields.<id>`, their names the question's
/// value; a file for a question that takes none, or that the answers leave unasked, or an
/// answer written into a files question, is refused naming the field, and nothing is kept.
#[test]
fn the_api_takes_files_for_a_files_question_as_their_own_parts() {
    use reqwest::blocking::multipart::{Form, Part};
    let app = spawn_app_with(STEPPED);
    let send = |fields: Value, part: &str| {
        let form = Form::new()
            .text(
                "case",
                json!({ "channel": "report", "fields": fields }).to_string(),
            )
            .part(
                part.to_owned(),
                Part::bytes(b"evidence".to_vec()).file_name("bay.txt"),
            );
        let res = app
            .client
            .post(app.url("/api/v1/cases"))
            .multipart(form)
            .send()
            .unwrap();
        (
            res.status().as_u16(),
            res.json::<Value>().unwrap_or(Value::Null),
        )
    };
    let (status, body) = send(
        json!({ "what": "It fell.", "hurt": false }),
        "fields.photos",
    );
    assert_eq!(status, 201, "{body}");
    let case: Value = app
        .followup_api(body["claim_code"].as_str().unwrap())
        .json()
        .unwrap();
    assert_eq!(case["fields"]["photos"], json!(["bay.txt"]));
    assert_eq!(case["files"][0]["field"], "photos");

    for (fields, part, named) in [
        (json!({ "what": "x" }), "fields.what", "fields.what"),
        (json!({ "what": "x" }), "fields.nothing", "fields.nothing"),
        (
            json!({ "what": "x", "photos": "a photo" }),
            "file",
            "fields.photos",
        ),
    ] {
        let (status, body) = send(fields, part);
        assert_eq!(
            (status, body["field"].as_str()),
            (422, Some(named)),
            "{body}"
        );
    }
    // Nothing refused was kept: one case, one file.
    assert_eq!(app.case_count(), 1);
    let files: i64 = app
        .db()
        .query_row("SELECT COUNT(*) FROM files", [], |r| r.get(0))
        .unwrap();
    assert_eq!(files, 1);
}

/// An officer takes a report down on one page, even from a step-by-step form: every question
/// is there, and one asked only after an answer says so and is not required by the browser
/// (the server decides, from the answer given beside it).
#[test]
fn the_record_form_of_a_stepped_channel_asks_everything_on_one_page() {
    let app = spawn_app_with(STEPPED);
    app.add_officer("ada@example.org", "Ada Admin", &[]);
    let browser = officer_browser(&app, "ada@example.org");
    let page = browser
        .get(app.url("/officer/record?channel=report"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let injuries = between(&page, "<textarea id=\"f_injuries\"", ">");
    assert!(!injuries.contains("required"), "{injuries}");
    assert!(page.contains("Answer only if you answered “yes” to “Was anyone hurt?”."));
    assert!(!page.contains("Step 1 of 2"));
}
