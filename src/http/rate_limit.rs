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

    /// The client behind a request. This is the only place the peer address is read; it is
    /// hashed at once and the address itself goes nowhere.
    pub fn client(&self, req: &HttpRequest) -> Client {
        let ip = req
            .peer_addr()
            .map_or(IpAddr::from([0, 0, 0, 0]), |a| a.ip());
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        mac.update(ip.to_string().as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut out = [0u8; 16];
        out.copy_from_slice(&digest[..16]);
        Client(out)
    }

    /// `Err(seconds to wait)` when `client` has used up `bucket` in the current window.
    pub fn check(&self, bucket: Bucket, client: Client) -> Result<(), u64> {
        let (max, window) = self.rules[&bucket];
        if max == 0 {
            return Ok(());
        }
        let windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        match windows.get(&(bucket, client)) {
            Some((start, count)) if start.elapsed() < window && *count >= max => {
                Err((window - start.elapsed()).as_secs().max(1))
            }
            _ => Ok(()),
        }
    }

    /// Counts one event of `bucket` for `client`.
    pub fn hit(&self, bucket: Bucket, client: Client) {
        let (max, window) = self.rules[&bucket];
        if max == 0 {
            return;
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
        entry.1 += 1;
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
        }
    }

    #[test]
    fn limits_apply_per_client_and_bucket() {
        let rl = RateLimiter::new(&limits(2));
        let (a, b) = (Client([1; 16]), Client([2; 16]));
        rl.hit(Bucket::ClaimFailure, a);
        assert!(rl.check(Bucket::ClaimFailure, a).is_ok());
        rl.hit(Bucket::ClaimFailure, a);
        assert!(rl.check(Bucket::ClaimFailure, a).is_err());
        assert!(rl.check(Bucket::ClaimFailure, b).is_ok());
        assert!(rl.check(Bucket::CaseCreated, a).is_ok());
    }

    #[test]
    fn zero_turns_a_limit_off() {
        let rl = RateLimiter::new(&limits(0));
        let a = Client([1; 16]);
        for _ in 0..100 {
            rl.hit(Bucket::CaseCreated, a);
        }
        assert!(rl.check(Bucket::CaseCreated, a).is_ok());
    }
}
