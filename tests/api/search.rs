//! Search in the content of the cases an officer may open: fields, messages, notes, records and
//! file names are found; nothing readable is stored for it; an excluded officer finds nothing.

use reqwest::blocking::multipart::{Form, Part};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

fn found(app: &TestApp, token: &str, q: &str) -> Vec<i64> {
    let res = officer_api(
        app,
        token,
        Method::GET,
        &format!("/api/v1/officer/cases?q={}", q.replace(' ', "+")),
        None,
    );
    assert_eq!(res.status(), 200);
    let body: Value = res.json().unwrap();
    let mut numbers: Vec<i64> = body["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_i64().unwrap())
        .collect();
    numbers.sort();
    numbers
}

/// A word made of letters only (search splits at anything else), unique to this test.
fn word(label: &str) -> String {
    let id = sealbox::crypto::random::id();
    let letters: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                (b'g' + c as u8 - b'0') as char
            } else {
                c
            }
        })
        .collect();
    format!("{label}{letters}")
}

#[test]
fn officers_find_cases_by_any_word_of_their_content_and_the_excluded_find_nothing() {
    let app = spawn_app();
    app.add_officer("anna@example.org", "Anna", &[]);
    let ben = app.add_officer("ben@example.org", "Ben", &[]);
    let anna = officer_token(&app, "anna@example.org");
    let ben_token = officer_token(&app, "ben@example.org");

    let in_field = word("field");
    let shared = word("shared");
    let first = app.submit(report(&format!("The {in_field} of March, see {shared}.")));
    let second = app.submit(json!({
        "channel": "report",
        "fields": { "what": format!("Also {shared}, about Ben") },
        "exclude_officers": [ben],
    }));
    let (first_no, second_no) = (case_number_of(&app, &first), case_number_of(&app, &second));
    let first_id = case_id_of(&app, &anna, &first);

    // Words of the reporter's later message (indexed when an officer opens the case), of a
    // reply, a note, a record and a file name.
    let in_message = word("message");
    let res = app
        .client
        .post(app.url("/api/v1/followup/messages"))
        .bearer_auth(&first)
        .json(&json!({ "body": format!("And the {in_message} too") }))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    let in_file = word("file");
    let res = app
        .client
        .post(app.url("/api/v1/followup/files"))
        .bearer_auth(&first)
        .multipart(Form::new().part(
            "file",
            Part::bytes(b"evidence".to_vec()).file_name(format!("{in_file}.txt")),
        ))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    let (in_reply, in_note, in_record) = (word("reply"), word("note"), word("record"));
    for (path, body) in [
        ("messages", json!({ "body": format!("Thanks, {in_reply}") })),
        ("notes", json!({ "body": format!("Internal {in_note}") })),
        (
            "records",
            json!({ "kind": "minutes", "body": format!("Said {in_record}") }),
        ),
    ] {
        let res = officer_api(
            &app,
            &anna,
            Method::POST,
            &format!("/api/v1/officer/cases/{first_id}/{path}"),
            Some(body),
        );
        assert_eq!(res.status(), 201, "{path}");
    }
    let res = officer_api(
        &app,
        &anna,
        Method::GET,
        &format!("/api/v1/officer/cases/{first_id}"),
        None,
    );
    assert_eq!(res.status(), 200, "Anna opens it");

    for w in [
        &in_field,
        &in_message,
        &in_file,
        &in_reply,
        &in_note,
        &in_record,
    ] {
        assert_eq!(found(&app, &anna, w), [first_no], "{w}");
        // Upper case and punctuation do not matter.
        assert_eq!(
            found(&app, &anna, &format!("{}!", w.to_uppercase())),
            [first_no]
        );
    }
    let mut both = vec![first_no, second_no];
    both.sort();
    assert_eq!(found(&app, &anna, &shared), both);
    assert_eq!(
        found(&app, &anna, &format!("{shared} {in_field}")),
        [first_no],
        "every word"
    );
    assert!(found(&app, &anna, &word("absent")).is_empty());

    // Ben, kept out of the second case, finds only the first.
    assert_eq!(found(&app, &ben_token, &shared), [first_no]);
    assert!(found(&app, &ben_token, "about").is_empty());

    // The inbox page searches too, and keeps the words in its box.
    let page = officer_browser(&app, "anna@example.org")
        .get(app.url(&format!("/officer?q={in_note}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains(&format!("#{first_no}")) && !page.contains(&format!("#{second_no}<")));
    assert!(page.contains(&format!("value=\"{in_note}\"")));

    // Too many words are refused; nothing readable was stored to make any of this work.
    let many = (0..9)
        .map(|i| format!("w{i}x"))
        .collect::<Vec<_>>()
        .join("+");
    let res = officer_api(
        &app,
        &anna,
        Method::GET,
        &format!("/api/v1/officer/cases?q={many}"),
        None,
    );
    assert_eq!(res.status(), 422);
    for w in [
        &in_field,
        &in_message,
        &in_reply,
        &in_note,
        &in_record,
        &shared,
    ] {
        assert_nowhere_in(&app.data_dir(), w);
        assert_nowhere_in(&app.data_dir(), &w.to_lowercase());
    }
}
