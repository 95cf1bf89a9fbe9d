//! No client address, user agent or referrer is stored or logged; nothing readable at rest;
//! strict headers; nothing loaded from another origin.

use serde_json::json;

use crate::helpers::*;

#[test]
fn nothing_identifying_or_readable_reaches_the_data_dir_or_the_logs() {
    // The site's public address goes into mail links: it must not look like the client's.
    let app = spawn_app_with("public_url = \"http://ethics.example.test\"\n");
    app.add_officer("officer@example.org", "Officer", &[]);
    let forged_ip = "203.0.113.77";
    let agent = canary("agent");
    let referer = format!("https://{}.example/", canary("ref").to_lowercase());
    let what = canary("what");
    let secret_mail = format!("{}@example.org", canary("mail").to_lowercase());
    let message = canary("message");

    let browser = reqwest::blocking::Client::builder()
        .user_agent(agent.clone())
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let with_headers = |rb: reqwest::blocking::RequestBuilder| {
        rb.header("X-Forwarded-For", forged_ip)
            .header("X-Real-IP", forged_ip)
            .header("Forwarded", format!("for={forged_ip}"))
            .header("Referer", &referer)
    };

    let res = with_headers(browser.post(app.url("/report")))
        .form(&[("channel", "report"), ("f_what", what.as_str())])
        .send()
        .unwrap();
    let code = claim_code_in(&res.text().unwrap());
    let res = with_headers(browser.post(app.url("/api/v1/cases")))
        .json(&json!({
            "channel": "complaint",
            "fields": { "subject": what, "description": what },
            "contact": { "email": secret_mail, "consent": true }
        }))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    let res = with_headers(browser.post(app.url("/followup")))
        .form(&[("code", code.as_str())])
        .send()
        .unwrap();
    assert_eq!(res.status(), 303);
    let page = with_headers(browser.get(app.url("/followup")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let csrf = csrf_in(&page);
    let res = with_headers(browser.post(app.url("/followup/messages")))
        .form(&[("csrf", csrf.as_str()), ("body", message.as_str())])
        .send()
        .unwrap();
    assert_eq!(res.status(), 303);
    // Files, by the page and the API: their names and content are sealed like the rest.
    let file_name = canary("filename");
    let file_text = canary("filetext");
    let file = || {
        reqwest::blocking::multipart::Part::bytes(file_text.clone().into_bytes())
            .file_name(format!("{file_name}.txt"))
    };
    let res = with_headers(browser.post(app.url("/followup/messages")))
        .multipart(
            reqwest::blocking::multipart::Form::new()
                .text("csrf", csrf.clone())
                .text("body", "")
                .part("file", file()),
        )
        .send()
        .unwrap();
    assert_eq!(res.status(), 303);
    let res = with_headers(browser.post(app.url("/api/v1/cases")))
        .multipart(
            reqwest::blocking::multipart::Form::new()
                .text(
                    "case",
                    json!({"channel": "report", "fields": {"what": what}}).to_string(),
                )
                .part("file", file()),
        )
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    let page = with_headers(browser.get(app.url("/followup")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let link = between(&page, "<a href=\"/followup/files/", "\"").to_owned();
    let res = with_headers(browser.get(app.url(&format!("/followup/files/{link}"))))
        .send()
        .unwrap();
    assert_eq!(res.text().unwrap(), file_text);
    // A claim code pasted into a URL must not reach the log either.
    with_headers(browser.get(app.url(&format!("/followup/{code}?code={code}"))))
        .send()
        .unwrap();

    let logs = app.logs();
    assert!(logs.contains("case received"), "logging is on:\n{logs}");
    for needle in [
        forged_ip,
        agent.as_str(),
        referer.as_str(),
        what.as_str(),
        secret_mail.as_str(),
        message.as_str(),
        file_name.as_str(),
        file_text.as_str(),
        code.as_str(),
        // The client connected from 127.0.0.1: only the server's own address line names it.
        "127.0.0.1",
    ] {
        // The one stated exception: mail delivered as .eml files (no SMTP configured) holds
        // the address it was delivered to, never content.
        let delivered = app.data_dir().join("mail");
        let allowed = (needle == secret_mail).then_some(delivered.as_path());
        assert_nowhere_in_but(&app.data_dir(), needle, allowed);
        let hits: Vec<&str> = logs
            .lines()
            .filter(|l| l.contains(needle) && !l.contains("listening on"))
            .collect();
        assert!(hits.is_empty(), "{needle:?} in logs: {hits:?}");
    }
}

#[test]
fn every_response_carries_strict_headers_and_no_cookie() {
    let app = spawn_app();
    for path in [
        "/",
        "/report",
        "/complaint",
        "/followup",
        "/static/sealbox.css",
        "/missing",
        "/api/v1/channels",
        "/api/v1/followup",
    ] {
        let res = app.get(path);
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("script-src"),
            "{path}: {csp}"
        );
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert!(h.get("set-cookie").is_none(), "{path} set a cookie");
        if path != "/static/sealbox.css" {
            assert_eq!(h["cache-control"], "no-store", "{path}");
        }
    }
    let res = app.post_json("/api/v1/cases", &report("headers"));
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert!(res.headers().get("set-cookie").is_none());
}

#[test]
fn pages_load_nothing_from_another_origin_and_need_no_script() {
    let app = spawn_app();
    let code = app.submit(report("origins"));
    app.post_form("/followup", &[("code", &code)]);
    for path in ["/", "/report", "/complaint", "/followup", "/missing"] {
        let html = app.get(path).text().unwrap();
        assert!(!html.contains("<script"), "{path} has a script");
        assert!(!html.contains(" src="), "{path} loads a resource");
        assert!(!html.contains(" style="), "{path} has inline style");
        for attr in ["href=\"", "action=\""] {
            for part in html.split(attr).skip(1) {
                let target = &part[..part.find('"').unwrap()];
                assert!(
                    target.starts_with('/') && !target.starts_with("//")
                        || target.starts_with('?')
                        || target.starts_with('#'),
                    "{path}: {attr}{target}"
                );
            }
        }
    }
}

#[test]
fn forms_sent_from_another_site_are_refused() {
    // Behind a proxy, as in production: the site's origin is `public_url`, not the address the
    // server listens on.
    let app = spawn_app_with("public_url = \"https://ethics.example.org\"\n");
    let code = app.submit(report("cross-site sign-in"));
    // A cross-origin redirect makes the browser send `Origin: null`: an attacker could sign a
    // visitor into the attacker's own case that way.
    for (name, value) in [
        ("Origin", "null"),
        ("Origin", "https://evil.example"),
        ("Sec-Fetch-Site", "cross-site"),
    ] {
        let res = app
            .client
            .post(app.url("/followup"))
            .header(name, value)
            .form(&[("code", code.as_str())])
            .send()
            .unwrap();
        assert_eq!(res.status(), 403, "{name}: {value}");
        assert!(res.headers().get("set-cookie").is_none());
        assert_eq!(
            res.headers()["x-frame-options"],
            "DENY",
            "refusals carry the headers too"
        );
        assert!(res.text().unwrap().contains("another site"));
    }
    let res = app
        .client
        .post(app.url("/api/v1/cases"))
        .header("Origin", "null")
        .json(&report("x"))
        .send()
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(
        res.json::<serde_json::Value>().unwrap()["error"],
        "cross_site"
    );
    // The same site, as a browser sends it, is fine.
    let same = "https://ethics.example.org";
    let res = app
        .client
        .post(app.url("/followup"))
        .header("Origin", same)
        .header("Sec-Fetch-Site", "same-origin")
        .form(&[("code", code.as_str())])
        .send()
        .unwrap();
    assert_eq!(res.status(), 303);
}
