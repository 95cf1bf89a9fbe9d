//! Languages: a page speaks the language of `?lang=` (carried on by its links and forms, with
//! no cookie before a claim-code sign-in), else the browser's; officers choose theirs; channel
//! texts may be configured per language.

use reqwest::blocking::Response;
use serde_json::{json, Value};

use crate::helpers::*;

fn page(res: Response) -> String {
    assert!(
        res.headers().get("set-cookie").is_none(),
        "no cookie before a claim-code sign-in"
    );
    res.text().unwrap()
}

fn get_with_language(app: &TestApp, path: &str, accept: &str) -> String {
    page(
        app.client
            .get(app.url(path))
            .header("Accept-Language", accept)
            .send()
            .unwrap(),
    )
}

#[test]
fn a_page_speaks_the_language_chosen_in_its_address_and_its_links_carry_it_on() {
    let app = spawn_app();
    let de = page(app.get("/?lang=de"));
    assert!(de.contains("<html lang=\"de\">"), "{de}");
    assert!(de.contains("Sicher Bedenken äußern") && de.contains("Fehlverhalten melden"));
    for link in ["/report?lang=de", "/complaint?lang=de", "/followup?lang=de"] {
        assert!(de.contains(&format!("href=\"{link}\"")), "{link} in {de}");
    }
    // The switcher offers the other languages, as plain links.
    assert!(de.contains("href=\"/?lang=pt-BR\"") && de.contains("href=\"/?lang=en\""));
    assert!(!de.contains("<script"));

    let pt = page(app.get("/?lang=pt-BR"));
    assert!(pt.contains("<html lang=\"pt-BR\">") && pt.contains("Fale com segurança"));
    assert!(pt.contains("href=\"/report?lang=pt-BR\""));

    // Every reporter page keeps it, and none sets a cookie.
    for path in ["/report", "/complaint", "/followup"] {
        let text = page(app.get(&format!("{path}?lang=de")));
        assert!(text.contains("<html lang=\"de\">"), "{path}");
        assert!(
            text.contains("action=\"") && text.contains("?lang=de\""),
            "{path}"
        );
    }
    let text = page(app.get("/nothing-here?lang=de"));
    assert!(text.contains("Seite nicht gefunden"), "{text}");
}

#[test]
fn without_a_choice_the_browser_language_decides_and_a_choice_wins_over_it() {
    let app = spawn_app();
    let pt = get_with_language(&app, "/", "pt-BR,pt;q=0.9");
    assert!(pt.contains("<html lang=\"pt-BR\">") && pt.contains("Fale com segurança"));
    // Not chosen in the address, so links stay plain.
    assert!(pt.contains("href=\"/report\""));

    let de = get_with_language(&app, "/report", "fr-CH, de-AT;q=0.8, en;q=0.5");
    assert!(de.contains("<html lang=\"de\">") && de.contains("Was ist passiert?"));

    let en = get_with_language(&app, "/", "fr-FR,ja;q=0.5");
    assert!(en.contains("<html lang=\"en\">") && en.contains("Speak up safely"));

    let chosen = get_with_language(&app, "/?lang=de", "pt-BR");
    assert!(chosen.contains("<html lang=\"de\">"));
    // A language sealbox does not speak is no choice.
    let unknown = get_with_language(&app, "/?lang=fr", "pt-BR");
    assert!(unknown.contains("<html lang=\"pt-BR\">") && unknown.contains("href=\"/report\""));

    let channels: Value = app
        .client
        .get(app.url("/api/v1/channels"))
        .header("Accept-Language", "de")
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(channels["channels"][0]["title"], "Fehlverhalten melden");
    assert_eq!(
        channels["channels"][0]["fields"][0]["label"],
        "Was ist passiert?"
    );
    let english: Value = app.get("/api/v1/channels").json().unwrap();
    assert_eq!(english["channels"][0]["title"], "Report misconduct");
}

#[test]
fn a_report_made_in_german_stays_german_from_form_to_follow_up() {
    let app = spawn_app();
    let form = page(app.get("/report?lang=de"));
    assert!(form.contains("action=\"/report?lang=de\"") && form.contains("Meldung senden"));

    // A required field left empty: the form again, in German.
    let res = app.post_form("/report?lang=de", &[("channel", "report"), ("f_what", " ")]);
    assert_eq!(res.status(), 422);
    let again = page(res);
    assert!(
        again.contains("Bitte ausfüllen: Was ist passiert?"),
        "{again}"
    );
    assert!(again.contains("Bitte prüfen Sie Ihre Meldung"));

    let what = canary("german");
    let res = app.post_form(
        "/report?lang=de",
        &[("channel", "report"), ("f_what", &what), ("f_when", "")],
    );
    assert_eq!(res.status(), 200);
    let receipt = page(res);
    assert!(
        receipt.contains("Ihre Meldung ist eingegangen"),
        "{receipt}"
    );
    assert!(receipt.contains("href=\"/followup?lang=de\""));
    let code = claim_code_in(&receipt);

    let res = app.post_form("/followup?lang=de", &[("code", "WRONG-CODE")]);
    assert_eq!(res.status(), 401);
    assert!(page(res).contains("Dieser Zugangscode öffnet keinen Fall"));

    let res = app.post_form("/followup?lang=de", &[("code", &code)]);
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/followup?lang=de");
    let case = app.get("/followup?lang=de").text().unwrap();
    assert!(case.contains("<html lang=\"de\">") && case.contains("Ihre Meldung"));
    assert!(case.contains("Eingegangen") && case.contains("Was ist passiert?"));
    assert!(case.contains(&what) && case.contains("action=\"/followup/messages?lang=de\""));

    let csrf = csrf_in(&case);
    let res = app.post_form(
        "/followup/messages?lang=de",
        &[("csrf", &csrf), ("body", " ")],
    );
    assert_eq!(res.status(), 422);
    assert!(res
        .text()
        .unwrap()
        .contains("Schreiben Sie eine Nachricht oder wählen Sie eine Datei zum Senden."));
    let res = app.post_form(
        "/followup/messages?lang=de",
        &[("csrf", &csrf), ("body", "Noch etwas.")],
    );
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/followup?lang=de");
    let case = app.get("/followup?lang=de").text().unwrap();
    assert!(
        case.contains("Noch etwas.") && case.contains(">Sie · "),
        "{case}"
    );

    // The API's messages stay English: its error codes are the stable part.
    let res = app.post_json(
        "/api/v1/cases?lang=de",
        &json!({"channel": "report", "fields": {}}),
    );
    assert_eq!(res.status(), 422);
    assert_eq!(
        res.json::<Value>().unwrap()["message"],
        "What happened? is required"
    );
}

#[test]
fn an_officer_picks_a_language_and_their_pages_follow_it() {
    let app = spawn_app();
    app.add_officer("d@example.org", "Dora", &[]);
    app.submit(report("for the inbox"));
    let browser = officer_browser(&app, "d@example.org");
    let get = |path: &str| {
        browser
            .get(app.url(path))
            .header("Accept-Language", "pt-BR")
            .send()
            .unwrap()
            .text()
            .unwrap()
    };
    // No choice yet: the browser's language.
    let account = get("/officer/account");
    assert!(account.contains("<html lang=\"pt-BR\">") && account.contains("Sua conta"));
    let csrf = csrf_in(&account);

    let res = browser
        .post(app.url("/officer/account/language"))
        .form(&[("csrf", csrf.as_str()), ("language", "de")])
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    let saved = res.text().unwrap();
    assert!(saved.contains("Ihre Sprache wurde gespeichert"), "{saved}");
    assert!(saved.contains("<option value=\"de\" lang=\"de\" selected>"));

    let inbox = get("/officer");
    assert!(inbox.contains("<html lang=\"de\">") && inbox.contains("Eingang"));
    assert!(inbox.contains("Eingegangen") && inbox.contains("Fehlverhalten melden"));
    let id = between(&inbox, "href=\"/officer/cases/", "\"").to_owned();
    let case = get(&format!("/officer/cases/{id}"));
    assert!(case.contains("Was eingereicht wurde") && case.contains("Was ist passiert?"));
    assert!(case.contains("Eingang bestätigen bis"));

    let res = browser
        .post(app.url("/officer/account/language"))
        .form(&[("csrf", csrf.as_str()), ("language", "xx")])
        .send()
        .unwrap();
    assert_eq!(res.status(), 422);

    // Back to the browser's choice.
    let res = browser
        .post(app.url("/officer/account/language"))
        .form(&[("csrf", csrf.as_str()), ("language", "")])
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(get("/officer").contains("<html lang=\"pt-BR\">"));
    let language: Option<String> = app
        .db()
        .query_row("SELECT language FROM officers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(language, None);
}

const TRANSLATED_CHANNELS: &str = r#"
[[channels]]
id = "hr"
kind = "whistleblowing"
title = { en = "HR issues", de = "Personalfragen", pt-BR = "Questões de RH" }
description = { en = "Conduct at work.", de = "Verhalten am Arbeitsplatz." }
[[channels.fields]]
id = "area"
label = { en = "Area", de = "Bereich", pt-BR = "Área" }
type = "select"
options = [{ en = "Pay", de = "Gehalt", pt-BR = "Salário" }, "Safety"]
required = true
[[channels.fields]]
id = "details"
label = "Details"
type = "textarea"
help = { en = "In your own words.", pt-BR = "Com suas palavras." }

[[channels]]
id = "shop"
kind = "complaint"
title = "Shop"
[[channels.fields]]
id = "what"
label = "What?"
type = "text"
required = true
"#;

#[test]
fn channel_texts_configured_per_language_are_shown_in_it() {
    let app = spawn_app_with(TRANSLATED_CHANNELS);
    let de: Value = app.get("/api/v1/channels?lang=de").json().unwrap();
    let hr = &de["channels"][0];
    assert_eq!(hr["title"], "Personalfragen");
    assert_eq!(hr["description"], "Verhalten am Arbeitsplatz.");
    assert_eq!(hr["fields"][0]["label"], "Bereich");
    // Options are what to send, whatever the language.
    assert_eq!(hr["fields"][0]["options"], json!(["Pay", "Safety"]));
    assert_eq!(hr["fields"][1]["label"], "Details");
    // A plain string is the same in every language.
    assert_eq!(de["channels"][1]["title"], "Shop");
    let pt: Value = app.get("/api/v1/channels?lang=pt-BR").json().unwrap();
    assert_eq!(pt["channels"][0]["title"], "Questões de RH");
    // Left out for a language: English.
    assert_eq!(pt["channels"][0]["description"], "Conduct at work.");
    let en: Value = app.get("/api/v1/channels").json().unwrap();
    assert_eq!(en["channels"][0]["title"], "HR issues");

    let form = page(app.get("/report?lang=de"));
    assert!(form.contains("<h1>Personalfragen</h1>") && form.contains(">Bereich"));
    assert!(
        form.contains("<option value=\"Pay\">Gehalt</option>"),
        "{form}"
    );
    assert!(form.contains("<option value=\"Safety\">Safety</option>"));
    let form = page(app.get("/report?lang=pt-BR"));
    assert!(form.contains("Com suas palavras.") && form.contains("Salário"));

    // The stored value is the option's own, shown in the reader's language.
    let res = app.post_form(
        "/report?lang=de",
        &[("channel", "hr"), ("f_area", "Pay"), ("f_details", "x")],
    );
    assert_eq!(res.status(), 200);
    let code = claim_code_in(&res.text().unwrap());
    let case: Value = app.followup_api(&code).json().unwrap();
    assert_eq!(case["fields"]["area"], "Pay");
    app.post_form("/followup?lang=de", &[("code", &code)]);
    let followup = app.get("/followup?lang=de").text().unwrap();
    assert!(
        followup.contains("<dt>Bereich</dt><dd class=\"text\">Gehalt</dd>"),
        "{followup}"
    );
    assert!(followup.contains("Personalfragen"));
}

#[test]
fn a_channel_text_in_a_language_sealbox_does_not_speak_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sealbox.toml");
    std::fs::write(
        &config,
        "[[channels]]\nid = \"x\"\nkind = \"complaint\"\ntitle = { en = \"X\", fr = \"X\" }\n\
         [[channels.fields]]\nid = \"a\"\nlabel = \"A\"\ntype = \"text\"\n",
    )
    .unwrap();
    let out = bin()
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .arg("purge")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("\"fr\" is not a language"), "{err}");
}
