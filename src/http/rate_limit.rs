//! In-memory rate limits per client. The client's address is only ever held as a keyed hash
//! under a key that lives in memory and changes at every start, and it is never written out.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::HttpRequest;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::config::Limits;

/// Entries kept at most; beyond that, expired ones are dropped, then the oldest.
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    CaseCreated,
    ClaimFailure,
    LoginFailure,
}

/// A client, as an opaque keyed hash of its address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Client([u8; 16]);

pub struct RateLimiter {
    key: [u8; 32],
    rules: HashMap<Bucket, (u32, Duration)>,
    windows: Mutex<HashMap<(Bucket, Client), (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(limits: &Limits) -> Self {
        let minute = Duration::from_secs(60);
        RateLimiter {
            key: crate::crypto::random::bytes::<32>(),
            rules: HashMap::from([
                (
                    Bucket::CaseCreated,
                    (limits.cases_per_hour_per_client, minute * 60),
                ),
                (
                    Bucket::ClaimFailure,
                    (limits.claim_failures_per_minute_per_client, minute),
                ),
                (
                    Bucket::LoginFailure,
                    (limits.login_failures_per_minute_per_client, minute),
                ),
            ]),
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// The client behind a request. The peer address is read here and, for the connection
    /// cap, in `connections::Connections::accepted`; both hash it at once through
    /// [`client_of`](Self::client_of), and the address itself goes nowhere.
    pub fn client(&self, req: &HttpRequest) -> Client {
        let ip = req
            .peer_addr()
            .map_or(IpAddr::from([0, 0, 0, 0]), |a| a.ip());
        self.client_of(ip)
    }

    /// The client with this address, hashed at once (the connection limit keys by it too).
    pub fn client_of(&self, ip: IpAddr) -> Client {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        mac.update(ip.to_string().as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut out = [0u8; 16];
        out.copy_from_slice(&digest[..16]);
        Client(out)
    }

    /// Takes one attempt from `client`'s allowance in `bucket`, atomically, before the work is
    /// done (so parallel requests cannot all slip through); `Err(seconds to wait)` when none
    /// is left. Give it back with [`refund`](Self::refund) when the attempt should not count.
    pub fn take(&self, bucket: Bucket, client: Client) -> Result<(), u64> {
        let (max, window) = self.rules[&bucket];
        if max == 0 {
            return Ok(());
        }
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() >= MAX_ENTRIES {
            self.drop_expired(&mut windows);
        }
        let entry = windows
            .entry((bucket, client))
            .or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= window {
            *entry = (Instant::now(), 0);
        }
        if entry.1 >= max {
            return Err((window.saturating_sub(entry.0.elapsed())).as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }

    /// Takes one attempt from the allowance of the client behind `req`, as an [`Attempt`]
    /// that gives it back when dropped unless [`kept`](Attempt::keep): a handler keeps only
    /// the attempts that count (a failed sign-in, a case made), and any other way out, early
    /// returns and errors included, refunds. `Err(seconds to wait)` when none is left.
    pub fn attempt(&self, req: &HttpRequest, bucket: Bucket) -> Result<Attempt<'_>, u64> {
        let client = self.client(req);
        self.take(bucket, client)?;
        Ok(Attempt {
            limiter: self,
            bucket,
            client,
            kept: false,
        })
    }

    /// Gives back an attempt taken with [`take`](Self::take).
    pub fn refund(&self, bucket: Bucket, client: Client) {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = windows.get_mut(&(bucket, client)) {
            entry.1 = entry.1.saturating_sub(1);
        }
    }

    /// Forgets windows that have ended.
    pub fn sweep(&self) {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        self.drop_expired(&mut windows);
    }

    fn drop_expired(&self, windows: &mut HashMap<(Bucket, Client), (Instant, u32)>) {
        windows.retain(|(bucket, _), (start, _)| start.elapsed() < self.rules[bucket].1);
        if windows.len() >= MAX_ENTRIES {
            windows.clear();
        }
    }
}

/// One attempt taken from a client's allowance: given back on drop unless kept.
#[must_use = "an attempt dropped at once is given back at once"]
pub struct Attempt<'a> {
    limiter: &'a RateLimiter,
    bucket: Bucket,
    client: Client,
    kept: bool,
}

impl Attempt<'_> {
    /// The attempt counts: it stays taken.
    pub fn keep(mut self) {
        self.kept = true;
    }

    /// Keeps the attempt when `counts`, gives it back otherwise.
    pub fn keep_if(self, counts: bool) {
        if counts {
            self.keep();
        }
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if !self.kept {
            self.limiter.refund(self.bucket, self.client);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(n: u32) -> Limits {
        Limits {
            cases_per_hour_per_client: n,
            claim_failures_per_minute_per_client: n,
            login_failures_per_minute_per_client: n,
            json_body_bytes: 1 << 20,
            kdf_workers: 1,
            body_timeout_s: 60,
            max_connections: 10,
            connections_per_client: n,
            min_free_bytes: 0,
            kdf_queue: 1,
            kdf_wait_s: 1,
        }
    }

    #[test]
    fn limits_apply_per_client_and_bucket() {
        let rl = RateLimiter::new(&limits(2));
        let (a, b) = (Client([1; 16]), Client([2; 16]));
        assert!(rl.take(Bucket::ClaimFailure, a).is_ok());
        assert!(rl.take(Bucket::ClaimFailure, a).is_ok());
        assert!(rl.take(Bucket::ClaimFailure, a).is_err());
        assert!(rl.take(Bucket::ClaimFailure, b).is_ok());
        assert!(rl.take(Bucket::CaseCreated, a).is_ok());
    }

    #[test]
    fn refunds_give_an_attempt_back() {
        let rl = RateLimiter::new(&limits(1));
        let a = Client([1; 16]);
        assert!(rl.take(Bucket::CaseCreated, a).is_ok());
        rl.refund(Bucket::CaseCreated, a);
        assert!(rl.take(Bucket::CaseCreated, a).is_ok());
        assert!(rl.take(Bucket::CaseCreated, a).is_err());
    }

    #[test]
    fn an_attempt_is_given_back_unless_kept() {
        let rl = RateLimiter::new(&limits(1));
        let req = actix_web::test::TestRequest::default().to_http_request();
        drop(rl.attempt(&req, Bucket::ClaimFailure).unwrap());
        rl.attempt(&req, Bucket::ClaimFailure).unwrap().keep();
        assert!(rl.attempt(&req, Bucket::ClaimFailure).is_err());
    }

    #[test]
    fn parallel_takes_never_exceed_the_limit() {
        let rl = std::sync::Arc::new(RateLimiter::new(&limits(20)));
        let a = Client([9; 16]);
        let granted: usize = (0..8)
            .map(|_| {
                let rl = rl.clone();
                std::thread::spawn(move || {
                    (0..50)
                        .filter(|_| rl.take(Bucket::CaseCreated, a).is_ok())
                        .count()
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|h| h.join().unwrap())
            .sum();
        assert_eq!(granted, 20);
    }

    #[test]
    fn zero_turns_a_limit_off() {
        let rl = RateLimiter::new(&limits(0));
        let a = Client([1; 16]);
        for _ in 0..100 {
            assert!(rl.take(Bucket::CaseCreated, a).is_ok());
        }
    }
}
