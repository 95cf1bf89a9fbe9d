//! Who may open what: the signed-in officer with their unlocked key, and the checks every
//! feature makes before it reads a case. "May this officer open this case" is decided here and
//! nowhere else: they hold a grant of its keys.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::CaseError;
use crate::crypto::search::SearchKey;
use crate::crypto::{keys, SecretKey};
use crate::i18n::Lang;
use crate::store::cases::{self, CaseRecord, Holder, KeyGrants};
use crate::store::{officers, Store};

/// A signed-in officer, with their unlocked key (in memory only; wiped when dropped).
#[derive(Clone)]
pub struct Officer {
    pub id: String,
    pub name: String,
    pub email: String,
    pub is_admin: bool,
    /// Holds reporters' identities and decides disclosure requests.
    pub is_custodian: bool,
    /// The language they chose for pages and mails, as of the last request.
    pub language: Option<Lang>,
    pub(crate) key: SecretKey,
    /// The search keys of cases derived in this session; dropped with it.
    pub(super) search: SearchCache,
}

/// The search keys a signed-in officer derived, by case: kept as long as their session.
#[derive(Clone, Default)]
pub(super) struct SearchCache(
    Arc<Mutex<HashMap<String, Arc<SearchKey>>>>,
    Arc<std::sync::atomic::AtomicBool>,
);

impl SearchCache {
    /// Whether this call is the one to fill the cache in the background (once a session).
    pub(super) fn begin_warming(&self) -> bool {
        !self.1.swap(true, std::sync::atomic::Ordering::AcqRel)
    }

    pub(super) fn get(&self, case_id: &str) -> Option<Arc<SearchKey>> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(case_id)
            .cloned()
    }

    pub(super) fn put(&self, case_id: &str, key: Arc<SearchKey>) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(case_id.to_owned(), key);
    }
}

impl Officer {
    /// Their age public key (`age1…`), for exports sealed to themselves.
    pub fn public_key(&self) -> String {
        self.key.public()
    }
}

impl std::fmt::Debug for Officer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Officer({})", self.id)
    }
}

/// The case key and staff key `officer` holds for a case, opened; `Forbidden` without a grant.
pub(super) fn open_keys(
    store: &Store,
    officer: &Officer,
    case_id: &str,
) -> Result<(SecretKey, SecretKey), CaseError> {
    match cases::grants_of(store, case_id, &Holder::Officer(officer.id.clone()))? {
        KeyGrants {
            case: Some(case_grant),
            staff: Some(staff_grant),
        } => Ok((
            keys::open_grant(&case_grant, &officer.key)?,
            keys::open_grant(&staff_grant, &officer.key)?,
        )),
        _ => Err(forbidden()),
    }
}

pub(super) fn forbidden() -> CaseError {
    CaseError::Forbidden("you may not open this case".into())
}

pub(super) fn existing(store: &Store, case_id: &str) -> Result<CaseRecord, CaseError> {
    cases::get(store, case_id)?.ok_or_else(|| CaseError::NotFound("there is no such case".into()))
}

/// The case, after checking `officer` holds a grant for it.
pub(super) fn granted(
    store: &Store,
    officer: &Officer,
    case_id: &str,
) -> Result<CaseRecord, CaseError> {
    let record = existing(store, case_id)?;
    let holder = Holder::Officer(officer.id.clone());
    if cases::grants_of(store, case_id, &holder)?.case.is_none() {
        return Err(forbidden());
    }
    Ok(record)
}

pub(super) fn names(store: &Store) -> Result<HashMap<String, String>, CaseError> {
    Ok(officers::list(store)?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

/// A case opened with its claim code: the case key, in memory only. The key is zeroized when
/// this is dropped (sign-out, idle expiry, end of an API request).
#[derive(Clone)]
pub struct Unlocked {
    pub(super) case_id: String,
    pub(super) key: SecretKey,
}

impl Unlocked {
    pub fn case_id(&self) -> &str {
        &self.case_id
    }
}
