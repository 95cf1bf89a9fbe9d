//! The organisation's name, logo and colour on the reporter pages, its privacy notice and
//! imprint at /privacy, the word on external reporting on the report form, and a bad logo or
//! colour stopping start-up with a message that names it.

use std::path::Path;

use crate::helpers::*;

/// The smallest valid PNG: one transparent pixel.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

fn site_config(logo: &Path, accent: &str) -> String {
    format!(
        r##"organisation = "Acme Widgets Ltd"
[site]
logo = "{}"
accent = "{accent}"
privacy_notice = {{ en = "Acme processes reports under GDPR art. 6(1)(c).\n\nWrite to dpo@acme.example.", de = "Acme verarbeitet Meldungen nach Art. 6 Abs. 1 lit. c DSGVO." }}
external_reporting = "The Federal Office of Justice takes reports too: bfj.example."
imprint = "Acme Widgets Ltd, 1 Example Street, Berlin"
"##,
        logo.display()
    )
}

#[test]
fn every_reporter_page_carries_the_organisation_and_privacy_is_one_click_away() {
    let assets = tempfile::tempdir().unwrap();
    let logo = assets.path().join("logo.png");
    std::fs::write(&logo, PNG).unwrap();
    let app = spawn_app_with(&site_config(&logo, "#8b1f4f"));
    app.add_officer("o@example.org", "Olga", &[]);

    for path in ["/", "/report", "/complaint", "/followup", "/privacy"] {
        let page = app.get(path).text().unwrap();
        assert!(
            page.contains("Acme Widgets Ltd</a>"),
            "{path}: no organisation"
        );
        assert!(
            page.contains("<img class=\"logo\" src=\"/static/logo\""),
            "{path}: no logo"
        );
        assert!(
            page.contains("href=\"/privacy\""),
            "{path}: no privacy link"
        );
        assert!(page.contains("Powered by sealbox"), "{path}");
        assert!(page.contains("<link rel=\"stylesheet\" href=\"/static/site.css\">"));
    }
    let res = app.get("/static/logo");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.bytes().unwrap().as_ref(), PNG);
    assert!(app
        .get("/static/site.css")
        .text()
        .unwrap()
        .contains("--accent: #8b1f4f"));

    let privacy = app.get("/privacy").text().unwrap();
    assert!(privacy.contains("<p>Acme processes reports under GDPR art. 6(1)(c).</p>"));
    assert!(privacy.contains("<p>Write to dpo@acme.example.</p>"));
    assert!(privacy.contains("Acme Widgets Ltd, 1 Example Street, Berlin"));
    let german = app.get("/privacy?lang=de").text().unwrap();
    assert!(german.contains("Art. 6 Abs. 1 lit. c DSGVO") && german.contains("Impressum"));

    let report = app.get("/report").text().unwrap();
    assert!(report.contains("You may also report to the authorities"));
    assert!(report.contains("The Federal Office of Justice takes reports too: bfj.example."));
    let complaint = app.get("/complaint").text().unwrap();
    assert!(!complaint.contains("report to the authorities"));
}

#[test]
fn without_a_site_section_the_pages_say_sealbox_and_a_builtin_notice() {
    let app = spawn_app();
    let page = app.get("/").text().unwrap();
    assert!(page.contains(">sealbox</a>") && !page.contains("Powered by"));
    assert!(!page.contains("/static/logo"));
    assert_eq!(app.get("/static/logo").status(), 404);
    let privacy = app.get("/privacy").text().unwrap();
    assert!(privacy.contains("No IP address"), "the built-in notice");
    assert!(app
        .get("/report")
        .text()
        .unwrap()
        .contains("competent authorities"));
}

#[test]
fn a_bad_logo_or_an_unreadable_colour_stops_start_up_naming_it() {
    let assets = tempfile::tempdir().unwrap();
    let logo = assets.path().join("logo.png");
    std::fs::write(&logo, PNG).unwrap();
    let huge = assets.path().join("huge.png");
    let mut big = PNG.to_vec();
    big.resize(300 * 1024, 0);
    std::fs::write(&huge, big).unwrap();
    let text = assets.path().join("logo.txt");
    std::fs::write(&text, "not an image").unwrap();
    let script = assets.path().join("evil.svg");
    std::fs::write(
        &script,
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
    )
    .unwrap();
    let missing = assets.path().join("missing.png");

    for (config, expected) in [
        (site_config(&logo, "#ffff00"), "too light"),
        (site_config(&logo, "blue"), "#rrggbb"),
        (site_config(&huge, "#8b1f4f"), "huge.png"),
        (site_config(&text, "#8b1f4f"), "not a PNG or SVG"),
        (site_config(&script, "#8b1f4f"), "scripts"),
        (site_config(&missing, "#8b1f4f"), "missing.png"),
    ] {
        let file = assets.path().join("sealbox.toml");
        std::fs::write(&file, &config).unwrap();
        let out = bin()
            .arg("--config")
            .arg(&file)
            .arg("--data-dir")
            .arg(assets.path().join("data"))
            .args(["officer", "list"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "started with {expected}");
        assert!(err.contains(expected), "{expected}: {err}");
    }
}
