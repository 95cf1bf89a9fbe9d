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
