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
    // Not at the default level: a log line per probe would bury everything else. The line is
    // written after the answer, so wait for it.
    crate::mail::wait_for("the probe's log line", 10, || {
        app.logs().contains("/healthz")
    });
    let logs = app.logs();
    let probes: Vec<&str> = logs.lines().filter(|l| l.contains("/healthz")).collect();
    assert!(probes.iter().all(|l| l.contains("DEBUG")), "{probes:?}");
}

#[test]
fn healthz_is_unavailable_when_the_data_dir_is_read_only() {
    // The disk is far smaller than the default reserve.
    let Some(app) = spawn_app_on_disk("[limits]\nmin_free_bytes = 1048576\n", 64) else {
        return;
    };
    assert_eq!(app.get("/healthz").status(), 200);
    app.abort_disk();
    let res = app.get("/healthz");
    assert_eq!(res.status(), 503);
    assert_eq!(res.text().unwrap(), r#"{"status":"unavailable"}"#);
}

#[test]
fn healthz_is_unavailable_below_the_disk_reserve() {
    // A reserve no disk here has: new cases would be refused, so the site is not healthy.
    let app = spawn_app_with("[limits]\nmin_free_bytes = 1125899906842624\n");
    let res = app.get("/healthz");
    assert_eq!(res.status(), 503);
    assert_eq!(res.text().unwrap(), r#"{"status":"unavailable"}"#);
    let fine = spawn_app_with("[limits]\nmin_free_bytes = 1\n");
    assert_eq!(fine.get("/healthz").status(), 200);
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
