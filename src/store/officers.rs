//! The `officers` and `officer_channels` tables.

use rusqlite::{params, OptionalExtension, Row};

use super::{Store, StoreError};

pub struct NewOfficer {
    pub id: String,
    pub email: String,
    pub name: String,
    pub is_admin: bool,
    /// `None`: every channel, including channels added later.
    pub channels: Option<Vec<String>>,
    pub password_hash: String,
    pub public_key: String,
    pub sealed_key: Vec<u8>,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct OfficerRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub is_admin: bool,
    pub channels: Option<Vec<String>>,
    pub public_key: String,
    pub disabled: bool,
    pub created_at: i64,
}

const COLUMNS: &str = "id, email, name, is_admin, all_channels, public_key, disabled, created_at";

fn row(r: &Row<'_>) -> rusqlite::Result<(OfficerRow, bool)> {
    Ok((
        OfficerRow {
            id: r.get(0)?,
            email: r.get(1)?,
            name: r.get(2)?,
            is_admin: r.get(3)?,
            channels: None,
            public_key: r.get(5)?,
            disabled: r.get(6)?,
            created_at: r.get(7)?,
        },
        r.get(4)?,
    ))
}

pub fn insert(store: &Store, officer: &NewOfficer) -> Result<(), StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction()?;
    let taken: Option<String> = tx
        .query_row(
            "SELECT id FROM officers WHERE email = ?1",
            [&officer.email],
            |r| r.get(0),
        )
        .optional()?;
    if taken.is_some() {
        return Err(StoreError::Conflict("an officer with this email"));
    }
    tx.execute(
        "INSERT INTO officers (id, email, name, is_admin, all_channels, password_hash,
                               public_key, sealed_key, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            officer.id,
            officer.email,
            officer.name,
            officer.is_admin,
            officer.channels.is_none(),
            officer.password_hash,
            officer.public_key,
            officer.sealed_key,
            officer.created_at
        ],
    )?;
    for channel in officer.channels.iter().flatten() {
        tx.execute(
            "INSERT OR IGNORE INTO officer_channels (officer_id, channel_id) VALUES (?1, ?2)",
            params![officer.id, channel],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// Every officer, enabled or not, ordered by name.
pub fn list(store: &Store) -> Result<Vec<OfficerRow>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM officers ORDER BY name COLLATE NOCASE, email"
    ))?;
    let rows = stmt.query_map([], row)?.collect::<Result<Vec<_>, _>>()?;
    let mut members = conn.prepare(
        "SELECT channel_id FROM officer_channels WHERE officer_id = ?1 ORDER BY channel_id",
    )?;
    rows.into_iter()
        .map(|(mut officer, all)| {
            if !all {
                officer.channels = Some(
                    members
                        .query_map([&officer.id], |r| r.get(0))?
                        .collect::<Result<Vec<String>, _>>()?,
                );
            }
            Ok(officer)
        })
        .collect()
}

/// Enabled officers who handle `channel_id`.
pub fn for_channel(store: &Store, channel_id: &str) -> Result<Vec<OfficerRow>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM officers o
         WHERE disabled = 0 AND (all_channels = 1 OR EXISTS (
             SELECT 1 FROM officer_channels m WHERE m.officer_id = o.id AND m.channel_id = ?1))
         ORDER BY name COLLATE NOCASE, email"
    ))?;
    let rows = stmt
        .query_map([channel_id], |r| row(r).map(|(o, _)| o))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The password hash and sealed key of an enabled officer, by email.
pub fn credentials(
    store: &Store,
    email: &str,
) -> Result<Option<(String, String, Vec<u8>)>, StoreError> {
    let conn = store.reader()?;
    Ok(conn
        .query_row(
            "SELECT id, password_hash, sealed_key FROM officers WHERE email = ?1 AND disabled = 0",
            [email],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}
