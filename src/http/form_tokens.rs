//! One case per filled-in form. Each report form carries a random one-time token; a second
//! post of the same form (a reload, a double click, a "resend" after a lost connection) gets
//! the receipt of the first instead of making a second case.
//!
//! Only this process's memory holds what is needed for that, and only for a short while: the
//! SHA-256 of the token and, once the case is in, its claim code, so that the page the
//! reporter ends up on still shows it. Nothing of it reaches the disk or the logs; a restart
//! forgets it. A post that is still being handled makes the second one wait for it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use secrecy::SecretString;
use sha2::{Digest, Sha256};
use tokio::sync::Notify;

/// How long a sent form's receipt can be shown again.
const KEEP: Duration = Duration::from_secs(15 * 60);
/// Forms remembered at most; beyond it forms are taken without the check, never refused.
const MAX_ENTRIES: usize = 10_000;
/// How long a second post waits for the first.
const WAIT: Duration = Duration::from_secs(120);

type Key = [u8; 32];

enum Slot {
    Sending(Arc<Notify>, Instant),
    Sent(SecretString, Instant),
}

impl Slot {
    fn since(&self) -> Instant {
        match self {
            Slot::Sending(_, at) | Slot::Sent(_, at) => *at,
        }
    }
}

#[derive(Default, Clone)]
pub struct FormTokens {
    slots: Arc<Mutex<HashMap<Key, Slot>>>,
}

/// What to do with a post.
pub enum Begin {
    /// Handle it; tell the guard how it went.
    Fresh(Guard),
    /// This form was sent already: show this claim code again.
    Sent(SecretString),
    /// The first post of this form is taking too long; try again later.
    Busy,
}

/// The right to make the case of one form. Dropped without [`Guard::sent`] (refused, failed,
/// cancelled), it frees the token so the same form, corrected, can be sent again.
pub struct Guard {
    tokens: FormTokens,
    key: Option<Key>,
}

impl Guard {
    pub fn sent(mut self, code: SecretString) {
        if let Some(key) = self.key.take() {
            let mut slots = self.tokens.lock();
            if let Some(Slot::Sending(done, _)) =
                slots.insert(key, Slot::Sent(code, Instant::now()))
            {
                done.notify_waiters();
            }
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            if let Some(Slot::Sending(done, _)) = self.tokens.lock().remove(&key) {
                done.notify_waiters();
            }
        }
    }
}

impl FormTokens {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Slot>> {
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A post of the form with `token` (empty: a form without one, taken as it is).
    pub async fn begin(&self, token: &str) -> Begin {
        if token.is_empty() {
            return Begin::Fresh(Guard {
                tokens: self.clone(),
                key: None,
            });
        }
        let key: Key = Sha256::digest(token.as_bytes()).into();
        let deadline = Instant::now() + WAIT;
        loop {
            let waiting = {
                let mut slots = self.lock();
                slots.retain(|_, slot| slot.since().elapsed() < KEEP);
                match slots.get(&key) {
                    Some(Slot::Sent(code, _)) => return Begin::Sent(code.clone()),
                    Some(Slot::Sending(done, _)) => done.clone().notified_owned(),
                    None => {
                        let key = (slots.len() < MAX_ENTRIES).then(|| {
                            slots.insert(key, Slot::Sending(Arc::default(), Instant::now()));
                            key
                        });
                        return Begin::Fresh(Guard {
                            tokens: self.clone(),
                            key,
                        });
                    }
                }
            };
            let left = deadline.saturating_duration_since(Instant::now());
            if tokio::time::timeout(left, waiting).await.is_err() {
                return Begin::Busy;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[tokio::test]
    async fn a_second_post_gets_the_first_ones_code_and_a_refused_one_frees_the_token() {
        let tokens = FormTokens::default();
        let Begin::Fresh(guard) = tokens.begin("t1").await else {
            panic!("the first post is fresh")
        };
        let second = {
            let tokens = tokens.clone();
            tokio::spawn(async move { tokens.begin("t1").await })
        };
        tokio::task::yield_now().await;
        guard.sent(SecretString::from("CODE"));
        match second.await.unwrap() {
            Begin::Sent(code) => assert_eq!(code.expose_secret(), "CODE"),
            _ => panic!("the second post waits for the first and gets its code"),
        }

        let Begin::Fresh(refused) = tokens.begin("t2").await else {
            panic!()
        };
        drop(refused);
        assert!(matches!(tokens.begin("t2").await, Begin::Fresh(_)));
        // Forms without a token are never held back.
        assert!(matches!(tokens.begin("").await, Begin::Fresh(_)));
        assert!(matches!(tokens.begin("").await, Begin::Fresh(_)));
    }
}
