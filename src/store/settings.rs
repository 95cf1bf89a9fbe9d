//! The `settings` table: installation-wide switches an admin changes at run time.

use rusqlite::{params, OptionalExtension};

use super::{audit, Store, StoreError};
use crate::audit::{AuditKey, Event};

pub fn get(store: &Store, key: &str) -> Result<Option<String>, StoreError> {
    let conn = store.reader()?;
    Ok(conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

pub fn set(
    store: &Store,
    key: &str,
    value: &str,
    audit_key: &AuditKey,
    event: &Event,
    at: i64,
) -> Result<(), StoreError> {
    audit::audited(store, audit_key, event, at, |tx| put(tx, key, value))
}

/// Sets a setting inside a transaction the caller audits.
pub fn put(tx: &rusqlite::Transaction<'_>, key: &str, value: &str) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}
