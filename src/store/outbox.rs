//! The `outbox` table: mail waiting to be sent.

use rusqlite::{params, Connection};

use super::{Store, StoreError};

/// A sealed mail to queue.
pub struct NewMail {
    pub message_id: String,
    pub kind: &'static str,
    pub case_id: Option<String>,
    pub officer_id: Option<String>,
    pub sealed: Vec<u8>,
    pub not_before: i64,
    /// Kinds of mail for the same case that this one replaces while they are still queued.
    pub replaces: &'static [&'static str],
}

pub struct QueuedMail {
    pub id: i64,
    pub message_id: String,
    pub kind: String,
    pub sealed: Vec<u8>,
    pub attempts: i64,
}

/// Queues a mail within the caller's transaction. `created_at` keeps the day only: a mail is
/// often caused by a submitter. `not_before` stays exact (after the random alert delay) for as
/// long as the mail waits; the row is deleted once sent.
pub fn insert(conn: &Connection, mail: &NewMail, at: i64) -> Result<(), StoreError> {
    if let Some(case_id) = mail
        .case_id
        .as_deref()
        .filter(|_| !mail.replaces.is_empty())
    {
        // Only mails still waiting out their delay: a due one may be on its way already (and
        // its row id, once deleted, could be given to this one).
        let mut delete = conn.prepare_cached(
            "DELETE FROM outbox WHERE case_id = ?1 AND kind = ?2 AND not_before > ?3",
        )?;
        for kind in mail.replaces {
            delete.execute(params![case_id, kind, at])?;
        }
    }
    let at = super::day(at);
    conn.execute(
        "INSERT INTO outbox (message_id, kind, case_id, officer_id, sealed, not_before,
                             created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            mail.message_id,
            mail.kind,
            mail.case_id,
            mail.officer_id,
            mail.sealed,
            mail.not_before,
            at
        ],
    )?;
    Ok(())
}

/// Queues a mail in a transaction of its own.
pub fn queue(store: &Store, mail: &NewMail, at: i64) -> Result<(), StoreError> {
    insert(&store.writer(), mail, at)
}

/// Mails due at `now`, oldest first.
pub fn due(store: &Store, now: i64, limit: i64) -> Result<Vec<QueuedMail>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare(
        "SELECT id, message_id, kind, sealed, attempts FROM outbox
         WHERE not_before <= ?1 ORDER BY not_before, id LIMIT ?2",
    )?;
    let rows = stmt
        .query_map(params![now, limit], |r| {
            Ok(QueuedMail {
                id: r.get(0)?,
                message_id: r.get(1)?,
                kind: r.get(2)?,
                sealed: r.get(3)?,
                attempts: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The mail was taken by the server: it (and the address in it) goes.
pub fn sent(store: &Store, id: i64) -> Result<(), StoreError> {
    store
        .writer()
        .execute("DELETE FROM outbox WHERE id = ?1", [id])?;
    Ok(())
}

pub fn retry(store: &Store, id: i64, not_before: i64, error: &str) -> Result<(), StoreError> {
    store.writer().execute(
        "UPDATE outbox SET attempts = attempts + 1, not_before = ?2, last_error = ?3 WHERE id = ?1",
        params![id, not_before, error],
    )?;
    Ok(())
}

/// How many mails wait.
pub fn pending(store: &Store) -> Result<i64, StoreError> {
    let conn = store.reader()?;
    Ok(conn.query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))?)
}

/// Withdraws the mail of these kinds still queued for a case.
pub fn withdraw(conn: &Connection, case_id: &str, kinds: &[&str]) -> Result<(), StoreError> {
    let mut delete = conn.prepare_cached("DELETE FROM outbox WHERE case_id = ?1 AND kind = ?2")?;
    for kind in kinds {
        delete.execute(params![case_id, kind])?;
    }
    Ok(())
}
