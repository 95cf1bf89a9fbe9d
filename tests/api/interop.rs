//! What sealbox stores is standard age: the reference `age` tool opens a case offline with the
//! organisation's recovery identity alone.

use std::process::Command;

use crate::helpers::*;

#[test]
fn the_age_cli_opens_a_case_with_only_the_recovery_identity() {
    let work = tempfile::tempdir().unwrap();
    let public = age_keygen(work.path(), "recovery.txt");

    let app = spawn_app_with(&format!("recovery_recipient = \"{public}\"\n"));
    app.add_officer("o@example.org", "Officer", &[]);
    let what = canary("recovery");
    let reply = canary("reply");
    let code = app.submit(report(&what));
    let res = app
        .client
        .post(app.url("/api/v1/followup/messages"))
        .bearer_auth(&code)
        .json(&serde_json::json!({ "body": reply }))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);

    let db = app.db();
    let (grant, staff_grant, submission, staff_public): (Vec<u8>, Vec<u8>, Vec<u8>, String) = db
        .query_row(
            "SELECT g.sealed, s.sealed, c.sealed_submission, c.staff_public_key FROM cases c
             JOIN grants g ON g.case_id = c.id AND g.holder = 'recovery' AND g.key = 'case'
             JOIN grants s ON s.case_id = c.id AND s.holder = 'recovery' AND s.key = 'staff'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    let message: Vec<u8> = db
        .query_row("SELECT sealed FROM messages", [], |r| r.get(0))
        .unwrap();
    let dir = work.path();
    for (name, bytes) in [
        ("grant.age", &grant),
        ("staff.age", &staff_grant),
        ("case.age", &submission),
        ("message.age", &message),
    ] {
        assert!(
            bytes.starts_with(b"age-encryption.org/v1\n"),
            "{name} is not a binary age file"
        );
        std::fs::write(dir.join(name), bytes).unwrap();
    }

    // recovery identity → case key → the case, all with the reference tool.
    let case_key = age(
        &["-d", "-i", "recovery.txt", "-o", "case.key", "grant.age"],
        dir,
    );
    assert!(case_key.is_empty());
    let plain = String::from_utf8(age(&["-d", "-i", "case.key", "case.age"], dir)).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&plain).expect("padded JSON still parses");
    assert_eq!(doc["fields"]["what"], what.as_str());
    let plain = String::from_utf8(age(&["-d", "-i", "case.key", "message.age"], dir)).unwrap();
    assert!(plain.contains(&reply));

    // The staff key opens too, and is the one whose public half the case records.
    age(
        &["-d", "-i", "recovery.txt", "-o", "staff.key", "staff.age"],
        dir,
    );
    let staff = std::fs::read_to_string(dir.join("staff.key")).unwrap();
    let derived = sealbox::crypto::SecretKey::parse(&staff).unwrap().public();
    assert_eq!(derived, staff_public);

    // And the recovery identity alone cannot skip the grant: content is sealed to the case key.
    let direct = Command::new("age")
        .args(["-d", "-i", "recovery.txt", "case.age"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(!direct.status.success());
}
