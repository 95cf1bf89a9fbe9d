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

#[test]
fn metrics_count_on_their_own_port_and_name_nothing() {
    let port = free_port();
    let app = spawn_app_with(&format!("metrics_listen = \"127.0.0.1:{port}\"\n"));
    let code = app.submit(report("counted, never named"));
    let wrong = app
        .client
        .get(app.url("/api/v1/followup"))
        .bearer_auth("AAAA-BBBB-CCCC-DDDD-EEEE")
        .send()
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let metrics_url = format!("http://127.0.0.1:{port}/metrics");
    let res = client().get(&metrics_url).send().unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = res.text().unwrap();
    for line in [
        "sealbox_cases_received_total{channel=\"report\"} 1",
        "sealbox_http_requests_total{route=\"/api/v1/cases\",method=\"POST\",status=\"201\"} 1",
        "sealbox_http_requests_total{route=\"/api/v1/followup\",method=\"GET\",status=\"401\"} 1",
        "sealbox_kdf_jobs_total{lane=\"intake\"} 1",
        "sealbox_kdf_jobs_total{lane=\"sign-in\"} 1",
        "sealbox_kdf_queue_length{lane=\"sign-in\"} 0",
        "sealbox_mail_outbox_size 0",
    ] {
        assert!(text.lines().any(|l| l == line), "no {line:?} in:\n{text}");
    }
    // Every line is a comment or `name{labels} number`, every series is declared.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (series, value) = line.rsplit_once(' ').unwrap();
        assert!(value.parse::<f64>().is_ok(), "{line}");
        let name = series.split('{').next().unwrap();
        assert!(text.contains(&format!("# TYPE {name} ")), "{line}");
    }
    // Nothing that says which case, who, or when.
    let number = app.followup_api(&code).json::<serde_json::Value>().unwrap()["number"]
        .as_i64()
        .unwrap();
    assert!(!text.contains(&number.to_string()), "{text}");
    assert!(
        !text.contains(&code) && !text.contains("127.0.0.1"),
        "{text}"
    );
    // The metrics are not on the site, and the site is not on the metrics port.
    assert_eq!(app.get("/metrics").status(), 404);
    assert_eq!(
        client()
            .get(format!("http://127.0.0.1:{port}/report"))
            .send()
            .unwrap()
            .status(),
        404
    );
}
