//! The `messages` table: the thread between submitter and officers, each message an age file.

use rusqlite::params;

use super::{Store, StoreError};

#[derive(Debug, Clone)]
pub struct MessageRow {
    pub author: String,
    pub officer_id: Option<String>,
    pub sealed: Vec<u8>,
    pub created_at: i64,
}

/// Appends a message and marks the case updated, atomically.
pub fn insert(
    store: &Store,
    case_id: &str,
    author: &str,
    officer_id: Option<&str>,
    sealed: &[u8],
    at: i64,
) -> Result<(), StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO messages (case_id, author, officer_id, sealed, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![case_id, author, officer_id, sealed, at],
    )?;
    tx.execute(
        "UPDATE cases SET updated_at = ?2 WHERE id = ?1",
        params![case_id, at],
    )?;
    tx.commit()?;
    Ok(())
}

pub fn list(store: &Store, case_id: &str) -> Result<Vec<MessageRow>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare(
        "SELECT author, officer_id, sealed, created_at FROM messages
         WHERE case_id = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([case_id], |r| {
            Ok(MessageRow {
                author: r.get(0)?,
                officer_id: r.get(1)?,
                sealed: r.get(2)?,
                created_at: r.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
