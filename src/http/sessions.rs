//! Server-side sessions: what a sign-in unlocked (a case key, an officer key) lives here, in
//! memory only, behind a random token. It is dropped, and so zeroized, at sign-out, when idle
//! too long, or past its maximum age.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::cookie::{Cookie, SameSite};
use subtle::ConstantTimeEq;

use crate::crypto::random;

/// Sessions held at most per kind; the least recently used goes first.
const MAX_SESSIONS: usize = 10_000;

struct Entry<T> {
    value: T,
    csrf: String,
    created: Instant,
    last_seen: Instant,
}

/// What a request gets from its session.
pub struct Session<T> {
    pub id: String,
    pub value: T,
    pub csrf: String,
}

impl<T> Session<T> {
    /// Constant-time check of a form's CSRF token.
    pub fn csrf_ok(&self, token: &str) -> bool {
        self.csrf.as_bytes().ct_eq(token.as_bytes()).into()
    }
}

pub struct Sessions<T> {
    cookie: &'static str,
    idle: Duration,
    max_age: Duration,
    secure: bool,
    map: Mutex<HashMap<String, Entry<T>>>,
}

impl<T: Clone> Sessions<T> {
    pub fn new(cookie: &'static str, idle: Duration, max_age: Duration, secure: bool) -> Self {
        Sessions {
            cookie,
            idle,
            max_age,
            secure,
            map: Mutex::new(HashMap::new()),
        }
    }

    fn live(&self, e: &Entry<T>) -> bool {
        e.last_seen.elapsed() < self.idle && e.created.elapsed() < self.max_age
    }

    /// Starts a session; returns its token (the cookie value, or an API bearer token).
    pub fn create(&self, value: T) -> String {
        let id = random::token();
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_SESSIONS {
            map.retain(|_, e| self.live(e));
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
        let now = Instant::now();
        map.insert(
            id.clone(),
            Entry {
                value,
                csrf: random::token(),
                created: now,
                last_seen: now,
            },
        );
        id
    }

    /// The live session named by `id`, refreshed; an expired one is ended here.
    pub fn get(&self, id: &str) -> Option<Session<T>> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let entry = map.get_mut(id)?;
        if !self.live(entry) {
            map.remove(id);
            return None;
        }
        entry.last_seen = Instant::now();
        Some(Session {
            id: id.to_owned(),
            value: entry.value.clone(),
            csrf: entry.csrf.clone(),
        })
    }

    /// Changes what a live session holds.
    pub fn update(&self, id: &str, change: impl FnOnce(&mut T)) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = map.get_mut(id) {
            change(&mut entry.value);
        }
    }

    pub fn end(&self, id: &str) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
    }

    /// Ends every session whose value matches (e.g. all of a disabled officer's).
    pub fn end_where(&self, matches: impl Fn(&T) -> bool) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, e| !matches(&e.value));
    }

    /// Ends every expired session.
    pub fn sweep(&self) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, e| self.live(e));
    }

    /// The cookie that carries a session token.
    pub fn cookie(&self, token: String) -> Cookie<'static> {
        Cookie::build(self.cookie, token)
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

    /// The session named by the request's cookie.
    pub fn from_request(&self, req: &actix_web::HttpRequest) -> Option<Session<T>> {
        self.get(req.cookie(self.cookie)?.value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sessions(idle_ms: u64, max_ms: u64) -> Sessions<u32> {
        Sessions::new(
            "t",
            Duration::from_millis(idle_ms),
            Duration::from_millis(max_ms),
            false,
        )
    }

    #[test]
    fn sessions_end_when_idle_or_too_old() {
        let s = sessions(60, 10_000);
        let id = s.create(7);
        assert_eq!(s.get(&id).unwrap().value, 7);
        std::thread::sleep(Duration::from_millis(80));
        assert!(s.get(&id).is_none());

        let s = sessions(10_000, 100);
        let id = s.create(7);
        for _ in 0..3 {
            std::thread::sleep(Duration::from_millis(40));
            s.get(&id);
        }
        assert!(s.get(&id).is_none(), "kept alive past the maximum age");
    }

    #[test]
    fn tokens_and_csrf_are_checked() {
        let s = sessions(10_000, 10_000);
        let id = s.create(1);
        let session = s.get(&id).unwrap();
        assert!(session.csrf_ok(&session.csrf.clone()));
        assert!(!session.csrf_ok("forged"));
        assert!(s.get("not-a-session").is_none());
        s.end_where(|v| *v == 1);
        assert!(s.get(&id).is_none());
    }
}
