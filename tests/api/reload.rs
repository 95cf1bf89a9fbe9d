//! Sending the same report form twice (a reload, a double click) makes one case, and the
//! second answer shows the same claim code; the claim-code page offers no link that loses it.

use crate::helpers::*;

fn token_in(html: &str) -> String {
    between(html, "name=\"form_token\" value=\"", "\"").to_owned()
}

#[test]
fn a_reloaded_or_double_clicked_form_makes_one_case_and_shows_its_code_again() {
    let app = spawn_app();
    app.add_officer("o@example.org", "Olga", &[]);
    let token = token_in(&app.get("/report").text().unwrap());
    assert_eq!(token.len(), 64, "a random one-time token");
    assert_ne!(token, token_in(&app.get("/report").text().unwrap()));

    let what = canary("reload");
    let send = |token: &str| {
        let res = app.post_form(
            "/report",
            &[
                ("channel", "report"),
                ("f_what", &what),
                ("form_token", token),
            ],
        );
        assert_eq!(res.status(), 200);
        claim_code_in(&res.text().unwrap())
    };
    let first = send(&token);
    let again = send(&token);
    assert_eq!(first, again, "the reload shows the same claim code");
    assert_eq!(app.case_count(), 1);
    assert_eq!(app.followup_api(&first).status(), 200);

    // Two posts at the same moment: one case, both answers carry its code.
    let token = token_in(&app.get("/report").text().unwrap());
    let codes: Vec<String> = std::thread::scope(|s| {
        let posts: Vec<_> = (0..2).map(|_| s.spawn(|| send(&token))).collect();
        posts.into_iter().map(|p| p.join().unwrap()).collect()
    });
    assert_eq!(codes[0], codes[1]);
    assert_eq!(app.case_count(), 2);

    // The claim-code page has no language links (following one would lose the code).
    let res = app.post_form(
        "/report",
        &[
            ("channel", "report"),
            ("f_what", "third"),
            ("form_token", ""),
        ],
    );
    let page = res.text().unwrap();
    assert!(page.contains("claim-code"));
    assert!(!page.contains("hreflang"), "language links on the receipt");
    assert_eq!(app.case_count(), 3);
}

#[test]
fn a_refused_form_keeps_its_token_and_goes_in_once_corrected() {
    let app = spawn_app();
    app.add_officer("o@example.org", "Olga", &[]);
    let token = token_in(&app.get("/report").text().unwrap());
    let res = app.post_form(
        "/report",
        &[
            ("channel", "report"),
            ("f_what", ""),
            ("form_token", &token),
        ],
    );
    assert_eq!(res.status(), 422);
    let page = res.text().unwrap();
    assert_eq!(
        token_in(&page),
        token,
        "the form shown again keeps its token"
    );
    assert_eq!(app.case_count(), 0);

    let res = app.post_form(
        "/report",
        &[
            ("channel", "report"),
            ("f_what", "now filled in"),
            ("form_token", &token),
        ],
    );
    assert_eq!(res.status(), 200);
    claim_code_in(&res.text().unwrap());
    assert_eq!(app.case_count(), 1);
}

#[test]
fn a_refused_field_is_tied_to_its_message_and_every_page_has_a_skip_link() {
    let app = spawn_app();
    app.add_officer("o@example.org", "Olga", &[]);
    let page = app.get("/report").text().unwrap();
    assert!(page.contains("<a class=\"skip\" href=\"#main\">"), "{page}");
    assert!(page.contains("<main id=\"main\""), "{page}");
    let res = app.post_form(
        "/report",
        &[
            ("channel", "report"),
            ("f_what", "   "),
            ("form_token", &token_in(&page)),
        ],
    );
    assert_eq!(res.status(), 422);
    let page = res.text().unwrap();
    assert!(page.contains("id=\"f_what_error\""), "{page}");
    let field = between(&page, "<textarea id=\"f_what\"", ">");
    assert!(field.contains("aria-invalid=\"true\""), "{field}");
    assert!(
        field.contains("aria-describedby=\"") && field.contains("f_what_error"),
        "{field}"
    );
    let officer = app.get("/officer/login").text().unwrap();
    assert!(
        officer.contains("<a class=\"skip\" href=\"#main\">"),
        "{officer}"
    );
}
