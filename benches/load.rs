//! Load benchmark: `cargo bench --bench load [-- --requests N --clients 1,16,64,256]`.
//!
//! Starts the real `sealbox` binary (release build) on a random port with a fresh data
//! directory, one officer and a recovery recipient (so every case carries realistic grants),
//! and with rate limits off. It then measures, in the same run:
//! - one argon2id derivation (the claim-code KDF), and for each row its ceiling: derivations
//!   per second on the cores the row's clients can keep busy, measured just before and just
//!   after the row, so a row is compared with the machine as it was;
//! - case submissions over the JSON API at each client count: throughput, p50, p99;
//! - claim-code follow-up sign-ins (`GET /api/v1/followup`) at each client count, the same way;
//! - sign-in time for a valid, a wrong and a malformed code (p50 each), which should be equal;
//! - the server's resident memory idle and during a burst of simultaneous sign-ins (1,000).
//!
//! Figures are for comparison on one machine in one run; shared machines are noisy.

mod common;

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use common::{
    argon2_median, argon2_rate, cpu_seconds, memory_kib, ms, percentile, start_server, Http, Server,
};
use serde_json::json;

struct Run {
    clients: usize,
    /// Share of all cores used by the server and by this process (the clients), in percent.
    server_cpu: f64,
    client_cpu: f64,
    requests: usize,
    wall: Duration,
    sorted: Vec<Duration>,
    failures: usize,
}

/// `clients` threads share `requests` requests made by `request(http, client, n)`, which answers
/// whether it succeeded.
fn drive<F>(server: &Server, clients: usize, requests: usize, request: F) -> Run
where
    F: Fn(&mut Http, usize, usize) -> bool + Send + Sync + 'static,
{
    let pid = server.child.id();
    let cpu_before = (cpu_seconds(Some(pid)), cpu_seconds(None));
    let per_client = requests.div_ceil(clients);
    let request = Arc::new(request);
    let started = Instant::now();
    let handles: Vec<_> = (0..clients)
        .map(|i| {
            let request = request.clone();
            let mut http = Http::new(&server.base);
            std::thread::spawn(move || {
                let mut times = Vec::with_capacity(per_client);
                let mut failures = 0;
                for n in 0..per_client {
                    let t = Instant::now();
                    if request(&mut http, i, n) {
                        times.push(t.elapsed());
                    } else {
                        failures += 1;
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
    let all_cores = wall.as_secs_f64() * cores() as f64 / 100.0;
    Run {
        clients,
        server_cpu: (cpu_seconds(Some(pid)) - cpu_before.0) / all_cores,
        client_cpu: (cpu_seconds(None) - cpu_before.1) / all_cores,
        requests: sorted.len(),
        wall,
        sorted,
        failures,
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn submissions(server: &Server, clients: usize, requests: usize) -> Run {
    drive(server, clients, requests, move |http, i, n| {
        let body = json!({
            "channel": "report",
            "fields": {
                "what": format!("Benchmark report {i}/{n}: invoices were backdated."),
                "where": "Finance"
            }
        });
        let sent = http.send(
            "POST",
            "/api/v1/cases",
            &[("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        );
        matches!(sent, Ok((201, _)))
    })
}

fn sign_ins(server: &Server, codes: &Arc<Vec<String>>, clients: usize, requests: usize) -> Run {
    let codes = codes.clone();
    drive(server, clients, requests, move |http, i, n| {
        let auth = format!("Bearer {}", codes[(i + n) % codes.len()]);
        let sent = http.send("GET", "/api/v1/followup", &[("Authorization", &auth)], b"");
        matches!(sent, Ok((200, _)))
    })
}

fn submit(base: &str, what: &str) -> String {
    reqwest::blocking::Client::new()
        .post(format!("{base}/api/v1/cases"))
        .json(&json!({"channel": "report", "fields": {"what": what}}))
        .send()
        .unwrap()
        .json::<serde_json::Value>()
        .unwrap()["claim_code"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// One row: the run next to the ceiling measured around it. A closed loop of `clients` clients
/// cannot beat the queue in front of it: with one derivation per request, a request waits for
/// about clients ÷ ceiling seconds however well the server does, so p99 is also given against
/// that floor.
fn row(run: &Run, ceiling: f64) {
    let rate = run.requests as f64 / run.wall.as_secs_f64();
    let p99 = percentile(&run.sorted, 99.0);
    let derivation = usable_cores(run.clients) as f64 / ceiling;
    let floor = run.clients as f64 / ceiling;
    println!(
        "{:>7}  {:>7.1}/s  {:>7.1}/s  {:>9.0}%  {:>6.1}  {:>6.1}  {:>10.1}x  {:>8.1}x  {:>9.0}%  {:>9.0}%  {:>8}",
        run.clients,
        rate,
        ceiling,
        100.0 * rate / ceiling,
        ms(percentile(&run.sorted, 50.0)),
        ms(p99),
        p99.as_secs_f64() / derivation,
        p99.as_secs_f64() / floor,
        run.server_cpu,
        run.client_cpu,
        run.failures
    );
}

/// Fewer clients than cores keep only as many cores busy: one request is one derivation on one
/// core. Their ceiling is those cores ÷ one derivation.
fn usable_cores(clients: usize) -> usize {
    clients.min(cores())
}

/// Runs `clients` clients with the ceiling (argon2id derivations per second on the cores they
/// can keep busy) measured just before and just after, so the row is compared with the machine
/// as it was.
fn with_ceiling(clients: usize, run: impl FnOnce() -> Run) -> (Run, f64) {
    let window = Duration::from_millis(1500);
    let before = argon2_rate(usable_cores(clients), window);
    let r = run();
    let after = argon2_rate(usable_cores(clients), window);
    (r, (before + after) / 2.0)
}

/// `clients` sign-ins released at once; returns the peak resident memory sampled meanwhile, how
/// many were answered 200, and how long they all took.
fn burst(server: &Server, codes: &Arc<Vec<String>>, clients: usize) -> (u64, usize, Duration) {
    let pid = server.child.id();
    let gate = Arc::new(Barrier::new(clients + 1));
    let handles: Vec<_> = (0..clients)
        .map(|i| {
            let (gate, codes) = (gate.clone(), codes.clone());
            let mut http = Http::new(&server.base);
            std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || {
                    let auth = format!("Bearer {}", codes[i % codes.len()]);
                    gate.wait();
                    let sent =
                        http.send("GET", "/api/v1/followup", &[("Authorization", &auth)], b"");
                    matches!(sent, Ok((200, _)))
                })
                .unwrap()
        })
        .collect();
    gate.wait();
    let started = Instant::now();
    let mut peak = 0;
    while !handles.iter().all(|h| h.is_finished()) {
        peak = peak.max(memory_kib(pid, "VmRSS:"));
        std::thread::sleep(Duration::from_millis(5));
    }
    let ok = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|ok| *ok)
        .count();
    (peak, ok, started.elapsed())
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
        .unwrap_or(600);
    let client_counts: Vec<usize> = arg("--clients")
        .unwrap_or_else(|| "1,16,64,256".into())
        .split(',')
        .filter_map(|c| c.parse().ok())
        .collect();
    let burst_size: usize = arg("--burst").and_then(|v| v.parse().ok()).unwrap_or(1000);
    let cores = cores();

    let server = start_server();
    let pid = server.child.id();
    std::thread::sleep(Duration::from_millis(300));
    let idle_kib = memory_kib(pid, "VmRSS:");

    let kdf = argon2_median(15);
    println!("sealbox load benchmark: {cores} cores, at least {requests} requests per row");
    println!(
        "argon2id (m=19 MiB, t=2, p=1): one derivation alone {:.1} ms; the ceiling of each row is \
         derivations/s on the cores its clients can keep busy (all {cores}, or one per client), \
         measured around it",
        ms(kdf)
    );
    let header =
        "clients      rate    ceiling  of ceiling  p50 ms  p99 ms  p99/argon2  p99/floor  \
                  server cpu  client cpu  failures";

    println!();
    println!("case submissions (POST /api/v1/cases)");
    println!("{header}");
    for &clients in &client_counts {
        // Warm up connections and caches.
        submissions(&server, clients, clients);
        let (run, ceiling) = with_ceiling(clients, || {
            submissions(&server, clients, requests.max(clients * 4))
        });
        row(&run, ceiling);
    }

    let codes: Arc<Vec<String>> = Arc::new(
        (0..64)
            .map(|i| submit(&server.base, &format!("sign-in {i}")))
            .collect(),
    );
    println!();
    println!("claim-code sign-ins (GET /api/v1/followup)");
    println!("{header}");
    for &clients in &client_counts {
        sign_ins(&server, &codes, clients, clients);
        let (run, ceiling) = with_ceiling(clients, || {
            sign_ins(&server, &codes, clients, requests.max(clients * 4))
        });
        row(&run, ceiling);
    }

    let code = codes[0].clone();
    let mut wrong: Vec<char> = code.chars().collect();
    wrong[0] = if wrong[0] == 'A' { 'B' } else { 'A' };
    let wrong: String = wrong.into_iter().collect();
    println!();
    println!("one sign-in at a time, p50 of 30 (a wrong code must cost what a valid one does):");
    for (label, c) in [
        ("valid code", code.as_str()),
        ("wrong code", wrong.as_str()),
        ("malformed", "hello"),
    ] {
        let (p50, status) = followup_p50(&server.base, c, 30);
        println!("  {label:<11} {:>6.1} ms  (HTTP {status})", ms(p50));
    }

    let before_burst = memory_kib(pid, "VmRSS:");
    let (burst_peak, burst_ok, burst_wall) = burst(&server, &codes, burst_size);
    println!();
    println!(
        "{burst_size} simultaneous sign-ins: {burst_ok} answered 200 in {:.1} s",
        burst_wall.as_secs_f64()
    );
    println!(
        "server memory: idle {:.1} MiB; before the burst {:.1} MiB; peak during it {:.1} MiB \
         (target < 200 MiB); lifetime peak {:.1} MiB (VmHWM)",
        idle_kib as f64 / 1024.0,
        before_burst as f64 / 1024.0,
        burst_peak as f64 / 1024.0,
        memory_kib(pid, "VmHWM:") as f64 / 1024.0
    );
}
