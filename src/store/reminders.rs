//! The `reminders` and `digests` tables: which deadline reminders and daily digests went out.

use rusqlite::params;

use super::outbox::{self, NewMail};
use super::{Store, StoreError};
use crate::store::cases::NO_DEADLINE;

/// An open case with a deadline before some time.
pub struct DueCase {
    pub id: String,
    pub channel_id: String,
    /// The UTC day it arrived.
    pub received_at: i64,
    pub due_at: i64,
    pub assigned_officer_id: Option<String>,
}

/// Open cases whose next deadline falls before `until` (the `cases_due` index walks them).
pub fn due_before(store: &Store, until: i64) -> Result<Vec<DueCase>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare(
        "SELECT id, channel_id, next_due_at, assigned_officer_id, received_at FROM cases
         WHERE next_due_at < ?1 AND next_due_at <> ?2 AND status <> 'closed'
         ORDER BY next_due_at",
    )?;
    let rows = stmt
        .query_map(params![until, NO_DEADLINE], |r| {
            Ok(DueCase {
                id: r.get(0)?,
                channel_id: r.get(1)?,
                due_at: r.get(2)?,
                assigned_officer_id: r.get(3)?,
                received_at: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Which (case, deadline, stage) reminders were sent already, among `cases`.
pub fn sent(store: &Store, case_id: &str, due_at: i64, stage: &str) -> Result<bool, StoreError> {
    let conn = store.reader()?;
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM reminders WHERE case_id = ?1 AND due_at = ?2 AND stage = ?3)",
        params![case_id, due_at, stage],
        |r| r.get(0),
    )?)
}

/// Records a reminder and queues its mails, once: `false` if it was recorded already.
pub fn queue(
    store: &Store,
    case_id: &str,
    due_at: i64,
    stage: &str,
    mails: &[NewMail],
    at: i64,
) -> Result<bool, StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction()?;
    let fresh = tx.execute(
        "INSERT OR IGNORE INTO reminders (case_id, due_at, stage) VALUES (?1, ?2, ?3)",
        params![case_id, due_at, stage],
    )? == 1;
    if fresh {
        for mail in mails {
            outbox::insert(&tx, mail, at)?;
        }
        tx.commit()?;
    }
    Ok(fresh)
}

/// (open, overdue) cases `officer_id` holds a grant for.
pub fn counts(store: &Store, officer_id: &str, now: i64) -> Result<(i64, i64), StoreError> {
    let conn = store.reader()?;
    Ok(conn.query_row(
        "SELECT COUNT(*), COALESCE(SUM(c.next_due_at < ?2), 0) FROM cases c
         JOIN grants g ON g.case_id = c.id AND g.officer_id = ?1 AND g.key = 'case'
         WHERE c.status <> 'closed'",
        params![officer_id, now],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// Records today's digest for an officer and queues it, once a day: `false` if it went today.
pub fn queue_digest(
    store: &Store,
    officer_id: &str,
    day: i64,
    mail: &NewMail,
    at: i64,
) -> Result<bool, StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction()?;
    let fresh = tx.execute(
        "INSERT INTO digests (officer_id, day) VALUES (?1, ?2)
         ON CONFLICT (officer_id) DO UPDATE SET day = excluded.day WHERE digests.day < excluded.day",
        params![officer_id, day],
    )? == 1;
    if fresh {
        outbox::insert(&tx, mail, at)?;
        tx.commit()?;
    }
    Ok(fresh)
}
