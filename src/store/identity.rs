//! The sealed identity of a case, its grants, and disclosure requests.

use rusqlite::{params, OptionalExtension, Transaction};

use super::{audit, Store, StoreError};
use crate::audit::{AuditKey, Event};

/// Why a holder has the identity key of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The organisation's recovery recipient.
    Recovery,
    /// An officer with the custodian role.
    Custodian,
    /// A case handler, after a custodian approved their request.
    Disclosure,
}

impl Via {
    fn as_str(self) -> &'static str {
        match self {
            Via::Recovery => "recovery",
            Via::Custodian => "custodian",
            Via::Disclosure => "disclosure",
        }
    }
}

/// The identity key sealed to one holder: `officer_id` `None` is the recovery recipient.
pub struct NewIdentityGrant {
    pub officer_id: Option<String>,
    /// The officer's public key it was sealed to: stored only if it is still theirs.
    pub to: String,
    pub via: Via,
    pub sealed: Vec<u8>,
}

/// A case's identity key and what was given under it.
pub struct CaseIdentity {
    pub public_key: String,
    pub sealed: Option<Vec<u8>>,
    pub given_at: Option<i64>,
}

/// Inserts an identity grant within `tx`. An officer's goes in only while they are enabled and
/// still hold the key it was sealed to, and: for a custodian, while they have the role; for a
/// disclosure, while they hold the case. `false` when skipped.
pub(super) fn insert_grant(
    tx: &Transaction<'_>,
    case_id: &str,
    grant: &NewIdentityGrant,
    at: i64,
) -> Result<bool, StoreError> {
    let n = match &grant.officer_id {
        None => tx.execute(
            "INSERT OR IGNORE INTO identity_grants (case_id, holder, via, sealed, created_at)
             VALUES (?1, 'recovery', 'recovery', ?2, ?3)",
            params![case_id, grant.sealed, at],
        )?,
        Some(officer_id) => tx.execute(
            "INSERT OR IGNORE INTO identity_grants
                 (case_id, holder, officer_id, via, sealed, created_at)
             SELECT ?1, 'officer', ?2, ?3, ?4, ?5
             WHERE EXISTS (SELECT 1 FROM officers o WHERE o.id = ?2 AND o.disabled = 0
                   AND o.public_key = ?6
                   AND (CASE ?3 WHEN 'custodian' THEN o.is_custodian = 1
                        ELSE EXISTS (SELECT 1 FROM grants g WHERE g.case_id = ?1
                             AND g.officer_id = ?2 AND g.key = 'case') END))",
            params![
                case_id,
                officer_id,
                grant.via.as_str(),
                grant.sealed,
                at,
                grant.to
            ],
        )?,
    };
    Ok(n == 1)
}

/// The identity key of a new case: its public half, the identity if given with the report,
/// and its grants.
pub struct NewCaseIdentity {
    pub public_key: String,
    pub sealed: Option<Vec<u8>>,
    pub grants: Vec<NewIdentityGrant>,
}

/// Sets up the identity key of a new case, within its insert.
pub(super) fn insert_for_case(
    tx: &Transaction<'_>,
    case_id: &str,
    identity: &NewCaseIdentity,
    at: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE cases SET identity_public_key = ?2, sealed_identity = ?3,
             identity_given_at = CASE WHEN ?3 IS NULL THEN NULL ELSE ?4 END
         WHERE id = ?1",
        params![
            case_id,
            identity.public_key,
            identity.sealed,
            super::day(at)
        ],
    )?;
    for grant in &identity.grants {
        insert_grant(tx, case_id, grant, super::day(at))?;
    }
    Ok(())
}

pub fn of_case(store: &Store, case_id: &str) -> Result<Option<CaseIdentity>, StoreError> {
    let conn = store.reader()?;
    Ok(conn
        .query_row(
            "SELECT identity_public_key, sealed_identity, identity_given_at FROM cases
             WHERE id = ?1 AND identity_public_key IS NOT NULL",
            [case_id],
            |r| {
                Ok(CaseIdentity {
                    public_key: r.get(0)?,
                    sealed: r.get(1)?,
                    given_at: r.get(2)?,
                })
            },
        )
        .optional()?)
}

/// Stores the identity a submitter gave (replacing an earlier one), with its audit entry. A
/// submitter's action: its time, in the case and in the audit log, keeps the day only.
pub fn give(
    store: &Store,
    case_id: &str,
    sealed: &[u8],
    key: &AuditKey,
    event: &Event,
    at: i64,
) -> Result<(), StoreError> {
    let at = super::day(at);
    audit::audited(store, key, event, at, |tx| {
        tx.execute(
            "UPDATE cases SET sealed_identity = ?2, identity_given_at = ?3 WHERE id = ?1",
            params![case_id, sealed, at],
        )?;
        super::cases::touch(tx, case_id, at)?;
        Ok(())
    })
}

/// The identity key of a case sealed to an officer (`None`: to the recovery recipient).
pub fn grant_of(
    store: &Store,
    case_id: &str,
    officer_id: Option<&str>,
) -> Result<Option<Vec<u8>>, StoreError> {
    let conn = store.reader()?;
    Ok(conn
        .query_row(
            "SELECT sealed FROM identity_grants WHERE case_id = ?1
             AND ((?2 IS NULL AND holder = 'recovery') OR officer_id = ?2)",
            params![case_id, officer_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// The submitter's follow-up page asks this on every view (index `identity_grants_case`).
pub(crate) const HOLDERS: &str = "SELECT COUNT(*) FROM identity_grants WHERE case_id = ?1";

/// How many hold the identity key of a case.
pub fn holders(store: &Store, case_id: &str) -> Result<i64, StoreError> {
    let conn = store.reader()?;
    Ok(conn.query_row(HOLDERS, [case_id], |r| r.get(0))?)
}

/// Cases of identity-taking channels where `officer_id` lacks a custodian grant.
pub fn without_custodian_grant(store: &Store, officer_id: &str) -> Result<Vec<String>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare(
        "SELECT c.id FROM cases c WHERE c.identity_public_key IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM identity_grants i
             WHERE i.case_id = c.id AND i.officer_id = ?1)
         ORDER BY c.number",
    )?;
    let ids = stmt
        .query_map([officer_id], |r| r.get(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ids)
}

/// Adds identity grants outside of a case's insert (a new custodian), with an audit entry
/// per grant that went in. Returns how many went in.
pub fn add_grants(
    store: &Store,
    grants: &[(String, NewIdentityGrant, Event)],
    key: &AuditKey,
    at: i64,
) -> Result<usize, StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction()?;
    let mut added = 0;
    for (case_id, grant, event) in grants {
        if insert_grant(&tx, case_id, grant, super::day(at))? {
            audit::append(&tx, key, event, at)?;
            added += 1;
        }
    }
    tx.commit()?;
    Ok(added)
}

/// A request to see a case's identity.
#[derive(Debug, Clone)]
pub struct DisclosureRow {
    pub id: String,
    pub case_id: String,
    pub number: i64,
    pub requester_id: String,
    pub sealed_reason: Vec<u8>,
    pub requested_at: i64,
    pub state: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
}

const DISCLOSURE: &str = "d.id, d.case_id, c.number, d.requester_id, d.sealed_reason,
    d.requested_at, d.state, d.decided_by, d.decided_at";

fn disclosure(r: &rusqlite::Row<'_>) -> rusqlite::Result<DisclosureRow> {
    Ok(DisclosureRow {
        id: r.get(0)?,
        case_id: r.get(1)?,
        number: r.get(2)?,
        requester_id: r.get(3)?,
        sealed_reason: r.get(4)?,
        requested_at: r.get(5)?,
        state: r.get(6)?,
        decided_by: r.get(7)?,
        decided_at: r.get(8)?,
    })
}

/// Files a request; `false` when the officer already has one pending for the case.
pub fn request(
    store: &Store,
    row: &DisclosureRow,
    key: &AuditKey,
    event: &Event,
) -> Result<bool, StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction()?;
    let n = tx.execute(
        "INSERT OR IGNORE INTO disclosures (id, case_id, requester_id, sealed_reason, requested_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            row.id,
            row.case_id,
            row.requester_id,
            row.sealed_reason,
            row.requested_at
        ],
    )?;
    if n == 1 {
        audit::append(&tx, key, event, row.requested_at)?;
        tx.commit()?;
    }
    Ok(n == 1)
}

pub fn of_case_requests(store: &Store, case_id: &str) -> Result<Vec<DisclosureRow>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {DISCLOSURE} FROM disclosures d JOIN cases c ON c.id = d.case_id
         WHERE d.case_id = ?1 ORDER BY d.requested_at, d.id"
    ))?;
    let rows = stmt
        .query_map([case_id], disclosure)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Requests waiting for a custodian, oldest first, then the most recent decisions.
pub fn recent(store: &Store, decided: i64) -> Result<Vec<DisclosureRow>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {DISCLOSURE} FROM disclosures d JOIN cases c ON c.id = d.case_id
         WHERE d.state = 'pending' ORDER BY d.requested_at, d.id"
    ))?;
    let mut rows = stmt
        .query_map([], disclosure)?
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {DISCLOSURE} FROM disclosures d JOIN cases c ON c.id = d.case_id
         WHERE d.state <> 'pending' ORDER BY d.decided_at DESC, d.id LIMIT ?1"
    ))?;
    rows.extend(
        stmt.query_map([decided], disclosure)?
            .collect::<Result<Vec<_>, _>>()?,
    );
    Ok(rows)
}

pub fn get(store: &Store, id: &str) -> Result<Option<DisclosureRow>, StoreError> {
    let conn = store.reader()?;
    Ok(conn
        .query_row(
            &format!(
                "SELECT {DISCLOSURE} FROM disclosures d JOIN cases c ON c.id = d.case_id
                 WHERE d.id = ?1"
            ),
            [id],
            disclosure,
        )
        .optional()?)
}

/// Decides a pending request: with `grant`, approves it and grants the identity key to the
/// requester, in one transaction with the audit entry. `false` when it was decided meanwhile
/// or the grant could not go in (the requester lost the case, was disabled or re-keyed).
pub fn decide(
    store: &Store,
    request: &DisclosureRow,
    custodian_id: &str,
    grant: Option<&NewIdentityGrant>,
    key: &AuditKey,
    event: &Event,
    at: i64,
) -> Result<bool, StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let n = tx.execute(
        "UPDATE disclosures SET state = ?2, decided_by = ?3, decided_at = ?4
         WHERE id = ?1 AND state = 'pending'",
        params![
            request.id,
            if grant.is_some() {
                "approved"
            } else {
                "denied"
            },
            custodian_id,
            at
        ],
    )?;
    if n != 1 {
        return Ok(false);
    }
    if let Some(grant) = grant {
        if !insert_grant(&tx, &request.case_id, grant, super::day(at))? {
            return Ok(false);
        }
    }
    audit::append(&tx, key, event, at)?;
    tx.commit()?;
    Ok(true)
}
