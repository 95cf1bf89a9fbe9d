//! Load benchmark: `cargo bench --bench load [-- --requests N --clients 1,16]`.
//!
//! Starts the real `sealbox` binary (release build) on a random port with a fresh data
//! directory, one officer and a recovery recipient (so every case carries realistic grants),
//! and with rate limits off. It then measures, in the same run:
//! - one argon2id derivation (the claim-code KDF), which sets the ceiling: cores ÷ its time;
//! - case submissions over the JSON API at each client count: throughput, p50, p99;
//! - follow-up sign-ins with a valid, a wrong and a malformed claim code (p50 each), which
//!   should cost the same;
//! - the server's resident memory when idle and at its peak (VmHWM).
//!
//! Figures are for comparison on one machine in one run; shared machines are noisy.

mod common;

use std::time::{Duration, Instant};

use common::{argon2_median, memory_kib, ms, percentile, start_server};
use serde_json::json;

struct Run {
    clients: usize,
    requests: usize,
    wall: Duration,
    sorted: Vec<Duration>,
    failures: usize,
}

fn submissions(base: &str, clients: usize, requests: usize) -> Run {
    let per_client = requests.div_ceil(clients);
    let started = Instant::now();
    let handles: Vec<_> = (0..clients)
        .map(|i| {
            let url = format!("{base}/api/v1/cases");
            std::thread::spawn(move || {
                let http = reqwest::blocking::Client::new();
                let mut times = Vec::with_capacity(per_client);
                let mut failures = 0;
                for n in 0..per_client {
                    let body = json!({
                        "channel": "report",
                        "fields": {
                            "what": format!("Benchmark report {i}/{n}: invoices were backdated."),
                            "where": "Finance"
                        }
                    });
                    let t = Instant::now();
                    match http.post(&url).json(&body).send() {
                        Ok(r) if r.status() == 201 => times.push(t.elapsed()),
                        _ => failures += 1,
                    }
                }
                (times, failures)
            })
        })
        .collect();
    let mut sorted = Vec::new();
    let mut failures = 0;
    for h in handles {
        let (t, f) = h.join().unwrap();
        sorted.extend(t);
        failures += f;
    }
    let wall = started.elapsed();
    sorted.sort();
    Run {
        clients,
        requests: sorted.len(),
        wall,
        sorted,
        failures,
    }
}

fn followup_p50(base: &str, code: &str, runs: usize) -> (Duration, u16) {
    let http = reqwest::blocking::Client::new();
    let mut status = 0;
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let r = http
                .get(format!("{base}/api/v1/followup"))
                .bearer_auth(code)
                .send()
                .unwrap();
            status = r.status().as_u16();
            t.elapsed()
        })
        .collect();
    times.sort();
    (percentile(&times, 50.0), status)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let requests: usize = arg("--requests")
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    let client_counts: Vec<usize> = arg("--clients")
        .unwrap_or_else(|| "1,16".into())
        .split(',')
        .filter_map(|c| c.parse().ok())
        .collect();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    let server = start_server();
    let pid = server.child.id();
    std::thread::sleep(Duration::from_millis(300));
    let idle_kib = memory_kib(pid, "VmRSS:");

    let kdf = argon2_median(15);
    let ceiling = cores as f64 / kdf.as_secs_f64();
    println!("sealbox load benchmark: {cores} cores, {requests} submissions per client count");
    println!(
        "argon2id (m=19 MiB, t=2, p=1), one derivation: {:.1} ms → ceiling {:.1} submissions/s",
        ms(kdf),
        ceiling
    );
    println!();
    println!("clients  submissions/s  of ceiling  p50 ms  p99 ms  p99/argon2  failures");
    for clients in client_counts {
        // Warm up connections and caches.
        submissions(&server.base, clients, clients);
        let run = submissions(&server.base, clients, requests);
        let rate = run.requests as f64 / run.wall.as_secs_f64();
        let p99 = percentile(&run.sorted, 99.0);
        println!(
            "{:>7}  {:>13.1}  {:>9.0}%  {:>6.1}  {:>6.1}  {:>9.1}x  {:>8}",
            run.clients,
            rate,
            100.0 * rate / ceiling,
            ms(percentile(&run.sorted, 50.0)),
            ms(p99),
            p99.as_secs_f64() / kdf.as_secs_f64(),
            run.failures
        );
    }

    let code = reqwest::blocking::Client::new()
        .post(format!("{}/api/v1/cases", server.base))
        .json(&json!({"channel": "report", "fields": {"what": "timing"}}))
        .send()
        .unwrap()
        .json::<serde_json::Value>()
        .unwrap()["claim_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut wrong: Vec<char> = code.chars().collect();
    wrong[0] = if wrong[0] == 'A' { 'B' } else { 'A' };
    let wrong: String = wrong.into_iter().collect();
    println!();
    println!("follow-up sign-in (GET /api/v1/followup), 1 client, p50 of 30:");
    for (label, c) in [
        ("valid code", code.as_str()),
        ("wrong code", wrong.as_str()),
        ("malformed", "hello"),
    ] {
        let (p50, status) = followup_p50(&server.base, c, 30);
        println!("  {label:<11} {:>6.1} ms  (HTTP {status})", ms(p50));
    }

    let peak_kib = memory_kib(pid, "VmHWM:");
    println!();
    println!(
        "server memory: idle {:.1} MiB, peak {:.1} MiB (VmHWM)",
        idle_kib as f64 / 1024.0,
        peak_kib as f64 / 1024.0
    );
}
