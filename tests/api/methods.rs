//! `HEAD` on every page, and `405` with `Allow` for a known path asked with the wrong method.

use std::io::{Read, Write};
use std::net::TcpStream;

use reqwest::Method;
use serde_json::Value;

use crate::helpers::*;

/// What the server sends back for a raw `HEAD`, up to the closed connection.
fn raw_head(app: &TestApp, path: &str) -> String {
    let host = app.url("").trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&host).unwrap();
    write!(
        stream,
        "HEAD {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn every_page_answers_head_with_headers_and_no_body() {
    let app = spawn_app();
    app.add_officer("o@example.org", "Olga", &[]);
    for path in [
        "/",
        "/report",
        "/complaint",
        "/followup",
        "/officer/login",
        "/api/v1/channels",
        "/static/sealbox.css",
    ] {
        let get = app.get(path);
        assert_eq!(get.status(), 200, "GET {path}");
        let length = get.bytes().unwrap().len();
        let answer = raw_head(&app, path);
        let (head, body) = answer.split_once("\r\n\r\n").expect("a header block");
        assert!(head.starts_with("HTTP/1.1 200"), "HEAD {path}: {head}");
        assert!(body.is_empty(), "HEAD {path} sent a body");
        let lower = head.to_ascii_lowercase();
        assert!(
            lower.contains(&format!("content-length: {length}")),
            "HEAD {path}: the length of the GET ({length}) missing: {head}"
        );
        assert!(lower.contains("content-security-policy"), "HEAD {path}");
    }
    assert!(raw_head(&app, "/no/such/page").starts_with("HTTP/1.1 404"));
}

#[test]
fn a_known_path_with_the_wrong_method_gets_405_and_allow() {
    let app = spawn_app();
    let client = client();
    let ask = |method: Method, path: &str| client.request(method, app.url(path)).send().unwrap();

    let res = ask(Method::GET, "/api/v1/cases");
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "POST");
    let body: Value = res.json().unwrap();
    assert_eq!(body["error"], "method_not_allowed");

    let res = ask(Method::DELETE, "/report");
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "GET, HEAD, POST");
    assert!(res.text().unwrap().contains("<html"));

    let res = ask(Method::PUT, "/api/v1/officer/cases/abc");
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "GET, HEAD");

    let res = ask(Method::POST, "/");
    assert_eq!(res.status(), 405);

    // An unknown path stays 404, whatever the method.
    assert_eq!(ask(Method::DELETE, "/no/such/page").status(), 404);
    assert_eq!(ask(Method::GET, "/api/v1/nothing").status(), 404);
}
