//! Mail benchmark: `cargo bench --bench mail [-- --mails N]`.
//!
//! With a minimal plain SMTP server in this process on loopback (TCP_NODELAY, so the figures
//! are sealbox's and not a slow test server's), measures:
//! - the time from a submission (the API call) to the officer's alert arriving at the SMTP
//!   server, with `notify_delay_s = 0`, 30 times: p50/p99;
//! - the outbox drain rate: N mails (default 1000) sealed into the outbox of a stopped
//!   server, then the time for the started server to deliver them all: mails/s.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{ms, percentile, prepare_with, serve};
use serde_json::json;

type Arrivals = Arc<Mutex<Vec<Instant>>>;

/// Answers one SMTP session: every command accepted, each message's arrival recorded.
fn session(stream: TcpStream, arrivals: Arrivals) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    out.write_all(b"220 bench.sink ESMTP\r\n")?;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.get(..4).unwrap_or("").to_ascii_uppercase();
        match command.as_str() {
            "EHLO" | "HELO" => out.write_all(b"250 bench.sink\r\n")?,
            "DATA" => {
                out.write_all(b"354 go ahead\r\n")?;
                loop {
                    line.clear();
                    if lines.read_line(&mut line)? == 0 || line == ".\r\n" {
                        break;
                    }
                }
                arrivals.lock().unwrap().push(Instant::now());
                out.write_all(b"250 queued\r\n")?;
            }
            "QUIT" => {
                out.write_all(b"221 bye\r\n")?;
                return Ok(());
            }
            _ => out.write_all(b"250 ok\r\n")?,
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mails: usize = args
        .iter()
        .position(|a| a == "--mails")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(1000);

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let arrivals: Arrivals = Arc::default();
    let sink = arrivals.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let arrivals = sink.clone();
            std::thread::spawn(move || session(stream, arrivals));
        }
    });
    let count = || arrivals.lock().unwrap().len();

    let root = tempfile::tempdir().unwrap();
    prepare_with(
        root.path(),
        &format!("[mail]\nsmtp_url = \"smtp://127.0.0.1:{port}\"\nnotify_delay_s = 0\nfrom = \"ethics@bench.example\"\n"),
    );
    let server = serve(root);
    let http = reqwest::blocking::Client::new();
    let mut latencies = Vec::new();
    for i in 0..30 {
        let before = count();
        let start = Instant::now();
        let res = http
            .post(format!("{}/api/v1/cases", server.base))
            .json(&json!({"channel": "report", "fields": {"what": format!("mail bench {i}")}}))
            .send()
            .unwrap();
        assert_eq!(res.status(), 201);
        while count() == before {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "no alert arrived"
            );
            std::thread::sleep(Duration::from_micros(200));
        }
        latencies.push(arrivals.lock().unwrap()[before] - start);
    }
    latencies.sort();
    println!("sealbox mail benchmark (plain SMTP on loopback, notify_delay_s = 0)");
    println!(
        "submission → officer alert at the SMTP server, 30 runs: p50 {:.1} ms, p99 {:.1} ms",
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 99.0))
    );

    // Drain: queue N sealed mails while the server is down, then time their delivery.
    let mut server = server;
    let _ = server.child.kill();
    let _ = server.child.wait();
    let root = std::mem::replace(&mut server.root, tempfile::tempdir().unwrap());
    let data = root.path().join("data");
    let key = sealbox::notify::OutboxKey::load_or_create(
        &data.join("keys/outbox.key"),
        "ethics@bench.example",
    )
    .unwrap();
    let db = rusqlite::Connection::open(data.join("sealbox.sqlite")).unwrap();
    let now = sealbox::cases::now();
    db.execute_batch("BEGIN").unwrap();
    for i in 0..mails {
        let draft = sealbox::notify::Draft {
            kind: "bench",
            to: format!("officer{i}@bench.example"),
            subject: "New case in Report misconduct".into(),
            text: "A new case has arrived. Sign in to read it.".into(),
            case_id: None,
            officer_id: None,
            delay_s: 0,
            replaces: &[],
        };
        let mail = key.seal(draft, now).unwrap();
        sealbox::store::outbox::insert(&db, &mail, now).unwrap();
    }
    db.execute_batch("COMMIT").unwrap();
    drop(db);
    let before = count();
    let start = Instant::now();
    let server = serve(root);
    while count() < before + mails {
        assert!(
            start.elapsed() < Duration::from_secs(600),
            "outbox did not drain"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let took = start.elapsed();
    println!(
        "outbox drain: {mails} mails in {:.2} s (server start included) → {:.0} mails/s",
        took.as_secs_f64(),
        mails as f64 / took.as_secs_f64()
    );
    drop(server);
}
