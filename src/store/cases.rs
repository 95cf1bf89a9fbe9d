//! The `cases` and `grants` tables.

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::{Store, StoreError};

/// Which of a case's two secret keys a grant carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// Content the submitter may see.
    Case,
    /// Internal notes; never granted to the submitter.
    Staff,
}

impl KeyKind {
    fn as_str(self) -> &'static str {
        match self {
            KeyKind::Case => "case",
            KeyKind::Staff => "staff",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    Officer(String),
    Submitter,
    Recovery,
}

pub struct NewGrant {
    pub key: KeyKind,
    pub holder: Holder,
    pub sealed: Vec<u8>,
}

pub struct NewCase {
    pub id: String,
    pub channel_id: String,
    pub kind: &'static str,
    pub received_at: i64,
    pub acknowledge_due_at: Option<i64>,
    pub resolve_due_at: Option<i64>,
    pub case_public_key: String,
    pub staff_public_key: String,
    pub claim_tag: [u8; 32],
    pub submitter_salt: Vec<u8>,
    pub sealed_submission: Vec<u8>,
    pub grants: Vec<NewGrant>,
}

/// What the claim-code sign-in needs to find and unlock a case.
pub struct ClaimMatch {
    pub case_id: String,
    pub submitter_salt: Vec<u8>,
    pub submitter_grant: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct CaseRecord {
    pub id: String,
    pub number: i64,
    pub channel_id: String,
    pub kind: String,
    pub status: String,
    pub outcome: Option<String>,
    pub received_at: i64,
    pub acknowledge_due_at: Option<i64>,
    pub resolve_due_at: Option<i64>,
    pub updated_at: i64,
    pub case_public_key: String,
    pub sealed_submission: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct GrantRow {
    pub key: String,
    pub holder: String,
    pub officer_id: Option<String>,
    pub sealed: Vec<u8>,
}

/// Stores a case and all its grants in one transaction; returns its number. Nothing of the case
/// exists until the commit, and after it the case survives a crash.
pub fn insert(store: &Store, case: &NewCase) -> Result<i64, StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let number: i64 = tx.query_row("SELECT COALESCE(MAX(number), 0) + 1 FROM cases", [], |r| {
        r.get(0)
    })?;
    tx.execute(
        "INSERT INTO cases (id, number, channel_id, kind, status, received_at,
             acknowledge_due_at, resolve_due_at, updated_at, case_public_key, staff_public_key,
             claim_tag, submitter_salt, sealed_submission)
         VALUES (?1, ?2, ?3, ?4, 'received', ?5, ?6, ?7, ?5, ?8, ?9, ?10, ?11, ?12)",
        params![
            case.id,
            number,
            case.channel_id,
            case.kind,
            case.received_at,
            case.acknowledge_due_at,
            case.resolve_due_at,
            case.case_public_key,
            case.staff_public_key,
            case.claim_tag.as_slice(),
            case.submitter_salt,
            case.sealed_submission,
        ],
    )?;
    {
        let mut stmt = tx.prepare(
            "INSERT INTO grants (case_id, key, holder, officer_id, sealed, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for grant in &case.grants {
            let (holder, officer_id) = match &grant.holder {
                Holder::Officer(id) => ("officer", Some(id.as_str())),
                Holder::Submitter => ("submitter", None),
                Holder::Recovery => ("recovery", None),
            };
            stmt.execute(params![
                case.id,
                grant.key.as_str(),
                holder,
                officer_id,
                grant.sealed,
                case.received_at
            ])?;
        }
    }
    tx.commit()?;
    Ok(number)
}

pub fn find_by_claim_tag(store: &Store, tag: &[u8; 32]) -> Result<Option<ClaimMatch>, StoreError> {
    let conn = store.reader()?;
    Ok(conn
        .query_row(
            "SELECT c.id, c.submitter_salt, g.sealed FROM cases c
             JOIN grants g ON g.case_id = c.id AND g.holder = 'submitter' AND g.key = 'case'
             WHERE c.claim_tag = ?1",
            [tag.as_slice()],
            |r| {
                Ok(ClaimMatch {
                    case_id: r.get(0)?,
                    submitter_salt: r.get(1)?,
                    submitter_grant: r.get(2)?,
                })
            },
        )
        .optional()?)
}

pub fn get(store: &Store, id: &str) -> Result<Option<CaseRecord>, StoreError> {
    let conn = store.reader()?;
    Ok(conn
        .query_row(
            "SELECT id, number, channel_id, kind, status, outcome, received_at,
                    acknowledge_due_at, resolve_due_at, updated_at, case_public_key,
                    sealed_submission
             FROM cases WHERE id = ?1",
            [id],
            |r| {
                Ok(CaseRecord {
                    id: r.get(0)?,
                    number: r.get(1)?,
                    channel_id: r.get(2)?,
                    kind: r.get(3)?,
                    status: r.get(4)?,
                    outcome: r.get(5)?,
                    received_at: r.get(6)?,
                    acknowledge_due_at: r.get(7)?,
                    resolve_due_at: r.get(8)?,
                    updated_at: r.get(9)?,
                    case_public_key: r.get(10)?,
                    sealed_submission: r.get(11)?,
                })
            },
        )
        .optional()?)
}

pub fn grants(store: &Store, case_id: &str) -> Result<Vec<GrantRow>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare(
        "SELECT key, holder, officer_id, sealed FROM grants WHERE case_id = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([case_id], |r| {
            Ok(GrantRow {
                key: r.get(0)?,
                holder: r.get(1)?,
                officer_id: r.get(2)?,
                sealed: r.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn count(store: &Store) -> Result<i64, StoreError> {
    let conn = store.reader()?;
    Ok(conn.query_row("SELECT COUNT(*) FROM cases", [], |r| r.get(0))?)
}
