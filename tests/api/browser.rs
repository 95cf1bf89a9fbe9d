//! A real browser with JavaScript off files a report with a file, reads its claim code, follows
//! up with it and writes a message, and every request it makes goes to the server and nowhere
//! else.
//!
//! Debian's Chromium runs headless, driven over WebDriver (plain HTTP and JSON to
//! chromedriver, through `reqwest`). All its traffic, loopback included, goes through a small
//! recording proxy in this test, which forwards to the server and notes every request's host.
//! Without Chromium this test fails: `scripts/test` installs it (Debian packages `chromium`
//! and `chromium-driver`) when run as root.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How WebDriver names an element in its answers.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

// ----- the recording proxy ------------------------------------------------------------------

/// An HTTP proxy on loopback that records `METHOD host/path` of every request it is asked
/// for, forwards those for `upstream` (the server) and refuses the rest, CONNECT included.
struct Proxy {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().map_while(Result::ok) {
                let (record, upstream) = (record.clone(), upstream.clone());
                std::thread::spawn(move || {
                    let _ = relay(conn, &upstream, &record);
                });
            }
        });
        Proxy { port, seen }
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

/// Serves one request on `client` (one per connection: the answer closes it).
fn relay(client: TcpStream, upstream: &str, seen: &Mutex<Vec<String>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut client = client;
    let mut request_line = String::new();
    if reader.read_line(&mut request_line)? == 0 {
        return Ok(());
    }
    let mut headers = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end().to_owned();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            let name = name.trim().to_ascii_lowercase();
            if name == "content-length" {
                length = value.trim().parse().unwrap_or(0);
            }
            // Hop-by-hop headers stay here; the forwarded request closes after its answer.
            if !["connection", "proxy-connection", "keep-alive"].contains(&name.as_str()) {
                headers.push(line);
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let (authority, path) = match target.strip_prefix("http://") {
        Some(rest) => rest.split_at(rest.find('/').unwrap_or(rest.len())),
        None => (target, ""), // CONNECT host:port, or something else no browser should send
    };
    seen.lock()
        .unwrap()
        .push(format!("{method} {authority}{path}"));
    if method == "CONNECT" || authority != upstream {
        client.write_all(
            b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )?;
        return Ok(());
    }
    let mut server = TcpStream::connect(upstream)?;
    let mut forwarded = format!("{method} {path} HTTP/1.1\r\n");
    for h in headers {
        forwarded.push_str(&h);
        forwarded.push_str("\r\n");
    }
    forwarded.push_str("Connection: close\r\n\r\n");
    server.write_all(forwarded.as_bytes())?;
    server.write_all(&body)?;
    // The server closes after its answer (the request asked it to): pass it all on.
    std::io::copy(&mut server, &mut client)?;
    Ok(())
}

// ----- WebDriver over plain HTTP ------------------------------------------------------------

/// chromedriver on a free port, ended when dropped.
struct ChromeDriver {
    child: Child,
    base: String,
    http: Client,
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ChromeDriver {
    fn start() -> ChromeDriver {
        for tool in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                Path::new(tool).exists(),
                "{tool} is missing. This test drives Debian's Chromium with JavaScript off: \
                 install the packages chromium and chromium-driver (scripts/test does so when \
                 run as root; otherwise: sudo apt-get install chromium chromium-driver)"
            );
        }
        let port = free_port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let driver = ChromeDriver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
        };
        let started = Instant::now();
        loop {
            let ready = driver
                .http
                .get(format!("{}/status", driver.base))
                .send()
                .ok()
                .and_then(|r| r.json::<Value>().ok())
                .is_some_and(|v| v["value"]["ready"] == true);
            if ready {
                return driver;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A new headless Chromium in a fresh profile, all of its traffic sent to `proxy`;
    /// JavaScript off unless `javascript`.
    fn browser(&self, proxy: u16, javascript: bool) -> Browser<'_> {
        let profile = tempfile::tempdir().unwrap();
        let args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            // Services of the browser that contact Google on their own (autofill's form
            // lookups, network time, optimization hints, translation): off, so that what
            // the proxy sees is as near as can be to what the pages asked for.
            "--disable-features=AutofillServerCommunication,NetworkTimeServiceQuerying,\
             OptimizationHints,Translate,MediaRouter"
                .into(),
            format!("--user-data-dir={}", profile.path().display()),
            format!("--proxy-server=http://127.0.0.1:{proxy}"),
            // Loopback too: without this, Chromium would reach the server directly and the
            // proxy would see nothing of it.
            "--proxy-bypass-list=<-loopback>".into(),
        ];
        let mut options = json!({
            "binary": CHROMIUM,
            "args": args,
            // Every request a page makes, from DevTools' network events.
            "perfLoggingPrefs": { "enableNetwork": true, "enablePage": false },
        });
        if !javascript {
            options["prefs"] = json!({ "profile.managed_default_content_settings.javascript": 2 });
        }
        let res = self
            .http
            .post(format!("{}/session", self.base))
            .json(&json!({ "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": options,
                "goog:loggingPrefs": { "performance": "ALL" },
                "timeouts": { "pageLoad": 30_000, "implicit": 0 },
            }}}))
            .send()
            .unwrap();
        let answer: Value = res.json().unwrap();
        let session = answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no browser session: {answer}"))
            .to_owned();
        Browser {
            driver: self,
            session,
            _profile: profile,
        }
    }
}

struct Browser<'a> {
    driver: &'a ChromeDriver,
    session: String,
    _profile: tempfile::TempDir,
}

impl Drop for Browser<'_> {
    fn drop(&mut self) {
        let _ = self
            .driver
            .http
            .delete(format!("{}/session/{}", self.driver.base, self.session))
            .send();
    }
}

impl Browser<'_> {
    /// One WebDriver command; `Err` with WebDriver's error name when it fails.
    fn try_command(&self, method: Method, path: &str, body: Value) -> Result<Value, String> {
        let url = format!("{}/session/{}{path}", self.driver.base, self.session);
        let mut req = self.driver.http.request(method.clone(), url);
        if method == Method::POST {
            req = req.json(&body);
        }
        let answer: Value = req.send().unwrap().json().unwrap();
        match answer["value"]["error"].as_str() {
            Some(error) => Err(format!("{error}: {}", answer["value"]["message"])),
            None => Ok(answer["value"].clone()),
        }
    }

    fn command(&self, method: Method, path: &str, body: Value) -> Value {
        self.try_command(method, path, body)
            .unwrap_or_else(|e| panic!("WebDriver {path}: {e}\npage:\n{}", self.source()))
    }

    fn go(&self, url: &str) {
        self.command(Method::POST, "/url", json!({ "url": url }));
    }

    fn find(&self, css: &str) -> Option<String> {
        self.try_command(
            Method::POST,
            "/element",
            json!({ "using": "css selector", "value": css }),
        )
        .ok()
        .map(|e| e[ELEMENT].as_str().unwrap().to_owned())
    }

    fn element(&self, css: &str) -> String {
        self.find(css)
            .unwrap_or_else(|| panic!("no {css} on the page:\n{}", self.source()))
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css);
        self.command(
            Method::POST,
            &format!("/element/{id}/value"),
            json!({ "text": text }),
        );
    }

    fn click(&self, css: &str) {
        let id = self.element(css);
        self.command(Method::POST, &format!("/element/{id}/click"), json!({}));
    }

    fn text(&self, css: &str) -> String {
        let id = self.element(css);
        self.command(Method::GET, &format!("/element/{id}/text"), json!({}))
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Waits (up to 20 s) until the page shows `text`: a click that submits a form may
    /// return before the page it leads to has arrived.
    fn wait_for_text(&self, text: &str) -> String {
        let started = Instant::now();
        loop {
            let page = self.source();
            if page.contains(text) {
                return page;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{text:?} never appeared; the page:\n{page}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn title(&self) -> String {
        self.command(Method::GET, "/title", json!({}))
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn url(&self) -> String {
        self.command(Method::GET, "/url", json!({}))
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn source(&self) -> String {
        self.try_command(Method::GET, "/source", json!({}))
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .unwrap_or_default()
    }

    /// The requests pages made since the last call (`METHOD url`): the `Network.requestWillBeSent`
    /// events of the performance log, which come from the pages' own network activity only.
    fn page_requests(&self) -> Vec<String> {
        let entries = self.command(Method::POST, "/se/log", json!({ "type": "performance" }));
        entries
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| serde_json::from_str::<Value>(e["message"].as_str()?).ok())
            .filter(|m| m["message"]["method"] == "Network.requestWillBeSent")
            .map(|m| {
                let request = &m["message"]["params"]["request"];
                format!(
                    "{} {}",
                    request["method"].as_str().unwrap_or("?"),
                    request["url"].as_str().unwrap_or("?")
                )
            })
            .collect()
    }

    /// Whether this browser runs a page's scripts: a page whose script renames it and whose
    /// `<noscript>` holds an element, which only exists as one when scripting is off.
    fn runs_scripts(&self) -> bool {
        let page = "<title>plain</title><script>document.title = 'scripts ran'</script>\
                    <noscript><p id=\"off\">scripting is off</p></noscript>";
        let encoded: String = page
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        self.go(&format!("data:text/html;charset=utf-8,{encoded}"));
        match (self.title().as_str(), self.find("#off").is_some()) {
            ("scripts ran", false) => true,
            ("plain", true) => false,
            other => panic!("the script probe says neither: {other:?}"),
        }
    }
}

/// Chromium's own services that it calls by itself, with no page involved, and that no switch
/// turns off: component updates, the Google account list (asked for as soon as a profile's
/// network is up), and a preconnect to Debian's default search engine. The proxy refuses them
/// like any other host.
const CHROMIUM_OWN: &[&str] = &[
    "update.googleapis.com",
    "accounts.google.com",
    "start.duckduckgo.com",
];

#[test]
fn a_browser_without_javascript_reports_follows_up_and_talks_to_no_other_site() {
    let app = spawn_app();
    let server = app.base.trim_start_matches("http://").to_owned();
    let proxy = Proxy::start(server.clone());
    let driver = ChromeDriver::start();

    // The probe tells the two apart: with the preference unset, the same page runs its script.
    assert!(driver.browser(proxy.port, true).runs_scripts());
    let browser = driver.browser(proxy.port, false);
    assert!(!browser.runs_scripts(), "JavaScript must be off");
    // From here on, the pages' requests are the journey's (the browser's start page and the
    // probe are left behind).
    browser.page_requests();

    let what = canary("browser-report");
    let evidence_text = canary("browser-file");
    let files = tempfile::tempdir().unwrap();
    let evidence = files.path().join("ledger-extract.txt");
    std::fs::write(&evidence, &evidence_text).unwrap();

    browser.go(&app.url("/report"));
    browser.type_into("#f_what", &what);
    browser.type_into("#file", evidence.to_str().unwrap());
    browser.click("form[action^=\"/report\"] button[type=submit]");
    browser.wait_for_text("class=\"claim-code\"");
    let code = browser.text(".claim-code code");
    assert_eq!(code.len(), 24, "a claim code on the receipt: {code:?}");
    assert_eq!(app.case_count(), 1);

    browser.click(".advice a[href^=\"/followup\"]");
    browser.wait_for_text("name=\"code\"");
    browser.type_into("#code", &code.to_lowercase());
    browser.click("form[action^=\"/followup\"] button[type=submit]");
    // The case, opened with the code, its file listed.
    let page = browser.wait_for_text(&what);
    assert!(page.contains("ledger-extract.txt"), "{page}");

    let message = canary("browser-message");
    browser.type_into("#body", &message);
    browser.click("form[action^=\"/followup/messages\"] button[type=submit]");
    // The message in the thread, on the case page it led back to.
    browser.wait_for_text(&format!("<p class=\"text\">{message}</p>"));
    assert_eq!(browser.url(), app.url("/followup"));
    let requests = browser.page_requests();
    let (messages, stored_files): (i64, i64) = app
        .db()
        .query_row(
            "SELECT (SELECT COUNT(*) FROM messages), (SELECT COUNT(*) FROM files)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((messages, stored_files), (1, 1));
    // The file came through the browser's upload whole.
    let case: Value = app.followup_api(&code).json().unwrap();
    let url = case["files"][0]["url"].as_str().unwrap();
    let res = app
        .client
        .get(app.url(url))
        .bearer_auth(&code)
        .send()
        .unwrap();
    assert_eq!(res.text().unwrap(), evidence_text);
    drop(browser);

    // Every request the pages made went to the server, each step of the journey among them.
    let origin = app.base.clone();
    for request in &requests {
        let url = request.split(' ').nth(1).unwrap_or("");
        assert!(
            url.starts_with(&format!("{origin}/")),
            "a page asked another origin: {request}\n{requests:#?}"
        );
    }
    let seen = proxy.seen();
    for step in [
        "GET /report",
        "POST /report",
        "GET /static/sealbox.css",
        "POST /followup",
        "GET /followup",
        "POST /followup/messages",
    ] {
        let (method, path) = step.split_once(' ').unwrap();
        assert!(
            requests.contains(&format!("{method} {origin}{path}")),
            "{step} not among the pages' requests: {requests:#?}"
        );
        // …and it went through the proxy, which sees the browser's every request.
        assert!(
            seen.contains(&format!("{method} {server}{path}")),
            "{step} did not go through the proxy: {seen:#?}"
        );
    }
    // Nor did the browser as a whole ask any other host, but for its own services.
    for request in &seen {
        let authority = request
            .split(' ')
            .nth(1)
            .unwrap_or("")
            .split('/')
            .next()
            .unwrap();
        let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
        assert!(
            authority == server || CHROMIUM_OWN.contains(&host),
            "a request to another host: {request}\n{seen:#?}"
        );
    }
}

/// Standard base64 (what WebDriver's screenshots are), decoded.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let digits: Vec<u8> = text.bytes().filter_map(value).collect();
    digits
        .chunks(4)
        .flat_map(|chunk| {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, d)| n | (u32::from(*d) << (18 - 6 * i)));
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            bytes[..chunk.len().saturating_sub(1)].to_vec()
        })
        .collect()
}

impl Browser<'_> {
    /// The page as shown, as PNG.
    fn screenshot(&self) -> Vec<u8> {
        let png = base64_decode(
            self.command(Method::GET, "/screenshot", json!({}))
                .as_str()
                .unwrap(),
        );
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
        png
    }

    /// Light or dark colours, as the page's `prefers-color-scheme` sees them.
    fn colour_scheme(&self, scheme: &str) {
        self.command(
            Method::POST,
            "/goog/cdp/execute",
            json!({
                "cmd": "Emulation.setEmulatedMedia",
                "params": { "features": [{ "name": "prefers-color-scheme", "value": scheme }] },
            }),
        );
    }

    /// The width of the viewport and of the whole page, from DevTools' layout metrics (no
    /// page script involved).
    fn widths(&self) -> (f64, f64) {
        let metrics = self.command(
            Method::POST,
            "/goog/cdp/execute",
            json!({ "cmd": "Page.getLayoutMetrics", "params": {} }),
        );
        (
            metrics["cssLayoutViewport"]["clientWidth"]
                .as_f64()
                .unwrap(),
            metrics["cssContentSize"]["width"].as_f64().unwrap(),
        )
    }
}

/// Signs Ada (an officer added by the test) in through the page; the link to her first case.
fn sign_in_ada(browser: &Browser<'_>, app: &TestApp) -> String {
    browser.go(&app.url("/officer/login"));
    browser.type_into("#email", "ada@example.org");
    browser.type_into("#password", PASSWORD);
    browser.click("button[type=submit]");
    browser.wait_for_text("officer/logout");
    let case = browser.element("table.inbox a");
    browser
        .command(
            Method::GET,
            &format!("/element/{case}/attribute/href"),
            json!({}),
        )
        .as_str()
        .unwrap()
        .to_owned()
}

/// The reporter and officer pages in light and dark colours and on a 390 px phone: no page is
/// wider than the phone, and each is photographed. With `SEALBOX_SCREENSHOTS=DIR` the pictures
/// are written there (docs/screenshots/ holds the ones the README shows).
#[test]
fn the_pages_fit_a_phone_in_light_and_dark_and_are_photographed() {
    let app = spawn_app();
    app.add_officer("ada@example.org", "Ada Admin", &[]);
    for i in 0..3 {
        let code = app.submit(report(&format!("screenshot case {i}")));
        if i == 0 {
            with_record_and_request(&app, &code);
        }
    }
    let server = app.base.trim_start_matches("http://").to_owned();
    let proxy = Proxy::start(server);
    let driver = ChromeDriver::start();
    let browser = driver.browser(proxy.port, false);
    let out = std::env::var_os("SEALBOX_SCREENSHOTS").map(std::path::PathBuf::from);

    let case_href = sign_in_ada(&browser, &app);

    let pages = [
        ("report", app.url("/report")),
        ("complaint", app.url("/complaint")),
        ("followup", app.url("/followup")),
        ("privacy", app.url("/privacy")),
        ("officer-inbox", app.url("/officer")),
        ("officer-case", app.url(&case_href)),
        ("officer-admin", app.url("/officer/admin")),
        ("officer-statistics", app.url("/officer/statistics")),
        ("officer-record", app.url("/officer/record?channel=report")),
    ];
    for (scheme, width) in [
        ("light", 1280),
        ("dark", 1280),
        ("light", 390),
        ("dark", 390),
    ] {
        browser.command(
            Method::POST,
            "/window/rect",
            json!({ "width": width, "height": 900 }),
        );
        browser.colour_scheme(scheme);
        for (name, url) in &pages {
            browser.go(url);
            let png = browser.screenshot();
            if width == 390 {
                let (viewport, content) = browser.widths();
                assert!(
                    content <= viewport + 1.0,
                    "{name} is {content} px wide on a {viewport} px phone"
                );
            }
            if let Some(dir) = &out {
                let size = if width == 390 { "phone" } else { "desktop" };
                std::fs::create_dir_all(dir).unwrap();
                std::fs::write(dir.join(format!("{name}-{scheme}-{size}.png")), png).unwrap();
            }
        }
    }
}

/// A canned reply, so the case page offers one.
pub(crate) const WITH_REPLIES: &str = r#"
[[replies]]
id = "thanks"
title = "Thank you"
body = "Thank you for your report."
"#;

/// Minutes on the case of `code`, corrected once, and a request to talk: the case and
/// follow-up pages then show every part of a record.
pub(crate) fn with_record_and_request(app: &TestApp, code: &str) {
    let token = officer_token(app, "ada@example.org");
    let id = case_id_of(app, &token, code);
    let res = officer_api(
        app,
        &token,
        Method::POST,
        &format!("/api/v1/officer/cases/{id}/records"),
        Some(json!({ "kind": "minutes", "body": "The caller described the invoices." })),
    );
    assert_eq!(res.status(), 201);
    let record = res.json::<serde_json::Value>().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reporter = |path: &str, body: serde_json::Value| {
        let res = app
            .client
            .post(app.url(path))
            .bearer_auth(code)
            .json(&body)
            .send()
            .unwrap();
        assert_eq!(res.status(), 201, "{path}");
    };
    reporter(
        &format!("/api/v1/followup/records/{record}/comment"),
        json!({ "body": "It was March." }),
    );
    let res = officer_api(
        app,
        &token,
        Method::POST,
        &format!("/api/v1/officer/cases/{id}/records/{record}"),
        Some(json!({ "body": "The caller described the invoices of March." })),
    );
    assert_eq!(res.status(), 201);
    reporter(
        "/api/v1/followup/meeting",
        json!({ "kind": "meeting", "availability": "Tuesday mornings" }),
    );
}

/// axe-core, unpacked from its npm package by `scripts/test` into `target/axe`.
fn axe_source() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/axe/package/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} is missing: scripts/test unpacks axe-core there (npm pack axe-core)",
            path.display()
        )
    })
}

/// axe-core's WCAG 2.2 AA checks on every reporter and officer page, light and dark, desktop and
/// phone: no violation. The pages have no script of their own, so a browser with JavaScript on
/// (which axe needs) shows them exactly as one without.
#[test]
fn axe_finds_no_accessibility_violation_on_any_page() {
    let app = spawn_app_with(WITH_REPLIES);
    app.add_officer("ada@example.org", "Ada Admin", &[]);
    let code = app.submit(report("an accessible case"));
    with_record_and_request(&app, &code);
    let server = app.base.trim_start_matches("http://").to_owned();
    let proxy = Proxy::start(server);
    let driver = ChromeDriver::start();
    let browser = driver.browser(proxy.port, true);
    let axe = axe_source();

    // The submitter's own case page, signed in with the claim code.
    browser.go(&app.url("/followup"));
    browser.type_into("#code", &code);
    browser.click("button[type=submit]");
    browser.wait_for_text("followup/logout");

    let case_href = sign_in_ada(&browser, &app);
    let pages = [
        "/",
        "/report",
        "/complaint",
        "/followup",
        "/privacy",
        "/no-such-page",
        "/officer",
        &case_href,
        "/officer/admin",
        "/officer/statistics",
        "/officer/account",
        "/officer/record?channel=report",
        "/officer/admin/channels",
        "/officer/admin/channels/report",
    ];
    let mut found = Vec::new();
    for (scheme, width) in [
        ("light", 1280),
        ("dark", 1280),
        ("light", 390),
        ("dark", 390),
    ] {
        browser.command(
            Method::POST,
            "/window/rect",
            json!({ "width": width, "height": 900 }),
        );
        browser.colour_scheme(scheme);
        for page in pages {
            browser.go(&app.url(page));
            for violation in axe_violations(&browser, &axe) {
                found.push(format!("{page} ({scheme}, {width} px): {violation}"));
            }
        }
    }
    assert!(found.is_empty(), "axe-core found:\n{}", found.join("\n"));
}

/// axe-core's WCAG 2.2 AA violations on the page the browser shows.
fn axe_violations(browser: &Browser<'_>, axe: &str) -> Vec<String> {
    let result = browser.command(
        Method::POST,
        "/execute/async",
        json!({
            "script": format!(
                "{axe}\n;const done = arguments[arguments.length - 1];\
                 axe.run(document, {{ runOnly: {{ type: 'tag', values: \
                 ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }} }})\
                 .then(r => done(r.violations.map(v => v.id + ': ' + \
                 v.nodes.map(n => n.target.join(' ')).join(', '))))\
                 .catch(e => done(['axe failed: ' + e]));"
            ),
            "args": [],
        }),
    );
    result
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect()
}

/// A step-by-step form in a real browser, both ways: with JavaScript off, the answers given
/// decide what step 2 asks, each step is checked on the server, and the review sends the
/// case; with it on (for axe-core only), every step page, a refused one and the review pass.
#[test]
fn a_step_by_step_form_asks_by_the_answers_given_in_a_browser_without_javascript() {
    let app = spawn_app_with(crate::questionnaire::STEPPED);
    let server = app.base.trim_start_matches("http://").to_owned();
    let proxy = Proxy::start(server);
    let driver = ChromeDriver::start();
    let axe = axe_source();
    let files = tempfile::tempdir().unwrap();
    let photo = files.path().join("place.txt");
    std::fs::write(&photo, "the loading bay").unwrap();

    for scripts in [false, true] {
        let browser = driver.browser(proxy.port, scripts);
        assert_eq!(browser.runs_scripts(), scripts);
        let mut violations = Vec::new();
        let mut check = |what: &str| {
            if scripts {
                for v in axe_violations(&browser, &axe) {
                    violations.push(format!("{what}: {v}"));
                }
            }
        };

        // Hurt: step 2 asks about the injuries, and will not go on without them.
        browser.go(&app.url("/report"));
        browser.wait_for_text("Step 1 of 2");
        check("step 1");
        browser.type_into("#f_what", "It fell from the shelf.");
        browser.click("#f_hurt");
        browser.click("button[value=next]");
        browser.wait_for_text("Step 2 of 2");
        assert!(browser.find("#f_injuries").is_some());
        browser.click("button[value=next]");
        if !scripts {
            // The browser's own check stops an empty required field first, with scripts off too;
            // the server's is tested without a browser.
            assert!(browser.source().contains("Step 2 of 2"));
        }
        check("step 2");
        browser.type_into("#f_injuries", "A cut hand.");
        browser.click("button[value=next]");
        browser.wait_for_text("Check your answers");
        check("review");
        let review = browser.source();
        assert!(review.contains("A cut hand.") && review.contains("It fell from the shelf."));
        browser.type_into("#f_photos", photo.to_str().unwrap());
        browser.click("button[value=send]");
        browser.wait_for_text("class=\"claim-code\"");
        let code = browser.text(".claim-code code");
        let case: Value = app.followup_api(&code).json().unwrap();
        assert_eq!(case["fields"]["injuries"], "A cut hand.");
        assert_eq!(case["fields"]["photos"], json!(["place.txt"]));

        // Not hurt, after all: back to step 1, the box unticked; step 2 no longer asks, and
        // what was said about injuries is not sent.
        browser.go(&app.url("/report"));
        browser.wait_for_text("Step 1 of 2");
        browser.type_into("#f_what", "Nobody was near.");
        browser.click("#f_hurt");
        browser.click("button[value=next]");
        browser.wait_for_text("Step 2 of 2");
        browser.type_into("#f_injuries", "second thoughts");
        browser.click("button[value=back]");
        browser.wait_for_text("Step 1 of 2");
        browser.click("#f_hurt");
        browser.click("button[value=next]");
        browser.wait_for_text("Step 2 of 2");
        assert!(browser.find("#f_injuries").is_none());
        browser.click("button[value=next]");
        let review = browser.wait_for_text("Check your answers");
        assert!(
            !review.contains("<dd class=\"text\">second thoughts"),
            "{review}"
        );
        browser.click("button[value=send]");
        browser.wait_for_text("class=\"claim-code\"");
        let code = browser.text(".claim-code code");
        let case: Value = app.followup_api(&code).json().unwrap();
        assert_eq!(case["fields"]["hurt"], false);
        assert!(case["fields"].get("injuries").is_none(), "{case}");
        assert!(
            violations.is_empty(),
            "axe-core found:\n{}",
            violations.join("\n")
        );
    }
    assert_eq!(app.case_count(), 4);
}
