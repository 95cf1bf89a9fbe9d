//! The `audit_log` table. Appends happen inside the caller's transaction, so an action and its
//! record commit together or not at all.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{Store, StoreError};
use crate::audit::{chain_digest, detail_digest, Actor, AuditKey, Chained, Entry, Event};

/// The `settings` key that, while present, lets the start-up re-chain rewrite the log (the
/// append-only trigger checks for it; migration 0007 sets it).
const RECHAIN_PENDING: &str = "audit_rechain";

/// Appends `event` within the open transaction on `conn`. What a submitter does is recorded
/// with its day only, like every other time of theirs kept in clear.
pub fn append(conn: &Connection, key: &AuditKey, event: &Event, at: i64) -> Result<(), StoreError> {
    let at = if event.actor == Actor::Submitter {
        super::day(at)
    } else {
        at
    };
    let last: Option<(i64, Vec<u8>)> = conn
        .query_row(
            "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (previous, id) = match last {
        Some((id, hash)) => (hash, id + 1),
        None => (Vec::new(), 1),
    };
    let digest = detail_digest(key, &event.detail);
    let hash = chain_digest(
        key,
        &previous,
        &Chained {
            id,
            at,
            actor: event.actor.as_str(),
            officer_id: event.officer_id.as_deref(),
            action: event.action,
            case_id: event.case_id.as_deref(),
            detail_digest: &digest,
        },
    );
    conn.execute(
        "INSERT INTO audit_log (id, at, actor, officer_id, action, case_id, detail, detail_digest,
                               hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            id,
            at,
            event.actor.as_str(),
            event.officer_id,
            event.action,
            event.case_id,
            event.detail,
            digest,
            hash
        ],
    )?;
    Ok(())
}

/// Removes the detail of every entry about `case_id` (its digest, which the chain covers,
/// stays), within the caller's transaction. Run when a case is deleted: the log keeps that
/// something was done and when, not what it said about the case.
pub(crate) fn forget_case(conn: &Connection, case_id: &str) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE audit_log SET detail = ''
         WHERE case_id = ?1 AND detail <> '' AND detail_digest IS NOT NULL",
        [case_id],
    )?;
    Ok(())
}

/// Runs `change` and records `event` in one transaction: both commit, or neither.
pub fn audited<T>(
    store: &Store,
    key: &AuditKey,
    event: &Event,
    at: i64,
    change: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction()?;
    let out = change(&tx)?;
    append(&tx, key, event, at)?;
    tx.commit()?;
    Ok(out)
}

/// Appends `event` in a transaction of its own.
pub fn record(store: &Store, key: &AuditKey, event: &Event, at: i64) -> Result<(), StoreError> {
    audited(store, key, event, at, |_| Ok(()))
}

const COLUMNS: &str = "id, at, actor, officer_id, action, case_id, detail, detail_digest, hash";

fn entry(r: &Row<'_>) -> rusqlite::Result<Entry> {
    Ok(Entry {
        id: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        officer_id: r.get(3)?,
        action: r.get(4)?,
        case_id: r.get(5)?,
        detail: r.get(6)?,
        detail_digest: r.get(7)?,
        hash: r.get(8)?,
    })
}

/// Every entry, oldest first.
pub fn all(store: &Store) -> Result<Vec<Entry>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY id"))?;
    let rows = stmt.query_map([], entry)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The highest id ever given to an entry (0 if none), as SQLite's AUTOINCREMENT keeps it.
pub fn highest_issued(store: &Store) -> Result<i64, StoreError> {
    let conn = store.reader()?;
    Ok(conn
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

/// A case's entries, oldest first.
pub fn for_case(store: &Store, case_id: &str) -> Result<Vec<Entry>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM audit_log WHERE case_id = ?1 ORDER BY id"
    ))?;
    let rows = stmt
        .query_map([case_id], entry)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// What the start-up re-chain of a log written before detail digests did.
#[derive(Debug, PartialEq, Eq)]
pub enum Rechain {
    /// Nothing to do: no such log, or done before.
    NotNeeded,
    /// Every entry verified as it was, then was re-chained over its detail's digest.
    Done(u64),
    /// The old chain does not hold from this entry on: the log is left as it was, so
    /// `sealbox audit verify` still shows where. New entries are chained onto it.
    Broken(crate::audit::Broken),
}

/// Brings a log from before migration 0007 to the current form, once, in one transaction:
/// verifies it as it was written and, if it holds, cuts submitters' times to the day, stores
/// each detail's digest and re-chains every entry over it. A log that does not verify is left
/// alone (re-chaining would hide what was done to it).
pub fn rechain(store: &Store, key: &AuditKey) -> Result<Rechain, StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let pending = tx
        .query_row(
            "SELECT 1 FROM settings WHERE key = ?1",
            [RECHAIN_PENDING],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if !pending {
        return Ok(Rechain::NotNeeded);
    }
    let entries = {
        let mut stmt = tx.prepare(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY id"))?;
        let rows = stmt.query_map([], entry)?.collect::<Result<Vec<_>, _>>()?;
        rows
    };
    let highest: i64 = tx
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0);
    // Every case still exists at this point (details were never removed before digests).
    let outcome = match crate::audit::verify(key, entries.clone(), highest, |_| true) {
        Err(broken) => Rechain::Broken(broken),
        Ok(count) => {
            let mut previous = Vec::new();
            let mut update = tx.prepare(
                "UPDATE audit_log SET at = ?2, detail_digest = ?3, hash = ?4 WHERE id = ?1",
            )?;
            for mut e in entries {
                if e.actor == Actor::Submitter.as_str() {
                    e.at = super::day(e.at);
                }
                let digest = detail_digest(key, &e.detail);
                let hash = chain_digest(
                    key,
                    &previous,
                    &Chained {
                        id: e.id,
                        at: e.at,
                        actor: &e.actor,
                        officer_id: e.officer_id.as_deref(),
                        action: &e.action,
                        case_id: e.case_id.as_deref(),
                        detail_digest: &digest,
                    },
                );
                update.execute(params![e.id, e.at, digest, hash])?;
                previous = hash;
            }
            Rechain::Done(count)
        }
    };
    tx.execute("DELETE FROM settings WHERE key = ?1", [RECHAIN_PENDING])?;
    tx.commit()?;
    Ok(outcome)
}
