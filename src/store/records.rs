//! The `records`, `record_versions`, `record_comments` and `meeting_requests` tables: what an
//! officer wrote down of an oral report, the reporter's answers to it, and requests to talk.
//! Texts are age files; who may write what is decided in `cases::records`.

use rusqlite::{params, OptionalExtension, Transaction};

use super::outbox::{self, NewMail};
use super::vocabulary::{MeetingKind, RecordKind, RecordState};
use super::{audit, Store, StoreError};
use crate::audit::{AuditKey, Event};

/// A record with all its versions and the reporter's comments, oldest first.
#[derive(Debug, Clone)]
pub struct RecordRow {
    pub id: String,
    pub kind: RecordKind,
    pub state: RecordState,
    pub approved_version: Option<i64>,
    pub approved_sha256: Option<String>,
    pub created_at: i64,
    pub versions: Vec<VersionRow>,
    pub comments: Vec<CommentRow>,
}

#[derive(Debug, Clone)]
pub struct VersionRow {
    pub version: i64,
    pub officer_id: Option<String>,
    pub sealed: Vec<u8>,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct CommentRow {
    /// The version the comment is about.
    pub version: i64,
    pub sealed: Vec<u8>,
    pub created_at: i64,
}

/// What became of a change to a record.
#[derive(Debug, PartialEq, Eq)]
pub enum Change {
    /// Done; the version it made or was about.
    Done(i64),
    /// The case has no record of that id.
    NoSuchRecord,
    /// It was approved: it never changes again.
    Approved,
    /// A newer version came in meanwhile: what was read is no longer the latest.
    Moved,
}

/// A new record of a case, its first version by `officer_id`.
#[allow(clippy::too_many_arguments)]
pub fn insert(
    store: &Store,
    case_id: &str,
    record_id: &str,
    kind: RecordKind,
    officer_id: &str,
    sealed: &[u8],
    key: &AuditKey,
    event: &Event,
    mails: &[NewMail],
    at: i64,
) -> Result<(), StoreError> {
    audit::audited(store, key, event, at, |tx| {
        tx.execute(
            "INSERT INTO records (id, case_id, kind, state, created_at)
             VALUES (?1, ?2, ?3, 'awaiting_approval', ?4)",
            params![record_id, case_id, kind, super::day(at)],
        )?;
        add_version(tx, record_id, 1, officer_id, sealed, at)?;
        super::cases::touch(tx, case_id, at)?;
        for mail in mails {
            outbox::insert(tx, mail, at)?;
        }
        Ok(())
    })
}

/// The state and latest version of a record of `case_id`, in the caller's transaction.
fn latest(
    tx: &Transaction<'_>,
    case_id: &str,
    record_id: &str,
) -> Result<Option<(RecordState, i64)>, StoreError> {
    Ok(tx
        .query_row(
            "SELECT r.state, (SELECT MAX(version) FROM record_versions v WHERE v.record_id = r.id)
             FROM records r WHERE r.id = ?1 AND r.case_id = ?2",
            params![record_id, case_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

fn add_version(
    tx: &Transaction<'_>,
    record_id: &str,
    version: i64,
    officer_id: &str,
    sealed: &[u8],
    at: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO record_versions (record_id, version, officer_id, sealed, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![record_id, version, officer_id, sealed, super::day(at)],
    )?;
    Ok(())
}

/// A new version of a record not approved yet; it awaits the reporter's approval again.
#[allow(clippy::too_many_arguments)]
pub fn revise(
    store: &Store,
    case_id: &str,
    record_id: &str,
    officer_id: &str,
    sealed: &[u8],
    key: &AuditKey,
    event: impl FnOnce(i64) -> Event,
    mails: &[NewMail],
    at: i64,
) -> Result<Change, StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let version = match latest(&tx, case_id, record_id)? {
        None => return Ok(Change::NoSuchRecord),
        Some((RecordState::Approved, _)) => return Ok(Change::Approved),
        Some((_, latest)) => latest + 1,
    };
    add_version(&tx, record_id, version, officer_id, sealed, at)?;
    tx.execute(
        "UPDATE records SET state = 'awaiting_approval' WHERE id = ?1",
        [record_id],
    )?;
    super::cases::touch(&tx, case_id, at)?;
    audit::append(&tx, key, &event(version), at)?;
    for mail in mails {
        outbox::insert(&tx, mail, at)?;
    }
    tx.commit()?;
    Ok(Change::Done(version))
}

/// The reporter approves `version`, which must still be the latest, with the digest of its
/// text. A reporter's act: its times keep the day only.
#[allow(clippy::too_many_arguments)]
pub fn approve(
    store: &Store,
    case_id: &str,
    record_id: &str,
    version: i64,
    sha256: &str,
    key: &AuditKey,
    event: &Event,
    at: i64,
) -> Result<Change, StoreError> {
    let at = super::day(at);
    let mut conn = store.writer();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    match latest(&tx, case_id, record_id)? {
        None => return Ok(Change::NoSuchRecord),
        Some((RecordState::Approved, _)) => return Ok(Change::Approved),
        Some((_, latest)) if latest != version => return Ok(Change::Moved),
        Some(_) => {}
    }
    tx.execute(
        "UPDATE records SET state = 'approved', approved_version = ?2, approved_sha256 = ?3
         WHERE id = ?1",
        params![record_id, version, sha256],
    )?;
    super::cases::touch(&tx, case_id, at)?;
    audit::append(&tx, key, event, at)?;
    tx.commit()?;
    Ok(Change::Done(version))
}

/// The reporter asks for corrections to the latest version. A reporter's act: the day only.
#[allow(clippy::too_many_arguments)]
pub fn comment(
    store: &Store,
    case_id: &str,
    record_id: &str,
    sealed: &[u8],
    key: &AuditKey,
    event: &Event,
    alerts: &[NewMail],
    at: i64,
) -> Result<Change, StoreError> {
    let at = super::day(at);
    let mut conn = store.writer();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let version = match latest(&tx, case_id, record_id)? {
        None => return Ok(Change::NoSuchRecord),
        Some((RecordState::Approved, _)) => return Ok(Change::Approved),
        Some((_, latest)) => latest,
    };
    tx.execute(
        "INSERT INTO record_comments (record_id, version, sealed, created_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![record_id, version, sealed, at],
    )?;
    tx.execute(
        "UPDATE records SET state = 'changes_requested' WHERE id = ?1",
        [record_id],
    )?;
    super::cases::touch(&tx, case_id, at)?;
    audit::append(&tx, key, event, at)?;
    for mail in alerts {
        outbox::insert(&tx, mail, at)?;
    }
    tx.commit()?;
    Ok(Change::Done(version))
}

/// Every record of a case with its versions and comments, oldest first.
pub fn list(store: &Store, case_id: &str) -> Result<Vec<RecordRow>, StoreError> {
    let conn = store.reader()?;
    let mut records = conn.prepare_cached(
        "SELECT id, kind, state, approved_version, approved_sha256, created_at
         FROM records WHERE case_id = ?1 ORDER BY created_at, rowid",
    )?;
    let mut versions = conn.prepare_cached(
        "SELECT version, officer_id, sealed, created_at FROM record_versions
         WHERE record_id = ?1 ORDER BY version",
    )?;
    let mut comments = conn.prepare_cached(
        "SELECT version, sealed, created_at FROM record_comments
         WHERE record_id = ?1 ORDER BY id",
    )?;
    let mut rows = records
        .query_map([case_id], |r| {
            Ok(RecordRow {
                id: r.get(0)?,
                kind: r.get(1)?,
                state: r.get(2)?,
                approved_version: r.get(3)?,
                approved_sha256: r.get(4)?,
                created_at: r.get(5)?,
                versions: Vec::new(),
                comments: Vec::new(),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for row in &mut rows {
        row.versions = versions
            .query_map([&row.id], |r| {
                Ok(VersionRow {
                    version: r.get(0)?,
                    officer_id: r.get(1)?,
                    sealed: r.get(2)?,
                    created_at: r.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        row.comments = comments
            .query_map([&row.id], |r| {
                Ok(CommentRow {
                    version: r.get(0)?,
                    sealed: r.get(1)?,
                    created_at: r.get(2)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
    }
    Ok(rows)
}

/// A reporter's request to talk.
#[derive(Debug, Clone)]
pub struct MeetingRow {
    pub id: i64,
    pub case_id: String,
    pub kind: MeetingKind,
    pub sealed: Vec<u8>,
    pub due_at: i64,
    pub answered_at: Option<i64>,
    pub reminded: Option<String>,
    pub created_at: i64,
}

const MEETING_COLUMNS: &str =
    "id, case_id, kind, sealed, due_at, answered_at, reminded, created_at";

fn meeting(r: &rusqlite::Row<'_>) -> rusqlite::Result<MeetingRow> {
    Ok(MeetingRow {
        id: r.get(0)?,
        case_id: r.get(1)?,
        kind: r.get(2)?,
        sealed: r.get(3)?,
        due_at: r.get(4)?,
        answered_at: r.get(5)?,
        reminded: r.get(6)?,
        created_at: r.get(7)?,
    })
}

/// Records a reporter's request to talk, with the alerts to its handlers. A reporter's act:
/// the day only.
#[allow(clippy::too_many_arguments)]
pub fn request_meeting(
    store: &Store,
    case_id: &str,
    kind: MeetingKind,
    sealed: &[u8],
    due_at: i64,
    key: &AuditKey,
    event: &Event,
    alerts: &[NewMail],
    at: i64,
) -> Result<(), StoreError> {
    let at = super::day(at);
    audit::audited(store, key, event, at, |tx| {
        tx.execute(
            "INSERT INTO meeting_requests (case_id, kind, sealed, due_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![case_id, kind, sealed, due_at, at],
        )?;
        super::cases::touch(tx, case_id, at)?;
        for mail in alerts {
            outbox::insert(tx, mail, at)?;
        }
        Ok(())
    })
}

/// A case's requests to talk, oldest first.
pub fn meetings(store: &Store, case_id: &str) -> Result<Vec<MeetingRow>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {MEETING_COLUMNS} FROM meeting_requests WHERE case_id = ?1 ORDER BY id"
    ))?;
    let rows = stmt
        .query_map([case_id], meeting)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Open requests of open cases due before `until`, soonest first.
pub fn meetings_due_before(store: &Store, until: i64) -> Result<Vec<MeetingRow>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {MEETING_COLUMNS} FROM meeting_requests m
         WHERE answered_at IS NULL AND due_at < ?1
           AND (reminded IS NULL OR reminded <> 'overdue')
           AND EXISTS (SELECT 1 FROM cases c WHERE c.id = m.case_id AND c.status <> 'closed')
         ORDER BY due_at"
    ))?;
    let rows = stmt
        .query_map([until], meeting)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Records that a request's reminder of `stage` went out, with its mails, once: `false` if it
/// had gone already.
pub fn remind_meeting(
    store: &Store,
    id: i64,
    stage: &str,
    mails: &[NewMail],
    at: i64,
) -> Result<bool, StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction()?;
    let n = tx.execute(
        "UPDATE meeting_requests SET reminded = ?2
         WHERE id = ?1 AND answered_at IS NULL AND reminded IS NOT ?2",
        params![id, stage],
    )?;
    if n == 1 {
        for mail in mails {
            outbox::insert(&tx, mail, at)?;
        }
        tx.commit()?;
    }
    Ok(n == 1)
}

/// An officer wrote to the reporter: their open requests to talk are answered.
pub(crate) fn answer_meetings(
    tx: &Transaction<'_>,
    case_id: &str,
    at: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE meeting_requests SET answered_at = ?2 WHERE case_id = ?1 AND answered_at IS NULL",
        params![case_id, at],
    )?;
    Ok(())
}
