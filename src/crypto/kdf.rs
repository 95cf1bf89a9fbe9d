//! Argon2id: the submitter key from a claim code, officer password hashes, and the bounded pool
//! every such call runs on.
//!
//! Argon2id here costs ~19 MiB and tens of milliseconds a call. Running it on the async executor
//! would stall every other request, and running it unbounded would let a burst of sign-ins
//! exhaust memory, so all of it goes through `KdfPool`: at most one job per core, others wait
//! their turn without holding memory.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;
use zeroize::Zeroizing;

use super::keys::SecretKey;
use super::{ClaimCode, CryptoError};

/// OWASP's minimum for argon2id: m = 19 MiB, t = 2, p = 1.
pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;
pub const SALT_LEN: usize = 16;

fn argon2(output_len: Option<usize>) -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, output_len)
        .expect("constant argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The submitter's key: argon2id(claim code, per-case salt) → 32 bytes → X25519 identity.
pub fn submitter_key(code: &ClaimCode, salt: &[u8]) -> Result<SecretKey, CryptoError> {
    let mut out = Zeroizing::new([0u8; 32]);
    argon2(Some(32))
        .hash_password_into(code.canonical(), salt, out.as_mut())
        .map_err(|e| CryptoError::PasswordHash(e.to_string()))?;
    SecretKey::from_bytes(&out)
}

/// An argon2id PHC string for an officer password.
pub fn hash_password(password: &SecretString) -> Result<String, CryptoError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2(None)
        .hash_password(password.expose_secret().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CryptoError::PasswordHash(e.to_string()))
}

/// Checks a password against a PHC string; a malformed hash is a failed check.
pub fn verify_password(password: &SecretString, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|hash| {
        argon2(None)
            .verify_password(password.expose_secret().as_bytes(), &hash)
            .is_ok()
    })
}

/// Runs argon2 (and other memory-hard work) with at most `workers` jobs at once.
#[derive(Clone)]
pub struct KdfPool {
    permits: Arc<Semaphore>,
}

impl KdfPool {
    pub fn new(workers: usize) -> Self {
        KdfPool {
            permits: Arc::new(Semaphore::new(workers.max(1))),
        }
    }

    /// Waits for a free worker, runs `job` on a blocking thread, and carries a panic back as an
    /// error instead of taking the caller down.
    pub async fn run<T, F>(&self, job: F) -> Result<T, CryptoError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| CryptoError::Worker(e.to_string()))?;
        tokio::task::spawn_blocking(job)
            .await
            .map_err(|e| CryptoError::Worker(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submitter_key_depends_on_code_and_salt() {
        let code = ClaimCode::generate();
        let a = submitter_key(&code, &[1u8; SALT_LEN]).unwrap();
        let again = submitter_key(
            &ClaimCode::parse(std::str::from_utf8(code.canonical()).unwrap()).unwrap(),
            &[1u8; SALT_LEN],
        )
        .unwrap();
        let other_salt = submitter_key(&code, &[2u8; SALT_LEN]).unwrap();
        assert_eq!(a.public(), again.public());
        assert_ne!(a.public(), other_salt.public());
    }

    #[test]
    fn password_hashes_are_argon2id_at_owasp_strength() {
        let pw = SecretString::from("a long enough password".to_owned());
        let phc = hash_password(&pw).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password(&pw, &phc));
        assert!(!verify_password(
            &SecretString::from("nope".to_owned()),
            &phc
        ));
        assert!(!verify_password(&pw, "not a hash"));
    }

    #[tokio::test]
    async fn pool_bounds_concurrency_and_survives_panics() {
        let pool = KdfPool::new(2);
        let running = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let peak = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut jobs = Vec::new();
        for _ in 0..8 {
            let (pool, running, peak) = (pool.clone(), running.clone(), peak.clone());
            jobs.push(tokio::spawn(async move {
                pool.run(move || {
                    use std::sync::atomic::Ordering::SeqCst;
                    let now = running.fetch_add(1, SeqCst) + 1;
                    peak.fetch_max(now, SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    running.fetch_sub(1, SeqCst);
                })
                .await
            }));
        }
        for j in jobs {
            j.await.unwrap().unwrap();
        }
        assert!(peak.load(std::sync::atomic::Ordering::SeqCst) <= 2);
        let err = pool.run(|| panic!("boom")).await;
        assert!(matches!(err, Err(CryptoError::Worker(_))));
    }
}
