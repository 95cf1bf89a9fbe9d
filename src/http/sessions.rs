//! Follow-up sessions: after a claim-code sign-in, the unlocked case key lives here, in server
//! memory only, behind a random cookie. It is dropped (and zeroized) at sign-out or when idle.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::cookie::{Cookie, SameSite};
use subtle::ConstantTimeEq;

use crate::cases::followup::Unlocked;
use crate::crypto::random;

pub const COOKIE: &str = "sealbox_followup";
/// Sessions held at most; the least recently used goes first.
const MAX_SESSIONS: usize = 10_000;

struct Entry {
    unlocked: Unlocked,
    csrf: String,
    last_seen: Instant,
}

/// What a request gets from its session.
pub struct Session {
    pub id: String,
    pub unlocked: Unlocked,
    pub csrf: String,
}

impl Session {
    /// Constant-time check of a form's CSRF token.
    pub fn csrf_ok(&self, token: &str) -> bool {
        self.csrf.as_bytes().ct_eq(token.as_bytes()).into()
    }
}

pub struct FollowupSessions {
    idle: Duration,
    secure: bool,
    map: Mutex<HashMap<String, Entry>>,
}

impl FollowupSessions {
    pub fn new(idle: Duration, secure: bool) -> Self {
        FollowupSessions {
            idle,
            secure,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// Starts a session; returns the cookie that names it.
    pub fn create(&self, unlocked: Unlocked) -> Cookie<'static> {
        let id = random::token();
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_SESSIONS {
            map.retain(|_, e| e.last_seen.elapsed() < self.idle);
            if map.len() >= MAX_SESSIONS {
                if let Some(oldest) = map
                    .iter()
                    .min_by_key(|(_, e)| e.last_seen)
                    .map(|(k, _)| k.clone())
                {
                    map.remove(&oldest);
                }
            }
        }
        map.insert(
            id.clone(),
            Entry {
                unlocked,
                csrf: random::token(),
                last_seen: Instant::now(),
            },
        );
        self.cookie(id)
    }

    /// The live session named by `id`, refreshed; an idle one is ended here.
    pub fn get(&self, id: &str) -> Option<Session> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let entry = map.get_mut(id)?;
        if entry.last_seen.elapsed() >= self.idle {
            map.remove(id);
            return None;
        }
        entry.last_seen = Instant::now();
        Some(Session {
            id: id.to_owned(),
            unlocked: entry.unlocked.clone(),
            csrf: entry.csrf.clone(),
        })
    }

    pub fn end(&self, id: &str) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
    }

    /// Ends every idle session.
    pub fn sweep(&self) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, e| e.last_seen.elapsed() < self.idle);
    }

    pub fn len(&self) -> usize {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn cookie(&self, value: String) -> Cookie<'static> {
        Cookie::build(COOKIE, value)
            .path("/")
            .http_only(true)
            .secure(self.secure)
            .same_site(SameSite::Strict)
            .finish()
    }

    /// A cookie that deletes the session cookie in the browser.
    pub fn removal(&self) -> Cookie<'static> {
        let mut c = self.cookie(String::new());
        c.make_removal();
        c
    }
}
