//! What an operator's tools see: `/healthz`, and `Onion-Location` when there is an onion site.

use crate::helpers::*;

#[test]
fn healthz_says_ok_and_nothing_else() {
    let app = spawn_app();
    app.submit(report("not to be counted"));
    let res = app.get("/healthz");
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    assert_eq!(res.text().unwrap(), r#"{"status":"ok"}"#);
    // Not at the default level: a log line per probe would bury everything else.
    let logs = app.logs();
    let probes: Vec<&str> = logs.lines().filter(|l| l.contains("/healthz")).collect();
    assert!(!probes.is_empty(), "{logs}");
    assert!(probes.iter().all(|l| l.contains("DEBUG")), "{probes:?}");
}

#[test]
fn healthz_is_unavailable_when_the_data_dir_is_read_only() {
    let Some(app) = spawn_app_on_disk("", 64) else {
        return;
    };
    assert_eq!(app.get("/healthz").status(), 200);
    app.abort_disk();
    let res = app.get("/healthz");
    assert_eq!(res.status(), 503);
    assert_eq!(res.text().unwrap(), r#"{"status":"unavailable"}"#);
}

#[test]
fn pages_name_the_onion_site_when_there_is_one() {
    let onion = "http://sealboxexampleonionaddressxxxxxxxxxxxxxxxxxxxxxxxxxxx.onion";
    let app = spawn_app_with(&format!("onion_url = \"{onion}/\"\n"));
    let res = app.get("/report?lang=de");
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["onion-location"].to_str().unwrap(),
        format!("{onion}/report?lang=de")
    );
    let res = app.get("/");
    assert_eq!(
        res.headers()["onion-location"].to_str().unwrap(),
        format!("{onion}/")
    );
    // JSON is not a page Tor Browser would switch.
    let res = app.get("/api/v1/channels");
    assert!(res.headers().get("onion-location").is_none());

    let plain = spawn_app();
    assert!(plain
        .get("/report")
        .headers()
        .get("onion-location")
        .is_none());
}
