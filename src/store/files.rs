//! The `files` table: one row per attachment, its name, type and size sealed (the content is a
//! blob under the data directory, see [`super::blobs`]).

use std::collections::HashSet;

use rusqlite::{params, Connection, OptionalExtension};

use super::cases::KeyKind;
use super::{Store, StoreError};

/// An attachment to record, its blob already written and synced.
pub struct NewFile {
    pub id: String,
    pub key: KeyKind,
    /// `submitter` or `officer`.
    pub author: &'static str,
    pub officer_id: Option<String>,
    pub sealed_meta: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct FileRow {
    pub id: String,
    pub key: KeyKind,
    pub author: String,
    pub officer_id: Option<String>,
    pub sealed_meta: Vec<u8>,
    pub created_at: i64,
}

/// Records attachments of a case, inside the caller's transaction. `created_at` keeps the day
/// only (the exact time is sealed in the file's facts).
pub(super) fn insert_all(
    conn: &Connection,
    case_id: &str,
    files: &[NewFile],
    at: i64,
) -> Result<(), StoreError> {
    let at = super::day(at);
    let mut stmt = conn.prepare(
        "INSERT INTO files (id, case_id, key, author, officer_id, sealed_meta, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for f in files {
        stmt.execute(params![
            f.id,
            case_id,
            f.key.as_str(),
            f.author,
            f.officer_id,
            f.sealed_meta,
            at
        ])?;
    }
    Ok(())
}

const COLUMNS: &str = "id, key, author, officer_id, sealed_meta, created_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<FileRow> {
    let key: String = r.get(1)?;
    Ok(FileRow {
        id: r.get(0)?,
        key: if key == "staff" {
            KeyKind::Staff
        } else {
            KeyKind::Case
        },
        author: r.get(2)?,
        officer_id: r.get(3)?,
        sealed_meta: r.get(4)?,
        created_at: r.get(5)?,
    })
}

/// A case's attachments, oldest first.
pub fn list(store: &Store, case_id: &str) -> Result<Vec<FileRow>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM files WHERE case_id = ?1 ORDER BY created_at, rowid"
    ))?;
    let rows = stmt
        .query_map([case_id], row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// One attachment of a case; `None` if the case has no such file.
pub fn get(store: &Store, case_id: &str, file_id: &str) -> Result<Option<FileRow>, StoreError> {
    let conn = store.reader()?;
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM files WHERE case_id = ?1 AND id = ?2"),
            [case_id, file_id],
            row,
        )
        .optional()?)
}

/// Attachments of a case, for deleting their blobs once the case is gone.
pub(super) fn ids_of_case(conn: &Connection, case_id: &str) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare("SELECT id FROM files WHERE case_id = ?1")?;
    let ids = stmt
        .query_map([case_id], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(ids)
}

/// Every attachment id: blobs named by none of them are strays.
pub fn all_ids(store: &Store) -> Result<HashSet<String>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare("SELECT id FROM files")?;
    let ids = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<HashSet<String>, _>>()?;
    Ok(ids)
}
