//! Mail over a real SMTP conversation with an in-process server (mailin-embedded): alerts that
//! say nothing of the case, nothing to an excluded officer, customer mails, and nothing lost
//! through outages and restarts.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mailin_embedded::response::OK;
use mailin_embedded::{Handler, Response};
use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

#[derive(Clone, Debug)]
pub(crate) struct Received {
    pub(crate) to: Vec<String>,
    pub(crate) data: String,
    /// The message as it came over the wire.
    pub(crate) raw: String,
}

#[derive(Clone)]
struct Sink {
    inbox: Arc<Mutex<Vec<Received>>>,
    current: Option<Received>,
}

impl Handler for Sink {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Some(Received {
            to: to.to_vec(),
            data: String::new(),
            raw: String::new(),
        });
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(mail) = &mut self.current {
            mail.data.push_str(&String::from_utf8_lossy(buf));
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Some(mut mail) = self.current.take() {
            mail.raw = mail.data.clone();
            // Undo quoted-printable soft line breaks, so a text split across lines is still
            // found by the content checks.
            mail.data = mail.data.replace("=\r\n", "");
            self.inbox.lock().unwrap().push(mail);
        }
        OK
    }
}

pub(crate) type Inbox = Arc<Mutex<Vec<Received>>>;

/// A plain SMTP server on `port` (0: any); returns its port and what it received.
pub(crate) fn smtp_server(port: u16) -> (u16, Inbox) {
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox: Inbox = Arc::default();
    let mut server = mailin_embedded::Server::new(Sink {
        inbox: inbox.clone(),
        current: None,
    });
    server.with_name("sink.test").with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    (port, inbox)
}

pub(crate) fn mail_config(port: u16, extra: &str) -> String {
    format!("[mail]\nsmtp_url = \"smtp://127.0.0.1:{port}\"\nnotify_delay_s = 0\ncustomer_delay_s = 0\nfrom = \"Ethics <ethics@example.org>\"\n{extra}")
}

pub(crate) fn wait_for(what: &str, timeout_s: u64, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(timeout_s),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn pending(app: &TestApp) -> i64 {
    app.db()
        .query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn officers_are_alerted_without_content_and_excluded_ones_not_at_all() {
    let (port, inbox) = smtp_server(0);
    let app = spawn_app_with(&mail_config(port, "coalesce_s = 2\n"));
    app.add_officer("alice@example.org", "Alice", &[]);
    let bob = app.add_officer("bob@example.org", "Bob", &[]);
    let secret = canary("mail");
    let code = app.submit(json!({"channel": "report", "fields": {"what": secret, "who": "Bob"}, "exclude_officers": [bob]}));
    wait_for("the alert", 20, || !inbox.lock().unwrap().is_empty());
    std::thread::sleep(Duration::from_millis(500));
    let mails = inbox.lock().unwrap().clone();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].to, ["alice@example.org"]);
    let data = &mails[0].data;
    assert!(
        data.contains("Subject: New case in Report misconduct"),
        "{data}"
    );
    assert!(data.contains("/officer") && data.contains("Message-ID: <"));
    assert!(
        !data.contains(&secret) && !data.contains("Bob"),
        "no content in mail: {data}"
    );
    assert_eq!(pending(&app), 0, "a sent mail leaves the outbox");

    // Within the window a message adds no alert; after it, the submitter's messages give
    // Alice one alert per window, and Bob never one.
    let res = app
        .client
        .post(app.url("/api/v1/followup/messages"))
        .bearer_auth(&code)
        .json(&json!({"body": "soon"}))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(
        inbox.lock().unwrap().len(),
        1,
        "coalesced with the new-case alert"
    );
    std::thread::sleep(Duration::from_millis(1500));
    for body in ["more", "and more"] {
        let res = app
            .client
            .post(app.url("/api/v1/followup/messages"))
            .bearer_auth(&code)
            .json(&json!({"body": body}))
            .send()
            .unwrap();
        assert_eq!(res.status(), 201);
    }
    wait_for("the message alert", 20, || inbox.lock().unwrap().len() >= 2);
    std::thread::sleep(Duration::from_millis(1000));
    let mails = inbox.lock().unwrap().clone();
    assert_eq!(mails.len(), 2, "coalesced: {mails:?}");
    assert!(mails[1]
        .data
        .contains("Subject: New message on a case in Report misconduct"));
    assert!(mails.iter().all(|m| m.to == ["alice@example.org"]));
}

#[test]
fn customers_who_consented_hear_of_receipt_and_each_status_change() {
    let (port, inbox) = smtp_server(0);
    let app = spawn_app_with(&mail_config(port, ""));
    app.add_officer("o@example.org", "Olga", &[]);
    let secret = canary("complaint");
    let code = app.submit(json!({
        "channel": "complaint",
        "fields": {"subject": "Refund", "description": secret},
        "contact": {"email": "customer@example.org", "consent": true}
    }));
    let to_customer = |inbox: &Inbox| -> Vec<Received> {
        inbox
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.to == ["customer@example.org"])
            .cloned()
            .collect()
    };
    wait_for("the receipt", 20, || to_customer(&inbox).len() == 1);
    let receipt = &to_customer(&inbox)[0];
    assert!(receipt.data.contains("Subject: We received your complaint"));
    assert!(receipt.data.contains("/followup"));
    assert!(
        !receipt.data.contains(&secret) && !receipt.data.contains(&code),
        "no content, no claim code"
    );

    let token = officer_token(&app, "o@example.org");
    let id = only_case_id(&app, &token);
    let res = officer_api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/officer/cases/{id}/status"),
        Some(json!({"status": "acknowledged"})),
    );
    assert_eq!(res.status(), 200);
    wait_for("the status mail", 20, || to_customer(&inbox).len() == 2);
    let news = &to_customer(&inbox)[1];
    assert!(news
        .data
        .contains("Subject: There is news about your complaint"));
    assert!(news.data.contains("Acknowledged") && !news.data.contains(&secret));

    // A whistleblower never gets mail: the channel does not even take an address.
    let res = app.post_json("/api/v1/cases", &json!({"channel": "report", "fields": {"what": "x"}, "contact": {"email": "w@example.org", "consent": true}}));
    assert_eq!(res.status(), 422);
}

#[test]
fn mail_waits_out_an_smtp_outage_and_is_delivered_once() {
    let port = free_port();
    let app = spawn_app_with(&mail_config(port, ""));
    app.add_officer("o@example.org", "Olga", &[]);
    app.submit(report("during the outage"));
    wait_for("a failed attempt", 20, || {
        app.db()
            .query_row("SELECT attempts FROM outbox", [], |r| r.get::<_, i64>(0))
            .unwrap_or(0)
            >= 1
    });
    assert_eq!(pending(&app), 1, "still queued");
    let logs = app.logs();
    assert!(logs.contains("mail not sent; it stays queued"), "{logs}");
    assert!(!logs.contains("o@example.org"), "no address in the log");
    let error: String = app
        .db()
        .query_row("SELECT last_error FROM outbox", [], |r| r.get(0))
        .unwrap();
    assert!(!error.contains('@'), "{error}");

    let (_, inbox) = smtp_server(port);
    wait_for("delivery after the outage", 30, || pending(&app) == 0);
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(inbox.lock().unwrap().len(), 1, "exactly once");
}

#[test]
fn mail_queued_before_a_restart_is_delivered_once_after_it() {
    let port = free_port();
    let mut app = spawn_app_with(&mail_config(port, ""));
    app.add_officer("o@example.org", "Olga", &[]);
    app.submit(report("queued across a restart"));
    wait_for("a failed attempt", 20, || {
        app.db()
            .query_row("SELECT attempts FROM outbox", [], |r| r.get::<_, i64>(0))
            .unwrap_or(0)
            >= 1
    });
    app.kill();
    let (_, inbox) = smtp_server(port);
    std::thread::sleep(Duration::from_millis(300));
    assert!(inbox.lock().unwrap().is_empty());
    app.start();
    wait_for("delivery after the restart", 30, || pending(&app) == 0);
    std::thread::sleep(Duration::from_secs(3));
    let mails = inbox.lock().unwrap().clone();
    assert_eq!(mails.len(), 1, "{mails:?}");
}

#[test]
fn required_tls_is_never_skipped() {
    let (port, inbox) = smtp_server(0);
    let app = spawn_app_with(&format!(
        "[mail]\nsmtp_url = \"smtp://127.0.0.1:{port}?tls=required\"\nnotify_delay_s = 0\nfrom = \"e@example.org\"\n"
    ));
    app.add_officer("o@example.org", "Olga", &[]);
    app.submit(report("must go encrypted"));
    wait_for("a failed attempt", 20, || {
        app.db()
            .query_row("SELECT attempts FROM outbox", [], |r| r.get::<_, i64>(0))
            .unwrap_or(0)
            >= 1
    });
    assert!(inbox.lock().unwrap().is_empty(), "sent in the clear");
    assert_eq!(pending(&app), 1);
    assert!(app.logs().contains("mail not sent; it stays queued"));
}

#[test]
fn without_smtp_mail_is_written_as_eml_files_and_the_address_stays_sealed_while_queued() {
    let app = spawn_app_with("[mail]\nnotify_delay_s = 3600\n");
    app.add_officer("o@example.org", "Olga", &[]);
    let what = canary("eml");
    app.submit(json!({
        "channel": "complaint",
        "fields": {"subject": "s", "description": what},
        "contact": {"email": "eml-customer@example.org", "consent": true}
    }));
    let mail_dir = app.data_dir().join("mail");
    wait_for("the .eml receipt", 20, || {
        std::fs::read_dir(&mail_dir)
            .map(|d| d.count() > 0)
            .unwrap_or(false)
    });
    std::thread::sleep(Duration::from_millis(500));
    let files = files_below(&mail_dir);
    let to_customer: Vec<String> = files
        .iter()
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).to_string())
        .filter(|eml| eml.contains("To: eml-customer@example.org"))
        .collect();
    assert_eq!(to_customer.len(), 1, "one receipt");
    assert!(!to_customer[0].contains(&what), "addresses, never content");
    assert!(files
        .iter()
        .all(|(_, b)| !String::from_utf8_lossy(b).contains(&what)));
    // The officer's alert waits a random delay of up to an hour: queued (its address sealed)
    // or, rarely, already written.
    assert_eq!(pending(&app) + files.len() as i64, 2);
    let db = std::fs::read(app.data_dir().join("sealbox.sqlite")).unwrap();
    let wal = std::fs::read(app.data_dir().join("sealbox.sqlite-wal")).unwrap_or_default();
    let needle: &[u8] = b"eml-customer@example.org";
    for bytes in [&db, &wal] {
        assert!(!bytes.windows(needle.len()).any(|w| w == needle));
    }
}

#[test]
fn mail_test_reports_success_and_failure() {
    let (port, inbox) = smtp_server(0);
    let app = spawn_app_with(&mail_config(port, ""));
    let out = app.cli_with_stdin(&["mail", "test", "--to", "ops@example.org"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("SMTP 127.0.0.1:{port} (no TLS)"))
    );
    assert_eq!(inbox.lock().unwrap()[0].to, ["ops@example.org"]);

    let down = spawn_app_with(&mail_config(free_port(), ""));
    let out = down.cli_with_stdin(&["mail", "test", "--to", "ops@example.org"], "");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("connection failed"));
}

#[test]
fn deadlines_bring_reminders_and_a_daily_digest() {
    let (port, inbox) = smtp_server(0);
    let app = spawn_app_with(&mail_config(
        port,
        &format!("reminder_interval_s = 1\ndaily_digest_hour = 0\n{URGENT_CHANNEL}"),
    ));
    app.add_officer("alice@example.org", "Alice", &[]);
    app.add_officer("bob@example.org", "Bob", &[]);
    let secret = canary("deadline");
    app.submit(json!({"channel": "urgent", "fields": {"what": secret}}));
    let subjects = |inbox: &Inbox, who: &str| -> Vec<String> {
        inbox
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.to == [who])
            .map(|m| {
                m.data
                    .lines()
                    .find(|l| l.starts_with("Subject: "))
                    .unwrap_or("")
                    .to_owned()
            })
            .collect()
    };
    // No handler assigned: both officers who can open it are reminded, once.
    wait_for("overdue reminders", 30, || {
        ["alice@example.org", "bob@example.org"].iter().all(|who| {
            subjects(&inbox, who)
                .iter()
                .any(|s| s.contains("is overdue"))
        })
    });
    wait_for("digests", 30, || {
        ["alice@example.org", "bob@example.org"].iter().all(|who| {
            subjects(&inbox, who)
                .iter()
                .any(|s| s.contains("Your cases today: 1 open"))
        })
    });
    std::thread::sleep(Duration::from_secs(3));
    for who in ["alice@example.org", "bob@example.org"] {
        let got = subjects(&inbox, who);
        assert_eq!(
            got.iter().filter(|s| s.contains("is overdue")).count(),
            1,
            "{got:?}"
        );
        assert_eq!(
            got.iter().filter(|s| s.contains("open,")).count(),
            1,
            "{got:?}"
        );
    }
    assert!(inbox
        .lock()
        .unwrap()
        .iter()
        .all(|m| !m.data.contains(&secret)));
}

#[test]
fn a_short_deadline_is_not_due_soon_the_moment_a_case_arrives() {
    // Acknowledgement due in two days, reminders 72 hours ahead by default: "due soon" may
    // come at the earliest halfway, not on arrival.
    let (port, inbox) = smtp_server(0);
    let channel = URGENT_CHANNEL.replace("acknowledge_days = 0", "acknowledge_days = 2");
    let app = spawn_app_with(&mail_config(
        port,
        &format!("reminder_interval_s = 1\n{channel}"),
    ));
    app.add_officer("alice@example.org", "Alice", &[]);
    app.submit(json!({"channel": "urgent", "fields": {"what": "not urgent yet"}}));
    wait_for("the new-case alert", 30, || {
        inbox
            .lock()
            .unwrap()
            .iter()
            .any(|m| m.to == ["alice@example.org"])
    });
    std::thread::sleep(Duration::from_secs(4));
    let mails = inbox.lock().unwrap();
    assert!(
        mails.iter().all(|m| !m.data.contains("is due soon")),
        "{:?}",
        mails.iter().map(|m| &m.data).collect::<Vec<_>>()
    );
}

#[test]
fn a_customer_gets_one_mail_for_several_moves_in_a_row() {
    let (port, inbox) = smtp_server(0);
    let config = mail_config(port, "").replace("customer_delay_s = 0", "customer_delay_s = 2");
    let app = spawn_app_with(&config);
    app.add_officer("o@example.org", "Olga", &[]);
    app.submit(json!({
        "channel": "complaint",
        "fields": {"subject": "Late", "description": "Three weeks late."},
        "contact": {"email": "moved@example.org", "consent": true}
    }));
    let token = officer_token(&app, "o@example.org");
    let id = only_case_id(&app, &token);
    for body in [
        json!({"status": "acknowledged"}),
        json!({"status": "in_progress"}),
        json!({"status": "closed", "outcome": "resolved", "summary": "Refunded."}),
    ] {
        let res = officer_api(
            &app,
            &token,
            Method::POST,
            &format!("/api/v1/officer/cases/{id}/status"),
            Some(body),
        );
        assert_eq!(res.status(), 200);
    }
    let to_customer = || -> Vec<String> {
        inbox
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.to == ["moved@example.org"])
            .map(|m| m.data.clone())
            .collect()
    };
    wait_for("the closing mail", 30, || {
        to_customer()
            .iter()
            .any(|m| m.contains("Subject: Your complaint is closed"))
    });
    std::thread::sleep(Duration::from_secs(3));
    let mails = to_customer();
    // The receipt, then one mail for the three moves: where the case stands in the end.
    assert_eq!(mails.len(), 2, "{mails:#?}");
    assert!(mails[0].contains("received"), "{mails:#?}");
}

#[test]
fn a_customer_rates_a_closed_complaint_once() {
    let (port, inbox) = smtp_server(0);
    let app = spawn_app_with(&mail_config(port, ""));
    app.add_officer("o@example.org", "Olga", &[]);
    let code = app.submit(json!({
        "channel": "complaint",
        "fields": {"subject": "Late", "description": "Three weeks late."},
        "contact": {"email": "rater@example.org", "consent": true}
    }));
    let token = officer_token(&app, "o@example.org");
    let id = only_case_id(&app, &token);
    let status = |body: serde_json::Value| {
        officer_api(
            &app,
            &token,
            Method::POST,
            &format!("/api/v1/officer/cases/{id}/status"),
            Some(body),
        )
        .status()
    };
    let rate = |body: serde_json::Value| {
        app.client
            .post(app.url("/api/v1/followup/rating"))
            .bearer_auth(&code)
            .json(&body)
            .send()
            .unwrap()
            .status()
    };
    assert_eq!(rate(json!({"score": 4})), 409, "not closed yet");
    assert_eq!(status(json!({"status": "acknowledged"})), 200);
    assert_eq!(
        status(json!({"status": "closed", "outcome": "resolved", "summary": "Refunded."})),
        200
    );
    let closing = || {
        inbox.lock().unwrap().iter().any(|m| {
            m.to == ["rater@example.org"] && m.data.contains("Subject: Your complaint is closed")
        })
    };
    let start = Instant::now();
    while !closing() && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(closing(), "{:#?}", inbox.lock().unwrap());

    // Through the page, with JavaScript off: the form is there once closed.
    app.post_form("/followup", &[("code", &code)]);
    let page = app.get("/followup").text().unwrap();
    assert!(page.contains("How did we handle your complaint?") && page.contains("Refunded."));
    let csrf = csrf_in(&page);
    let res = app.post_form("/followup/rating", &[("csrf", &csrf), ("score", "9")]);
    assert_eq!(res.status(), 422);
    let res = app.post_form(
        "/followup/rating",
        &[
            ("csrf", &csrf),
            ("score", "4"),
            ("comment", "Quick once you answered."),
        ],
    );
    assert_eq!(res.status(), 303);
    let page = app.get("/followup").text().unwrap();
    assert!(page.contains("4 out of 5") && !page.contains("How did we handle"));
    assert_eq!(rate(json!({"score": 5})), 409, "once");

    let case: serde_json::Value = officer_case(&app, &token, &id);
    assert_eq!(case["satisfaction"], 4);
    assert_eq!(case["feedback"], "Quick once you answered.");
    let followup: serde_json::Value = app.followup_api(&code).json().unwrap();
    assert_eq!(followup["satisfaction"], 4);
    assert_nowhere_in(&app.data_dir(), "Quick once you answered.");

    // A report is never rated.
    let report_code = app.submit(report("whistle"));
    let res = app
        .client
        .post(app.url("/api/v1/followup/rating"))
        .bearer_auth(&report_code)
        .json(&json!({"score": 3}))
        .send()
        .unwrap();
    assert_eq!(res.status(), 409);
}

#[test]
fn queued_mail_for_a_disabled_officer_is_withdrawn_and_bad_addresses_are_refused() {
    let app = spawn_app_with("[mail]\nnotify_delay_s = 3600\n");
    app.add_officer("ada@example.org", "Ada", &["--admin"]);
    let alice = app.add_officer("alice@example.org", "Alice", &[]);
    app.submit(report("queued alerts"));
    let queued_for = |id: &str| -> i64 {
        app.db()
            .query_row(
                "SELECT COUNT(*) FROM outbox WHERE officer_id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap()
    };
    // The alerts wait out their random delay (up to an hour) in the outbox.
    assert_eq!(queued_for(&alice), 1);
    let ada = officer_browser(&app, "ada@example.org");
    let admin = ada
        .get(app.url("/officer/admin"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let res = ada
        .post(app.url(&format!("/officer/admin/officers/{alice}/disable")))
        .form(&[("csrf", csrf_in(&admin).as_str())])
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(queued_for(&alice), 0, "her alert goes with her access");
    let others: i64 = app
        .db()
        .query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))
        .unwrap();
    assert_eq!(others, 1, "Ada's alert stays");

    // An address lettre could never send to is refused at the door, not retried forever.
    let res = app.post_json(
        "/api/v1/cases",
        &json!({"channel": "complaint", "fields": {"subject": "s", "description": "d"},
                "contact": {"email": "jane@gmail..com", "consent": true}}),
    );
    assert_eq!(res.status(), 422);
}

/// A mail's text body, decoded from its transfer encoding (7bit, quoted-printable or base64).
pub(crate) fn body_of(mail: &Received) -> String {
    let (head, body) = mail.data.split_once("\r\n\r\n").unwrap_or((&mail.data, ""));
    let head = head.to_ascii_lowercase();
    let bytes = if head.contains("content-transfer-encoding: base64") {
        base64(body)
    } else if head.contains("content-transfer-encoding: quoted-printable") {
        quoted_printable(body)
    } else {
        body.as_bytes().to_vec()
    };
    String::from_utf8(bytes).unwrap()
}

fn base64(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sextets: Vec<u32> = text
        .bytes()
        .filter_map(|b| ALPHABET.iter().position(|a| *a == b).map(|p| p as u32))
        .collect();
    let mut out = Vec::new();
    for chunk in sextets.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, s)| acc | s << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

fn quoted_printable(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match (
            bytes[i],
            std::str::from_utf8(&bytes[i..(i + 3).min(bytes.len())]),
        ) {
            (b'=', Ok(hex)) if hex.len() == 3 => match u8::from_str_radix(&hex[1..], 16) {
                Ok(b) => {
                    out.push(b);
                    i += 3;
                }
                Err(_) => {
                    out.push(b'=');
                    i += 1;
                }
            },
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[test]
fn an_officer_who_chose_german_gets_their_mail_in_german() {
    let (port, inbox) = smtp_server(0);
    let app = spawn_app_with(&mail_config(port, ""));
    app.add_officer("d@example.org", "Dora", &[]);
    app.add_officer("e@example.org", "Emil", &[]);
    let browser = officer_browser(&app, "d@example.org");
    let account = browser
        .get(app.url("/officer/account"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let res = browser
        .post(app.url("/officer/account/language"))
        .form(&[("csrf", csrf_in(&account).as_str()), ("language", "de")])
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);

    app.submit(report("in any language"));
    wait_for("both alerts", 20, || inbox.lock().unwrap().len() == 2);
    let mails = inbox.lock().unwrap().clone();
    let to = |who: &str| mails.iter().find(|m| m.to == [who]).unwrap();
    let german = to("d@example.org");
    assert!(
        german
            .data
            .contains("Subject: Neuer Fall in Fehlverhalten melden"),
        "{german:?}"
    );
    let text = body_of(german);
    assert!(
        text.contains("Diese E-Mail sagt bewusst nichts über den Fall selbst."),
        "{text}"
    );
    assert!(text.contains("/officer"));
    // Without a choice: English.
    assert!(to("e@example.org")
        .data
        .contains("Subject: New case in Report misconduct"));
}

#[test]
fn a_customer_who_complained_in_portuguese_hears_of_changes_in_portuguese() {
    let (port, inbox) = smtp_server(0);
    let app = spawn_app_with(&mail_config(port, ""));
    app.add_officer("o@example.org", "Olga", &[]);
    let res = app.post_form(
        "/complaint?lang=pt-BR",
        &[
            ("channel", "complaint"),
            ("f_subject", "Reembolso"),
            ("f_description", "O produto chegou quebrado."),
            ("contact_email", "cliente@example.org"),
            ("contact_consent", "on"),
        ],
    );
    assert_eq!(res.status(), 200);
    assert!(res.text().unwrap().contains("Sua reclamação foi recebida"));
    let to_customer = |inbox: &Inbox| -> Vec<Received> {
        inbox
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.to == ["cliente@example.org"])
            .cloned()
            .collect()
    };
    wait_for("the receipt", 20, || to_customer(&inbox).len() == 1);
    let receipt = body_of(&to_customer(&inbox)[0]);
    assert!(receipt.contains("Obrigado por informar"), "{receipt}");

    // The language is sealed with the address, never in clear.
    let clear: i64 = app
        .db()
        .query_row(
            "SELECT COUNT(*) FROM cases WHERE instr(sealed_submission, 'pt-BR') > 0",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(clear, 0);

    let token = officer_token(&app, "o@example.org");
    let id = only_case_id(&app, &token);
    let res = officer_api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/officer/cases/{id}/status"),
        Some(json!({"status": "acknowledged"})),
    );
    assert_eq!(res.status(), 200);
    wait_for("the status mail", 20, || to_customer(&inbox).len() == 2);
    let news = body_of(&to_customer(&inbox)[1]);
    assert!(
        news.contains("Sua reclamação a") && news.contains("agora está: Confirmada."),
        "{news}"
    );
    assert!(news.contains("/followup") && !news.contains("quebrado"));
}

/// Parses `raw` with Python's email package under its strict policy (any defect is an error)
/// and prints the headers sealbox promises, one `name: value` per line.
fn strict_headers(raw: &str) -> String {
    let script = r#"
import email, email.policy, sys
data = sys.stdin.buffer.read()
msg = email.message_from_bytes(data, policy=email.policy.strict)
for name, value in msg.items():
    if value.defects:
        sys.exit(f"defect in {name}: {value.defects}")
if msg.defects:
    sys.exit(f"defects: {msg.defects}")
msg.get_content()
for name in ("MIME-Version", "Auto-Submitted", "Message-ID", "Date"):
    print(f"{name}: {msg[name]}")
print(f"content: {msg.get_content_type()}; {msg.get_content_charset()}")
"#;
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(raw.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "Python's strict parser refused the mail: {}\n{raw}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_mail_is_valid_under_a_strict_parser_and_marked_automatic() {
    let (port, inbox) = smtp_server(0);
    let app = spawn_app_with(&mail_config(port, ""));
    app.add_officer("o@example.org", "Olga Ölmann", &[]);
    app.submit(json!({
        "channel": "complaint",
        "fields": {"subject": "Rückerstattung", "description": "Ärger über die Lieferung"},
        "contact": {"email": "customer@example.org", "consent": true}
    }));
    let out = app.cli_with_stdin(&["mail", "test", "--to", "admin@example.org"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The officer's alert, the customer's receipt and the test mail.
    wait_for("three mails", 20, || inbox.lock().unwrap().len() >= 3);
    let mails = inbox.lock().unwrap().clone();
    for mail in &mails {
        let headers = strict_headers(&mail.raw);
        for expected in [
            "MIME-Version: 1.0",
            "Auto-Submitted: auto-generated",
            "content: text/plain; utf-8",
        ] {
            assert!(
                headers.lines().any(|l| l.eq_ignore_ascii_case(expected)),
                "{expected} missing for {:?}:\n{headers}",
                mail.to
            );
        }
    }
}

#[test]
fn a_customer_withdraws_consent_and_hears_nothing_more() {
    let (port, inbox) = smtp_server(0);
    let app = spawn_app_with(&mail_config(port, ""));
    app.add_officer("o@example.org", "Olga", &[]);
    let code = app.submit(json!({
        "channel": "complaint",
        "fields": {"subject": "Refund", "description": "late delivery"},
        "contact": {"email": "leaving@example.org", "consent": true}
    }));
    let to_customer = |inbox: &Inbox| {
        inbox
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.to == ["leaving@example.org"])
            .count()
    };
    wait_for("the receipt", 20, || to_customer(&inbox) == 1);
    let view: serde_json::Value = app.followup_api(&code).json().unwrap();
    assert_eq!(view["contact"]["email"], "leaving@example.org");

    // The follow-up page offers it while there is an address.
    let page = followup_browser(&app, &code)
        .get(app.url("/followup"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        page.contains("/followup/contact/withdraw"),
        "no withdraw button"
    );

    let res = app
        .client
        .delete(app.url("/api/v1/followup/contact"))
        .bearer_auth(&code)
        .send()
        .unwrap();
    assert_eq!(res.status(), 204);
    let view: serde_json::Value = app.followup_api(&code).json().unwrap();
    assert!(view["contact"].is_null(), "{view}");
    let res = app
        .client
        .delete(app.url("/api/v1/followup/contact"))
        .bearer_auth("WRONG-CODE")
        .send()
        .unwrap();
    assert_eq!(res.status(), 401);

    // The officer no longer sees it, and a status change sends the customer nothing.
    let token = officer_token(&app, "o@example.org");
    let id = only_case_id(&app, &token);
    let case: serde_json::Value = officer_case(&app, &token, &id);
    assert!(case["contact"].is_null(), "{case}");
    let res = officer_api(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/officer/cases/{id}/status"),
        Some(json!({"status": "acknowledged"})),
    );
    assert_eq!(res.status(), 200);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(pending(&app), 0, "nothing queued for the customer");
    assert_eq!(to_customer(&inbox), 1, "no mail after withdrawal");
    let actions: i64 = app
        .db()
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'contact_withdrawn'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(actions, 1);
}
