//! `GET /api/v1/openapi.json`: it describes exactly the routes of `fn routes`, and Schemathesis,
//! run against the live server with it, finds nothing: no 5xx, no status, content type or body
//! the description does not promise, no invalid request accepted.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::{json, Value};

use crate::attacks::route_table;
use crate::helpers::*;

/// No rate limit gets in the way of the fuzzer (a 429 would hide what it is looking for).
const NO_LIMITS: &str = "[limits]
cases_per_hour_per_client = 0
claim_failures_per_minute_per_client = 0
login_failures_per_minute_per_client = 0
connections_per_client = 0
";

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

/// The Schemathesis command: `$SCHEMATHESIS`, else what scripts/test installs into
/// target/schemathesis, else `schemathesis` on the PATH (not `st`, a name other programs
/// use). Absent: the test is skipped, except under CI=true, where it fails.
fn schemathesis() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("SCHEMATHESIS").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("target/schemathesis/bin/st")),
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join("schemathesis"))
                .find(|p| p.is_file())
        }),
    ];
    let found = candidates.into_iter().flatten().find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "schemathesis is missing: scripts/test installs it (python3 -m venv \
             target/schemathesis && target/schemathesis/bin/pip install schemathesis)"
        );
        eprintln!("skipped: schemathesis is not installed (scripts/test installs it)");
    }
    found
}

/// Every check that applies to this API. Not `positive_data_acceptance`: the schemas give
/// types, not every rule (a channel's fields, a status move), so a well-typed body can be
/// refused with 422, as documented.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_schema_conformance,negative_data_rejection,ignored_auth";

/// The operations that take `multipart/form-data`. Their text parts are untyped strings on the
/// wire, read as browsers send them (a checkbox part is ticked by `on`, `true`, `1` or `yes`,
/// anything else is not; the first of repeated parts counts), the same rules as the pages'
/// forms: a "wrongly typed" part is not something the server could refuse without refusing
/// what browsers send. So `negative_data_rejection` is off for them; every other check holds.
const MULTIPART: &str = "^/api/v1/(cases|followup/files|officer/cases/[^/]+/files)$";

/// One Schemathesis run over the operations `include` matches (less those `exclude` does),
/// with `bearer` as the `Authorization` header and the real case and file ids of `ids` in the
/// paths (random ones would only ever meet 404); panics with its report on any finding.
fn fuzz(st: &Path, app: &TestApp, include: &str, exclude: Option<&str>, bearer: &str, ids: &Ids) {
    let checks = if include == MULTIPART {
        CHECKS.replace(",negative_data_rejection", "")
    } else {
        CHECKS.to_owned()
    };
    let config = app.root.path().join("schemathesis.toml");
    std::fs::write(
        &config,
        format!(
            "[parameters]\n\"path.id\" = \"{}\"\n\"path.file_id\" = \"{}\"\n\n\
             [[operations]]\ninclude-path-regex = \"/reset$\"\n\
             parameters = {{ \"path.id\" = \"{}\" }}\n\n\
             [[operations]]\ninclude-path-regex = \"/disclosures/\"\n\
             parameters = {{ \"path.id\" = \"{}\" }}\n",
            ids.case, ids.file, ids.officer, ids.request
        ),
    )
    .unwrap();
    let mut cmd = Command::new(st);
    cmd.arg("--config-file")
        .arg(&config)
        .arg("run")
        .arg(app.url("/api/v1/openapi.json"))
        .args(["--url", &app.base])
        .args(["--include-path-regex", include])
        .args(["-H", &format!("Authorization: Bearer {bearer}")])
        .args(["--checks", &checks])
        .args(["--max-examples", "20", "--workers", "2"])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--request-timeout", "30", "--no-color"])
        .args(["--generation-database", "none"])
        // Its own files (reports) stay out of the source tree.
        .current_dir(app.root.path())
        .env("NO_COLOR", "1");
    if let Some(exclude) = exclude {
        cmd.args(["--exclude-path-regex", exclude]);
    }
    let out = cmd.output().expect("run schemathesis");
    let report = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "schemathesis on {include}:\n{report}");
    eprintln!("{report}");
}

/// A case, one of its files, an officer to reset and a request for the case's reporter's
/// identity, for the path parameters.
struct Ids {
    case: String,
    file: String,
    officer: String,
    request: String,
}

#[test]
fn schemathesis_finds_nothing_wrong_with_the_live_server() {
    let Some(st) = schemathesis() else { return };
    let started = Instant::now();
    let app = spawn_app_with(NO_LIMITS);
    app.add_officer(
        "alice@example.org",
        "Alice Admin",
        &["--admin", "--custodian"],
    );
    // Bob asks for the reporter's identity; Carol is reset (which would withdraw her requests).
    app.add_officer("bob@example.org", "Bob Handler", &[]);
    let officer = app.add_officer("carol@example.org", "Carol Handler", &[]);
    let code = app.submit(json!({
        "channel": "report",
        "fields": { "what": "a case for the fuzzer" },
        "identity": { "name": "Fay Fuzz", "contact": "fay@example.org" },
    }));
    let res = app
        .client
        .post(app.url("/api/v1/followup/files"))
        .header("Authorization", format!("Bearer {code}"))
        .multipart(reqwest::blocking::multipart::Form::new().part(
            "file",
            reqwest::blocking::multipart::Part::bytes(b"evidence".to_vec()).file_name("a.txt"),
        ))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    let file = res.json::<Value>().unwrap()["files"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = officer_token(&app, "alice@example.org");
    let cases: Value = app
        .client
        .get(app.url("/api/v1/officer/cases"))
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let case = cases["cases"][0]["id"].as_str().unwrap().to_owned();
    let res = app
        .client
        .post(app.url(&format!("/api/v1/officer/cases/{case}/disclosure")))
        .header(
            "Authorization",
            format!("Bearer {}", officer_token(&app, "bob@example.org")),
        )
        .json(&json!({ "reason": "the fuzzer asks" }))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    let request = res.json::<Value>().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ids = Ids {
        case,
        file,
        officer,
        request,
    };
    // The reporter's operations with the claim code, the officer's with a token (signing out
    // ends it, so that one is run last, on its own), and those taking files.
    fuzz(
        &st,
        &app,
        "^/api/v1/(channels|cases|followup|openapi)",
        Some(MULTIPART),
        &code,
        &ids,
    );
    fuzz(
        &st,
        &app,
        "^/api/v1/officer/",
        Some("^/api/v1/officer/(logout|cases/[^/]+/files)$"),
        &token,
        &ids,
    );
    fuzz(&st, &app, MULTIPART, Some("^/api/v1/officer/"), &code, &ids);
    fuzz(
        &st,
        &app,
        MULTIPART,
        Some("^/api/v1/(cases|followup/files)$"),
        &token,
        &ids,
    );
    fuzz(&st, &app, "^/api/v1/officer/logout$", None, &token, &ids);
    eprintln!("schemathesis took {:?}", started.elapsed());
}

/// The description names each schema by its type's name, so two types of one name would
/// silently share one schema (and answers would be checked against the wrong one).
#[test]
fn no_two_described_types_share_a_name() {
    let mut seen = BTreeSet::new();
    let mut twice = Vec::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![src];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let mut described = false;
            for line in text.lines() {
                let line = line.trim();
                if line.starts_with("#[derive(") && line.contains("ToSchema") {
                    described = true;
                } else if described && !line.starts_with("#[") && !line.starts_with("///") {
                    let name = line
                        .split_whitespace()
                        .skip_while(|w| *w != "struct" && *w != "enum")
                        .nth(1)
                        .map(|n| {
                            n.trim_end_matches(['{', '<', '('])
                                .split('<')
                                .next()
                                .unwrap()
                                .to_owned()
                        });
                    if let Some(name) = name {
                        if !seen.insert(name.clone()) {
                            twice.push(name);
                        }
                    }
                    described = false;
                }
            }
        }
    }
    assert!(seen.len() > 20, "{seen:?}");
    assert!(twice.is_empty(), "described twice: {twice:?}");
}
