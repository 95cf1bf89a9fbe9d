//! The operator's command line.

use crate::helpers::*;

#[test]
fn help_explains_the_commands() {
    let out = bin().arg("--help").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for word in ["serve", "officer", "--config", "--data-dir"] {
        assert!(text.contains(word), "{word} missing from:\n{text}");
    }
    let out = bin().args(["officer", "add", "--help"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for word in [
        "--email",
        "--name",
        "--admin",
        "--channels",
        "--password-stdin",
    ] {
        assert!(text.contains(word), "{word} missing from:\n{text}");
    }
}

#[test]
fn officers_are_added_and_listed() {
    let app = spawn_app();
    app.add_officer(
        "dana@example.org",
        "Dana Diaz",
        &["--admin", "--channels", "report"],
    );
    let out = app.cli_with_stdin(&["officer", "list"], "");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("dana@example.org"))
        .unwrap();
    assert!(
        line.contains("Dana Diaz") && line.contains("yes") && line.contains(" report "),
        "{line}"
    );

    let refuse = |args: &[&str], stdin: &str, expect: &str| {
        let out = app.cli_with_stdin(args, stdin);
        assert!(!out.status.success(), "{args:?} succeeded");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expect), "{args:?}: {err}");
    };
    let add = [
        "officer",
        "add",
        "--email",
        "eli@example.org",
        "--name",
        "Eli",
    ];
    refuse(&add, "a quiet river at dawn\n", "--password-stdin");
    refuse(
        &[&add[..], &["--password-stdin"]].concat(),
        "short\n",
        "at least 12",
    );
    refuse(
        &[&add[..], &["--password-stdin"]].concat(),
        "password1234\n",
        "common",
    );
    refuse(
        &[
            "officer",
            "add",
            "--email",
            "DANA@example.org",
            "--name",
            "D",
            "--password-stdin",
        ],
        "a quiet river at dawn\n",
        "already exists",
    );
    refuse(
        &[&add[..], &["--password-stdin", "--channels", "nope"]].concat(),
        "a quiet river at dawn\n",
        "no channel",
    );
    let stored: String = app
        .db()
        .query_row("SELECT password_hash FROM officers", [], |r| r.get(0))
        .unwrap();
    assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
}
