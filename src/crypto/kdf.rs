//! Argon2id: the submitter key from a claim code, officer password hashes, and the bounded pool
//! every such call runs on.
//!
//! Argon2id here costs ~19 MiB and tens of milliseconds a call. Running it on the async executor
//! would stall every other request, and running it unbounded would let a burst of sign-ins
//! exhaust memory, so all of it goes through `KdfPool`: a fixed set of worker threads (one per
//! core by default); other requests wait their turn without holding memory.
//!
//! Each worker derives claim-code keys in one 19 MiB scratch buffer of its own, reused and
//! wiped after every call: memory stays at workers × 19 MiB instead of growing with every
//! thread the allocator ever served, no call pays for fresh page faults (so a real and an
//! unknown code cost the same), and no key material stays behind in freed memory.

use std::cell::RefCell;
use std::panic::AssertUnwindSafe;
use std::sync::{mpsc, Arc, Mutex};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::{oneshot, Semaphore};
use zeroize::{Zeroize, Zeroizing};

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

thread_local! {
    /// This thread's argon2 working memory, allocated on first use.
    static SCRATCH: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// The submitter's key: argon2id(claim code, per-case salt) → 32 bytes → X25519 identity.
pub fn submitter_key(code: &ClaimCode, salt: &[u8]) -> Result<SecretKey, CryptoError> {
    let argon2 = argon2(Some(32));
    let blocks = argon2.params().block_count();
    let mut out = Zeroizing::new([0u8; 32]);
    SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        if scratch.len() != blocks {
            *scratch = vec![Block::default(); blocks];
        }
        let result = argon2.hash_password_into_with_memory(
            code.canonical(),
            salt,
            out.as_mut(),
            &mut *scratch,
        );
        scratch.iter_mut().for_each(Zeroize::zeroize);
        result.map_err(|e| CryptoError::PasswordHash(e.to_string()))
    })?;
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

/// A valid hash of no one's password, checked when an email is unknown so that an unknown
/// account costs the same time as a wrong password.
pub fn dummy_password_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let random = SecretString::from(super::random::token());
        hash_password(&random).unwrap_or_default()
    })
}

/// Checks a password against a PHC string; a malformed hash is a failed check.
pub fn verify_password(password: &SecretString, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|hash| {
        argon2(None)
            .verify_password(password.expose_secret().as_bytes(), &hash)
            .is_ok()
    })
}

type Job = Box<dyn FnOnce() + Send>;

/// Runs argon2 (and other memory-hard work) on `workers` dedicated threads.
#[derive(Clone)]
pub struct KdfPool {
    /// One permit per worker: a job is handed over only when a worker is free for it.
    permits: Arc<Semaphore>,
    jobs: mpsc::Sender<Job>,
}

impl KdfPool {
    pub fn new(workers: usize) -> Self {
        let workers = workers.max(1);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..workers {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("sealbox-kdf-{i}"))
                .spawn(move || loop {
                    let next = queue.lock().unwrap_or_else(|p| p.into_inner()).recv();
                    match next {
                        Ok(job) => job(),
                        Err(_) => return, // the pool is gone
                    }
                })
                .expect("spawn a key-derivation thread");
        }
        KdfPool {
            permits: Arc::new(Semaphore::new(workers)),
            jobs,
        }
    }

    /// Waits for a free worker and runs `job` there; a panic comes back as an error instead of
    /// taking the caller (or the worker) down. The worker's permit travels with the job, so a
    /// caller that gives up (a client that disconnects) frees it only when the work is done,
    /// and a job nobody waits for any more is skipped.
    pub async fn run<T, F>(&self, job: F) -> Result<T, CryptoError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| CryptoError::Worker(e.to_string()))?;
        let (done, result) = oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _permit = permit;
                if done.is_closed() {
                    return;
                }
                let _ = done.send(std::panic::catch_unwind(AssertUnwindSafe(job)));
            }))
            .map_err(|_| CryptoError::Worker("the key-derivation threads have stopped".into()))?;
        match result.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(_)) => Err(CryptoError::Worker("a key-derivation job panicked".into())),
            Err(_) => Err(CryptoError::Worker("a key-derivation job was lost".into())),
        }
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

    #[tokio::test]
    async fn abandoned_jobs_hold_their_worker_and_are_skipped() {
        use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
        use std::time::Duration;
        let pool = KdfPool::new(1);
        let busy = pool.clone();
        let first = tokio::spawn(async move {
            busy.run(|| std::thread::sleep(Duration::from_millis(200)))
                .await
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        // A caller that gives up while waiting: its job must never run.
        let ran = Arc::new(AtomicBool::new(false));
        let flag = ran.clone();
        let gave_up = tokio::time::timeout(
            Duration::from_millis(10),
            pool.run(move || flag.store(true, SeqCst)),
        )
        .await;
        assert!(gave_up.is_err());
        first.await.unwrap().unwrap();
        // The pool still works, and the abandoned job was skipped, not run late.
        pool.run(|| ()).await.unwrap();
        assert!(!ran.load(SeqCst));
    }
}
