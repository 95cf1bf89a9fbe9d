//! Metadata an insider can see: case numbers that say nothing, times of what a submitter does
//! kept in clear to the day only, logs that never name a submitter's request or a case's
//! arrival, and an audit log that forgets a purged case's details and still verifies.

use std::collections::HashSet;

use reqwest::blocking::multipart::{Form, Part};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

const DAY: i64 = 86_400;
/// 2020-01-01 to 2100-01-01: an integer in here is taken for a unix time.
const PLAUSIBLE: std::ops::Range<i64> = 1_577_836_800..4_102_444_800;

/// Columns that may hold exact times: officers' own actions, none of which dates what a
/// submitter did, and the send time of a mail still queued (randomly delayed, deleted once
/// sent). `audit_log.at` is checked per entry: exact for officers, the day for submitters.
const OFFICER_SIDE: &[(&str, &str)] = &[
    ("officers", "created_at"),
    ("cases", "acknowledged_at"),
    ("cases", "closed_at"),
    ("notes", "created_at"),
    ("case_reads", "seen_at"),
    ("disclosures", "requested_at"),
    ("disclosures", "decided_at"),
    ("outbox", "not_before"),
    ("audit_log", "at"),
];

fn unlimited(extra: &str) -> String {
    format!("[limits]\ncases_per_hour_per_client = 0\n{extra}")
}

fn time_of(v: &Value) -> i64 {
    let text = v.as_str().unwrap_or_else(|| panic!("not a date: {v}"));
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .unwrap()
        .unix_timestamp()
}

#[test]
fn case_numbers_are_random_unique_and_do_not_order_the_inbox() {
    let app = spawn_app_with(&unlimited(""));
    app.add_officer("o@example.org", "Olga", &[]);
    let codes: Vec<String> = (0..30)
        .map(|i| app.submit(report(&format!("case {i}"))))
        .collect();
    // In the order they arrived in: each submitter sees their own case's number.
    let arrived: Vec<i64> = codes.iter().map(|c| case_number_of(&app, c)).collect();
    assert_eq!(arrived.len(), 30);
    assert_eq!(arrived.iter().collect::<HashSet<_>>().len(), 30, "unique");
    assert!(
        arrived
            .iter()
            .all(|n| (10_000_000..=99_999_999).contains(n)),
        "eight digits: {arrived:?}"
    );
    assert!(
        arrived.windows(2).all(|w| w[1] != w[0] + 1),
        "no number follows its predecessor: {arrived:?}"
    );
    assert!(
        !arrived.windows(2).all(|w| w[0] < w[1]),
        "numbers do not grow with arrival: {arrived:?}"
    );

    // The inbox lists them by deadline (all the same day), then by number: not by arrival.
    let token = officer_token(&app, "o@example.org");
    let list: Value = officer_api(&app, &token, Method::GET, "/api/v1/officer/cases", None)
        .json()
        .unwrap();
    let listed: Vec<i64> = list["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_i64().unwrap())
        .collect();
    let mut sorted = arrived.clone();
    sorted.sort_unstable();
    assert_eq!(listed, sorted);
    assert_ne!(listed, arrived);
    for case in list["cases"].as_array().unwrap() {
        assert_eq!(time_of(&case["received_at"]) % DAY, 0, "{case}");
    }

    // The command line still finds a case by its number.
    let number = arrived[0];
    let recipient = sealbox::crypto::KeyPair::generate().public;
    let out = app.cli_with_stdin(
        &[
            "export",
            &number.to_string(),
            "--to",
            &recipient,
            "--officer",
            "o@example.org",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every integer column of every table, as (table, column, rowid, value) for values that look
/// like a unix time.
fn times_in(db: &rusqlite::Connection) -> Vec<(String, String, i64, i64)> {
    let tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = Vec::new();
    for table in tables {
        let columns: Vec<String> = db
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for column in columns {
            let mut stmt = db
                .prepare(&format!(
                    "SELECT rowid, \"{column}\" FROM \"{table}\"
                     WHERE typeof(\"{column}\") = 'integer'"
                ))
                .unwrap();
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
                .unwrap();
            for row in rows {
                let (rowid, value) = row.unwrap();
                if PLAUSIBLE.contains(&value) {
                    out.push((table.clone(), column.clone(), rowid, value));
                }
            }
        }
    }
    out
}

#[test]
fn no_exact_time_of_a_submitter_action_is_stored() {
    let app = spawn_app_with(&unlimited(""));
    app.add_officer("o@example.org", "Olga", &["--custodian"]);
    let started = now() as i64;

    // A report with a file, through the API.
    let form = Form::new()
        .text(
            "case",
            json!({"channel": "report", "fields": {"what": "with a file"}}).to_string(),
        )
        .part(
            "file",
            Part::bytes(b"evidence".to_vec())
                .file_name("a.txt")
                .mime_str("text/plain")
                .unwrap(),
        );
    let res = app
        .client
        .post(app.url("/api/v1/cases"))
        .multipart(form)
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    let code = res.json::<Value>().unwrap()["claim_code"]
        .as_str()
        .unwrap()
        .to_owned();
    // A complaint with a contact address, which queues a receipt to the customer.
    app.submit(json!({
        "channel": "complaint",
        "fields": { "subject": "Late", "description": "Three weeks late." },
        "contact": { "email": "c@example.org", "consent": true }
    }));

    // The submitter comes back: a message, a file, their identity.
    let res = app
        .client
        .post(app.url("/api/v1/followup/messages"))
        .bearer_auth(&code)
        .json(&json!({"body": "more to say"}))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    let res = app
        .client
        .post(app.url("/api/v1/followup/files"))
        .bearer_auth(&code)
        .multipart(
            Form::new().part(
                "file",
                Part::bytes(b"later".to_vec())
                    .file_name("b.txt")
                    .mime_str("text/plain")
                    .unwrap(),
            ),
        )
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    let res = app
        .client
        .post(app.url("/api/v1/followup/identity"))
        .bearer_auth(&code)
        .json(&json!({"name": "Rosa Reporter", "contact": "by phone"}))
        .send()
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().unwrap());

    // The officer works the case: reads it, acknowledges, replies, notes.
    let token = officer_token(&app, "o@example.org");
    let id = case_id_of(&app, &token, &code);
    let call = |path: &str, body: Value| {
        let res = officer_api(
            &app,
            &token,
            Method::POST,
            &format!("/api/v1/officer/cases/{id}/{path}"),
            Some(body),
        );
        assert!(res.status().is_success(), "{path}: {}", res.text().unwrap());
    };
    call("status", json!({"status": "acknowledged"}));
    call("messages", json!({"body": "thank you"}));
    call("notes", json!({"body": "check the ledger"}));
    let res = officer_api(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/officer/cases/{id}"),
        None,
    );
    assert_eq!(res.status(), 200);

    let db = app.db();
    let times = times_in(&db);
    // The scan sees the times it must: otherwise it would prove nothing.
    for (table, column) in [
        ("cases", "received_at"),
        ("cases", "updated_at"),
        ("cases", "identity_given_at"),
        ("messages", "created_at"),
        ("files", "created_at"),
        ("grants", "created_at"),
        ("cases", "acknowledged_at"),
        ("notes", "created_at"),
    ] {
        assert!(
            times.iter().any(|(t, c, _, _)| t == table && c == column),
            "no time found in {table}.{column}"
        );
    }
    let mut exact_officer_times = 0;
    for (table, column, rowid, value) in &times {
        if (table.as_str(), column.as_str()) == ("audit_log", "at") {
            let actor: String = db
                .query_row(
                    "SELECT actor FROM audit_log WHERE rowid = ?1",
                    [rowid],
                    |r| r.get(0),
                )
                .unwrap();
            if actor != "submitter" {
                exact_officer_times += 1;
                continue;
            }
        } else if OFFICER_SIDE.contains(&(table.as_str(), column.as_str())) {
            exact_officer_times += 1;
            continue;
        }
        assert_eq!(
            value % DAY,
            0,
            "{table}.{column} (row {rowid}) holds an exact time: {value}"
        );
        assert!(
            *value >= started - started.rem_euclid(DAY),
            "{table}.{column} (row {rowid}): {value} is before the test began"
        );
    }
    assert!(exact_officer_times > 0, "officers' own times stay exact");
    let submitter_entries: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE actor = 'submitter'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(submitter_entries >= 4, "received, message, file, identity");
}

#[test]
fn the_officer_sees_exact_times_once_the_case_is_unlocked() {
    let app = spawn_app();
    app.add_officer("o@example.org", "Olga", &[]);
    let before = now() as i64;
    let code = app.submit(report("what happened"));
    let res = app
        .client
        .post(app.url("/api/v1/followup/messages"))
        .bearer_auth(&code)
        .json(&json!({"body": "and then"}))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    let after = now() as i64;

    // In clear, the day; sealed, the moment, which the officer reads after unlocking.
    let token = officer_token(&app, "o@example.org");
    let (id, number) = only_case(&app, &token);
    let case: Value = officer_case(&app, &token, &id);
    let received = time_of(&case["received_at"]);
    let exact = time_of(&case["received_at_exact"]);
    assert!((before..=after).contains(&exact), "{case}");
    assert_eq!(received, exact - exact.rem_euclid(DAY));
    let message = &case["messages"][0];
    let message_exact = time_of(&message["at_exact"]);
    assert!((exact..=after).contains(&message_exact), "{message}");
    assert_eq!(time_of(&message["at"]) % DAY, 0);
    for entry in case["history"].as_array().unwrap() {
        if entry["who"] == "Submitter" {
            assert_eq!(time_of(&entry["at"]) % DAY, 0, "{entry}");
        }
    }

    // The case page shows the moment; the inbox, which reads no sealed document, the day.
    let moment = sealbox::i18n::date_time(sealbox::i18n::Lang::En, exact);
    let day = sealbox::i18n::date(sealbox::i18n::Lang::En, exact);
    let browser = officer_browser(&app, "o@example.org");
    let page = browser
        .get(app.url(&format!("/officer/cases/{id}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains(&moment), "{moment} not on the case page");
    let inbox = browser
        .get(app.url("/officer"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(inbox.contains(&format!("#{number}")));
    assert!(inbox.contains(&day) && !inbox.contains(&moment), "{inbox}");

    // The submitter's API gives the day in `received_at` and the moment beside it.
    let seen: Value = app.followup_api(&code).json().unwrap();
    assert_eq!(time_of(&seen["received_at"]), received);
    assert_eq!(time_of(&seen["received_at_exact"]), exact);
    assert_eq!(time_of(&seen["messages"][0]["at"]) % DAY, 0);
    assert_eq!(time_of(&seen["messages"][0]["at_exact"]), message_exact);
}

/// The records of `log` at the levels a server logs by default (`info` and above): tests run
/// the server at `debug`. A record's continuation lines go with it.
fn default_level(log: &str) -> String {
    let mut out = String::new();
    let mut keep = false;
    for line in log.lines() {
        let mut words = line.split_whitespace();
        let starts_record = words
            .next()
            .is_some_and(|w| w.len() > 20 && w.as_bytes()[4] == b'-' && w.ends_with('Z'));
        if starts_record {
            keep = matches!(words.next(), Some("INFO" | "WARN" | "ERROR"));
        }
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[test]
fn the_default_log_names_no_submitter_request_and_no_case() {
    let app = spawn_app();
    app.add_officer("o@example.org", "Olga", &[]);
    let code = app.submit(report("through the API"));
    let res = app
        .client
        .post(app.url("/api/v1/followup/messages"))
        .bearer_auth(&code)
        .json(&json!({"body": "more"}))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(app.followup_api(&code).status(), 200);
    // And through the pages, as a browser with JavaScript off would.
    for path in ["/", "/report", "/complaint", "/followup"] {
        assert_eq!(app.get(path).status(), 200, "{path}");
    }
    let res = app.post_form("/followup", &[("code", code.as_str())]);
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(app.get("/followup").status(), 200);
    // An officer's request, which is logged: the log is captured and working.
    let token = officer_token(&app, "o@example.org");
    let res = officer_api(&app, &token, Method::GET, "/api/v1/officer/cases", None);
    assert_eq!(res.status(), 200);
    std::thread::sleep(std::time::Duration::from_millis(300));

    let logs = default_level(&app.logs());
    assert!(logs.contains("/api/v1/officer/cases"), "{logs}");
    let number = case_number_of(&app, &code);
    assert!(!logs.contains(&number.to_string()), "case number in {logs}");
    for needle in [
        "/report",
        "/complaint",
        "/followup",
        "/api/v1/cases",
        "route=/ ",
        "route=\"/\"",
        "received",
    ] {
        assert!(
            !logs.to_lowercase().contains(needle),
            "{needle:?} in the log:\n{logs}"
        );
    }
}

fn retention_zero() -> String {
    unlimited(
        r#"
[[channels]]
id = "report"
kind = "whistleblowing"
title = "Report"
retention_days = 0
[[channels.fields]]
id = "what"
label = "What happened?"
type = "textarea"
required = true
"#,
    )
}

fn audit_verify(app: &TestApp) -> std::process::Output {
    app.cli_with_stdin(&["audit", "verify"], "")
}

#[test]
fn a_purged_case_leaves_audit_entries_without_detail_and_the_chain_verifies() {
    let app = spawn_app_with(&retention_zero());
    app.add_officer("o@example.org", "Olga", &[]);
    let purged_code = app.submit(report("to be purged"));
    let kept_code = app.submit(report("kept"));
    let token = officer_token(&app, "o@example.org");
    let purged_id = case_id_of(&app, &token, &purged_code);
    let purged_number = case_number_of(&app, &purged_code);
    for body in [
        json!({"status": "acknowledged"}),
        json!({"status": "closed", "outcome": "no_action"}),
    ] {
        let res = officer_api(
            &app,
            &token,
            Method::POST,
            &format!("/api/v1/officer/cases/{purged_id}/status"),
            Some(body),
        );
        assert_eq!(res.status(), 200);
    }
    let details = |case_id: &str| -> Vec<(String, String)> {
        let db = app.db();
        let mut stmt = db
            .prepare("SELECT action, detail FROM audit_log WHERE case_id = ?1 ORDER BY id")
            .unwrap();
        stmt.query_map([case_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let before = details(&purged_id);
    assert!(
        before
            .iter()
            .any(|(_, d)| d.contains(&purged_number.to_string())),
        "the entries name the case while it exists: {before:?}"
    );
    assert!(audit_verify(&app).status.success());

    std::thread::sleep(std::time::Duration::from_millis(1100));
    let out = app.cli_with_stdin(&["purge"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = details(&purged_id);
    assert_eq!(after.len(), before.len() + 1, "the purge is recorded");
    assert_eq!(after.last().unwrap().0, "purged");
    for (action, detail) in &after[..before.len()] {
        assert_eq!(detail, "", "{action} kept its detail");
    }
    let db = app.db();
    let anywhere: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%' || ?1 || '%'",
            [purged_number.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(anywhere, 0, "the purged case's number is gone from the log");
    // The other case keeps its details.
    let (kept_id, kept_number) = only_case(&app, &token);
    assert!(details(&kept_id)
        .iter()
        .any(|(_, d)| d.contains(&kept_number.to_string())));
    assert_eq!(app.followup_api(&kept_code).status(), 200);
    let out = audit_verify(&app);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Removing the detail of an entry whose case still exists is caught; so is changing one.
    let kept_entry: i64 = db
        .query_row(
            "SELECT id FROM audit_log WHERE case_id = ?1 AND detail <> '' LIMIT 1",
            [&kept_id],
            |r| r.get(0),
        )
        .unwrap();
    drop(db);
    let writable = rusqlite::Connection::open(app.data_dir().join("sealbox.sqlite")).unwrap();
    writable
        .execute(
            "UPDATE audit_log SET detail = '' WHERE id = ?1",
            [kept_entry],
        )
        .unwrap();
    let out = audit_verify(&app);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not purged"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let changed = writable.execute(
        "UPDATE audit_log SET detail = 'forged' WHERE id = ?1",
        [kept_entry],
    );
    assert!(changed.is_err(), "the log stays append-only otherwise");
}

/// A data directory as an older sealbox left it (schema 5): a case, a message and audit
/// entries with exact times, chained over their details. `tamper` alters one detail after the
/// chain was made. Returns the directory (under `root`).
fn old_data_dir(root: &std::path::Path, tamper: bool) -> std::path::PathBuf {
    let data = root.join("data");
    let keys = data.join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    #[cfg(unix)]
    for dir in [&data, &keys] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let key = sealbox::audit::AuditKey::load_or_create(&keys.join("audit.key")).unwrap();
    let db = rusqlite::Connection::open(data.join("sealbox.sqlite")).unwrap();
    for sql in [
        include_str!("../../migrations/0001_initial.sql"),
        include_str!("../../migrations/0002_files.sql"),
        include_str!("../../migrations/0003_identity.sql"),
        include_str!("../../migrations/0004_officer_language.sql"),
        include_str!("../../migrations/0005_lookup_indexes.sql"),
    ] {
        db.execute_batch(sql).unwrap();
    }
    db.pragma_update(None, "user_version", 5).unwrap();
    // 2026-03-04 15:16:17 UTC, and an hour later.
    let received = 1_772_637_377;
    db.execute(
        "INSERT INTO cases (id, number, channel_id, kind, status, received_at,
             acknowledge_due_at, resolve_due_at, next_due_at, updated_at, case_public_key,
             staff_public_key, claim_tag, submitter_salt, sealed_submission)
         VALUES ('old', 1, 'report', 'whistleblowing', 'received', ?1, ?2, ?3, ?2, ?4, 'k', 'k',
                 x'00', x'00', x'00')",
        [
            received,
            received + 7 * DAY,
            received + 97 * DAY,
            received + 3600,
        ],
    )
    .unwrap();
    db.execute(
        "INSERT INTO messages (case_id, author, sealed, created_at)
         VALUES ('old', 'submitter', x'00', ?1)",
        [received + 3600],
    )
    .unwrap();
    let entries = [
        (received - 600, "operator", "officer_added", None, "Olga"),
        (
            received,
            "submitter",
            "case_received",
            Some("old"),
            "#1 in report",
        ),
        (
            received + 3600,
            "submitter",
            "message_sent",
            Some("old"),
            "",
        ),
    ];
    let mut previous = Vec::new();
    for (i, (at, actor, action, case_id, detail)) in entries.into_iter().enumerate() {
        let id = i as i64 + 1;
        let hash = sealbox::audit::chain(
            &key, &previous, id, at, actor, None, action, case_id, detail,
        );
        let stored = if tamper && id == 2 {
            "#2 in report"
        } else {
            detail
        };
        db.execute(
            "INSERT INTO audit_log (id, at, actor, action, case_id, detail, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![id, at, actor, action, case_id, stored, hash],
        )
        .unwrap();
        previous = hash;
    }
    data
}

fn verify_in(root: &std::path::Path, data: &std::path::Path) -> std::process::Output {
    bin()
        .current_dir(root)
        .arg("--data-dir")
        .arg(data)
        .args(["audit", "verify"])
        .output()
        .unwrap()
}

#[test]
fn an_older_database_is_cut_to_the_day_and_its_audit_log_rechained() {
    let root = tempfile::tempdir().unwrap();
    let data = old_data_dir(root.path(), false);
    let out = verify_in(root.path(), &data);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("intact: 3 entries"));

    let db = rusqlite::Connection::open(data.join("sealbox.sqlite")).unwrap();
    let day = 1_772_582_400; // 2026-03-04 00:00 UTC
    let case: (i64, i64, i64, i64, i64) = db
        .query_row(
            "SELECT number, received_at, updated_at, acknowledge_due_at, next_due_at
             FROM cases",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(
        case,
        (1, day, day, day + 7 * DAY, day + 7 * DAY),
        "kept its number"
    );
    let message: i64 = db
        .query_row("SELECT created_at FROM messages", [], |r| r.get(0))
        .unwrap();
    assert_eq!(message, day);
    let entries: Vec<(i64, String, String, bool)> = db
        .prepare("SELECT at, actor, detail, detail_digest IS NOT NULL FROM audit_log ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        entries,
        [
            (1_772_637_377 - 600, "operator".into(), "Olga".into(), true),
            (day, "submitter".into(), "#1 in report".into(), true),
            (day, "submitter".into(), "".into(), true),
        ]
    );
    let pending: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM settings WHERE key = 'audit_rechain'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(pending, 0, "re-chained once");
    let alert_marks: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'alert_marks'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(alert_marks, 0);
    // Re-chained, the log is append-only again.
    assert!(db
        .execute("UPDATE audit_log SET at = at + 1 WHERE id = 1", [])
        .is_err());
    drop(db);
    assert!(verify_in(root.path(), &data).status.success());
}

#[test]
fn an_older_audit_log_that_does_not_verify_is_left_as_it_was() {
    let root = tempfile::tempdir().unwrap();
    let data = old_data_dir(root.path(), true);
    let out = verify_in(root.path(), &data);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("entry 2"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db = rusqlite::Connection::open(data.join("sealbox.sqlite")).unwrap();
    let (at, digests): (i64, i64) = db
        .query_row(
            "SELECT (SELECT at FROM audit_log WHERE id = 2),
                    (SELECT COUNT(detail_digest) FROM audit_log)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((at, digests), (1_772_637_377, 0), "nothing rewritten");
    drop(db);
    // Still broken at the same place on the next start; it is not re-chained then either.
    let out = verify_in(root.path(), &data);
    assert!(String::from_utf8_lossy(&out.stderr).contains("entry 2"));
}
