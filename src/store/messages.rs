//! The `messages` table: the thread between submitter and officers, each message an age file.

use rusqlite::params;

use super::files::NewFile;
use super::outbox::{self, NewMail};
use super::{audit, Store, StoreError};
use crate::audit::{AuditKey, Event};

#[derive(Debug, Clone)]
pub struct MessageRow {
    pub author: String,
    pub officer_id: Option<String>,
    pub sealed: Vec<u8>,
    pub created_at: i64,
}

/// Which thread of a case: the one with the submitter, or the officers' internal notes.
#[derive(Debug, Clone, Copy)]
pub enum Thread {
    Messages,
    Notes,
}

impl Thread {
    fn table(self) -> &'static str {
        match self {
            Thread::Messages => "messages",
            Thread::Notes => "notes",
        }
    }
}

/// A new entry of a thread.
pub struct NewPost<'a> {
    pub case_id: &'a str,
    pub thread: Thread,
    /// `submitter` or `officer` (messages only).
    pub author: &'a str,
    pub officer_id: Option<&'a str>,
    /// The text; `None` for a post of attachments only.
    pub sealed: Option<&'a [u8]>,
    /// Attachments posted with it, their blobs written and synced.
    pub files: &'a [NewFile],
    /// A status move made with the post if the case is still in its `from` status.
    pub status_move: Option<StatusMove>,
    /// Alerts to officers, queued with it.
    pub alerts: Vec<NewMail>,
}

/// A move from one status to another, and the audit entry that records it.
pub struct StatusMove {
    pub from: super::vocabulary::Status,
    pub to: super::vocabulary::Status,
    pub event: Event,
}

/// Appends to a thread (text, attachments or both), marks the case updated, and records it,
/// atomically. A message and the case's `updated_at` keep the day only (the exact time is
/// sealed with the text); a note, which only officers write and read, keeps its exact time.
pub fn insert(
    store: &Store,
    post: &NewPost<'_>,
    key: &AuditKey,
    events: &[Event],
    at: i64,
) -> Result<(), StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction()?;
    if let Some(sealed) = post.sealed {
        match post.thread {
            Thread::Messages => tx.execute(
                "INSERT INTO messages (case_id, author, officer_id, sealed, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    post.case_id,
                    post.author,
                    post.officer_id,
                    sealed,
                    super::day(at)
                ],
            )?,
            Thread::Notes => tx.execute(
                "INSERT INTO notes (case_id, officer_id, sealed, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![post.case_id, post.officer_id, sealed, at],
            )?,
        };
    }
    if matches!(post.thread, Thread::Messages) && post.author == "officer" {
        // Writing to the reporter is how a request to talk is answered.
        super::records::answer_meetings(&tx, post.case_id, at)?;
    }
    super::files::insert_all(&tx, post.case_id, post.files, at)?;
    super::cases::touch(&tx, post.case_id, at)?;
    for event in events {
        audit::append(&tx, key, event, at)?;
    }
    for mail in &post.alerts {
        outbox::insert(&tx, mail, at)?;
    }
    if let Some(change) = &post.status_move {
        let moved = tx.execute(
            "UPDATE cases SET status = ?3 WHERE id = ?1 AND status = ?2",
            params![post.case_id, change.from, change.to],
        )?;
        if moved == 1 {
            audit::append(&tx, key, &change.event, at)?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// A thread of a case, oldest first.
pub fn list(store: &Store, case_id: &str, thread: Thread) -> Result<Vec<MessageRow>, StoreError> {
    let conn = store.reader()?;
    let author = match thread {
        Thread::Messages => "author",
        Thread::Notes => "'officer'",
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT {author}, officer_id, sealed, created_at FROM {} WHERE case_id = ?1 ORDER BY id",
        thread.table()
    ))?;
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
