//! Officer benchmark: `cargo bench --bench inbox [-- --cases N]`.
//!
//! Fills a fresh database with N cases (default 10 000) granted to one officer, written
//! directly but sealed for real: each case has its own case and staff keys granted to the
//! officer, a sealed document whose opening words the inbox shows, and the blind search tags
//! of its words. Then it starts the real server and measures, in the same run:
//! - one argon2id derivation and one age decryption (grant → case key → document), for scale;
//! - officer sign-in (argon2id check, then the scrypt unwrap of their key), p50;
//! - the inbox with each row's opening words: first page by due date, a status filter, the
//!   overdue filter, a later page, as HTML page and as API, p50/p99;
//! - search: the first in a session (every case's search key derived from its grant), then
//!   later ones (keys cached with the session), p50/p99;
//! - opening the real case (grant → keys → decrypt → history), p50/p99;
//! - a submitter's sign-in to the newest case, sent after all the others, p50/p99;
//! - the server's peak memory.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use common::{argon2_median, memory_kib, ms, percentile, prepare, serve, PASSWORD};
use rand::seq::SliceRandom;
use rand::{Rng, RngCore};
use serde_json::{json, Value};

/// Words the stand-in reports are written with; `rarely` appears in one case in a hundred,
/// `often` in every tenth.
fn vocabulary() -> Vec<String> {
    (0..2_000).map(|i| format!("word{i:04}")).collect()
}

/// One age decryption as the inbox does it per row: open a grant, then a sealed document.
fn one_decryption() -> Duration {
    let officer = sealbox::crypto::KeyPair::generate();
    let case = sealbox::crypto::KeyPair::generate();
    let grant = sealbox::crypto::keys::grant(&case.secret, &officer.public).unwrap();
    let doc = sealbox::crypto::seal::seal_padded(&[b'x'; 600], &[&case.public]).unwrap();
    let mut times: Vec<Duration> = (0..200)
        .map(|_| {
            let t = Instant::now();
            let key = sealbox::crypto::keys::open_grant(&grant, &officer.secret).unwrap();
            sealbox::crypto::seal::open(&doc, &key).unwrap();
            t.elapsed()
        })
        .collect();
    times.sort();
    percentile(&times, 50.0)
}

fn fill(db_path: &std::path::Path, cases: usize) {
    let mut db = rusqlite::Connection::open(db_path).unwrap();
    let (officer, officer_public): (String, String) = db
        .query_row("SELECT id, public_key FROM officers LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let vocabulary = vocabulary();
    let tx = db.transaction().unwrap();
    {
        let mut case = tx
            .prepare(
                "INSERT INTO cases (id, number, channel_id, kind, status, outcome, received_at,
                   acknowledge_due_at, resolve_due_at, acknowledged_at, closed_at, next_due_at,
                   updated_at, case_public_key, staff_public_key, claim_tag, submitter_salt,
                   sealed_submission)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?18, ?15,
                   ?16, ?17)",
            )
            .unwrap();
        let mut grant = tx
            .prepare(
                "INSERT INTO grants (case_id, key, holder, officer_id, sealed, created_at)
                 VALUES (?1, ?2, 'officer', ?3, ?4, ?5)",
            )
            .unwrap();
        let mut other_grant = tx
            .prepare(
                "INSERT INTO grants (case_id, key, holder, sealed, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .unwrap();
        let mut tag = tx
            .prepare("INSERT OR IGNORE INTO search_tags (case_id, tag) VALUES (?1, ?2)")
            .unwrap();
        let mut rng = rand::thread_rng();
        let now = sealbox::cases::now();
        let mut blob = vec![0u8; 900];
        for n in 0..cases {
            let id = sealbox::crypto::random::id();
            // Within a year, so the start-up retention purge leaves them all in place.
            // Kept to the day, as sealbox keeps the time of a submitter's action.
            let received = sealbox::store::day(now - rng.gen_range(30 * 86_400..330 * 86_400));
            let (channel, kind, ack_days, resolve_days) = if n % 3 == 0 {
                ("complaint", "complaint", 1, 30)
            } else {
                ("report", "whistleblowing", 7, 97)
            };
            let ack_due = received + ack_days * 86_400;
            let resolve_due = received + resolve_days * 86_400;
            let roll = rng.gen_range(0..100);
            let (status, outcome, closed, next) = match roll {
                0..=69 => (
                    "closed",
                    Some("resolved"),
                    Some(received + 20 * 86_400),
                    i64::MAX,
                ),
                70..=89 => ("in_progress", None, None, resolve_due),
                _ => ("received", None, None, ack_due),
            };
            rng.fill_bytes(&mut blob);
            let claim_tag: [u8; 32] = rng.gen();
            let (case_key, staff_key) = (
                sealbox::crypto::KeyPair::generate(),
                sealbox::crypto::KeyPair::generate(),
            );
            let mut words: Vec<&str> = vocabulary
                .choose_multiple(&mut rng, 60)
                .map(String::as_str)
                .collect();
            if n % 100 == 0 {
                words.push("rarely");
            }
            if n % 10 == 0 {
                words.push("often");
            }
            let text = words.join(" ");
            let document = serde_json::to_vec(&json!({
                "channel": channel,
                "fields": if channel == "report" { json!({ "what": text }) }
                          else { json!({ "subject": "A complaint", "description": text }) },
                "exclude_officers": [],
                "contact": null,
            }))
            .unwrap();
            let sealed =
                sealbox::crypto::seal::seal_padded(&document, &[&case_key.public]).unwrap();
            let search = sealbox::crypto::search::SearchKey::of(&staff_key.secret);
            let distinct: HashSet<&str> = words.iter().copied().collect();
            case.execute(rusqlite::params![
                id,
                n as i64 + 2,
                channel,
                kind,
                status,
                outcome,
                received,
                ack_due,
                resolve_due,
                (status != "received").then_some(received + 86_400),
                closed,
                next,
                received,
                case_key.public,
                claim_tag.as_slice(),
                &blob[..16],
                &sealed[..],
                staff_key.public
            ])
            .unwrap();
            for (key, pair) in [("case", &case_key), ("staff", &staff_key)] {
                let sealed = sealbox::crypto::keys::grant(&pair.secret, &officer_public).unwrap();
                grant
                    .execute(rusqlite::params![id, key, officer, sealed, received])
                    .unwrap();
            }
            for w in &distinct {
                tag.execute(rusqlite::params![id, search.tag(w).as_slice()])
                    .unwrap();
            }
            // As every real case has: the submitter's grant and the recovery recipient's two.
            for (key, holder) in [
                ("case", "submitter"),
                ("case", "recovery"),
                ("staff", "recovery"),
            ] {
                other_grant
                    .execute(rusqlite::params![id, key, holder, &blob[..250], received])
                    .unwrap();
            }
        }
    }
    tx.commit().unwrap();
}

fn timed(runs: usize, mut f: impl FnMut()) -> Vec<Duration> {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times
}

fn line(label: &str, times: &[Duration]) {
    println!(
        "  {label:<36} p50 {:>7.2} ms   p99 {:>7.2} ms",
        ms(percentile(times, 50.0)),
        ms(percentile(times, 99.0))
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let cases: usize = args
        .iter()
        .position(|a| a == "--cases")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(10_000);

    let root = tempfile::tempdir().unwrap();
    prepare(root.path());
    // The real case first (the first row), through the server; then the bulk, offline.
    let server = serve(root);
    let http = reqwest::blocking::Client::new();
    let res = http
        .post(format!("{}/api/v1/cases", server.base))
        .json(&json!({"channel": "report", "fields": {"what": "The real one."}}))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    let root = {
        let mut server = server;
        let _ = server.child.kill();
        let _ = server.child.wait();
        std::mem::replace(&mut server.root, tempfile::tempdir().unwrap())
    };
    let started = Instant::now();
    fill(&root.path().join("data/sealbox.sqlite"), cases);
    let filled = started.elapsed();
    let server = serve(root);
    // The newest case, whose rows come after all the others: the one a slow lookup finds last.
    let claim_code = http
        .post(format!("{}/api/v1/cases", server.base))
        .json(&json!({"channel": "report", "fields": {"what": "The newest one."}}))
        .send()
        .unwrap()
        .json::<Value>()
        .unwrap()["claim_code"]
        .as_str()
        .unwrap()
        .to_owned();

    let kdf = argon2_median(15);
    println!(
        "sealbox officer benchmark: {cases} cases granted to one officer (filled in {:.1} s)",
        filled.as_secs_f64()
    );
    println!(
        "argon2id (m=19 MiB, t=2, p=1), one derivation: {:.1} ms",
        ms(kdf)
    );
    println!(
        "one age decryption (grant → case key → sealed document), median of 200: {:.3} ms",
        ms(one_decryption())
    );

    let login = || -> String {
        let res: Value = http
            .post(format!("{}/api/v1/officer/login", server.base))
            .json(&json!({"email": "bench@example.org", "password": PASSWORD}))
            .send()
            .unwrap()
            .json()
            .unwrap();
        res["token"].as_str().unwrap().to_owned()
    };
    let mut token = String::new();
    let sign_in = timed(10, || token = login());
    println!("officer sign-in (argon2id check + scrypt N=2^16 key unwrap), 10 runs:");
    line("POST /api/v1/officer/login", &sign_in);

    let browser = reqwest::blocking::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let res = browser
        .post(format!("{}/officer/login", server.base))
        .form(&[
            ("email", "bench@example.org"),
            ("password", PASSWORD),
            ("totp", ""),
        ])
        .send()
        .unwrap();
    assert!(res.status().is_success());
    let page = |path: &str| {
        let res = browser
            .get(format!("{}{path}", server.base))
            .send()
            .unwrap();
        assert_eq!(res.status(), 200, "{path}");
        let body = res.text().unwrap();
        assert!(body.contains("Sign out"), "{path} is not a signed-in page");
    };
    let api = |path: &str| -> Value {
        let res = http
            .get(format!("{}{path}", server.base))
            .bearer_auth(&token)
            .send()
            .unwrap();
        assert_eq!(res.status(), 200, "{path}");
        res.json().unwrap()
    };
    let first: Value = api("/api/v1/officer/cases");
    assert_eq!(first["cases"].as_array().unwrap().len(), 50);
    let later = first["next"].as_str().unwrap().to_owned();
    println!("inbox, 200 requests each (target: p99 < 50 ms):");
    line(
        "GET /officer (first page)",
        &timed(200, || page("/officer")),
    );
    line(
        "GET /officer?status=received",
        &timed(200, || page("/officer?status=received")),
    );
    line(
        "GET /officer?overdue=1",
        &timed(200, || page("/officer?overdue=1")),
    );
    line(
        "GET /officer?status=closed",
        &timed(200, || page("/officer?status=closed")),
    );
    line(
        "GET /api/v1/officer/cases",
        &timed(200, || {
            api("/api/v1/officer/cases");
        }),
    );
    line(
        "GET /api/v1/officer/cases?next=…",
        &timed(200, || {
            api(&format!("/api/v1/officer/cases?next={later}"));
        }),
    );

    let peak = |when: &str| {
        println!(
            "  server peak memory (VmHWM) {when}: {:.1} MiB",
            memory_kib(server.child.id(), "VmHWM:") as f64 / 1024.0
        );
    };
    peak("after the inbox");
    println!("search, {cases} cases (target: p99 < 500 ms):");
    let first_search = timed(1, || {
        api("/api/v1/officer/cases?q=rarely");
    });
    line("first in a session (keys derived)", &first_search);
    let found = api("/api/v1/officer/cases?q=rarely")["cases"]
        .as_array()
        .unwrap()
        .len();
    assert!(found > 0, "the search finds the rare word");
    line(
        "GET /api/v1/officer/cases?q=rarely",
        &timed(50, || {
            api("/api/v1/officer/cases?q=rarely");
        }),
    );
    line(
        "GET /api/v1/officer/cases?q=often+word0001",
        &timed(50, || {
            api("/api/v1/officer/cases?q=often+word0001");
        }),
    );
    line(
        "GET /officer?q=often (page)",
        &timed(50, || page("/officer?q=often")),
    );

    peak("after searching");
    let real: String = rusqlite::Connection::open(server.root.path().join("data/sealbox.sqlite"))
        .unwrap()
        .query_row("SELECT id FROM cases ORDER BY rowid LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    println!("case open (grants → keys → decrypt → history), 100 requests:");
    line(
        "GET /api/v1/officer/cases/{id}",
        &timed(100, || {
            api(&format!("/api/v1/officer/cases/{real}"));
        }),
    );
    line(
        "GET /officer/cases/{id}",
        &timed(100, || page(&format!("/officer/cases/{real}"))),
    );
    println!(
        "claim-code sign-in to the newest of {cases} cases (argon2id + lookup + decrypt), \
         30 requests:"
    );
    line(
        "GET /api/v1/followup",
        &timed(30, || {
            let res = http
                .get(format!("{}/api/v1/followup", server.base))
                .bearer_auth(&claim_code)
                .send()
                .unwrap();
            assert_eq!(res.status(), 200);
        }),
    );
    println!(
        "server peak memory (VmHWM): {:.1} MiB",
        memory_kib(server.child.id(), "VmHWM:") as f64 / 1024.0
    );
}
