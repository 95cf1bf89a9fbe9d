//! Attachment benchmark: `cargo bench --bench files [-- --mib 1024]`.
//!
//! Makes a file of random bytes (1 GiB by default) and, in the same run:
//! - seals and opens it with the reference `age` CLI (`age -e -r`, `age -d -i`), which sets
//!   the ceiling for what a sealing server can do with one stream on this machine;
//! - uploads it to the real `sealbox` binary with a new case (`multipart/form-data`, streamed
//!   from disk), and downloads it back as the officer (streamed to disk);
//! - checks the download is the same file (SHA-256), and samples the server's resident memory
//!   every few milliseconds: idle before, and the peak during each transfer.
//!
//! Figures are for comparison within one run; shared machines are noisy.

mod common;

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{memory_kib, PASSWORD};
use sha2::{Digest, Sha256};

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Fills `path` with `mib` MiB of pseudo-random bytes (xorshift: incompressible enough, fast).
fn make_file(path: &Path, mib: u64) {
    let mut out = std::io::BufWriter::new(File::create(path).unwrap());
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut block = vec![0u8; 1 << 20];
    for _ in 0..mib {
        for word in block.chunks_exact_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            word.copy_from_slice(&x.to_le_bytes());
        }
        out.write_all(&block).unwrap();
    }
    out.flush().unwrap();
}

fn sha256(path: &Path) -> Vec<u8> {
    let mut file = File::open(path).unwrap();
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
    }
    hash.finalize().to_vec()
}

fn timed(what: &str, cmd: &mut Command) -> Duration {
    let t = Instant::now();
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    t.elapsed()
}

/// Samples the server's resident memory until stopped; returns the highest reading, in KiB.
struct RssSampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RssSampler {
    fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(0));
        let thread = std::thread::spawn({
            let (stop, peak) = (stop.clone(), peak.clone());
            move || {
                while !stop.load(Ordering::Relaxed) {
                    peak.fetch_max(memory_kib(pid, "VmRSS:"), Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
        });
        RssSampler {
            stop,
            peak,
            thread: Some(thread),
        }
    }

    fn finish(mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().unwrap().join().unwrap();
        self.peak.load(Ordering::Relaxed)
    }
}

fn main() {
    let mib = arg("--mib", 1024);
    let bytes = mib << 20;
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let plain = dir.join("evidence.bin");
    make_file(&plain, mib);
    let mb = bytes as f64 / 1e6;
    println!("file: {mib} MiB of random bytes");

    // The reference tool on the same file.
    let keygen = Command::new("age-keygen")
        .args(["-o", "key.txt"])
        .current_dir(dir)
        .output()
        .expect("age-keygen is needed (apt-get install age)");
    assert!(keygen.status.success());
    let key = std::fs::read_to_string(dir.join("key.txt")).unwrap();
    let recipient = key
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .unwrap()
        .to_owned();
    let age_e = timed(
        "age -e",
        Command::new("age")
            .args(["-e", "-r", &recipient, "-o", "evidence.age", "evidence.bin"])
            .current_dir(dir),
    );
    // The server syncs a file to disk before it answers (a case it acknowledged must survive a
    // power cut); age does not, so this is the fair ceiling for an upload.
    let age_e_sync = age_e
        + timed(
            "sync",
            Command::new("sync").arg("evidence.age").current_dir(dir),
        );
    let age_d = timed(
        "age -d",
        Command::new("age")
            .args(["-d", "-i", "key.txt", "-o", "opened.bin", "evidence.age"])
            .current_dir(dir),
    );
    std::fs::remove_file(dir.join("evidence.age")).unwrap();
    std::fs::remove_file(dir.join("opened.bin")).unwrap();

    let config = format!(
        "[[channels]]\nid = \"report\"\nkind = \"whistleblowing\"\ntitle = \"Report\"\n\
         max_file_bytes = {bytes}\nmax_total_bytes = {bytes}\n\
         [[channels.fields]]\nid = \"what\"\nlabel = \"What\"\ntype = \"textarea\"\n"
    );
    let server = {
        let root = tempfile::tempdir().unwrap();
        common::prepare_with(root.path(), &config);
        common::serve(root)
    };
    let pid = server.child.id();
    std::thread::sleep(Duration::from_millis(500));
    let idle = memory_kib(pid, "VmRSS:");

    // Upload, streamed from disk by a plain HTTP/1.1 client (the kernel copies the file to
    // the socket), so the figure is the server's, not an HTTP library's.
    let addr = server.base.trim_start_matches("http://").to_owned();
    let boundary = "sealbox-bench-7f3e9a1c5b2d4e6f8091a2b3c4d5e6f7";
    let case =
        serde_json::json!({ "channel": "report", "fields": { "what": "evidence attached" } });
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"case\"\r\n\r\n{case}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"evidence.bin\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    );
    let tail = format!("\r\n--{boundary}--\r\n");
    let sampler = RssSampler::start(pid);
    let t = Instant::now();
    let mut stream = TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "POST /api/v1/cases HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{head}",
        head.len() as u64 + bytes + tail.len() as u64
    )
    .unwrap();
    std::io::copy(&mut File::open(&plain).unwrap(), &mut stream).unwrap();
    stream.write_all(tail.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let upload = t.elapsed();
    let upload_peak = sampler.finish();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");

    // Download as the officer, streamed to disk by the same plain client.
    let http = reqwest::blocking::Client::new();
    let token: serde_json::Value = http
        .post(format!("{}/api/v1/officer/login", server.base))
        .json(&serde_json::json!({ "email": "bench@example.org", "password": PASSWORD }))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let token = token["token"].as_str().unwrap().to_owned();
    let list: serde_json::Value = http
        .get(format!("{}/api/v1/officer/cases", server.base))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let id = list["cases"][0]["id"].as_str().unwrap().to_owned();
    let case: serde_json::Value = http
        .get(format!("{}/api/v1/officer/cases/{id}", server.base))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let url = case["files"][0]["url"].as_str().unwrap().to_owned();
    let fetched = dir.join("fetched.bin");
    // Let the sign-in's scrypt memory settle before measuring the download.
    std::thread::sleep(Duration::from_millis(500));
    let before_download = memory_kib(pid, "VmRSS:");
    let sampler = RssSampler::start(pid);
    let t = Instant::now();
    let mut stream = TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "GET {url} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::with_capacity(1 << 20, stream);
    let mut status = String::new();
    reader.read_line(&mut status).unwrap();
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" {
            break;
        }
    }
    let mut out = File::create(&fetched).unwrap();
    std::io::copy(&mut reader, &mut out).unwrap();
    let download = t.elapsed();
    let download_peak = sampler.finish();
    assert_eq!(sha256(&fetched), sha256(&plain), "the download differs");

    let rate = |d: Duration| mb / d.as_secs_f64();
    println!(
        "age -e:   {:7.1} MB/s   age -e + fsync: {:7.1} MB/s   sealbox upload:   {:7.1} MB/s  \
         ({:.0} % of age -e, {:.0} % of age -e + fsync; target ≥ 50 %)",
        rate(age_e),
        rate(age_e_sync),
        rate(upload),
        100.0 * age_e.as_secs_f64() / upload.as_secs_f64(),
        100.0 * age_e_sync.as_secs_f64() / upload.as_secs_f64()
    );
    println!(
        "age -d:   {:7.1} MB/s   sealbox download: {:7.1} MB/s  ({:.0} % of age -d; target ≥ 50 %)",
        rate(age_d),
        rate(download),
        100.0 * age_d.as_secs_f64() / download.as_secs_f64()
    );
    let mib_of = |kib: u64| kib as f64 / 1024.0;
    println!(
        "server RSS: idle {:.1} MiB; peak during upload {:.1} MiB (+{:.1}); before download \
         {:.1} MiB (the sign-in's KDF threads keep their argon2 scratch), peak during it {:.1} MiB \
         (+{:.1} over idle; target < +64 MiB); VmHWM {:.1} MiB (includes the sign-in's 64 MiB \
         scrypt)",
        mib_of(idle),
        mib_of(upload_peak),
        mib_of(upload_peak.saturating_sub(idle)),
        mib_of(before_download),
        mib_of(download_peak),
        mib_of(download_peak.saturating_sub(idle)),
        mib_of(memory_kib(pid, "VmHWM:")),
    );
}
