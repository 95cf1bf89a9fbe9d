//! `GET /api/v1/openapi.json`: it describes exactly the routes of `fn routes`.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::attacks::route_table;
use crate::helpers::*;

fn spec(app: &TestApp) -> Value {
    let res = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    res.json().unwrap()
}

#[test]
fn the_description_covers_every_api_route_and_nothing_else() {
    let app = spawn_app();
    let spec = spec(&app);
    assert!(
        spec["openapi"].as_str().unwrap().starts_with("3.1."),
        "{}",
        spec["openapi"]
    );
    let described: BTreeSet<(String, String)> = spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|k| ["get", "post", "put", "patch", "delete"].contains(&k.as_str()))
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect();
    let routed: BTreeSet<(String, String)> = route_table()
        .into_iter()
        .filter(|r| r.api())
        .map(|r| (r.method, r.path))
        .collect();
    assert_eq!(
        described.difference(&routed).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "described but not routed"
    );
    assert_eq!(
        routed.difference(&described).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "routed but not described: add #[utoipa::path] and list it in src/http/api/openapi.rs"
    );
    assert!(routed.contains(&("GET".into(), "/api/v1/openapi.json".into())));
    // Every operation says how it answers, success and refusal.
    for (method, path) in &described {
        let op = &spec["paths"][path][method.to_lowercase()];
        let statuses: Vec<&String> = op["responses"].as_object().unwrap().keys().collect();
        assert!(
            statuses.iter().any(|s| s.starts_with('2')),
            "{method} {path}: {statuses:?}"
        );
    }
}

/// Found by Schemathesis: a query string the API cannot read was answered with an HTML page.
#[test]
fn an_unreadable_query_string_is_answered_in_json() {
    let app = spawn_app();
    app.add_officer("q@example.org", "Quinn", &[]);
    let token = officer_token(&app, "q@example.org");
    for path in [
        "/api/v1/officer/statistics?months=",
        "/api/v1/officer/cases?overdue=maybe",
    ] {
        let res = app
            .client
            .get(app.url(path))
            .header("Authorization", format!("Bearer {token}"))
            .send()
            .unwrap();
        assert_eq!(res.status(), 400, "{path}");
        assert_eq!(res.headers()["content-type"], "application/json", "{path}");
        let body: Value = res.json().unwrap();
        assert_eq!(body["error"], "malformed", "{path}");
    }
    // The pages still answer with a page.
    let res = app
        .client
        .get(app.url("/report?channel=a&channel=b"))
        .send()
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
}
