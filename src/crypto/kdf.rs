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
use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::oneshot;
use zeroize::{Zeroize, Zeroizing};

use super::keys::SecretKey;
use super::{ClaimCode, CryptoError};
use crate::metrics;

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
        result.map_err(CryptoError::PasswordHash)
    })?;
    SecretKey::from_bytes(&out)
}

/// An argon2id PHC string for an officer password.
pub fn hash_password(password: &SecretString) -> Result<String, CryptoError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2(None)
        .hash_password(password.expose_secret().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(CryptoError::PasswordHashString)
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

/// Which queue a job waits in. Workers always take a waiting new report first, so a flood of
/// sign-in attempts delays a new report by at most the derivations already running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// The claim-code derivation of a new report.
    Intake,
    /// Everything else: claim-code and officer sign-ins, password changes.
    SignIn,
}

impl Lane {
    fn name(self) -> &'static str {
        match self {
            Lane::Intake => "intake",
            Lane::SignIn => "sign-in",
        }
    }
}

/// A queued job: told whether it waited past its deadline (then it only reports "busy").
type Job = Box<dyn FnOnce(bool) + Send>;

struct Waiting {
    deadline: Instant,
    job: Job,
}

#[derive(Default)]
struct Queues {
    intake: VecDeque<Waiting>,
    sign_in: VecDeque<Waiting>,
    closed: bool,
}

impl Queues {
    fn lane(&mut self, lane: Lane) -> &mut VecDeque<Waiting> {
        match lane {
            Lane::Intake => &mut self.intake,
            Lane::SignIn => &mut self.sign_in,
        }
    }

    fn next(&mut self) -> Option<Waiting> {
        self.intake.pop_front().or_else(|| self.sign_in.pop_front())
    }
}

struct Shared {
    queues: Mutex<Queues>,
    ready: Condvar,
    /// Jobs that may wait in each lane; one more is refused at once.
    capacity: usize,
    /// How long a job may wait for a worker before it is answered "busy" unrun.
    max_wait: Duration,
}

/// How many jobs may wait and for how long, beyond the ones running.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub workers: usize,
    pub queue: usize,
    pub max_wait: Duration,
}

/// Runs argon2 (and other memory-hard work) on `workers` dedicated threads, from two bounded
/// queues (see [`Lane`]).
#[derive(Clone)]
pub struct KdfPool {
    shared: Arc<Shared>,
    _owner: Arc<Owner>,
}

impl KdfPool {
    /// A pool whose queues are effectively unbounded (tools and tests).
    pub fn new(workers: usize) -> Self {
        KdfPool::bounded(Bounds {
            workers,
            queue: usize::MAX,
            max_wait: Duration::from_secs(24 * 60 * 60),
        })
    }

    pub fn bounded(bounds: Bounds) -> Self {
        let shared = Arc::new(Shared {
            queues: Mutex::new(Queues::default()),
            ready: Condvar::new(),
            capacity: bounds.queue.max(1),
            max_wait: bounds.max_wait,
        });
        for i in 0..bounds.workers.max(1) {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name(format!("sealbox-kdf-{i}"))
                .spawn(move || work(&shared))
                .expect("spawn a key-derivation thread");
        }
        KdfPool {
            _owner: Arc::new(Owner(shared.clone())),
            shared,
        }
    }

    /// Jobs waiting for a worker now: (intake, sign-in).
    pub fn queued(&self) -> (usize, usize) {
        let queues = self.shared.queues.lock().unwrap_or_else(|p| p.into_inner());
        (queues.intake.len(), queues.sign_in.len())
    }

    /// Seconds a client is told to wait before trying again when the pool is full.
    pub fn retry_after(&self) -> u64 {
        self.shared.max_wait.as_secs().clamp(1, 60)
    }

    /// Runs `job` on a worker, behind the jobs already waiting in its lane. A full lane, or a
    /// wait past the deadline, is `CryptoError::Busy` without running the job. A panic comes
    /// back as an error instead of taking the caller (or the worker) down. A caller that gives
    /// up (a client that disconnects) leaves its job to be skipped, not run late.
    pub async fn run<T, F>(&self, lane: Lane, job: F) -> Result<T, CryptoError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let busy = CryptoError::Busy {
            retry_after: self.retry_after(),
        };
        let (done, result) = oneshot::channel();
        let queued_at = Instant::now();
        let job: Job = Box::new(move |expired| {
            if done.is_closed() {
                return;
            }
            let lanes = [("lane", lane.name())];
            if expired {
                metrics::count("sealbox_kdf_refused_total", &lanes);
                let _ = done.send(Err(Missed::Expired));
                return;
            }
            metrics::count("sealbox_kdf_jobs_total", &lanes);
            metrics::add(
                "sealbox_kdf_wait_seconds_total",
                &lanes,
                queued_at.elapsed().as_secs_f64(),
            );
            tracing::debug!(lane = lane.name(), "argon2id job");
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(job));
            let _ = done.send(outcome.map_err(|_| Missed::Panicked));
        });
        let full = {
            let mut queues = self.shared.queues.lock().unwrap_or_else(|p| p.into_inner());
            let queue = queues.lane(lane);
            let full = queue.len() >= self.shared.capacity;
            if !full {
                queue.push_back(Waiting {
                    deadline: Instant::now() + self.shared.max_wait,
                    job,
                });
            }
            full
        };
        if full {
            tracing::debug!(lane = lane.name(), "argon2id queue full");
            metrics::count("sealbox_kdf_refused_total", &[("lane", lane.name())]);
            // A client that asks again at once, ignoring Retry-After, would otherwise turn
            // the refusals into a loop that takes the CPU from the reports being sealed: it
            // waits a moment first (a timer, no thread, no CPU).
            tokio::time::sleep(busy_pause()).await;
            return Err(busy);
        }
        self.shared.ready.notify_one();
        match result.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(Missed::Expired)) => Err(busy),
            Ok(Err(Missed::Panicked)) => Err(CryptoError::Worker("a key-derivation job panicked")),
            Err(_) => Err(CryptoError::Worker("a key-derivation job was lost")),
        }
    }
}

/// How long a refusal for a full queue waits before it is sent: half a second to a second,
/// drawn at random so refused clients do not come back in step.
fn busy_pause() -> Duration {
    Duration::from_millis(rand::Rng::gen_range(&mut rand::thread_rng(), 500..=1000))
}

enum Missed {
    Expired,
    Panicked,
}

/// The last handle to a pool closes it: its workers finish what waits, then stop.
struct Owner(Arc<Shared>);

impl Drop for Owner {
    fn drop(&mut self) {
        self.0
            .queues
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .closed = true;
        self.0.ready.notify_all();
    }
}

/// A worker: takes the next job (new reports first) until the pool is closed.
fn work(shared: &Shared) {
    loop {
        let next = {
            let mut queues = shared.queues.lock().unwrap_or_else(|p| p.into_inner());
            loop {
                if let Some(next) = queues.next() {
                    break Some(next);
                }
                if queues.closed {
                    break None;
                }
                queues = shared.ready.wait(queues).unwrap_or_else(|p| p.into_inner());
            }
        };
        match next {
            Some(w) => (w.job)(Instant::now() >= w.deadline),
            None => return,
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
                pool.run(Lane::SignIn, move || {
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
        let err = pool.run(Lane::SignIn, || panic!("boom")).await;
        assert!(matches!(err, Err(CryptoError::Worker(_))));
    }

    #[tokio::test]
    async fn abandoned_jobs_hold_their_worker_and_are_skipped() {
        use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
        use std::time::Duration;
        let pool = KdfPool::new(1);
        let busy = pool.clone();
        let first = tokio::spawn(async move {
            busy.run(Lane::SignIn, || {
                std::thread::sleep(Duration::from_millis(200))
            })
            .await
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        // A caller that gives up while waiting: its job must never run.
        let ran = Arc::new(AtomicBool::new(false));
        let flag = ran.clone();
        let gave_up = tokio::time::timeout(
            Duration::from_millis(10),
            pool.run(Lane::SignIn, move || flag.store(true, SeqCst)),
        )
        .await;
        assert!(gave_up.is_err());
        first.await.unwrap().unwrap();
        // The pool still works, and the abandoned job was skipped, not run late.
        pool.run(Lane::SignIn, || ()).await.unwrap();
        assert!(!ran.load(SeqCst));
    }

    /// One worker, held by a job until released; returns the pool and the release switch.
    async fn held_pool(queue: usize) -> (KdfPool, std::sync::mpsc::Sender<()>) {
        let pool = KdfPool::bounded(Bounds {
            workers: 1,
            queue,
            max_wait: Duration::from_secs(60),
        });
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let (started, running) = oneshot::channel();
        let held = pool.clone();
        tokio::spawn(async move {
            held.run(Lane::SignIn, move || {
                let _ = started.send(());
                let _ = hold.recv();
            })
            .await
        });
        running.await.unwrap();
        (pool, release)
    }

    #[tokio::test]
    async fn new_reports_go_before_waiting_sign_ins() {
        let (pool, release) = held_pool(16).await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut jobs = Vec::new();
        for (i, lane) in [Lane::SignIn, Lane::SignIn, Lane::Intake]
            .into_iter()
            .enumerate()
        {
            let (queued, order) = (pool.clone(), order.clone());
            jobs.push(tokio::spawn(async move {
                queued
                    .run(lane, move || order.lock().unwrap().push(i))
                    .await
            }));
            // Queued in this order before the worker is free.
            tokio::task::yield_now().await;
            while pool.shared.queues.lock().unwrap().lane(lane).len() < 1 + usize::from(i == 1) {
                tokio::task::yield_now().await;
            }
        }
        release.send(()).unwrap();
        for j in jobs {
            j.await.unwrap().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec![2, 0, 1]);
    }

    #[tokio::test]
    async fn a_full_lane_is_busy_and_the_other_lane_still_queues() {
        let (pool, release) = held_pool(1).await;
        let waiting = {
            let pool = pool.clone();
            tokio::spawn(async move { pool.run(Lane::SignIn, || 1).await })
        };
        while pool.shared.queues.lock().unwrap().sign_in.is_empty() {
            tokio::task::yield_now().await;
        }
        let refused = pool.run(Lane::SignIn, || 2).await;
        assert!(matches!(refused, Err(CryptoError::Busy { .. })));
        let intake = {
            let pool = pool.clone();
            tokio::spawn(async move { pool.run(Lane::Intake, || 3).await })
        };
        release.send(()).unwrap();
        assert_eq!(intake.await.unwrap().unwrap(), 3);
        assert_eq!(waiting.await.unwrap().unwrap(), 1);
    }

    #[tokio::test]
    async fn a_job_that_waited_past_its_deadline_is_busy_unrun() {
        let pool = KdfPool::bounded(Bounds {
            workers: 1,
            queue: 4,
            max_wait: Duration::ZERO,
        });
        // Any wait at all is past a deadline of zero: the job is answered without running.
        let ran = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = ran.clone();
        let result = pool
            .run(Lane::SignIn, move || {
                flag.store(true, std::sync::atomic::Ordering::SeqCst)
            })
            .await;
        assert!(matches!(result, Err(CryptoError::Busy { .. })));
        assert!(!ran.load(std::sync::atomic::Ordering::SeqCst));
    }
}
