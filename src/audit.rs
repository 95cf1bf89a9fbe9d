//! The hash-chained audit log: who did what to which case, and when. Never content, never an
//! address.
//!
//! Each entry's hash is HMAC-SHA256 under a key kept in `DATA/keys/audit.key`, over the previous
//! entry's hash and every field of this one (length-prefixed). Altering, removing or reordering
//! any entry breaks the chain from there on; forging a new chain needs the key, not just the
//! database.

use std::path::Path;

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretBox};
use sha2::Sha256;

use crate::crypto::CryptoError;

pub struct AuditKey(SecretBox<[u8; 32]>);

impl AuditKey {
    pub fn load_or_create(path: &Path) -> Result<Self, CryptoError> {
        let bytes = crate::crypto::keys::load_or_create_secret_file(path)?;
        Ok(AuditKey(SecretBox::new(Box::new(bytes))))
    }
}

/// Who acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Officer,
    Submitter,
    System,
    /// Someone at the server's command line.
    Operator,
}

impl Actor {
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::Officer => "officer",
            Actor::Submitter => "submitter",
            Actor::System => "system",
            Actor::Operator => "operator",
        }
    }
}

/// Something to record.
#[derive(Debug, Clone)]
pub struct Event {
    pub actor: Actor,
    pub officer_id: Option<String>,
    pub action: &'static str,
    pub case_id: Option<String>,
    /// Workflow facts only (`received → acknowledged`, an outcome, a count); never content.
    pub detail: String,
}

impl Event {
    pub fn new(actor: Actor, action: &'static str) -> Self {
        Event {
            actor,
            officer_id: None,
            action,
            case_id: None,
            detail: String::new(),
        }
    }

    pub fn by_officer(officer_id: &str, action: &'static str) -> Self {
        Event {
            officer_id: Some(officer_id.to_owned()),
            ..Event::new(Actor::Officer, action)
        }
    }

    pub fn case(mut self, case_id: &str) -> Self {
        self.case_id = Some(case_id.to_owned());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }
}

/// An entry as stored.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub officer_id: Option<String>,
    pub action: String,
    pub case_id: Option<String>,
    pub detail: String,
    pub hash: Vec<u8>,
}

/// The hash of entry `id` chained onto `previous`.
#[allow(clippy::too_many_arguments)]
pub fn chain(
    key: &AuditKey,
    previous: &[u8],
    id: i64,
    at: i64,
    actor: &str,
    officer_id: Option<&str>,
    action: &str,
    case_id: Option<&str>,
    detail: &str,
) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.0.expose_secret()).expect("any key length");
    let mut field = |bytes: &[u8]| {
        mac.update(&(bytes.len() as u64).to_be_bytes());
        mac.update(bytes);
    };
    field(previous);
    field(&id.to_be_bytes());
    field(&at.to_be_bytes());
    field(actor.as_bytes());
    field(officer_id.unwrap_or("").as_bytes());
    field(action.as_bytes());
    field(case_id.unwrap_or("").as_bytes());
    field(detail.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Why the chain does not hold at an entry.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("audit entry {id}: {reason}")]
pub struct Broken {
    pub id: i64,
    pub reason: String,
}

/// Checks entries in id order; returns how many were checked, or the first bad one.
/// `highest_issued` is the highest id ever given to an entry (SQLite's AUTOINCREMENT record):
/// if the last entry is below it, the newest entries were removed.
pub fn verify(
    key: &AuditKey,
    entries: impl IntoIterator<Item = Entry>,
    highest_issued: i64,
) -> Result<u64, Broken> {
    let mut previous = Vec::new();
    let mut expected_id = Some(1);
    let mut count = 0;
    for e in entries {
        if let Some(expected) = expected_id {
            if e.id != expected {
                return Err(Broken {
                    id: expected,
                    reason: format!("missing (the next entry is {})", e.id),
                });
            }
        }
        let hash = chain(
            key,
            &previous,
            e.id,
            e.at,
            &e.actor,
            e.officer_id.as_deref(),
            &e.action,
            e.case_id.as_deref(),
            &e.detail,
        );
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            hash.as_slice(),
            e.hash.as_slice(),
        )) {
            return Err(Broken {
                id: e.id,
                reason: "altered, or an entry before it was removed".into(),
            });
        }
        previous = hash;
        expected_id = Some(e.id + 1);
        count += 1;
    }
    let last = count as i64;
    if highest_issued > last {
        return Err(Broken {
            id: last + 1,
            reason: format!(
                "missing: entries {} to {highest_issued} were removed",
                last + 1
            ),
        });
    }
    Ok(count)
}
