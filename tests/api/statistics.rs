//! Statistics: charts without script, CSV and JSON of the same figures, from the cases the
//! officer can open, with small cells suppressed.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

#[test]
fn statistics_count_what_the_officer_can_open_and_hide_small_cells() {
    let app = spawn_app();
    app.add_officer("alice@example.org", "Alice", &[]);
    let bob = app.add_officer("bob@example.org", "Bob", &[]);
    let secret = canary("stats");
    let mut codes: Vec<String> = (0..6)
        .map(|i| {
            let mut case = report(&format!("{secret} {i}"));
            if i == 0 {
                case["exclude_officers"] = json!([bob]);
            }
            app.submit(case)
        })
        .collect();
    let complaint = json!({
        "channel": "complaint",
        "fields": { "subject": "late", "description": "it came late" }
    });
    let customer = app.submit(complaint.clone());
    codes.push(customer.clone());
    codes.push(app.submit(complaint));

    // Alice acknowledges five reports, and closes and the customer rates one complaint.
    let token = officer_token(&app, "alice@example.org");
    let ids: Vec<String> = codes.iter().map(|c| case_id_of(&app, &token, c)).collect();
    let status = |id: &str, body: Value| {
        let path = format!("/api/v1/officer/cases/{id}/status");
        let res = officer_api(&app, &token, Method::POST, &path, Some(body));
        assert_eq!(res.status(), 200);
    };
    for id in ids.iter().take(5) {
        status(id, json!({"status": "acknowledged"}));
    }
    status(&ids[6], json!({"status": "acknowledged"}));
    status(&ids[6], json!({"status": "closed", "outcome": "resolved"}));
    let res = app
        .client
        .post(app.url("/api/v1/followup/rating"))
        .bearer_auth(&customer)
        .json(&json!({"score": 4}))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);

    // The JSON: exact from 5 up, "<5" below, and nothing resting on fewer than 5 cases.
    let res = officer_api(
        &app,
        &token,
        Method::GET,
        "/api/v1/officer/statistics?months=6",
        None,
    );
    assert_eq!(res.status(), 200);
    let stats: Value = res.json().unwrap();
    let months = stats["months"].as_array().unwrap();
    assert_eq!(months.len(), 6);
    let month = months.last().unwrap().as_str().unwrap().to_owned();
    let series = |list: &str, id: &str| {
        stats[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()["counts"]
            .as_array()
            .unwrap()
            .clone()
    };
    assert_eq!(series("by_channel", "report").last().unwrap(), &json!(6));
    assert_eq!(
        series("by_channel", "complaint").last().unwrap(),
        &json!("<5")
    );
    assert_eq!(
        series("by_kind", "whistleblowing").last().unwrap(),
        &json!(6)
    );
    assert_eq!(stats["open"], json!(7));
    assert_eq!(stats["closed"], json!("<5"));
    assert_eq!(stats["median_days_to_acknowledge"], json!(0.0));
    assert_eq!(stats["median_days_to_close"], Value::Null);
    assert_eq!(stats["satisfaction_average"], Value::Null);
    assert!(
        stats["outcomes"]
            .to_string()
            .contains(r#"["Resolved","<5"]"#),
        "{}",
        stats["outcomes"]
    );

    // The page: charts drawn as SVG, no script, the same figures, nothing written by anyone.
    let browser = officer_browser(&app, "alice@example.org");
    let page = browser
        .get(app.url("/officer/statistics?months=6"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("<svg class=\"chart\""));
    assert!(!page.contains("<script"));
    assert!(
        page.contains("fill=\"url(#few-"),
        "suppressed cells are hatched"
    );
    assert!(page.contains("too few ratings to show"));
    // Each chart's hatching has its own id: ids on a page are unique.
    let ids: Vec<&str> = page
        .match_indices("<pattern id=\"")
        .map(|(i, _)| &page[i + 13..i + 25])
        .collect();
    let unique: std::collections::BTreeSet<&&str> = ids.iter().collect();
    assert_eq!(ids.len(), unique.len(), "{ids:?}");
    assert!(!page.contains(&secret));
    assert!(page.contains("href=\"/officer/statistics.csv?months=6\""));

    // The CSV: the same figures.
    let res = browser
        .get(app.url("/officer/statistics.csv?months=6"))
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = res.text().unwrap();
    assert!(csv.starts_with("section,item,month,value\r\n"));
    assert!(
        csv.contains(&format!("cases_by_channel,report,{month},6\r\n")),
        "{csv}"
    );
    assert!(
        csv.contains(&format!("cases_by_channel,complaint,{month},<5\r\n")),
        "{csv}"
    );
    assert!(csv.contains("cases_now,open,,7\r\n"));
    assert!(csv.contains("satisfaction,average,,suppressed\r\n"));
    assert!(csv.contains("satisfaction,4,,<5\r\n"));
    assert!(!csv.contains(&format!("complaint,{month},2")));

    // Bob never had the report that excluded him: his figures leave it out.
    let bob_token = officer_token(&app, "bob@example.org");
    let res = officer_api(
        &app,
        &bob_token,
        Method::GET,
        "/api/v1/officer/statistics",
        None,
    );
    let bobs: Value = res.json().unwrap();
    let report = bobs["by_channel"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "report")
        .unwrap()["counts"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(report, json!(5));

    // Signed out: the page sends to sign-in, the API refuses.
    assert_eq!(
        client()
            .get(app.url("/officer/statistics"))
            .send()
            .unwrap()
            .status(),
        303
    );
    assert_eq!(app.get("/api/v1/officer/statistics").status(), 401);
}
