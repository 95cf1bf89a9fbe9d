//! The `officers` and `officer_channels` tables.

use rusqlite::{params, OptionalExtension, Row};

use super::{audit, Store, StoreError};
use crate::audit::{AuditKey, Event};

pub struct NewOfficer {
    pub id: String,
    pub email: String,
    pub name: String,
    pub is_admin: bool,
    /// May see reporters' identities and decide who else may.
    pub is_custodian: bool,
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
    pub is_custodian: bool,
    pub channels: Option<Vec<String>>,
    pub public_key: String,
    pub disabled: bool,
    pub created_at: i64,
    /// The language the officer chose for pages and mails (`en`, `pt-BR`, `de`); none: the
    /// browser's for pages, English for mails.
    pub language: Option<String>,
}

impl OfficerRow {
    /// The language of this officer's mails.
    pub fn lang(&self) -> crate::i18n::Lang {
        self.language
            .as_deref()
            .and_then(crate::i18n::Lang::parse)
            .unwrap_or_default()
    }
}

const COLUMNS: &str =
    "id, email, name, is_admin, all_channels, public_key, disabled, created_at, language,
     is_custodian";

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
            language: r.get(8)?,
            is_custodian: r.get(9)?,
        },
        r.get(4)?,
    ))
}

pub fn insert(
    store: &Store,
    officer: &NewOfficer,
    key: &AuditKey,
    event: &Event,
) -> Result<(), StoreError> {
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
                               public_key, sealed_key, created_at, is_custodian)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            officer.id,
            officer.email,
            officer.name,
            officer.is_admin,
            officer.channels.is_none(),
            officer.password_hash,
            officer.public_key,
            officer.sealed_key,
            officer.created_at,
            officer.is_custodian
        ],
    )?;
    for channel in officer.channels.iter().flatten() {
        tx.execute(
            "INSERT OR IGNORE INTO officer_channels (officer_id, channel_id) VALUES (?1, ?2)",
            params![officer.id, channel],
        )?;
    }
    audit::append(&tx, key, event, officer.created_at)?;
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

/// What signing in needs to know about an officer.
#[derive(Clone)]
pub struct Credentials {
    pub id: String,
    pub name: String,
    pub email: String,
    pub is_admin: bool,
    pub is_custodian: bool,
    pub disabled: bool,
    pub password_hash: String,
    pub public_key: String,
    pub sealed_key: Vec<u8>,
    pub totp_sealed: Option<Vec<u8>>,
}

const CREDENTIALS: &str =
    "id, name, email, is_admin, disabled, password_hash, public_key, sealed_key, totp_sealed,
     is_custodian";

fn credentials_row(r: &Row<'_>) -> rusqlite::Result<Credentials> {
    Ok(Credentials {
        id: r.get(0)?,
        name: r.get(1)?,
        email: r.get(2)?,
        is_admin: r.get(3)?,
        is_custodian: r.get(9)?,
        disabled: r.get(4)?,
        password_hash: r.get(5)?,
        public_key: r.get(6)?,
        sealed_key: r.get(7)?,
        totp_sealed: r.get(8)?,
    })
}

pub fn credentials_by_email(store: &Store, email: &str) -> Result<Option<Credentials>, StoreError> {
    let conn = store.reader()?;
    Ok(conn
        .query_row(
            &format!("SELECT {CREDENTIALS} FROM officers WHERE email = ?1"),
            [email],
            credentials_row,
        )
        .optional()?)
}

pub fn credentials(store: &Store, id: &str) -> Result<Option<Credentials>, StoreError> {
    let conn = store.reader()?;
    Ok(conn
        .query_row(
            &format!("SELECT {CREDENTIALS} FROM officers WHERE id = ?1"),
            [id],
            credentials_row,
        )
        .optional()?)
}

/// An officer's standing now: what every authenticated request re-checks, so a session cannot
/// outlive a disable, a password reset (a new key), a lost admin role or a new 2FA duty.
pub struct Standing {
    pub disabled: bool,
    pub is_admin: bool,
    pub is_custodian: bool,
    pub public_key: String,
    pub has_totp: bool,
    pub totp_required: bool,
    pub language: Option<String>,
}

pub fn standing(store: &Store, id: &str) -> Result<Option<Standing>, StoreError> {
    let conn = store.reader()?;
    Ok(conn
        .query_row(
            "SELECT disabled, is_admin, public_key, totp_sealed IS NOT NULL,
                    COALESCE((SELECT value = '1' FROM settings WHERE key = 'require_totp'), 0),
                    language,
                    is_custodian
             FROM officers WHERE id = ?1",
            [id],
            |r| {
                Ok(Standing {
                    disabled: r.get(0)?,
                    is_admin: r.get(1)?,
                    public_key: r.get(2)?,
                    has_totp: r.get(3)?,
                    totp_required: r.get(4)?,
                    language: r.get(5)?,
                    is_custodian: r.get(6)?,
                })
            },
        )
        .optional()?)
}

/// Sets (or with `None` clears) the language an officer chose.
pub fn set_language(store: &Store, id: &str, language: Option<&str>) -> Result<(), StoreError> {
    store.writer().execute(
        "UPDATE officers SET language = ?2 WHERE id = ?1",
        params![id, language],
    )?;
    Ok(())
}

/// Marks a TOTP time step used; `false` if it (or a later one) was used already, so a code is
/// never accepted twice, even by two sign-ins racing.
pub fn use_totp_step(store: &Store, id: &str, step: i64) -> Result<bool, StoreError> {
    let n = store.writer().execute(
        "UPDATE officers SET totp_last_step = ?2 WHERE id = ?1 AND totp_last_step < ?2",
        params![id, step],
    )?;
    Ok(n == 1)
}

/// Stores (or with `None` removes) the sealed TOTP secret.
pub fn set_totp(
    store: &Store,
    id: &str,
    sealed: Option<&[u8]>,
    step: i64,
    key: &AuditKey,
    event: &Event,
    at: i64,
) -> Result<(), StoreError> {
    audit::audited(store, key, event, at, |tx| {
        tx.execute(
            "UPDATE officers SET totp_sealed = ?2, totp_last_step = ?3 WHERE id = ?1",
            params![id, sealed, step],
        )?;
        Ok(())
    })
}

/// The same key sealed to a new password (the officer knew the old one). Applied only if the
/// key and hash are still those the change was made from; `false` if a reset came between.
#[allow(clippy::too_many_arguments)]
pub fn set_password(
    store: &Store,
    id: &str,
    old: (&str, &str),
    password_hash: &str,
    sealed_key: &[u8],
    key: &AuditKey,
    event: &Event,
    at: i64,
) -> Result<bool, StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction()?;
    let n = tx.execute(
        "UPDATE officers SET password_hash = ?2, sealed_key = ?3
         WHERE id = ?1 AND public_key = ?4 AND password_hash = ?5",
        params![id, password_hash, sealed_key, old.0, old.1],
    )?;
    if n == 1 {
        audit::append(&tx, key, event, at)?;
        tx.commit()?;
    }
    Ok(n == 1)
}

/// A replacement key for an officer.
pub struct NewKey<'a> {
    pub password_hash: &'a str,
    pub public_key: &'a str,
    pub sealed_key: &'a [u8],
}

/// A new key for an officer whose password was reset: every grant to the old key and the TOTP
/// secret sealed to it are unreadable now, so they go.
/// Returns the numbers of the cases whose grants were dropped.
pub fn replace_key(
    store: &Store,
    id: &str,
    new: &NewKey<'_>,
    key: &AuditKey,
    event: &Event,
    at: i64,
) -> Result<Vec<i64>, StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let dropped = tx
        .prepare(
            "SELECT c.number FROM cases c JOIN grants g ON g.case_id = c.id
             WHERE g.officer_id = ?1 AND g.key = 'case' ORDER BY c.number",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    tx.execute(
        "UPDATE officers SET password_hash = ?2, public_key = ?3, sealed_key = ?4,
             totp_sealed = NULL WHERE id = ?1",
        params![id, new.password_hash, new.public_key, new.sealed_key],
    )?;
    tx.execute("DELETE FROM grants WHERE officer_id = ?1", [id])?;
    audit::append(&tx, key, event, at)?;
    tx.commit()?;
    Ok(dropped)
}

/// Disables (deleting every grant) or enables an officer.
pub fn set_disabled(
    store: &Store,
    id: &str,
    disabled: bool,
    key: &AuditKey,
    event: &Event,
    at: i64,
) -> Result<(), StoreError> {
    audit::audited(store, key, event, at, |tx| {
        tx.execute(
            "UPDATE officers SET disabled = ?2 WHERE id = ?1",
            params![id, disabled],
        )?;
        if disabled {
            tx.execute("DELETE FROM grants WHERE officer_id = ?1", [id])?;
            tx.execute("DELETE FROM outbox WHERE officer_id = ?1", [id])?;
        }
        Ok(())
    })
}

/// Sets channel membership (`None`: every channel) and deletes grants for cases outside it;
/// `revoked` describes that deletion for the audit log, in the same transaction.
pub fn set_channels(
    store: &Store,
    id: &str,
    channels: Option<&[String]>,
    key: &AuditKey,
    event: &Event,
    revoked_event: &Event,
    at: i64,
) -> Result<usize, StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction()?;
    tx.execute(
        "UPDATE officers SET all_channels = ?2 WHERE id = ?1",
        params![id, channels.is_none()],
    )?;
    tx.execute("DELETE FROM officer_channels WHERE officer_id = ?1", [id])?;
    let mut revoked = 0;
    if let Some(list) = channels {
        for channel in list {
            tx.execute(
                "INSERT OR IGNORE INTO officer_channels (officer_id, channel_id) VALUES (?1, ?2)",
                params![id, channel],
            )?;
        }
        revoked = tx.execute(
            "DELETE FROM grants WHERE officer_id = ?1 AND case_id IN (
                 SELECT c.id FROM cases c WHERE c.channel_id NOT IN
                     (SELECT channel_id FROM officer_channels WHERE officer_id = ?1))",
            [id],
        )?;
        tx.execute(
            "DELETE FROM outbox WHERE officer_id = ?1 AND case_id IN (
                 SELECT c.id FROM cases c WHERE c.channel_id NOT IN
                     (SELECT channel_id FROM officer_channels WHERE officer_id = ?1))",
            [id],
        )?;
    }
    audit::append(&tx, key, event, at)?;
    if revoked > 0 {
        let mut revoked_event = revoked_event.clone();
        revoked_event.detail = format!("{revoked} grants of {id}");
        audit::append(&tx, key, &revoked_event, at)?;
    }
    tx.commit()?;
    Ok(revoked)
}
