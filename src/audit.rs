//! The hash-chained audit log: who did what to which case, and when. Never content, never an
//! address.
//!
//! Each entry's hash is HMAC-SHA256 under a key kept in `DATA/keys/audit.key`, over the previous
//! entry's hash and every field of this one (length-prefixed). Altering, removing or reordering
//! any entry breaks the chain from there on; forging a new chain needs the key, not just the
//! database.
//!
//! The chain covers a keyed digest of each entry's detail, not the detail itself, and the digest
//! is stored with the entry. So when a case is purged its entries can lose their detail (which
//! may name the case) and the chain still verifies: who did what and when stays, what it said
//! goes. The digest is keyed because a detail is short and guessable (`#12345678 in report`).
//! Entries written before digests existed (no digest stored) are checked over their detail as
//! they were, until a start-up re-chains them (see `store::audit::rechain`).

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
    /// Empty once the entry's case was purged (or when there was none).
    pub detail: String,
    /// [`detail_digest`] of the detail as written; `None` in entries from before digests, whose
    /// hash covers the detail itself.
    pub detail_digest: Option<Vec<u8>>,
    pub hash: Vec<u8>,
}

impl AuditKey {
    fn mac(&self) -> Hmac<Sha256> {
        Hmac::<Sha256>::new_from_slice(self.0.expose_secret()).expect("any key length")
    }
}

/// The keyed digest of an entry's detail, which the chain covers in its stead.
pub fn detail_digest(key: &AuditKey, detail: &str) -> Vec<u8> {
    let mut mac = key.mac();
    mac.update(b"sealbox audit detail\0");
    mac.update(detail.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The fields an entry's hash covers, besides the previous hash.
pub struct Chained<'a> {
    pub id: i64,
    pub at: i64,
    pub actor: &'a str,
    pub officer_id: Option<&'a str>,
    pub action: &'a str,
    pub case_id: Option<&'a str>,
    pub detail_digest: &'a [u8],
}

/// The hash of an entry (with a detail digest) chained onto `previous`.
pub fn chain_digest(key: &AuditKey, previous: &[u8], e: &Chained<'_>) -> Vec<u8> {
    let mut mac = key.mac();
    let mut field = |bytes: &[u8]| {
        mac.update(&(bytes.len() as u64).to_be_bytes());
        mac.update(bytes);
    };
    // Tagged, so no entry of one form can pass for the other.
    field(b"v2");
    field(previous);
    field(&e.id.to_be_bytes());
    field(&e.at.to_be_bytes());
    field(e.actor.as_bytes());
    field(e.officer_id.unwrap_or("").as_bytes());
    field(e.action.as_bytes());
    field(e.case_id.unwrap_or("").as_bytes());
    field(e.detail_digest);
    mac.finalize().into_bytes().to_vec()
}

/// The hash of entry `id` chained onto `previous`, over the detail itself: entries written
/// before detail digests.
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
    let mut mac = key.mac();
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

/// The hash an entry should carry after `previous`, or why it cannot hold whatever its hash.
/// `case_exists` tells whether the entry's case is still there: only a purged case's entries may
/// have lost their detail.
pub fn expected_hash(
    key: &AuditKey,
    previous: &[u8],
    e: &Entry,
    case_exists: bool,
) -> Result<Vec<u8>, &'static str> {
    let Some(digest) = &e.detail_digest else {
        return Ok(chain(
            key,
            previous,
            e.id,
            e.at,
            &e.actor,
            e.officer_id.as_deref(),
            &e.action,
            e.case_id.as_deref(),
            &e.detail,
        ));
    };
    let matches = |detail: &str| {
        bool::from(subtle::ConstantTimeEq::ct_eq(
            detail_digest(key, detail).as_slice(),
            digest.as_slice(),
        ))
    };
    if !matches(&e.detail) {
        if !e.detail.is_empty() {
            return Err("its detail was altered");
        }
        if case_exists {
            return Err("its detail was removed, but its case was not purged");
        }
    }
    Ok(chain_digest(
        key,
        previous,
        &Chained {
            id: e.id,
            at: e.at,
            actor: &e.actor,
            officer_id: e.officer_id.as_deref(),
            action: &e.action,
            case_id: e.case_id.as_deref(),
            detail_digest: digest,
        },
    ))
}

/// Checks entries in id order; returns how many were checked, or the first bad one.
/// `highest_issued` is the highest id ever given to an entry (SQLite's AUTOINCREMENT record):
/// if the last entry is below it, the newest entries were removed. `case_exists` tells whether
/// a case is still stored (see [`expected_hash`]).
pub fn verify(
    key: &AuditKey,
    entries: impl IntoIterator<Item = Entry>,
    highest_issued: i64,
    case_exists: impl Fn(&str) -> bool,
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
        let exists = e.case_id.as_deref().is_some_and(&case_exists);
        let hash = expected_hash(key, &previous, &e, exists).map_err(|why| Broken {
            id: e.id,
            reason: why.into(),
        })?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> AuditKey {
        AuditKey(SecretBox::new(Box::new([7u8; 32])))
    }

    /// Two entries about case `c`, chained as `store::audit::append` chains them.
    fn log(key: &AuditKey) -> Vec<Entry> {
        let mut previous = Vec::new();
        let mut out = Vec::new();
        for (id, detail) in [(1, "#12345678 in report"), (2, "received → acknowledged")] {
            let digest = detail_digest(key, detail);
            let hash = chain_digest(
                key,
                &previous,
                &Chained {
                    id,
                    at: 1_800_000_000 + id,
                    actor: "officer",
                    officer_id: Some("o"),
                    action: "x",
                    case_id: Some("c"),
                    detail_digest: &digest,
                },
            );
            out.push(Entry {
                id,
                at: 1_800_000_000 + id,
                actor: "officer".into(),
                officer_id: Some("o".into()),
                action: "x".into(),
                case_id: Some("c".into()),
                detail: detail.into(),
                detail_digest: Some(digest),
                hash: hash.clone(),
            });
            previous = hash;
        }
        out
    }

    #[test]
    fn a_detail_may_go_only_with_its_case() {
        let key = key();
        let gone = |_: &str| false;
        let here = |_: &str| true;
        assert_eq!(verify(&key, log(&key), 2, here), Ok(2));

        let mut stripped = log(&key);
        stripped[0].detail.clear();
        assert_eq!(verify(&key, stripped.clone(), 2, gone), Ok(2));
        let broken = verify(&key, stripped, 2, here).unwrap_err();
        assert_eq!(broken.id, 1);

        let mut altered = log(&key);
        altered[1].detail = "received → closed".into();
        assert_eq!(verify(&key, altered, 2, gone).unwrap_err().id, 2);

        let mut moved = log(&key);
        moved[0].at += 1;
        assert_eq!(verify(&key, moved, 2, gone).unwrap_err().id, 1);
    }
}
