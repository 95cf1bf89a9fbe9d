//! Channels edited through the API: admins only, validated like the configuration file, every
//! version stored (a case keeps the questions it was asked), kept across restarts, and the
//! database the source from then on.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

fn admin_api(app: &TestApp, token: &str, method: Method, body: Option<Value>) -> (u16, Value) {
    let res = officer_api(
        app,
        token,
        method,
        "/api/v1/officer/admin/channels/report",
        body,
    );
    let status = res.status().as_u16();
    (status, res.json().unwrap_or(Value::Null))
}

/// The built-in report channel, edited: a new label, a field dropped, two steps with a
/// question asked only after "yes".
fn version_two(mut channel: Value) -> Value {
    let fields = channel["fields"].as_array_mut().unwrap();
    fields.retain(|f| f["id"] != "where");
    fields[0]["label"] = json!({ "en": "Describe the events", "de": "Beschreiben Sie es" });
    fields.push(json!({
        "id": "hurt", "label": "Was anyone hurt?", "type": "select",
        "options": ["yes", "no"], "required": true, "step": 2
    }));
    fields.push(json!({
        "id": "injuries", "label": "What injuries?", "type": "textarea", "required": true,
        "step": 2, "show_if": { "field": "hurt", "equals": "yes" }
    }));
    channel
}

#[test]
fn an_admin_publishes_a_new_version_and_old_cases_keep_their_questions() {
    let mut app = spawn_app();
    app.add_officer("admin@example.org", "Ada Admin", &[]);
    app.add_officer("olga@example.org", "Olga Officer", &[]);
    let admin = officer_token(&app, "admin@example.org");
    let officer = officer_token(&app, "olga@example.org");

    // Only admins read or publish channels.
    for method in [Method::GET, Method::PUT] {
        let body = (method == Method::PUT).then(|| json!({}));
        let (status, _) = admin_api(&app, &officer, method, body);
        assert_eq!(status, 403);
    }
    let res = officer_api(
        &app,
        &officer,
        Method::GET,
        "/api/v1/officer/admin/channels",
        None,
    );
    assert_eq!(res.status(), 403);

    // The built-in channel, as a [[channels]] entry, at version 1.
    let res = officer_api(
        &app,
        &admin,
        Method::GET,
        "/api/v1/officer/admin/channels/report",
        None,
    );
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let v1: Value = res.json().unwrap();
    assert_eq!(v1["id"], "report");
    assert_eq!(v1["kind"], "whistleblowing");

    let old_code = app.submit(json!({ "channel": "report",
        "fields": { "what": "v1 story", "where": "the depot" } }));

    // Version 2.
    let res = officer_api(
        &app,
        &admin,
        Method::PUT,
        "/api/v1/officer/admin/channels/report",
        Some(version_two(v1.clone())),
    );
    assert_eq!(res.status(), 200, "{}", res.text().unwrap_or_default());
    assert_eq!(res.headers()["etag"], "\"2\"");
    // Publishing it again stores nothing new.
    let (status, _) = admin_api(&app, &admin, Method::PUT, Some(version_two(v1.clone())));
    assert_eq!(status, 200);
    let list: Value = officer_api(
        &app,
        &admin,
        Method::GET,
        "/api/v1/officer/admin/channels",
        None,
    )
    .json()
    .unwrap();
    let report = list["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "report")
        .unwrap();
    assert_eq!(
        (report["version"].as_u64(), report["source"].as_str()),
        (Some(2), Some("browser"))
    );

    // Submitters get version 2 at once: its steps and condition, and its rules.
    let channels: Value = app.get("/api/v1/channels").json().unwrap();
    let fields = &channels["channels"][0]["fields"];
    assert!(fields
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["id"] != "where"));
    let injuries = fields
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "injuries")
        .unwrap();
    assert_eq!(injuries["step"], 2);
    assert_eq!(
        injuries["show_if"],
        json!({ "field": "hurt", "equals": "yes" })
    );
    let sent = |fields: Value| {
        let res = app.post_json(
            "/api/v1/cases",
            &json!({ "channel": "report", "fields": fields }),
        );
        (
            res.status().as_u16(),
            res.json::<Value>().unwrap_or(Value::Null),
        )
    };
    let (status, body) = sent(json!({ "what": "x", "where": "gone" }));
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("fields.where")),
        "{body}"
    );
    let (status, body) = sent(json!({ "what": "x", "hurt": "yes" }));
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("fields.injuries")),
        "{body}"
    );
    let (status, body) = sent(json!({ "what": "x", "hurt": "no", "injuries": "a cut" }));
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("fields.injuries")),
        "{body}"
    );
    let (status, body) = sent(json!({ "what": "v2 story", "hurt": "no" }));
    assert_eq!(status, 201, "{body}");
    let new_code = body["claim_code"].as_str().unwrap().to_owned();

    // The old case keeps version 1's labels; the new one has version 2's.
    let browser = officer_browser(&app, "olga@example.org");
    let page = |code: &str| {
        let id = case_id_of(&app, &officer, code);
        browser
            .get(app.url(&format!("/officer/cases/{id}")))
            .send()
            .unwrap()
            .text()
            .unwrap()
    };
    let old = page(&old_code);
    assert!(
        old.contains("What happened?") && old.contains("Where did it happen?"),
        "{old}"
    );
    assert!(old.contains("the depot"));
    let new = page(&new_code);
    assert!(
        new.contains("Describe the events") && new.contains("Was anyone hurt?"),
        "{new}"
    );
    assert!(!new.contains("Where did it happen?"));

    // A question that cases answered as one type cannot come back as another.
    let mut repurposed = version_two(v1.clone());
    repurposed["fields"].as_array_mut().unwrap().push(json!({
        "id": "where", "label": "Where?", "type": "date"
    }));
    let (status, body) = admin_api(&app, &admin, Method::PUT, Some(repurposed));
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("fields.where")),
        "{body}"
    );
    // A stale If-Match is refused.
    let res = app
        .client
        .put(app.url("/api/v1/officer/admin/channels/report"))
        .bearer_auth(&admin)
        .header("If-Match", "\"1\"")
        .json(&version_two(v1.clone()))
        .send()
        .unwrap();
    assert_eq!(res.status(), 412);

    // The publication is in the audit log.
    let audit = app.cli_with_stdin(&["audit", "verify"], "");
    assert!(audit.status.success());
    let published: i64 = app
        .db()
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'channel_published'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(published, 1);

    // After a restart the browser's version is still the one used, and a sealbox.toml that
    // defines the channel differently is reported, not applied.
    let mut file_channel = v1.clone();
    file_channel["title"] = json!("From the file");
    std::fs::write(
        app.root.path().join("sealbox.toml"),
        format!(
            "{}\n[[channels]]\nid = \"report\"\nkind = \"whistleblowing\"\ntitle = \"From the file\"\n\
             [[channels.fields]]\nid = \"what\"\nlabel = \"What?\"\ntype = \"textarea\"\n",
            std::fs::read_to_string(app.root.path().join("sealbox.toml")).unwrap()
        ),
    )
    .unwrap();
    app.kill();
    app.start();
    let channels: Value = app.get("/api/v1/channels").json().unwrap();
    assert_eq!(channels["channels"][0]["title"], "Report misconduct");
    assert!(channels["channels"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == "injuries"));
    assert!(
        app.logs()
            .contains("sealbox.toml defines this channel differently"),
        "{}",
        app.logs()
    );

    // `sealbox channels use-file` makes the file the source again from the next start; the
    // case under version 2 keeps its questions.
    app.kill();
    let out = app.cli_with_stdin(&["channels", "use-file"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    app.start();
    let channels: Value = app.get("/api/v1/channels").json().unwrap();
    assert_eq!(channels["channels"][0]["title"], "From the file");
    let browser = officer_browser(&app, "olga@example.org");
    let officer = officer_token(&app, "olga@example.org");
    let id = case_id_of(&app, &officer, &new_code);
    let page = browser
        .get(app.url(&format!("/officer/cases/{id}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("Was anyone hurt?"), "{page}");
}

#[test]
fn definitions_that_cannot_work_are_refused_naming_the_problem() {
    let app = spawn_app();
    app.add_officer("admin@example.org", "Ada Admin", &[]);
    let admin = officer_token(&app, "admin@example.org");
    let base = json!({
        "id": "report", "kind": "whistleblowing", "title": "Report",
        "fields": [
            { "id": "what", "label": "What?", "type": "textarea", "required": true },
            { "id": "area", "label": "Area", "type": "select", "options": ["pay", "safety"] }
        ]
    });
    let with = |change: &dyn Fn(&mut Value)| {
        let mut body = base.clone();
        change(&mut body);
        body
    };
    let cases: Vec<(Value, &str)> = vec![
        (
            with(&|b| b["fields"][0]["type"] = json!("essay")),
            "unknown variant",
        ),
        (
            with(&|b| b["fields"][1]["show_if"] = json!({ "field": "area", "equals": "pay" })),
            "not a field asked before it",
        ),
        (
            with(&|b| {
                b["fields"][0]["show_if"] = json!({ "field": "area", "equals": "pay" });
            }),
            "not a field asked before it",
        ),
        (
            with(&|b| {
                b["fields"][0]["step"] = json!(2);
                b["fields"][1]["show_if"] = json!({ "field": "what", "equals": "x" });
            }),
            "not a field asked before it",
        ),
        (
            with(&|b| b["fields"][1]["id"] = json!("what")),
            "used twice",
        ),
        (
            with(&|b| b["fields"][1]["options"] = json!([])),
            "needs options",
        ),
        (
            with(&|b| b["fields"][1]["show_if"] = json!({ "field": "what", "equals": "x" })),
            "",
        ),
        (with(&|b| b["id"] = json!("other")), "the channel's own"),
        (
            with(&|b| b["kind"] = json!("complaint")),
            "kind cannot change",
        ),
        (with(&|b| b["fields"] = json!([])), "has no fields"),
    ];
    for (body, says) in cases {
        let (status, answer) = admin_api(&app, &admin, Method::PUT, Some(body.clone()));
        if says.is_empty() {
            // A condition on a text answer is allowed.
            assert_eq!(status, 200, "{answer}");
            continue;
        }
        assert_eq!(status, 422, "{body} → {answer}");
        let message = answer["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{says:?} not in {message:?}");
    }
    // A list, not an object.
    let (status, _) = admin_api(&app, &admin, Method::PUT, Some(json!([base])));
    assert_eq!(status, 422);
    // Nothing refused was stored: the accepted one is version 2.
    let res = officer_api(
        &app,
        &admin,
        Method::GET,
        "/api/v1/officer/admin/channels/report",
        None,
    );
    assert_eq!(res.headers()["etag"], "\"2\"");
}

#[test]
fn an_admin_edits_previews_and_publishes_a_channel_in_the_browser() {
    let app = spawn_app();
    app.add_officer("admin@example.org", "Ada Admin", &[]);
    app.add_officer("olga@example.org", "Olga Officer", &[]);

    // Not for officers who are not admins.
    let olga = officer_browser(&app, "olga@example.org");
    let inbox = olga
        .get(app.url("/officer"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let csrf = csrf_in(&inbox);
    for res in [
        olga.get(app.url("/officer/admin/channels")).send().unwrap(),
        olga.get(app.url("/officer/admin/channels/report"))
            .send()
            .unwrap(),
        olga.post(app.url("/officer/admin/channels/report"))
            .form(&[("csrf", csrf.as_str()), ("action", "publish")])
            .send()
            .unwrap(),
    ] {
        assert_eq!(res.status(), 403);
    }

    let ada = officer_browser(&app, "admin@example.org");
    let get = |path: &str| {
        let res = ada.get(app.url(path)).send().unwrap();
        assert_eq!(res.status(), 200, "{path}");
        res.text().unwrap()
    };
    let list = get("/officer/admin/channels");
    assert!(list.contains("href=\"/officer/admin/channels/report\""));
    let action = "/officer/admin/channels/report";
    let post = |pairs: &[(String, String)], button: &str| {
        let mut form = pairs.to_vec();
        form.push(("action".into(), button.into()));
        let res = ada.post(app.url(action)).form(&form).send().unwrap();
        (res.status().as_u16(), res.text().unwrap())
    };
    let editor = get(action);
    let mut pairs = form_pairs(&editor, action);
    assert!(pairs
        .iter()
        .any(|(k, v)| k == "f0.label.de" && v == "Was ist passiert?"));

    // Two questions added by button, on a second step, one asked only after a ticked box.
    let (status, page) = post(&pairs, "add");
    assert_eq!(status, 200);
    pairs = form_pairs(&page, action);
    set_pair(&mut pairs, "f5.id", "hurt");
    set_pair(&mut pairs, "f5.type", "checkbox");
    set_pair(&mut pairs, "f5.step", "2");
    set_pair(&mut pairs, "f5.label.en", "Was anyone hurt?");
    set_pair(&mut pairs, "f5.label.de", "Wurde jemand verletzt?");
    let (_, page) = post(&pairs, "add");
    pairs = form_pairs(&page, action);
    set_pair(&mut pairs, "f6.id", "injuries");
    set_pair(&mut pairs, "f6.type", "textarea");
    set_pair(&mut pairs, "f6.required", "on");
    set_pair(&mut pairs, "f6.step", "2");
    set_pair(&mut pairs, "f6.label.en", "What injuries?");
    set_pair(&mut pairs, "f6.show_if.field", "hurt");
    set_pair(&mut pairs, "f6.show_if.equals", "true");

    // Moved above the box it depends on, it cannot be published: the page says why and keeps
    // the draft.
    let (_, page) = post(&pairs, "up:6");
    let moved = form_pairs(&page, action);
    assert!(moved.iter().any(|(k, v)| k == "f5.id" && v == "injuries"));
    let (status, refused) = post(&moved, "publish");
    assert_eq!(status, 422);
    assert!(refused.contains("not a field asked before it"), "{refused}");
    assert!(refused.contains("value=\"Wurde jemand verletzt?\""));
    let (_, page) = post(&moved, "down:5");
    pairs = form_pairs(&page, action);

    // The preview shows the form as a reporter sees it.
    let (status, preview) = post(&pairs, "preview");
    assert_eq!(status, 200);
    assert!(
        preview.contains("Answer only if you answered “yes” to “Was anyone hurt?”"),
        "{preview}"
    );
    crate::html::assert_valid(&[
        ("channel list", list),
        ("channel editor", editor),
        ("refused draft", refused),
        ("preview", preview.clone()),
    ]);

    // Published: reporters get two steps at once.
    let res = ada
        .post(app.url(action))
        .form(&[pairs.clone(), vec![("action".into(), "publish".into())]].concat())
        .send()
        .unwrap();
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(to, "/officer/admin/channels/report?published=2");
    assert!(get(&to).contains("Version 2 is published."));
    // The same draft again, made from version 1, would overwrite version 2 unseen: refused.
    let (status, stale) = post(&pairs, "publish");
    assert_eq!(status, 412);
    assert!(stale.contains("published since you read it"), "{stale}");
    let report = app.get("/report").text().unwrap();
    assert!(report.contains("Step 1 of 2"));
    let channels: Value = app.get("/api/v1/channels").json().unwrap();
    let fields = channels["channels"][0]["fields"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(fields.len(), 7);
    assert_eq!(
        fields[6]["show_if"],
        json!({ "field": "hurt", "equals": "true" })
    );

    // A new complaint channel from the list page.
    let res = ada
        .get(app.url("/officer/admin/channels?new=returns&kind=complaint"))
        .send()
        .unwrap();
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(to, "/officer/admin/channels/returns?kind=complaint");
    let new_page = get(&to);
    let mut pairs = form_pairs(&new_page, "/officer/admin/channels/returns");
    set_pair(&mut pairs, "title.en", "Returns");
    let res = ada
        .post(app.url("/officer/admin/channels/returns"))
        .form(&[pairs, vec![("action".into(), "publish".into())]].concat())
        .send()
        .unwrap();
    assert_eq!(
        res.headers()["location"],
        "/officer/admin/channels/returns?published=1"
    );
    let complaint = app.get("/complaint").text().unwrap();
    assert!(
        complaint.contains("Returns"),
        "both complaint channels are offered"
    );
}

/// A shorter retention published in the browser applies to cases that come in after it, never
/// to those already in: an admin cannot have a report about them purged by editing its channel.
#[test]
fn a_shorter_retention_spares_the_cases_already_in() {
    let app = spawn_app();
    app.add_officer("admin@example.org", "Ada Admin", &[]);
    let admin = officer_token(&app, "admin@example.org");
    let close = |code: &str| {
        let id = case_id_of(&app, &admin, code);
        for body in [
            json!({"status": "acknowledged"}),
            json!({"status": "closed", "outcome": "no_action"}),
        ] {
            let path = format!("/api/v1/officer/cases/{id}/status");
            let res = officer_api(&app, &admin, Method::POST, &path, Some(body));
            assert_eq!(res.status(), 200);
        }
    };
    let before = app.submit(report("in before the edit"));
    close(&before);
    let (_, mut v1) = admin_api(&app, &admin, Method::GET, None);
    v1["retention_days"] = json!(0);
    let (status, body) = admin_api(&app, &admin, Method::PUT, Some(v1));
    assert_eq!(status, 200, "{body}");
    let after = app.submit(report("in after the edit"));
    close(&after);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let out = app.cli_with_stdin(&["purge"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(app.followup_api(&before).status(), 200, "kept its 365 days");
    assert_eq!(
        app.followup_api(&after).status(),
        401,
        "purged under its own version"
    );
}
