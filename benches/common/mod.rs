//! What the benchmarks share: starting the real server, memory readings, percentiles.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const PASSWORD: &str = "a quiet river at dawn";

pub struct Server {
    pub child: Child,
    pub base: String,
    pub root: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start_server() -> Server {
    let root = tempfile::tempdir().unwrap();
    prepare(root.path());
    serve(root)
}

/// Writes the config (limits off, a recovery recipient) and adds the officer `bench@example.org`.
pub fn prepare(root: &Path) {
    prepare_with(root, "");
}

/// Like [`prepare`], with more TOML after the built-in settings.
pub fn prepare_with(root: &Path, extra: &str) {
    let recovery = sealbox::crypto::KeyPair::generate().public;
    std::fs::write(
        root.join("sealbox.toml"),
        format!(
            "recovery_recipient = \"{recovery}\"\n[limits]\ncases_per_hour_per_client = 0\n\
             claim_failures_per_minute_per_client = 0\nconnections_per_client = 0\n{extra}"
        ),
    )
    .unwrap();
    let mut add = command(root);
    let mut child = add
        .args([
            "officer",
            "add",
            "--email",
            "bench@example.org",
            "--name",
            "Bench",
        ])
        .arg("--password-stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
}

fn command(root: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sealbox"));
    cmd.current_dir(root)
        .args(["--config", "sealbox.toml", "--data-dir", "data"]);
    cmd
}

/// Starts `sealbox serve` over a prepared directory on a random port.
pub fn serve(root: tempfile::TempDir) -> Server {
    let mut child = command(root.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("SEALBOX_LOG", "warn,sealbox=info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(at) = line.find("listening on http://") {
                let addr = line[at + 20..].split_whitespace().next().unwrap_or("");
                let _ = tx.send(addr.to_owned());
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("server start");
    Server {
        child,
        base: format!("http://{addr}"),
        root,
    }
}

pub fn memory_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// CPU time (user + system) a process has used, from `/proc/PID/stat`; `None` for this one.
pub fn cpu_seconds(pid: Option<u32>) -> f64 {
    let path = pid.map_or("/proc/self/stat".to_owned(), |p| format!("/proc/{p}/stat"));
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit(')').next().unwrap_or("");
    let ticks: f64 = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse::<f64>().ok())
        .sum();
    // SAFETY: sysconf has no preconditions.
    ticks / unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Median time of one argon2id claim-code derivation, in this process.
pub fn argon2_median(runs: usize) -> Duration {
    let code = sealbox::crypto::ClaimCode::generate();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            sealbox::crypto::kdf::submitter_key(&code, &[7u8; 16]).unwrap();
            t.elapsed()
        })
        .collect();
    times.sort();
    percentile(&times, 50.0)
}

/// argon2id claim-code derivations per second with `threads` threads busy for `window`: what the
/// server's KDF pool (one worker per core) can reach on this machine at this moment.
pub fn argon2_rate(threads: usize, window: Duration) -> f64 {
    let started = Instant::now();
    let counts: Vec<_> = (0..threads)
        .map(|_| {
            std::thread::spawn(move || {
                let code = sealbox::crypto::ClaimCode::generate();
                let mut n = 0u32;
                while started.elapsed() < window {
                    sealbox::crypto::kdf::submitter_key(&code, &[7u8; 16]).unwrap();
                    n += 1;
                }
                n
            })
        })
        .collect();
    let total: u32 = counts.into_iter().map(|h| h.join().unwrap()).sum();
    f64::from(total) / started.elapsed().as_secs_f64()
}

/// A minimal HTTP/1.1 keep-alive client over one TCP connection. The load benchmark runs its
/// clients on the same cores as the server; a full client library costs enough CPU per request
/// to show up as a gap to the ceiling that is not the server's.
pub struct Http {
    addr: String,
    conn: Option<BufReader<std::net::TcpStream>>,
}

impl Http {
    /// `base` as `http://127.0.0.1:PORT`.
    pub fn new(base: &str) -> Self {
        Http {
            addr: base.trim_start_matches("http://").to_owned(),
            conn: None,
        }
    }

    /// Sends one request; returns the status and the body. Reconnects once if the server closed
    /// the connection in between.
    pub fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<(u16, Vec<u8>)> {
        let reused = self.conn.is_some();
        match self.try_send(method, path, headers, body) {
            Err(_) if reused => self.try_send(method, path, headers, body),
            other => other,
        }
    }

    fn try_send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<(u16, Vec<u8>)> {
        if self.conn.is_none() {
            let stream = std::net::TcpStream::connect(&self.addr)?;
            stream.set_nodelay(true)?;
            self.conn = Some(BufReader::new(stream));
        }
        let conn = self.conn.as_mut().unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let answer = conn
            .get_mut()
            .write_all(head.as_bytes())
            .and_then(|()| conn.get_mut().write_all(body))
            .and_then(|()| read_response(conn));
        match answer {
            Ok((status, body, keep_alive)) => {
                if !keep_alive {
                    self.conn = None;
                }
                Ok((status, body))
            }
            Err(e) => {
                self.conn = None;
                Err(e)
            }
        }
    }
}

fn read_response(
    conn: &mut BufReader<std::net::TcpStream>,
) -> std::io::Result<(u16, Vec<u8>, bool)> {
    use std::io::Read;
    let mut line = String::new();
    if conn.read_line(&mut line)? == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let (mut length, mut chunked, mut keep) = (0usize, false, true);
    loop {
        line.clear();
        conn.read_line(&mut line)?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').unwrap_or((header, ""));
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.parse().unwrap_or(0),
            "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
            "connection" => keep = !value.eq_ignore_ascii_case("close"),
            _ => {}
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            conn.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim(), 16).map_err(std::io::Error::other)?;
            let mut chunk = vec![0; size + 2];
            conn.read_exact(&mut chunk)?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else {
        body.resize(length, 0);
        conn.read_exact(&mut body)?;
    }
    Ok((status, body, keep))
}
