//! Flood benchmark: `cargo bench --locked --bench flood [-- --reports N --flood N]`.
//!
//! Starts the real `sealbox` binary on a random port with rate limits off (as behind a proxy)
//! and the default argon2id bounds, then measures in the same run:
//! - one argon2id derivation (the claim-code KDF, median);
//! - a new report's latency (`POST /api/v1/cases`), one after another, idle;
//! - the same under a flood of 1,000 concurrent clients signing in with wrong claim codes
//!   without pause (each a different well-formed code, so none share a derivation);
//! - the server's peak resident memory during the flood, and how the flood was answered.
//!
//! Target: p99 under flood ≤ 5× idle p99 (new reports have their own argon2id lane).

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{argon2_median, memory_kib, ms, percentile, start_server, Http, Server};
use secrecy::ExposeSecret;
use serde_json::json;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `n` reports, one after another; their latencies, sorted.
fn reports(server: &Server, n: usize) -> Vec<Duration> {
    let mut http = Http::new(&server.base);
    let body = serde_json::to_vec(&json!({"channel": "report", "fields": {"what": "flood bench"}}))
        .unwrap();
    let mut times: Vec<Duration> = (0..n)
        .map(|_| {
            let t = Instant::now();
            let (status, text) = http
                .send(
                    "POST",
                    "/api/v1/cases",
                    &[("Content-Type", "application/json")],
                    &body,
                )
                .expect("report sent");
            assert_eq!(status, 201, "{}", String::from_utf8_lossy(&text));
            t.elapsed()
        })
        .collect();
    times.sort();
    times
}

fn line(label: &str, sorted: &[Duration], kdf: Duration) {
    let (p50, p99) = (percentile(sorted, 50.0), percentile(sorted, 99.0));
    println!(
        "{label:<22} p50 {:>8.1} ms ({:>5.1}× kdf)   p99 {:>8.1} ms ({:>5.1}× kdf)",
        ms(p50),
        p50.as_secs_f64() / kdf.as_secs_f64(),
        ms(p99),
        p99.as_secs_f64() / kdf.as_secs_f64(),
    );
}

fn main() {
    let n = arg("--reports", 40);
    let flooders = arg("--flood", 1000);
    let server = start_server();
    let pid = server.child.id();
    let kdf = argon2_median(9);
    println!("one argon2id derivation (median of 9): {:.1} ms", ms(kdf));

    reports(&server, 3); // warm up
    let idle = reports(&server, n);
    line("new report, idle", &idle, kdf);

    let stop = Arc::new(AtomicBool::new(false));
    let answers: Arc<[AtomicUsize; 3]> = Arc::new(Default::default()); // 401, 503, other
    let flood: Vec<_> = (0..flooders)
        .map(|_| {
            let (stop, answers, base) = (stop.clone(), answers.clone(), server.base.clone());
            std::thread::Builder::new()
                .stack_size(64 * 1024)
                .spawn(move || {
                    let mut http = Http::new(&base);
                    while !stop.load(Ordering::Relaxed) {
                        let code = sealbox::crypto::ClaimCode::generate();
                        let auth = format!("Bearer {}", code.grouped().expose_secret());
                        let slot = match http.send(
                            "GET",
                            "/api/v1/followup",
                            &[("Authorization", &auth)],
                            b"",
                        ) {
                            Ok((401, _)) => 0,
                            Ok((503, _)) => 1,
                            _ => 2,
                        };
                        answers[slot].fetch_add(1, Ordering::Relaxed);
                    }
                })
                .unwrap()
        })
        .collect();
    let peak = Arc::new(AtomicUsize::new(0));
    let sampler = {
        let (stop, peak) = (stop.clone(), peak.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                peak.fetch_max(memory_kib(pid, "VmRSS") as usize, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };
    std::thread::sleep(Duration::from_secs(2)); // the flood builds up
    let flooded = reports(&server, n);
    stop.store(true, Ordering::Relaxed);
    for t in flood {
        let _ = t.join();
    }
    let _ = sampler.join();
    line(&format!("new report, {flooders} flood"), &flooded, kdf);
    let ratio = percentile(&flooded, 99.0).as_secs_f64() / percentile(&idle, 99.0).as_secs_f64();
    println!(
        "p99 under flood / idle p99: {ratio:.2}× (target ≤ 5×: {})",
        if ratio <= 5.0 { "met" } else { "NOT met" }
    );
    println!(
        "flood answers: {} wrong code (401), {} busy (503), {} other",
        answers[0].load(Ordering::Relaxed),
        answers[1].load(Ordering::Relaxed),
        answers[2].load(Ordering::Relaxed),
    );
    println!(
        "server peak RSS during the flood: {:.1} MiB",
        peak.load(Ordering::Relaxed) as f64 / 1024.0
    );
}
