//! Attacks through HTTP on the running binary, one theme a file: forged forms (CSRF) and
//! requests another site made, session fixation, claim-code guessing, an excluded or disabled
//! officer reaching a case, responses without the strict headers, and directory traversal in
//! path parameters. What they share is here: the route table, clients whose cookies are set by
//! hand, a snapshot of what the server holds, the strict headers, raw HTTP, and a case with
//! everything in it.
//!
//! The routes come from the route table in `src/http/mod.rs` itself (read when this test is
//! compiled), so a route added later is attacked too, or the test stops and asks what it is.

mod claim_codes;
mod cross_site;
mod forms;
mod headers;
mod session_fixation;
mod shut_out;
mod traversal;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use reqwest::blocking::multipart::{Form, Part};
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

// ----- the route table ----------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Route {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: String,
    /// As registered, with its parameters: `/officer/cases/{id}/files/{file_id}`.
    pub path: String,
}

impl Route {
    pub fn api(&self) -> bool {
        self.path.starts_with("/api/")
    }

    /// Whether it changes something: `POST`, `PUT` or `DELETE` (all are guarded alike).
    pub fn post(&self) -> bool {
        self.method != "GET"
    }

    pub fn http_method(&self) -> reqwest::Method {
        self.method.parse().unwrap()
    }

    pub fn has_params(&self) -> bool {
        self.path.contains('{')
    }
}

/// Every route of the server, read from `fn routes` in `src/http/mod.rs`: each
/// `.route("path", web::method()…)`, with `/api/v1` in front of those inside the API scope.
pub fn route_table() -> Vec<Route> {
    let source = include_str!("../../../src/http/mod.rs");
    let start = source
        .find("fn routes(")
        .expect("fn routes in src/http/mod.rs");
    let body = &source[start..];
    let body = &body[..body.find("\n}\n").expect("the end of fn routes")];
    let scope = body.find("web::scope(\"/api/v1\")").expect("the API scope");
    let scope_end = scope
        + body[scope..]
            .find(".default_service(")
            .expect("the end of the API scope");
    let routes: Vec<Route> = body
        .match_indices(".route(")
        .map(|(at, _)| {
            let rest = &body[at..];
            let path = rest.split('"').nth(1).expect("a quoted path");
            let method = rest
                .split("web::")
                .nth(1)
                .and_then(|m| m.split("()").next())
                .expect("web::get() or web::post()")
                .to_uppercase();
            let prefix = if (scope..scope_end).contains(&at) {
                "/api/v1"
            } else {
                ""
            };
            Route {
                method,
                path: format!("{prefix}{path}"),
            }
        })
        .collect();
    // The reading is checked against what it must find, so a change of layout in mod.rs
    // cannot make these tests attack nothing.
    assert_eq!(routes.len(), source.matches(".route(").count());
    assert!(routes.len() > 60, "{routes:?}");
    assert!(routes
        .iter()
        .all(|r| ["GET", "POST", "PUT", "DELETE"].contains(&r.method.as_str())));
    for (method, path) in [
        ("GET", "/api/v1/officer/cases/{id}/files/{file_id}"),
        ("POST", "/api/v1/officer/disclosures/{id}"),
        ("POST", "/officer/admin/officers/{id}/disable"),
        ("GET", "/static/sealbox.css"),
        ("POST", "/followup/logout"),
    ] {
        assert!(
            routes.iter().any(|r| r.method == method && r.path == path),
            "{method} {path} not read from the route table"
        );
    }
    routes
}

// ----- clients with cookies set by hand -----------------------------------------------------

/// A client without a cookie store: each request carries exactly the cookie a test gives it,
/// so cookies can be planted, swapped and replayed.
fn bare() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// `name=value` of the cookie `name` a response sets.
fn set_cookie(res: &Response, name: &str) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie set: {:?}", res.headers()))
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

fn officer_cookie(app: &TestApp, email: &str) -> String {
    let res = bare()
        .post(app.url("/officer/login"))
        .form(&[("email", email), ("password", PASSWORD), ("totp", "")])
        .send()
        .unwrap();
    assert_eq!(res.status(), 303, "{email} signs in");
    set_cookie(&res, "sealbox_officer")
}

fn followup_cookie(app: &TestApp, code: &str) -> String {
    let res = bare()
        .post(app.url("/followup"))
        .form(&[("code", code)])
        .send()
        .unwrap();
    assert_eq!(res.status(), 303, "the claim code signs in");
    set_cookie(&res, "sealbox_followup")
}

fn get_with(app: &TestApp, cookie: &str, path: &str) -> Response {
    bare()
        .get(app.url(path))
        .header("Cookie", cookie)
        .send()
        .unwrap()
}

fn page_with(app: &TestApp, cookie: &str, path: &str) -> String {
    let res = get_with(app, cookie, path);
    assert_eq!(res.status(), 200, "GET {path}");
    res.text().unwrap()
}

fn owned(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn post_form_with(
    app: &TestApp,
    cookie: &str,
    path: &str,
    fields: &[(String, String)],
) -> Response {
    bare()
        .post(app.url(path))
        .header("Cookie", cookie)
        .form(fields)
        .send()
        .unwrap()
}

/// The same form as `multipart/form-data`, the texts first, then one file.
fn post_files_with(
    app: &TestApp,
    cookie: &str,
    path: &str,
    fields: &[(String, String)],
    file: &str,
) -> Response {
    let mut form = Form::new();
    for (k, v) in fields {
        form = form.text(k.clone(), v.clone());
    }
    let form = form.part(
        "file",
        Part::bytes(file.as_bytes().to_vec()).file_name("forged.txt"),
    );
    bare()
        .post(app.url(path))
        .header("Cookie", cookie)
        .multipart(form)
        .send()
        .unwrap()
}

fn with_token(rb: RequestBuilder, token: &str) -> RequestBuilder {
    rb.header("Authorization", format!("Bearer {token}"))
}

// ----- what the server holds ----------------------------------------------------------------

/// Everything the database holds, table by table, and the names of the stored files. The mail
/// outbox is left out: the mail worker empties it on its own schedule. Read from the database
/// itself: a refused request must change nothing at rest, sessions and audit log included,
/// which no API shows in full.
fn snapshot(app: &TestApp) -> BTreeMap<String, Vec<String>> {
    let db = app.db();
    let tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'outbox'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = BTreeMap::new();
    for table in tables {
        let mut stmt = db.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = stmt.column_count();
        let mut rows: Vec<String> = stmt
            .query_map([], |r| {
                Ok((0..columns)
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join("|"))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        rows.sort();
        out.insert(table, rows);
    }
    out.insert("files/".into(), stored_files(app));
    out
}

fn stored_files(app: &TestApp) -> Vec<String> {
    let dir = app.data_dir().join("files");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The tables that differ between two snapshots.
fn changed(
    before: &BTreeMap<String, Vec<String>>,
    after: &BTreeMap<String, Vec<String>>,
) -> Vec<String> {
    after
        .iter()
        .filter(|(table, rows)| before.get(*table) != Some(rows))
        .map(|(table, _)| table.clone())
        .collect()
}

// ----- the strict headers -------------------------------------------------------------------

const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

/// A response's headers, names in lower case.
type Headers = Vec<(String, String)>;

fn headers_of(res: &Response) -> Headers {
    res.headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                v.to_str().unwrap_or("<binary>").to_owned(),
            )
        })
        .collect()
}

fn header<'a>(headers: &'a Headers, name: &str) -> Vec<&'a str> {
    headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect()
}

/// The headers `src/http/security.rs` promises on every response, once each.
fn assert_strict_headers(headers: &Headers, https: bool, what: &str) {
    let one = |name: &str| -> &str {
        let values = header(headers, name);
        assert_eq!(values.len(), 1, "{what}: {name} {values:?} in {headers:?}");
        values[0]
    };
    assert_eq!(one("content-security-policy"), CSP, "{what}");
    assert_eq!(one("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(one("referrer-policy"), "no-referrer", "{what}");
    assert_eq!(one("x-frame-options"), "DENY", "{what}");
    assert_eq!(one("cross-origin-opener-policy"), "same-origin", "{what}");
    assert_eq!(one("cross-origin-resource-policy"), "same-origin", "{what}");
    assert_eq!(
        one("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        "{what}"
    );
    let cache = one("cache-control");
    if what.contains(" /static/") && cache != "no-store" {
        // The stylesheets and the logo are worth caching, and nothing personal: the same for
        // everyone.
        assert_eq!(cache, "public, max-age=3600", "{what}");
    } else {
        assert_eq!(cache, "no-store", "{what}");
    }
    let hsts = header(headers, "strict-transport-security");
    if https {
        assert_eq!(hsts, ["max-age=31536000"], "{what}");
    } else {
        assert!(hsts.is_empty(), "{what}: HSTS over plain http: {hsts:?}");
    }
    for absent in ["access-control-allow-origin", "server", "x-powered-by"] {
        assert!(header(headers, absent).is_empty(), "{what}: {absent}");
    }
}

// ----- raw HTTP, for paths no HTTP library would send as they are ---------------------------

struct Raw {
    status: u16,
    headers: Headers,
    body: Vec<u8>,
}

impl Raw {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `target` exactly as given (no normalisation of `..`, no re-encoding) and reads the
/// whole answer; `None` when the server closed the connection without one.
fn raw(
    app: &TestApp,
    method: &str,
    target: &[u8],
    extra: &[(&str, &str)],
    body: &[u8],
) -> Option<Raw> {
    let host = app.base.trim_start_matches("http://");
    let mut request = Vec::new();
    request.extend_from_slice(method.as_bytes());
    request.push(b' ');
    request.extend_from_slice(target);
    request.extend_from_slice(
        format!(" HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n").as_bytes(),
    );
    if !extra
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-length"))
    {
        request.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    for (k, v) in extra {
        request.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    request.extend_from_slice(b"\r\n");
    request.extend_from_slice(body);
    let mut stream = TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    // The server may answer and close before it has read all of a refused request.
    let _ = stream.write_all(&request);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    parse_response(&answer)
}

fn parse_response(bytes: &[u8]) -> Option<Raw> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = bytes[end + 4..].to_vec();
    if header(&headers, "transfer-encoding")
        .iter()
        .any(|v| v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Some(Raw {
        status,
        headers,
        body,
    })
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&rest[..eol])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next()?.trim(), 16).ok())
            .unwrap_or(0);
        rest = &rest[eol + 2..];
        if size == 0 || rest.len() < size {
            break;
        }
        out.extend_from_slice(&rest[..size]);
        rest = rest.get(size + 2..).unwrap_or_default();
    }
    out
}

/// Whether a response is the HTTP layer's refusal of a request it could not parse (a request
/// line too long, bytes no URL may hold): it comes before any route or middleware, so it
/// carries no headers of the app, and nothing else either: no body, no content type.
fn http_layer_refusal(res: &Raw) -> bool {
    [400, 431].contains(&res.status)
        && res.body.is_empty()
        && header(&res.headers, "content-type").is_empty()
}

// ----- signed-in page sessions --------------------------------------------------------------

/// A signed-in page session: its cookie and the CSRF token its pages carry.
#[derive(Clone)]
struct Agent {
    cookie: String,
    csrf: String,
}

impl Agent {
    fn officer(app: &TestApp, email: &str) -> Agent {
        let cookie = officer_cookie(app, email);
        let csrf = csrf_in(&page_with(app, &cookie, "/officer/account"));
        Agent { cookie, csrf }
    }

    fn submitter(app: &TestApp, code: &str) -> Agent {
        let cookie = followup_cookie(app, code);
        let csrf = csrf_in(&page_with(app, &cookie, "/followup"));
        Agent { cookie, csrf }
    }
}

// ----- a case with everything in it ---------------------------------------------------------

/// A server with one case that has every kind of content, each a canary: fields, a file (its
/// name and content), the reporter's identity, messages both ways, an internal note, and a
/// disclosure request. Its submitter excluded Bob, who is an identity custodian (so he may
/// approve disclosures, but not of this case). Alice is an admin and custodian, Carol and
/// Hank handle it.
struct World {
    app: TestApp,
    code: String,
    case_id: String,
    number: i64,
    file_id: String,
    request_id: String,
    /// A record (minutes) of the case.
    record_id: String,
    secrets: Vec<String>,
    bob: String,
    carol: String,
    /// A case Bob may open.
    other_case: String,
}

fn world_with(config: &str) -> World {
    let app = spawn_app_with(config);
    app.add_officer(
        "alice@example.org",
        "Alice Admin",
        &["--admin", "--custodian"],
    );
    let bob = app.add_officer("bob@example.org", "Bob Excluded", &["--custodian"]);
    let carol = app.add_officer("carol@example.org", "Carol Handler", &[]);
    app.add_officer("hank@example.org", "Hank Handler", &[]);
    let secrets: Vec<String> = [
        "field", "identity", "filename", "filetext", "message", "note", "reply", "reason",
        "record", "meeting",
    ]
    .iter()
    .map(|s| canary(s))
    .collect();
    let case = json!({
        "channel": "report",
        "fields": { "what": secrets[0] },
        "exclude_officers": [bob],
        "identity": { "name": secrets[1], "contact": "by phone" },
    });
    let form = Form::new().text("case", case.to_string()).part(
        "file",
        Part::bytes(secrets[3].clone().into_bytes()).file_name(format!("{}.txt", secrets[2])),
    );
    let res = app
        .client
        .post(app.url("/api/v1/cases"))
        .multipart(form)
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    let code = res.json::<Value>().unwrap()["claim_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let other_code = app.submit(report("a case Bob may read"));
    let alice = officer_token(&app, "alice@example.org");
    let case_id = case_id_of(&app, &alice, &code);
    let other_case = case_id_of(&app, &alice, &other_code);
    let view: Value = app.followup_api(&code).json().unwrap();
    let number = view["number"].as_i64().unwrap();
    let file_id = view["files"][0]["id"].as_str().unwrap().to_owned();
    let res = app
        .client
        .post(app.url("/api/v1/followup/messages"))
        .bearer_auth(&code)
        .json(&json!({ "body": secrets[4] }))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    for (thread, body) in [("notes", &secrets[5]), ("messages", &secrets[6])] {
        let res = officer_api(
            &app,
            &alice,
            Method::POST,
            &format!("/api/v1/officer/cases/{case_id}/{thread}"),
            Some(json!({ "body": body })),
        );
        assert_eq!(res.status(), 201);
    }
    let hank = officer_token(&app, "hank@example.org");
    let res = officer_api(
        &app,
        &hank,
        Method::POST,
        &format!("/api/v1/officer/cases/{case_id}/disclosure"),
        Some(json!({ "reason": secrets[7] })),
    );
    assert_eq!(res.status(), 201);
    let request_id = res.json::<Value>().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = officer_api(
        &app,
        &alice,
        Method::POST,
        &format!("/api/v1/officer/cases/{case_id}/records"),
        Some(json!({ "kind": "minutes", "body": secrets[8] })),
    );
    assert_eq!(res.status(), 201);
    let record_id = res.json::<Value>().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .client
        .post(app.url("/api/v1/followup/meeting"))
        .bearer_auth(&code)
        .json(&json!({ "kind": "call", "availability": secrets[9] }))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    World {
        app,
        code,
        number,
        case_id,
        file_id,
        request_id,
        record_id,
        secrets,
        bob,
        carol,
        other_case,
    }
}

impl World {
    /// A route's path with real values: `case` for a case id, the case's file, the pending
    /// disclosure request, and Bob for an officer.
    fn fill(&self, route: &str, case: &str) -> String {
        let id = if route.contains("/cases/{id}") {
            case
        } else if route.contains("/disclosures/{id}") {
            &self.request_id
        } else if route.contains("/officers/{id}") {
            &self.bob
        } else if route.contains("/records/{id}") {
            &self.record_id
        } else if route.contains("/admin/channels/{id}") {
            "report"
        } else {
            assert!(
                !route.contains("{id}"),
                "{route}: a new kind of {{id}}: say here what it names"
            );
            ""
        };
        // An enrolment link's token: well formed, and opening nothing.
        let path = route
            .replace("{id}", id)
            .replace("{file_id}", &self.file_id)
            .replace("{record_id}", &self.record_id)
            .replace("{token}", &"0".repeat(64));
        assert!(
            !path.contains('{'),
            "{route}: a new path parameter: say here what it names"
        );
        path
    }

    fn leaked<'a>(&'a self, body: &str) -> Vec<&'a String> {
        self.secrets
            .iter()
            .filter(|s| body.contains(s.as_str()))
            .collect()
    }
}

// ----- what an entitled client would send ---------------------------------------------------

/// A JSON body an entitled client could send to an API route that changes something, so a
/// refusal is the route's decision about who asks, not about the body; `None`: it takes files.
fn api_body(route: &Route) -> Option<Value> {
    let leaf = route.path.rsplit('/').next().unwrap();
    Some(match leaf {
        "status" => json!({ "status": "acknowledged" }),
        "messages" | "notes" => json!({ "body": "from someone shut out" }),
        "assign" => json!({ "officer_id": null }),
        "export" => json!({}),
        "disclosure" => json!({ "reason": "let me see who it was" }),
        "{id}" if route.path.contains("/disclosures/") => json!({ "decision": "approve" }),
        "files" => return None,
        "identity" => json!({ "name": "A Name" }),
        "rating" => json!({ "score": 5 }),
        "contact" => json!({}),
        "logout" => json!({}),
        "login" => json!({ "email": "alice@example.org", "password": PASSWORD }),
        "cases" if route.path.contains("/officer/") => {
            json!({ "channel": "report", "fields": { "what": "taken down" }, "source": "phone" })
        }
        "cases" => report("a case"),
        "records" => json!({ "kind": "minutes", "body": "minutes from someone shut out" }),
        "{record_id}" | "comment" => json!({ "body": "a version from someone shut out" }),
        "approve" => json!({}),
        "triage" => json!({ "priority": "critical" }),
        "notify" => json!({ "email": "news@example.org" }),
        "checkin" => json!({ "retaliation": "none" }),
        "links" => json!({ "case": "1" }),
        "meeting" => json!({ "kind": "call", "availability": "any time" }),
        "officers" => json!({ "email": "forged@example.org", "name": "Forged" }),
        "reset" => json!({}),
        "discard" => json!({ "reason": "junk" }),
        "{id}" if route.path.contains("/admin/channels/") => json!({
            "id": "report", "kind": "whistleblowing", "title": "Report",
            "fields": [{ "id": "what", "label": "What happened?", "type": "textarea" }]
        }),
        _ => panic!("POST {}: add a body for it here", route.path),
    })
}

/// The fields (besides `csrf`) of a valid page form.
fn page_form(route: &Route) -> Vec<(&'static str, &'static str)> {
    let leaf = route.path.rsplit('/').next().unwrap();
    match leaf {
        "status" => vec![("status", "acknowledged")],
        "messages" | "notes" => vec![("body", "from someone shut out")],
        "assign" => vec![("officer_id", "")],
        "export" => vec![("recipient", "")],
        "disclosure" => vec![("reason", "let me see who it was")],
        "approve" | "deny" | "grant" | "disable" | "enable" | "promote" | "demote" | "logout" => {
            vec![]
        }
        "channels" => vec![("channels", "report")],
        "password" => vec![("password", "a new passphrase for me")],
        "reset" => vec![("confirm", "1")],
        "{token}" => vec![
            ("password", "a new passphrase for me"),
            ("repeat_password", "a new passphrase for me"),
        ],
        "identity" => vec![("identity_name", "A Name")],
        "rating" => vec![("score", "5")],
        "withdraw" => vec![],
        "discard" => vec![("reason", "junk"), ("confirm", "1")],
        "record" => vec![
            ("channel", "report"),
            ("source", "phone"),
            ("f_what", "taken down"),
        ],
        "records" => vec![
            ("kind", "minutes"),
            ("body", "minutes from someone shut out"),
        ],
        "{record_id}" | "comment" => vec![("body", "a version from someone shut out")],
        "meeting" => vec![("kind", "call"), ("availability", "any time")],
        "triage" => vec![("category", ""), ("priority", "critical")],
        "notify" => vec![("email", "news@example.org")],
        "checkin" => vec![("retaliation", "none")],
        "remove" => vec![],
        "links" => vec![("case", "1")],
        "{id}" if route.path.contains("/admin/channels/") => vec![("action", "add")],
        _ => panic!("POST {}: add a form for it here", route.path),
    }
}

fn planted_file() -> Form {
    Form::new().part(
        "file",
        Part::bytes(b"planted".to_vec()).file_name("planted.txt"),
    )
}
