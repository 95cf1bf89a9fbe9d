//! Attacks through HTTP on the running binary: forged forms (CSRF), session fixation,
//! claim-code guessing, an excluded or disabled officer reaching a case, responses without the
//! strict headers, and directory traversal in path parameters.
//!
//! The routes come from the route table in `src/http/mod.rs` itself (read when this test is
//! compiled), so a route added later is attacked too, or the test stops and asks what it is.

use std::collections::{BTreeMap, BTreeSet};
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
    /// `GET`, `POST` or `DELETE`.
    pub method: String,
    /// As registered, with its parameters: `/officer/cases/{id}/files/{file_id}`.
    pub path: String,
}

impl Route {
    pub fn api(&self) -> bool {
        self.path.starts_with("/api/")
    }

    /// Whether it changes something: `POST` or `DELETE` (both are guarded alike).
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
    let source = include_str!("../../src/http/mod.rs");
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
        .all(|r| ["GET", "POST", "DELETE"].contains(&r.method.as_str())));
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
/// outbox is left out: the mail worker empties it on its own schedule.
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

/// The id of the `nth` case submitted (from 1). Case numbers are random, so this goes by the
/// order rows were inserted in.
fn id_of_case(app: &TestApp, nth: i64) -> String {
    app.db()
        .query_row(
            "SELECT id FROM cases ORDER BY rowid LIMIT 1 OFFSET ?1 - 1",
            [nth],
            |r| r.get(0),
        )
        .unwrap()
}

/// Whether `body` is the CSRF refusal, in any of the page languages.
fn is_csrf_refusal(body: &str) -> bool {
    sealbox::i18n::Lang::ALL
        .iter()
        .any(|l| body.contains(l.text("problem.csrf")))
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

// ----- 1. CSRF ------------------------------------------------------------------------------

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

/// What a form's success is seen in.
#[derive(PartialEq)]
enum Effect {
    /// Something the server stores.
    Stored,
    /// The session itself ends (sign-out): seen in whether `page` still opens with it.
    SessionEnds { page: &'static str, shows: String },
}

/// One state-changing form: the route, where to send it, as whom, with what fields (all valid,
/// so only the token decides), and another session of the same kind whose token it must not
/// take.
struct Forgery<'a> {
    route: &'static str,
    path: String,
    agent: &'a Agent,
    other: &'a Agent,
    fields: Vec<(String, String)>,
    /// The route takes files too (multipart), where the token is checked before any file.
    files: bool,
    effect: Effect,
}

fn with_csrf(fields: &[(String, String)], csrf: &str) -> Vec<(String, String)> {
    let mut out = vec![("csrf".to_owned(), csrf.to_owned())];
    out.extend_from_slice(fields);
    out
}

#[test]
fn every_form_that_changes_something_needs_its_own_sessions_csrf_token() {
    let app = spawn_app();
    app.add_officer(
        "alice@example.org",
        "Alice Admin",
        &["--admin", "--custodian"],
    );
    let bob = app.add_officer("bob@example.org", "Bob Handler", &[]);
    let with_identity = |what: &str| {
        let mut case = report(what);
        case["identity"] = json!({ "name": canary("name"), "contact": "by phone" });
        case
    };
    app.submit(with_identity("asked about on the case page")); // #1
    app.submit(with_identity("a request to approve")); // #2
    app.submit(with_identity("a request to deny")); // #3
    let code_report = app.submit(report("the submitter writes")); // #4
                                                                  // #5, a complaint, to be closed so that its customer may rate it.
    let code_complaint = app.submit(json!({
        "channel": "complaint",
        "fields": { "subject": "Refund", "description": "Never arrived" },
        "contact": { "email": "customer@example.org", "consent": true }
    }));

    // Added after the cases, from the command line: holds none of them until granted.
    let erin = app.add_officer("erin@example.org", "Erin Late", &[]);

    let alice_token = officer_token(&app, "alice@example.org");
    let bob_token = officer_token(&app, "bob@example.org");
    let ask = |number: i64| -> String {
        let res = officer_api(
            &app,
            &bob_token,
            Method::POST,
            &format!(
                "/api/v1/officer/cases/{}/disclosure",
                id_of_case(&app, number)
            ),
            Some(json!({ "reason": "to call them back" })),
        );
        assert_eq!(res.status(), 201);
        res.json::<Value>().unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let to_approve = ask(2);
    let to_deny = ask(3);
    let complaint = id_of_case(&app, 5);
    for body in [
        json!({"status": "acknowledged"}),
        json!({"status": "closed", "outcome": "resolved", "summary": "Refunded."}),
    ] {
        let res = officer_api(
            &app,
            &alice_token,
            Method::POST,
            &format!("/api/v1/officer/cases/{complaint}/status"),
            Some(body),
        );
        assert_eq!(res.status(), 200);
    }

    let alice_page = Agent::officer(&app, "alice@example.org");
    let bob_page = Agent::officer(&app, "bob@example.org");
    let reporter = Agent::submitter(&app, &code_report);
    let customer = Agent::submitter(&app, &code_complaint);
    // Alice's account page holds a TOTP secret waiting to be confirmed: a right code for it
    // is what makes the enrolment form valid.
    let account = page_with(&app, &alice_page.cookie, "/officer/account");
    let totp = sealbox::crypto::totp::TotpSecret::from_base32(between(
        &account,
        "<code class=\"secret\">",
        "</code>",
    ))
    .unwrap();

    let case1 = id_of_case(&app, 1);
    let forgery = |route: &'static str,
                   path: String,
                   agent: &'static str,
                   fields: &[(&str, &str)]|
     -> (&'static str, String, &'static str, Vec<(String, String)>) {
        (route, path, agent, owned(fields))
    };
    // In an order where each success leaves the next forms valid: sign-outs last.
    let plan = vec![
        forgery(
            "/followup/messages",
            "/followup/messages".into(),
            "reporter",
            &[("body", "a forged message")],
        ),
        forgery(
            "/followup/identity",
            "/followup/identity".into(),
            "reporter",
            &[
                ("identity_name", "A Forged Name"),
                ("identity_contact", "forged"),
            ],
        ),
        forgery(
            "/followup/rating",
            "/followup/rating".into(),
            "customer",
            &[("score", "1"), ("comment", "forged")],
        ),
        forgery(
            "/followup/contact/withdraw",
            "/followup/contact/withdraw".into(),
            "customer",
            &[],
        ),
        forgery(
            "/officer/cases/{id}/messages",
            format!("/officer/cases/{case1}/messages"),
            "alice",
            &[("body", "a forged reply")],
        ),
        forgery(
            "/officer/cases/{id}/notes",
            format!("/officer/cases/{case1}/notes"),
            "alice",
            &[("body", "a forged note")],
        ),
        forgery(
            "/officer/cases/{id}/status",
            format!("/officer/cases/{case1}/status"),
            "alice",
            &[("status", "acknowledged")],
        ),
        forgery(
            "/officer/cases/{id}/assign",
            format!("/officer/cases/{case1}/assign"),
            "alice",
            &[("officer_id", bob.as_str())],
        ),
        forgery(
            "/officer/cases/{id}/export",
            format!("/officer/cases/{case1}/export"),
            "alice",
            &[("recipient", "")],
        ),
        forgery(
            "/officer/cases/{id}/disclosure",
            format!("/officer/cases/{case1}/disclosure"),
            "bob",
            &[("reason", "a forged request")],
        ),
        forgery(
            "/officer/disclosures/{id}/approve",
            format!("/officer/disclosures/{to_approve}/approve"),
            "alice",
            &[],
        ),
        forgery(
            "/officer/disclosures/{id}/deny",
            format!("/officer/disclosures/{to_deny}/deny"),
            "alice",
            &[],
        ),
        forgery(
            "/officer/account/totp",
            "/officer/account/totp".into(),
            "alice",
            &[("code", "{totp}")],
        ),
        forgery(
            "/officer/account/password",
            "/officer/account/password".into(),
            "bob",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a forged new passphrase"),
            ],
        ),
        forgery(
            "/officer/admin/officers",
            "/officer/admin/officers".into(),
            "alice",
            &[
                ("email", "dave@example.org"),
                ("name", "Dave Forged"),
                ("channels", "complaint"),
            ],
        ),
        forgery(
            "/officer/admin/officers/{id}/channels",
            "/officer/admin/officers/{dave}/channels".into(),
            "alice",
            &[("channels", "report")],
        ),
        forgery(
            "/officer/admin/officers/{id}/reset",
            "/officer/admin/officers/{dave}/reset".into(),
            "alice",
            &[("confirm", "1")],
        ),
        forgery(
            "/officer/admin/officers/{id}/grant",
            format!("/officer/admin/officers/{erin}/grant"),
            "alice",
            &[],
        ),
        forgery(
            "/officer/admin/officers/{id}/disable",
            format!("/officer/admin/officers/{erin}/disable"),
            "alice",
            &[],
        ),
        forgery(
            "/officer/admin/officers/{id}/enable",
            format!("/officer/admin/officers/{erin}/enable"),
            "alice",
            &[],
        ),
        forgery(
            "/officer/admin/officers/{id}/promote",
            format!("/officer/admin/officers/{erin}/promote"),
            "alice",
            &[],
        ),
        forgery(
            "/officer/admin/officers/{id}/demote",
            format!("/officer/admin/officers/{erin}/demote"),
            "alice",
            &[],
        ),
        forgery(
            "/officer/account/language",
            "/officer/account/language".into(),
            "bob",
            &[("language", "de")],
        ),
        forgery(
            "/officer/admin/settings",
            "/officer/admin/settings".into(),
            "alice",
            &[("require_totp", "on")],
        ),
        forgery(
            "/officer/cases/{id}/discard",
            format!("/officer/cases/{}/discard", id_of_case(&app, 3)),
            "alice",
            &[("reason", "junk"), ("confirm", "1")],
        ),
        forgery(
            "/followup/logout",
            "/followup/logout".into(),
            "reporter",
            &[],
        ),
        forgery("/officer/logout", "/officer/logout".into(), "bob", &[]),
    ];

    // Every page form that changes something is in the plan. The five that are not start a
    // session, make a case or use an enrolment link (the link is the credential): there is no
    // session yet to bind a token to, so the same-origin check (next test) is what guards them.
    let before_sign_in = [
        "/report",
        "/complaint",
        "/followup",
        "/officer/login",
        "/officer/enrol/{token}",
    ];
    let planned: BTreeSet<&str> = plan.iter().map(|p| p.0).collect();
    for route in route_table().iter().filter(|r| r.post() && !r.api()) {
        assert!(
            planned.contains(route.path.as_str()) || before_sign_in.contains(&route.path.as_str()),
            "POST {} is not in this test's plan: add a valid form for it",
            route.path
        );
    }

    let forgeries: Vec<Forgery> = plan
        .into_iter()
        .map(|(route, path, who, fields)| {
            let (agent, other) = match who {
                "alice" => (&alice_page, &bob_page),
                "bob" => (&bob_page, &alice_page),
                "reporter" => (&reporter, &customer),
                _ => (&customer, &reporter),
            };
            let effect = match route {
                "/followup/logout" => Effect::SessionEnds {
                    page: "/followup",
                    shows: "name=\"body\"".into(),
                },
                // Bob must set up 2FA by now (the admin required it), so his account page
                // is the one page left open to him.
                "/officer/logout" => Effect::SessionEnds {
                    page: "/officer/account",
                    shows: "action=\"/officer/logout\"".into(),
                },
                _ => Effect::Stored,
            };
            Forgery {
                route,
                files: route.ends_with("/messages") || route.ends_with("/notes"),
                path,
                agent,
                other,
                fields,
                effect,
            }
        })
        .collect();

    for f in &forgeries {
        let dave: Option<String> = app
            .db()
            .query_row(
                "SELECT id FROM officers WHERE email = 'dave@example.org'",
                [],
                |r| r.get(0),
            )
            .ok();
        let path = f
            .path
            .replace("{dave}", dave.as_deref().unwrap_or("no-dave-yet"));
        let fields: Vec<(String, String)> = f
            .fields
            .iter()
            .map(|(k, v)| {
                let v = if v == "{totp}" {
                    totp.code_at(now()).unwrap()
                } else {
                    v.clone()
                };
                (k.clone(), v)
            })
            .collect();
        let alive = |agent: &Agent| match &f.effect {
            Effect::SessionEnds { page, shows } => {
                let res = get_with(&app, &agent.cookie, page);
                res.status() == 200 && res.text().unwrap().contains(shows.as_str())
            }
            Effect::Stored => true,
        };
        assert!(
            alive(f.agent),
            "{}: the session works to begin with",
            f.route
        );
        let before = snapshot(&app);
        let attempts = [
            ("no token", fields.clone()),
            ("an empty token", with_csrf(&fields, "")),
            ("another session's token", with_csrf(&fields, &f.other.csrf)),
            (
                "a made-up token",
                with_csrf(&fields, "forged-token-forged-token"),
            ),
        ];
        for (how, form) in &attempts {
            let res = post_form_with(&app, &f.agent.cookie, &path, form);
            let what = format!("POST {} with {how}", f.route);
            assert_eq!(res.status(), 403, "{what}");
            assert_strict_headers(&headers_of(&res), false, &what);
            assert!(res.headers().get("set-cookie").is_none(), "{what}");
            assert!(is_csrf_refusal(&res.text().unwrap()), "{what}");
        }
        if f.files {
            for (how, form) in &attempts[2..] {
                let res = post_files_with(&app, &f.agent.cookie, &path, form, "forged file");
                assert_eq!(res.status(), 403, "POST {} with files and {how}", f.route);
            }
        }
        let after = snapshot(&app);
        assert!(
            changed(&before, &after).is_empty(),
            "POST {}: a refused form changed {:?}",
            f.route,
            changed(&before, &after)
        );
        assert!(
            alive(f.agent),
            "{}: a refused sign-out ended the session",
            f.route
        );

        // The same form with its own session's token goes through: the token alone decided.
        let res = post_form_with(
            &app,
            &f.agent.cookie,
            &path,
            &with_csrf(&fields, &f.agent.csrf),
        );
        let what = format!("POST {} with its token", f.route);
        assert!(
            res.status().is_success() || res.status() == 303,
            "{what}: {} {}",
            res.status(),
            res.text().unwrap_or_default()
        );
        assert_strict_headers(&headers_of(&res), false, &what);
        match f.effect {
            Effect::Stored => assert!(
                !changed(&before, &snapshot(&app)).is_empty(),
                "{what}: changed nothing, so the refusals above prove nothing"
            ),
            Effect::SessionEnds { .. } => assert!(!alive(f.agent), "{what}: still signed in"),
        }
    }

    // The API takes no CSRF token because no cookie opens it: every API route that changes
    // something, sent with both kinds of session cookie and no bearer token, is refused.
    let cookies = format!(
        "{}; {}",
        alice_page.cookie,
        Agent::submitter(&app, &code_report).cookie
    );
    let before = snapshot(&app);
    let mut tried = 0;
    for route in route_table().iter().filter(|r| r.post() && r.api()) {
        if ["/api/v1/cases", "/api/v1/officer/login"].contains(&route.path.as_str()) {
            continue; // open to anyone by design: a new case, a sign-in
        }
        let path = route
            .path
            .replace("{id}", &case1)
            .replace("{file_id}", "none");
        let rb = bare()
            .request(route.http_method(), app.url(&path))
            .header("Cookie", &cookies);
        let res = match api_body(route) {
            Some(body) => rb.json(&body).send().unwrap(),
            None => rb.multipart(planted_file()).send().unwrap(),
        };
        assert_eq!(res.status(), 401, "POST {} with cookies only", route.path);
        tried += 1;
    }
    assert!(tried >= 10);
    assert!(changed(&before, &snapshot(&app)).is_empty());
}

#[test]
fn every_post_route_refuses_a_request_another_site_made() {
    let w = world_with("");
    let app = &w.app;
    let alice = Agent::officer(app, "alice@example.org");
    let token = officer_token(app, "alice@example.org");
    let submitter = followup_cookie(app, &w.code);
    let before = snapshot(app);
    let mut tried = 0;
    let evil = ("Origin", "https://evil.example");
    let null = ("Origin", "null");
    let fetch = |site| ("Sec-Fetch-Site", site);
    // What browsers send for a form another site made: its origin, or `null` after a
    // cross-site redirect (or from a page with `no-referrer`), with `Sec-Fetch-Site` saying so
    // where the browser sends it. `null` passes only as `same-origin` (see the positive case
    // below); a foreign origin never does.
    let cross_site: [&[(&str, &str)]; 7] = [
        &[evil],
        &[null],
        &[fetch("cross-site")],
        &[null, fetch("cross-site")],
        &[null, fetch("same-site")],
        &[evil, fetch("same-origin")],
        &[evil, fetch("cross-site")],
    ];
    for route in route_table().iter().filter(|r| r.post()) {
        for headers in cross_site {
            let path = w.fill(&route.path, &w.case_id);
            // Every credential the route could want, and a valid token: only the origin is wrong.
            let mut rb = bare()
                .request(route.http_method(), app.url(&path))
                .header("Cookie", format!("{}; {submitter}", alice.cookie));
            for (name, value) in headers {
                rb = rb.header(*name, *value);
            }
            let res = if route.api() {
                let bearer = if route.path.starts_with("/api/v1/followup") {
                    w.code.as_str()
                } else {
                    token.as_str()
                };
                with_token(rb, bearer)
                    .json(&json!({ "body": "cross-site" }))
                    .send()
                    .unwrap()
            } else {
                rb.form(&[
                    ("csrf", alice.csrf.as_str()),
                    ("body", "cross-site"),
                    ("code", w.code.as_str()),
                ])
                .send()
                .unwrap()
            };
            let what = format!("POST {} with {headers:?}", route.path);
            assert_eq!(res.status(), 403, "{what}");
            assert_strict_headers(&headers_of(&res), false, &what);
            assert!(res.headers().get("set-cookie").is_none(), "{what}");
            let body = res.text().unwrap();
            if route.api() {
                assert!(body.contains("\"cross_site\""), "{what}: {body}");
            } else {
                assert!(body.contains("another site"), "{what}: {body}");
            }
            tried += 1;
        }
    }
    let posts = route_table().iter().filter(|r| r.post()).count();
    assert!(posts > 35 && tried == posts * cross_site.len(), "{tried}");
    assert!(
        changed(&before, &snapshot(app)).is_empty(),
        "{:?}",
        changed(&before, &snapshot(app))
    );
    // A browser sends `Origin: null` with this site's own forms too, since every page has the
    // referrer policy `no-referrer`; with `Sec-Fetch-Site: same-origin` such a form goes through.
    let res = bare()
        .post(app.url("/followup"))
        .header("Origin", "null")
        .header("Sec-Fetch-Site", "same-origin")
        .form(&[("code", w.code.as_str())])
        .send()
        .unwrap();
    assert_eq!(res.status(), 303);
    let res = bare()
        .post(app.url(&format!("/officer/cases/{}/notes", w.case_id)))
        .header("Origin", "null")
        .header("Sec-Fetch-Site", "same-origin")
        .header("Cookie", &alice.cookie)
        .form(&[
            ("csrf", alice.csrf.as_str()),
            ("body", "from the page itself"),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status(), 303);
}

// ----- a case with everything in it, for the tests below ------------------------------------

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
    app.submit(report("a case Bob may read"));
    let case_id = id_of_case(&app, 1);
    let other_case = id_of_case(&app, 2);
    let file_id: String = app
        .db()
        .query_row("SELECT id FROM files WHERE case_id = ?1", [&case_id], |r| {
            r.get(0)
        })
        .unwrap();
    let res = app
        .client
        .post(app.url("/api/v1/followup/messages"))
        .bearer_auth(&code)
        .json(&json!({ "body": secrets[4] }))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    let alice = officer_token(&app, "alice@example.org");
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
    let number = app
        .db()
        .query_row("SELECT number FROM cases WHERE id = ?1", [&case_id], |r| {
            r.get(0)
        })
        .unwrap();
    World {
        app,
        code,
        number,
        case_id,
        file_id,
        request_id,
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

// ----- 2. session fixation ------------------------------------------------------------------

#[test]
fn a_session_cookie_set_before_sign_in_is_never_the_one_after_it() {
    let app = spawn_app();
    app.add_officer("olga@example.org", "Olga Officer", &[]);
    app.add_officer("mallory@example.org", "Mallory Insider", &[]);
    let what = canary("victim");
    let victim_code = app.submit(report(&what));
    let attacker_code = app.submit(report("the attacker's own case"));
    let login_form = "name=\"code\"";

    // Follow-up: a value the attacker made up, and a real session of the attacker's own case
    // (what an attacker can actually plant: one the server knows), set in the victim's browser
    // before the victim signs in.
    let made_up = "sealbox_followup=chosen-by-the-attacker-0123456789abcdef".to_owned();
    for planted in [made_up, followup_cookie(&app, &attacker_code)] {
        let res = get_with(&app, &planted, "/followup");
        assert!(
            res.headers().get("set-cookie").is_none(),
            "a planted value is not adopted"
        );
        let res = bare()
            .post(app.url("/followup"))
            .header("Cookie", &planted)
            .form(&[("code", victim_code.as_str())])
            .send()
            .unwrap();
        assert_eq!(res.status(), 303);
        let issued = set_cookie(&res, "sealbox_followup");
        assert_ne!(issued, planted, "the session id changes on sign-in");
        assert!(page_with(&app, &issued, "/followup").contains(&what));
        // Whoever knows the planted value gets nothing: not the victim's case, and not even
        // their own case any more (the sign-in ended the session it replaced).
        let page = page_with(&app, &planted, "/followup");
        assert!(
            page.contains(login_form) && !page.contains(&what),
            "{planted}"
        );
        let file = get_with(&app, &planted, "/followup/files/anything");
        assert_eq!(file.status(), 401);
    }

    // Officers: the same, with Mallory's own signed-in session as the planted one.
    let made_up = "sealbox_officer=chosen-by-the-attacker-0123456789abcdef".to_owned();
    for planted in [made_up, officer_cookie(&app, "mallory@example.org")] {
        let res = get_with(&app, &planted, "/officer/login");
        assert!(res.headers().get("set-cookie").is_none());
        let res = bare()
            .post(app.url("/officer/login"))
            .header("Cookie", &planted)
            .form(&[
                ("email", "olga@example.org"),
                ("password", PASSWORD),
                ("totp", ""),
            ])
            .send()
            .unwrap();
        assert_eq!(res.status(), 303);
        let issued = set_cookie(&res, "sealbox_officer");
        assert_ne!(issued, planted, "the session id changes on sign-in");
        assert!(page_with(&app, &issued, "/officer").contains("Olga Officer"));
        let res = get_with(&app, &planted, "/officer");
        assert_eq!(res.status(), 303, "{planted} is not signed in");
        assert_eq!(res.headers()["location"], "/officer/login");
    }

    // Sign-out ends the session on the server: a copy of the cookie kept from before it opens
    // nothing afterwards (the browser's own copy is deleted too, but that is not the defence).
    let officer = Agent::officer(&app, "olga@example.org");
    let case_id = id_of_case(&app, 1);
    assert!(page_with(&app, &officer.cookie, &format!("/officer/cases/{case_id}")).contains(&what));
    let res = post_form_with(
        &app,
        &officer.cookie,
        "/officer/logout",
        &owned(&[("csrf", &officer.csrf)]),
    );
    assert_eq!(res.status(), 303);
    assert!(res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    for path in [
        "/officer",
        &format!("/officer/cases/{case_id}"),
        "/officer/account",
    ] {
        let res = get_with(&app, &officer.cookie, path);
        assert_eq!(res.status(), 303, "{path} after sign-out");
        assert_eq!(res.headers()["location"], "/officer/login");
    }
    let res = post_form_with(
        &app,
        &officer.cookie,
        &format!("/officer/cases/{case_id}/notes"),
        &owned(&[("csrf", &officer.csrf), ("body", "after sign-out")]),
    );
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/officer/login");

    let token = officer_token(&app, "olga@example.org");
    let call = |method: Method, path: &str| officer_api(&app, &token, method, path, None);
    assert_eq!(call(Method::GET, "/api/v1/officer/cases").status(), 200);
    assert_eq!(call(Method::POST, "/api/v1/officer/logout").status(), 204);
    assert_eq!(call(Method::GET, "/api/v1/officer/cases").status(), 401);
    assert_eq!(
        call(Method::GET, &format!("/api/v1/officer/cases/{case_id}")).status(),
        401
    );

    let submitter = Agent::submitter(&app, &victim_code);
    let res = post_form_with(
        &app,
        &submitter.cookie,
        "/followup/logout",
        &owned(&[("csrf", &submitter.csrf)]),
    );
    assert_eq!(res.status(), 303);
    let page = page_with(&app, &submitter.cookie, "/followup");
    assert!(page.contains(login_form) && !page.contains(&what));
    let res = post_form_with(
        &app,
        &submitter.cookie,
        "/followup/messages",
        &owned(&[("csrf", &submitter.csrf), ("body", "after sign-out")]),
    );
    assert_eq!(res.status(), 401);
    let messages: i64 = app
        .db()
        .query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0))
        .unwrap();
    assert_eq!(messages, 0);
}

// ----- 3. claim-code guessing ---------------------------------------------------------------

#[test]
fn guessing_claim_codes_gets_429_on_the_page_and_the_api_with_the_default_limits() {
    // Default limits: 10 failed claim codes per minute per client. A client is the address
    // the connection comes from (src/http/rate_limit.rs, a keyed hash of the peer address),
    // never a header: forwarding headers are ignored, so they cannot buy fresh attempts.
    let app = spawn_app();
    let code = app.submit(report("guess me"));
    let mut wrong: Vec<char> = code.chars().collect();
    wrong[0] = if wrong[0] == 'A' { 'B' } else { 'A' };
    let wrong: String = wrong.into_iter().collect();
    let page = |code: &str, forwarded: &str| {
        bare()
            .post(app.url("/followup"))
            .header("X-Forwarded-For", forwarded)
            .header("Forwarded", format!("for={forwarded}"))
            .form(&[("code", code)])
            .send()
            .unwrap()
    };
    let api_read = |code: &str, forwarded: &str| {
        bare()
            .get(app.url("/api/v1/followup"))
            .header("X-Forwarded-For", forwarded)
            .bearer_auth(code)
            .send()
            .unwrap()
    };
    let api_write = |code: &str, forwarded: &str| {
        bare()
            .post(app.url("/api/v1/followup/messages"))
            .header("X-Forwarded-For", forwarded)
            .bearer_auth(code)
            .json(&json!({ "body": "hello" }))
            .send()
            .unwrap()
    };

    // A right code is not a failure: using it costs nothing.
    for _ in 0..3 {
        assert_eq!(page(&code, "198.51.100.1").status(), 303);
        assert_eq!(api_read(&code, "198.51.100.1").status(), 200);
    }
    // Ten wrong guesses, spread over the page and the API, each claiming another address.
    for i in 0..10 {
        let forwarded = format!("198.51.100.{}", 10 + i);
        let res = match i % 3 {
            0 => page(&wrong, &forwarded),
            1 => api_read(&wrong, &forwarded),
            _ => api_write("not even a code", &forwarded),
        };
        assert_eq!(res.status(), 401, "guess {i}");
    }
    let retry_after = |res: &Response| -> u64 {
        let value = res.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&value), "Retry-After {value}");
        value
    };
    let res = page(&wrong, "203.0.113.1");
    assert_eq!(res.status(), 429, "the page");
    let mut wait = retry_after(&res);
    assert!(res.headers().get("set-cookie").is_none());
    assert_strict_headers(&headers_of(&res), false, "429 on POST /followup");
    let res = api_read(&wrong, "203.0.113.2");
    assert_eq!(res.status(), 429, "the API");
    wait = wait.max(retry_after(&res));
    assert_eq!(res.json::<Value>().unwrap()["error"], "rate_limited");
    assert_eq!(api_write(&wrong, "203.0.113.3").status(), 429);

    // The right code waits too: the limit is on the client, not the code, so a guesser who
    // hits the right code inside the window learns nothing from it.
    let res = page(&code, "203.0.113.4");
    assert_eq!(res.status(), 429);
    assert!(res.headers().get("set-cookie").is_none());
    assert_eq!(api_read(&code, "203.0.113.5").status(), 429);

    // The window is a fixed minute from the first failure; refusals inside it do not extend
    // it. Once it has passed, the right code opens the case again.
    std::thread::sleep(Duration::from_secs(wait + 1));
    assert_eq!(page(&code, "203.0.113.6").status(), 303);
    assert_eq!(api_read(&code, "203.0.113.7").status(), 200);
}

// ----- 4. excluded and disabled officers ----------------------------------------------------

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
        "cases" => report("a case"),
        "officers" => json!({ "email": "forged@example.org", "name": "Forged" }),
        "reset" => json!({}),
        "discard" => json!({ "reason": "junk" }),
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
        _ => panic!("POST {}: add a form for it here", route.path),
    }
}

fn planted_file() -> Form {
    Form::new().part(
        "file",
        Part::bytes(b"planted".to_vec()).file_name("planted.txt"),
    )
}

/// One request of a route as an officer would send it, with their page session (cookie and
/// token) or their API token, and a body the route would accept from someone entitled.
fn officer_request(w: &World, route: &Route, path: &str, page: &Agent, token: &str) -> Response {
    let app = &w.app;
    let url = app.url(path);
    let rb = bare().request(route.http_method(), url);
    let rb = if route.api() {
        with_token(rb, token)
    } else {
        rb.header("Cookie", &page.cookie)
    };
    if !route.post() {
        return rb.send().unwrap();
    }
    if route.api() {
        match api_body(route) {
            Some(body) => rb.json(&body).send().unwrap(),
            None => rb.multipart(planted_file()).send().unwrap(),
        }
    } else {
        let mut fields = vec![("csrf", page.csrf.as_str())];
        fields.extend(page_form(route));
        rb.form(&fields).send().unwrap()
    }
}

/// The routes that name a case, a file or a disclosure request, each with the case's id and
/// (where a case is named) its number, which the export routes also accept.
fn case_routes(w: &World) -> Vec<(Route, String)> {
    let mut out = Vec::new();
    for route in route_table() {
        if !route.has_params()
            || route.path.contains("/officers/{id}")
            || route.path.contains("/enrol/{token}")
        {
            continue;
        }
        if route.path.contains("/cases/{id}") {
            out.push((route.clone(), w.fill(&route.path, &w.case_id)));
            out.push((route.clone(), w.fill(&route.path, &w.number.to_string())));
        } else {
            out.push((route.clone(), w.fill(&route.path, &w.case_id)));
        }
    }
    out
}

#[test]
fn an_excluded_officer_reaches_the_case_through_no_route() {
    let w = world_with("");
    let app = &w.app;
    // Entitled officers see the secrets through these same requests: the canaries are
    // really there to be found.
    let alice = Agent::officer(app, "alice@example.org");
    let alice_token = officer_token(app, "alice@example.org");
    let mut seen = BTreeSet::new();
    for (route, path) in case_routes(&w) {
        if route.post() || route.path.contains("/followup/") {
            continue;
        }
        let res = officer_request(&w, &route, &path, &alice, &alice_token);
        for s in w.leaked(&res.text().unwrap()) {
            seen.insert(s.clone());
        }
    }
    for (i, s) in w.secrets.iter().enumerate() {
        // The identity and the request's reason are for custodians: Alice is one.
        assert!(seen.contains(s), "secret {i} not found by Alice: {s}");
    }

    let bob = Agent::officer(app, "bob@example.org");
    let bob_token = officer_token(app, "bob@example.org");
    // Bob's sessions work: he opens the case he was not kept out of.
    let other = page_with(
        app,
        &bob.cookie,
        &format!("/officer/cases/{}", w.other_case),
    );
    assert!(other.contains("a case Bob may read"));

    let before = snapshot(app);
    let mut tried = 0;
    for (route, path) in case_routes(&w) {
        let res = officer_request(&w, &route, &path, &bob, &bob_token);
        let status = res.status().as_u16();
        let what = format!("{} {path} as the excluded officer", route.method);
        let allowed: &[u16] = if route.path.contains("/followup/") {
            &[401] // the follow-up needs the claim code, whatever else is sent
        } else {
            &[403, 404]
        };
        assert!(allowed.contains(&status), "{what}: {status}");
        assert_ne!(
            header(&headers_of(&res), "content-type").first().copied(),
            Some("application/octet-stream"),
            "{what}: a download"
        );
        let body = res.text().unwrap();
        assert!(w.leaked(&body).is_empty(), "{what}: {:?}", w.leaked(&body));
        tried += 1;
    }
    assert!(tried >= 25, "{tried}");
    // Admin routes name officers: Bob is no admin, so he cannot grant himself the case.
    for route in route_table()
        .iter()
        .filter(|r| r.path.contains("/officers/{id}"))
    {
        let path = w.fill(&route.path, "");
        let res = officer_request(&w, route, &path, &bob, &bob_token);
        assert_eq!(res.status(), 403, "{path}");
    }
    // Lists: the case is in none of them, not even as a number.
    for path in [
        "/officer",
        "/officer/statistics",
        "/officer/statistics.csv",
        "/officer/disclosures",
        "/officer/account",
    ] {
        let body = page_with(app, &bob.cookie, path);
        assert!(w.leaked(&body).is_empty(), "{path}");
        assert!(
            !body.contains(&w.case_id) && !body.contains(&w.request_id),
            "{path}: {body}"
        );
        assert!(
            !body.contains(&format!("<td>#{}</td>", w.number)) && !body.contains("Hank"),
            "{path}: {body}"
        );
    }
    for path in [
        "/api/v1/officer/cases",
        "/api/v1/officer/statistics",
        "/api/v1/officer/disclosures",
    ] {
        let res = officer_api(app, &bob_token, Method::GET, path, None);
        assert_eq!(res.status(), 200, "{path}");
        let body = res.text().unwrap();
        assert!(w.leaked(&body).is_empty(), "{path}");
        assert!(
            !body.contains(&w.case_id) && !body.contains(&w.request_id),
            "{path}: {body}"
        );
    }
    assert!(
        changed(&before, &snapshot(app)).is_empty(),
        "refused requests changed {:?}",
        changed(&before, &snapshot(app))
    );
    let pending: String = app
        .db()
        .query_row(
            "SELECT state FROM disclosures WHERE id = ?1",
            [&w.request_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(pending, "pending");
}

#[test]
fn a_disabled_officer_reaches_the_case_through_no_route() {
    let w = world_with("");
    let app = &w.app;
    // Carol holds the case and is signed in on the page and the API.
    let carol = Agent::officer(app, "carol@example.org");
    let carol_token = officer_token(app, "carol@example.org");
    let page = page_with(app, &carol.cookie, &format!("/officer/cases/{}", w.case_id));
    assert!(page.contains(&w.secrets[0]));

    let alice = Agent::officer(app, "alice@example.org");
    let res = post_form_with(
        app,
        &alice.cookie,
        &format!("/officer/admin/officers/{}/disable", w.carol),
        &owned(&[("csrf", &alice.csrf)]),
    );
    assert_eq!(res.status(), 200);
    let grants: i64 = app
        .db()
        .query_row(
            "SELECT COUNT(*) FROM grants WHERE officer_id = ?1",
            [&w.carol],
            |r| r.get(0),
        )
        .unwrap();
    assert!(grants > 0, "disabling suspends: the grants stay, sealed");

    let mut tried = 0;
    for (route, path) in case_routes(&w) {
        let res = officer_request(&w, &route, &path, &carol, &carol_token);
        let status = res.status().as_u16();
        let what = format!("{} {path} as the disabled officer", route.method);
        if route.api() || route.path.contains("/followup/") {
            assert_eq!(status, 401, "{what}");
        } else {
            assert_eq!(status, 303, "{what}: sent to sign in");
            assert_eq!(res.headers()["location"], "/officer/login", "{what}");
        }
        let body = res.text().unwrap();
        assert!(w.leaked(&body).is_empty(), "{what}: {:?}", w.leaked(&body));
        tried += 1;
    }
    assert!(tried >= 25);
    for path in ["/officer", "/officer/statistics", "/officer/disclosures"] {
        assert_eq!(get_with(app, &carol.cookie, path).status(), 303, "{path}");
    }
    let res = bare()
        .post(app.url("/officer/login"))
        .form(&[
            ("email", "carol@example.org"),
            ("password", PASSWORD),
            ("totp", ""),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status(), 401, "a disabled officer cannot sign in again");
    let res = app.post_json(
        "/api/v1/officer/login",
        &json!({ "email": "carol@example.org", "password": PASSWORD }),
    );
    assert_eq!(res.status(), 401);
}

// ----- 5. strict headers on every response --------------------------------------------------

/// Every route, signed out and signed in, plus every kind of error, checked for the strict
/// headers: over plain http, and with an https public URL (which adds HSTS).
#[test]
fn every_route_and_every_error_carries_the_strict_headers() {
    for https in [false, true] {
        // Wrong claim codes are part of the sweep, so that limit is off here; a 429 comes from
        // the officer sign-in limit instead (the claim-code one is checked above).
        let limits = "[limits]\nclaim_failures_per_minute_per_client = 0\n\
                      login_failures_per_minute_per_client = 1\njson_body_bytes = 4096\n";
        let config = if https {
            format!("public_url = \"https://ethics.example.test\"\n{limits}")
        } else {
            limits.to_owned()
        };
        header_sweep(&world_with(&config), https);
    }
}

fn header_sweep(w: &World, https: bool) {
    let app = &w.app;
    let check = |res: Response, what: &str, set_cookie_ok: bool| -> u16 {
        let status = res.status().as_u16();
        let what = format!("{what} → {status}");
        let headers = headers_of(&res);
        assert_strict_headers(&headers, https, &what);
        if !set_cookie_ok {
            assert!(
                header(&headers, "set-cookie").is_empty(),
                "{what}: {headers:?}"
            );
        }
        status
    };
    let officer = Agent::officer(app, "alice@example.org");
    let token = officer_token(app, "alice@example.org");
    let submitter = Agent::submitter(app, &w.code);
    let mut statuses = BTreeSet::new();
    // Sign-outs last, so they do not end the sessions the others use.
    let mut routes = route_table();
    routes.sort_by_key(|r| r.path.ends_with("/logout"));
    for route in &routes {
        let path = w.fill(&route.path, &w.case_id);
        let followup = route.path.contains("/followup");
        let session = route.path.starts_with("/officer") || route.path.starts_with("/followup");
        let starts_session = ["/followup", "/officer/login"].contains(&route.path.as_str());
        for signed_in in [false, true] {
            let what = format!(
                "{} {} {}",
                if signed_in { "signed in" } else { "signed out" },
                route.method,
                route.path
            );
            let mut rb = bare().request(route.http_method(), app.url(&path));
            if signed_in {
                rb = match (route.api(), followup) {
                    (true, true) => with_token(rb, &w.code),
                    (true, false) => with_token(rb, &token),
                    (false, true) => rb.header("Cookie", &submitter.cookie),
                    (false, false) => rb.header("Cookie", &officer.cookie),
                };
            }
            if route.post() {
                rb = if route.api() {
                    rb.json(&json!({}))
                } else {
                    // A wrong token: every form is refused, none changes anything.
                    rb.form(&[("csrf", "wrong"), ("code", "wrong")])
                };
            }
            let res = rb.send().unwrap();
            let status = check(
                res,
                &what,
                starts_session || route.path.ends_with("/logout"),
            );
            // The enrolment page answers a made-up link with its 404 page (headers checked),
            // and this site has no logo configured.
            if signed_in
                && !route.post()
                && !route.path.contains("{token}")
                && route.path != "/static/logo"
            {
                assert!(
                    status == 200 || (session && !route.api() && status == 303),
                    "{what}: {status}"
                );
            }
            statuses.insert(status);
        }
    }
    // A successful sign-in sets the cookie, with the headers.
    let res = bare()
        .post(app.url("/followup"))
        .form(&[("code", w.code.as_str())])
        .send()
        .unwrap();
    assert_eq!(check(res, "sign-in", true), 303);
    // Errors of every kind.
    let big = "x".repeat(5000);
    let errors: Vec<(&str, RequestBuilder)> = vec![
        ("404 page", bare().get(app.url("/nothing/here"))),
        ("404 API", bare().get(app.url("/api/v1/nothing"))),
        (
            "404 POST",
            bare().post(app.url("/nothing")).form(&[("a", "b")]),
        ),
        (
            "unknown method",
            bare().request(Method::PUT, app.url("/report")),
        ),
        (
            "unknown method API",
            bare().request(Method::DELETE, app.url("/api/v1/cases")),
        ),
        ("HEAD", bare().head(app.url("/"))),
        (
            "OPTIONS",
            bare().request(Method::OPTIONS, app.url("/api/v1/cases")),
        ),
        (
            "400 form",
            bare()
                .post(app.url("/followup"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("code=a&code=b"),
        ),
        (
            "400 query",
            bare().get(app.url("/report?channel=a&channel=b")),
        ),
        (
            "400 JSON",
            bare()
                .post(app.url("/api/v1/cases"))
                .header("content-type", "application/json")
                .body("{\"channel\": "),
        ),
        (
            "415",
            bare()
                .post(app.url("/api/v1/cases"))
                .header("content-type", "text/plain")
                .body("{}"),
        ),
        (
            "413 JSON",
            bare()
                .post(app.url("/api/v1/cases"))
                .json(&json!({"channel": "report", "fields": {"what": big}})),
        ),
        (
            "413 form",
            bare()
                .post(app.url("/report"))
                .form(&[("channel", "report"), ("f_what", big.as_str())]),
        ),
        ("401 API", bare().get(app.url("/api/v1/officer/cases"))),
        (
            "401 claim",
            bare().get(app.url("/api/v1/followup")).bearer_auth("wrong"),
        ),
        (
            "401 sign-in",
            bare()
                .post(app.url("/api/v1/officer/login"))
                .json(&json!({"email": "alice@example.org", "password": "wrong password!"})),
        ),
        (
            "429 sign-in API",
            bare()
                .post(app.url("/api/v1/officer/login"))
                .json(&json!({"email": "alice@example.org", "password": "wrong password!"})),
        ),
        (
            "429 sign-in page",
            bare().post(app.url("/officer/login")).form(&[
                ("email", "alice@example.org"),
                ("password", "wrong password!"),
                ("totp", ""),
            ]),
        ),
        (
            "201",
            bare()
                .post(app.url("/api/v1/cases"))
                .json(&report("headers")),
        ),
        (
            "403 cross-site",
            bare()
                .post(app.url("/report"))
                .header("Origin", "https://evil.example")
                .form(&[("channel", "report")]),
        ),
        (
            "422",
            bare()
                .post(app.url("/api/v1/cases"))
                .json(&json!({"channel": "report", "fields": {}})),
        ),
        ("redirect", bare().get(app.url("/officer"))),
    ];
    for (what, rb) in errors {
        statuses.insert(check(rb.send().unwrap(), what, false));
    }
    // A multipart body declaring more than any case may hold: refused before it is read.
    let res = raw(
        app,
        "POST",
        b"/api/v1/cases",
        &[
            ("Content-Type", "multipart/form-data; boundary=x"),
            ("Content-Length", "999999999999"),
        ],
        b"",
    )
    .expect("an answer to a body declared too long");
    assert_eq!(res.status, 413);
    assert_strict_headers(&res.headers, https, "a body declared too long");
    statuses.insert(res.status);
    // The one kind of answer without them: the HTTP layer's refusal of a request it cannot
    // parse, sent before any route or middleware runs. It has nothing the headers could
    // protect: no body, no content type.
    let long_path = format!("/{}", "a".repeat(70_000));
    let names: Vec<String> = (0..200).map(|i| format!("X-Header-{i}")).collect();
    let many: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "a")).collect();
    for (what, target, extra) in [
        ("NUL in the path", &b"/a\0b"[..], &[][..]),
        ("a path over 64 KiB", long_path.as_bytes(), &[][..]),
        ("200 header lines", b"/", &many[..]),
    ] {
        let res = raw(app, "GET", target, extra, b"").expect(what);
        assert!(
            http_layer_refusal(&res),
            "{what}: {} {:?}",
            res.status,
            res.headers
        );
    }
    for expected in [200, 201, 303, 400, 401, 403, 404, 413, 415, 422, 429] {
        assert!(
            statuses.contains(&expected),
            "no {expected} seen: {statuses:?}"
        );
    }
}

// ----- 6. directory traversal ---------------------------------------------------------------

/// Values for a path parameter that try to leave it: dot segments raw and encoded, encoded
/// and absolute slashes, backslashes, double and overlong encodings, NUL, invalid UTF-8,
/// names of the server's own files, and very long values.
fn evil_values(w: &World) -> Vec<String> {
    let mut values: Vec<String> = [
        "..",
        ".",
        "../../../../../../etc/passwd",
        "..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        "%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "%2e%2e",
        "%2E%2E%2F%2E%2E%2Fsealbox.toml",
        "..%2f..%2fsealbox.toml",
        "..%2fsealbox.sqlite",
        "..%2f..%2fdata%2fkeys%2flookup.key",
        "..%5c..%5c..%5cetc%5cpasswd",
        "..\\..\\..\\etc\\passwd",
        "%2fetc%2fpasswd",
        "/etc/passwd",
        "%252e%252e%252fetc%252fpasswd",
        "%c0%ae%c0%ae%c0%afetc%c0%afpasswd",
        "%00",
        "..%00",
        "x%00y",
        "%ff%fe%fd",
        "%",
        "%zz",
        "planted.txt",
        "..%2fplanted.txt",
        "*",
        "1%20OR%201=1",
        "'%3B--",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    values.push(format!("{}%2f..%2f..%2fsealbox.toml", w.file_id));
    values.push(format!("{}.age", w.file_id));
    values.push(format!("..%2ffiles%2f{}.age", w.file_id));
    values.push(format!("{}%00", w.case_id));
    values.push("a".repeat(4096));
    values.push("..%2f".repeat(3000));
    values.push("b".repeat(100_000));
    values
}

/// Whether a response is the HTTP layer's refusal of a request it could not parse (a request
/// line too long, bytes no URL may hold): it comes before any route or middleware, so it
/// carries no headers of the app, and nothing else either: no body, no content type.
fn http_layer_refusal(res: &Raw) -> bool {
    [400, 431].contains(&res.status)
        && res.body.is_empty()
        && header(&res.headers, "content-type").is_empty()
}

/// Every link and form target of a page stays on this site: a path, never `//host` or
/// `/\host` (which browsers read as `//host`).
fn assert_links_stay_here(body: &str, what: &str) {
    for attr in ["href=\"", "action=\"", "src=\""] {
        for part in body.split(attr).skip(1) {
            let target = &part[..part.find('"').unwrap_or(part.len())];
            let mut chars = target.chars();
            let first = chars.next();
            let second = chars.next();
            assert!(
                (first == Some('/') && !matches!(second, Some('/') | Some('\\')))
                    || first == Some('?')
                    || first == Some('#'),
                "{what}: {attr}{target}"
            );
        }
    }
}

/// What a response must never hold: a line of /etc/passwd, the planted files, or a secret.
fn assert_nothing_outside(w: &World, planted: &str, body: &str, what: &str) {
    assert!(
        !body.contains("root:x:0:0") && !body.contains("root:*:0:0"),
        "{what}: /etc/passwd"
    );
    assert!(!body.contains(planted), "{what}: a planted file");
    assert!(
        !body.contains("recovery_recipient"),
        "{what}: the config file"
    );
    assert!(!body.contains("SQLite format"), "{what}: the database");
    assert!(w.leaked(body).is_empty(), "{what}: {:?}", w.leaked(body));
}

#[test]
fn path_parameters_and_static_paths_never_lead_outside() {
    let w = world_with("[limits]\nclaim_failures_per_minute_per_client = 0\n");
    let app = &w.app;
    // Files a traversal could reach: beside the config, in the data directory, and where a
    // static directory would be.
    let planted = canary("planted");
    for dir in ["", "data", "data/files", "web/static", "static"] {
        let dir = app.root.path().join(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("planted.txt"), &planted).unwrap();
    }
    let officer = Agent::officer(app, "alice@example.org");
    let token = officer_token(app, "alice@example.org");
    let submitter = Agent::submitter(app, &w.code);
    let evil = evil_values(&w);
    let mut tried = 0;
    let mut too_long = BTreeSet::new();
    for route in route_table().iter().filter(|r| r.has_params()) {
        let params: Vec<&str> = route
            .path
            .split('{')
            .skip(1)
            .map(|p| p.split('}').next().unwrap())
            .collect();
        for param in &params {
            for value in &evil {
                // This parameter evil, the others real.
                let path = w
                    .fill(
                        &route.path.replace(&format!("{{{param}}}"), "\u{1}"),
                        &w.case_id,
                    )
                    .replace('\u{1}', value);
                for signed_in in [false, true] {
                    let mut extra: Vec<(&str, String)> = Vec::new();
                    let mut body = Vec::new();
                    if signed_in {
                        let followup = route.path.contains("/followup");
                        match (route.api(), followup) {
                            (true, true) => {
                                extra.push(("Authorization", format!("Bearer {}", w.code)))
                            }
                            (true, false) => {
                                extra.push(("Authorization", format!("Bearer {token}")))
                            }
                            (false, true) => extra.push(("Cookie", submitter.cookie.clone())),
                            (false, false) => extra.push(("Cookie", officer.cookie.clone())),
                        }
                    }
                    if route.post() {
                        match (route.api(), route.api().then(|| api_body(route)).flatten()) {
                            (true, Some(json)) => {
                                extra.push(("Content-Type", "application/json".into()));
                                body = json.to_string().into_bytes();
                            }
                            (true, None) => {
                                extra.push((
                                    "Content-Type",
                                    "multipart/form-data; boundary=b".into(),
                                ));
                                body = b"--b\r\nContent-Disposition: form-data; name=\"file\"; \
                                         filename=\"x.txt\"\r\n\r\nx\r\n--b--\r\n"
                                    .to_vec();
                            }
                            (false, _) => {
                                extra.push((
                                    "Content-Type",
                                    "application/x-www-form-urlencoded".into(),
                                ));
                                let mut form = vec![("csrf", officer.csrf.as_str())];
                                form.extend(page_form(route));
                                body = form
                                    .iter()
                                    .map(|(k, v)| format!("{k}={}", v.replace(' ', "+")))
                                    .collect::<Vec<_>>()
                                    .join("&")
                                    .into_bytes();
                            }
                        }
                    }
                    let extra: Vec<(&str, &str)> =
                        extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    let what = format!(
                        "{} {} with {param} = {:.80} ({})",
                        route.method,
                        route.path,
                        value,
                        if signed_in { "signed in" } else { "signed out" }
                    );
                    let Some(res) = raw(app, &route.method, path.as_bytes(), &extra, &body) else {
                        panic!("{what}: no answer");
                    };
                    assert!(res.status < 500, "{what}: {}", res.status);
                    if http_layer_refusal(&res) {
                        too_long.insert(value.len());
                    } else {
                        assert_strict_headers(&res.headers, false, &what);
                        assert_links_stay_here(&res.text(), &what);
                    }
                    let allowed: &[u16] = if signed_in {
                        &[400, 401, 403, 404, 409, 422, 431]
                    } else {
                        &[303, 400, 401, 403, 404, 431]
                    };
                    assert!(allowed.contains(&res.status), "{what}: {}", res.status);
                    assert_nothing_outside(&w, &planted, &res.text(), &what);
                    tried += 1;
                }
            }
        }
    }
    assert!(tried > 1000, "{tried}");

    // Static files: there is one, compiled in; nothing is read from disk by its path.
    for target in [
        "/static/planted.txt",
        "/static/../planted.txt",
        "/static/../../planted.txt",
        "/static/..%2fplanted.txt",
        "/static/%2e%2e/planted.txt",
        "/static/%2e%2e%2f%2e%2e%2fplanted.txt",
        "/static/..%2f..%2fsealbox.toml",
        "/static/..%5csealbox.toml",
        "/static/sealbox.css/../../planted.txt",
        "/static/sealbox.css%2f..%2f..%2fplanted.txt",
        "/static/sealbox.css%00.txt",
        "/static/%2fetc%2fpasswd",
        "/static//etc/passwd",
        "//etc/passwd",
        "/..%2f..%2f..%2fetc%2fpasswd",
        "/../../../../etc/passwd",
        "/planted.txt",
        "/sealbox.toml",
        "/data/planted.txt",
        "/data/sealbox.sqlite",
        "/web/static/planted.txt",
        "/static/",
        "/static",
        "/static/sealbox.css/",
        "/static/SEALBOX.CSS",
        // A path that is a link to another site where the page links back to its own path.
        "//evil.example/x",
        "///evil.example",
        "/\\evil.example/x",
        "/\\/evil.example",
        "/officer//evil.example",
    ] {
        let res = raw(app, "GET", target.as_bytes(), &[], b"").expect(target);
        assert!(
            [400, 404].contains(&res.status),
            "GET {target}: {}",
            res.status
        );
        assert_strict_headers(&res.headers, false, &format!("GET {target}"));
        assert_links_stay_here(&res.text(), target);
        assert_nothing_outside(&w, &planted, &res.text(), target);
    }
    let css = raw(
        app,
        "GET",
        b"/static/sealbox.css?../../planted.txt",
        &[],
        b"",
    )
    .unwrap();
    assert_eq!(css.status, 200);
    assert!(!css.text().contains(&planted));

    // Bytes no URL may hold, raw in the request line: the HTTP layer refuses them.
    for target in [
        &b"/followup/files/a\0b"[..],
        b"/static/sealbox.css\0../planted.txt",
        b"/officer/cases/\xff\xfe",
        b"/officer/cases/a b",
    ] {
        let res = raw(app, "GET", target, &[("Cookie", &officer.cookie)], b"").unwrap();
        assert!(
            http_layer_refusal(&res),
            "{}: {}",
            String::from_utf8_lossy(target),
            res.status
        );
    }

    // The server lived through it all, with nothing logged as a failure.
    assert_eq!(app.get("/").status(), 200);
    let logs = app.logs();
    for line in logs.lines() {
        assert!(
            !line.contains("panicked") && !line.contains("request failed"),
            "{line}"
        );
        // actix-http's own note of the unparseable requests above, naming no byte of them.
        if line.contains("ERROR") {
            assert!(line.contains("stream error: request parse error"), "{line}");
        }
    }
    // Only the longest value was too long for the HTTP layer (its limit on a request head is
    // 64 KiB); every other one reached the app and got its answer.
    assert!(too_long.iter().all(|&len| len > 65_536), "{too_long:?}");
}
