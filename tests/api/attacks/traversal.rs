//! Path traversal: no path parameter and no static path leads outside what it names.

use std::collections::BTreeSet;

use super::*;

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
