//! The `audit_log` table. Appends happen inside the caller's transaction, so an action and its
//! record commit together or not at all.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{Store, StoreError};
use crate::audit::{chain, AuditKey, Entry, Event};

/// Appends `event` within the open transaction on `conn`.
pub fn append(conn: &Connection, key: &AuditKey, event: &Event, at: i64) -> Result<(), StoreError> {
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
    let hash = chain(
        key,
        &previous,
        id,
        at,
        event.actor.as_str(),
        event.officer_id.as_deref(),
        event.action,
        event.case_id.as_deref(),
        &event.detail,
    );
    conn.execute(
        "INSERT INTO audit_log (id, at, actor, officer_id, action, case_id, detail, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            at,
            event.actor.as_str(),
            event.officer_id,
            event.action,
            event.case_id,
            event.detail,
            hash
        ],
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

const COLUMNS: &str = "id, at, actor, officer_id, action, case_id, detail, hash";

fn entry(r: &Row<'_>) -> rusqlite::Result<Entry> {
    Ok(Entry {
        id: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        officer_id: r.get(3)?,
        action: r.get(4)?,
        case_id: r.get(5)?,
        detail: r.get(6)?,
        hash: r.get(7)?,
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
