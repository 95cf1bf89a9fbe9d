//! Triage columns of `cases` (category, priority) and the `case_links` table. Who may set or
//! see them is decided in `cases::triage`.

use rusqlite::params;

use super::vocabulary::Priority;
use super::{audit, Store, StoreError};
use crate::audit::{AuditKey, Event};

/// Sets a case's category and priority, and records it.
#[allow(clippy::too_many_arguments)]
pub fn set(
    store: &Store,
    case_id: &str,
    category: Option<&str>,
    priority: Priority,
    key: &AuditKey,
    event: &Event,
    at: i64,
) -> Result<(), StoreError> {
    audit::audited(store, key, event, at, |tx| {
        tx.execute(
            "UPDATE cases SET category = ?2, priority = ?3 WHERE id = ?1",
            params![case_id, category, priority],
        )?;
        super::cases::touch(tx, case_id, at)?;
        Ok(())
    })
}

/// Links two cases, once (`false` if they were linked already); both entries of the audit
/// log go in with it.
pub fn link(
    store: &Store,
    one: &str,
    other: &str,
    officer_id: &str,
    key: &AuditKey,
    events: &[Event],
    at: i64,
) -> Result<bool, StoreError> {
    let (a, b) = if one < other {
        (one, other)
    } else {
        (other, one)
    };
    let mut conn = store.writer();
    let tx = conn.transaction()?;
    let n = tx.execute(
        "INSERT OR IGNORE INTO case_links (a, b, officer_id, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![a, b, officer_id, at],
    )?;
    if n == 1 {
        for event in events {
            audit::append(&tx, key, event, at)?;
        }
        tx.commit()?;
    }
    Ok(n == 1)
}

/// The cases linked to `case_id`: (id, number), by number.
pub fn links_of(store: &Store, case_id: &str) -> Result<Vec<(String, i64)>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.number FROM case_links l
         JOIN cases c ON c.id = CASE WHEN l.a = ?1 THEN l.b ELSE l.a END
         WHERE l.a = ?1 OR l.b = ?1
         ORDER BY c.number",
    )?;
    let rows = stmt
        .query_map([case_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
