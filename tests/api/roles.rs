//! Admin roles: the first officer of an installation is an admin, and roles change at the
//! command line and on the admin page, never down to no admin at all.

use crate::helpers::*;

/// Whether `sealbox officer list` shows the officer as an admin: the fourth column from the
/// right, as names may hold spaces.
fn is_admin(app: &TestApp, email: &str) -> bool {
    let line = officer_listed(app, email);
    let columns: Vec<&str> = line.split_whitespace().collect();
    match columns[columns.len() - 4] {
        "yes" => true,
        "no" => false,
        other => panic!("not an admin column: {other:?} in {line}"),
    }
}

fn cli(app: &TestApp, args: &[&str]) -> (bool, String) {
    let out = app.cli_with_stdin(args, "");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn the_first_officer_is_an_admin_and_the_cli_changes_roles() {
    let app = spawn_app();
    app.add_officer("first@example.org", "First Officer", &[]);
    app.add_officer("second@example.org", "Second Officer", &[]);
    assert!(is_admin(&app, "first@example.org"));
    assert!(!is_admin(&app, "second@example.org"));

    let (ok, text) = cli(&app, &["officer", "demote", "--email", "first@example.org"]);
    assert!(!ok, "the last admin was demoted: {text}");
    assert!(text.contains("last admin"), "{text}");
    assert!(is_admin(&app, "first@example.org"));

    let (ok, text) = cli(
        &app,
        &["officer", "promote", "--email", "second@example.org"],
    );
    assert!(ok, "{text}");
    assert!(is_admin(&app, "second@example.org"));
    let (ok, text) = cli(&app, &["officer", "demote", "--email", "first@example.org"]);
    assert!(ok, "{text}");
    assert!(!is_admin(&app, "first@example.org"));

    let (ok, text) = cli(
        &app,
        &["officer", "promote", "--email", "nobody@example.org"],
    );
    assert!(!ok && text.contains("no officer"), "{text}");

    let actions: Vec<String> = app
        .db()
        .prepare("SELECT action FROM audit_log WHERE action LIKE 'officer_%moted' ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(actions, ["officer_promoted", "officer_demoted"]);
}

#[test]
fn admins_change_roles_on_the_admin_page() {
    let app = spawn_app();
    app.add_officer("ada@example.org", "Ada Admin", &[]);
    let bob = app.add_officer("bob@example.org", "Bob Handler", &[]);
    let browser = officer_browser(&app, "ada@example.org");
    let page = browser
        .get(app.url("/officer/admin"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        page.contains(&format!("/officer/admin/officers/{bob}/promote")),
        "no promote button"
    );
    let csrf = csrf_in(&page);
    let res = browser
        .post(app.url(&format!("/officer/admin/officers/{bob}/promote")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    assert!(res.text().unwrap().contains("now an admin"));
    assert!(is_admin(&app, "bob@example.org"));

    // Bob, now an admin, demotes Ada; then he cannot demote himself, the last admin.
    let bob_browser = officer_browser(&app, "bob@example.org");
    let page = bob_browser
        .get(app.url("/officer/admin"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let csrf = csrf_in(&page);
    let ada = officer_id_of(&app, "ada@example.org");
    let res = bob_browser
        .post(app.url(&format!("/officer/admin/officers/{ada}/demote")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    assert!(!is_admin(&app, "ada@example.org"));
    let res = bob_browser
        .post(app.url(&format!("/officer/admin/officers/{bob}/demote")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .unwrap();
    assert_eq!(res.status(), 409);
    assert!(res.text().unwrap().contains("last admin"));
    assert!(is_admin(&app, "bob@example.org"));

    // Ada's session no longer reaches the admin page.
    let res = browser.get(app.url("/officer/admin")).send().unwrap();
    assert_eq!(res.status(), 403);
}
