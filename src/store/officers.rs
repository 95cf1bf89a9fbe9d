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
    /// Officers whose enrolment links stand behind this officer's key (see `key_sponsors`).
    pub sponsors: Vec<String>,
    /// Added or reset, and the enrolment link not used yet: no password, no key.
    pub awaiting_enrolment: bool,
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

// `id` in the subquery is the outer officer's: `key_sponsors` has no column of that name.
const COLUMNS: &str =
    "id, email, name, is_admin, all_channels, public_key, disabled, created_at, language,
     is_custodian, (SELECT group_concat(sponsor_id) FROM key_sponsors WHERE officer_id = id),
     awaiting_enrolment";

fn sponsor_list(text: Option<String>) -> Vec<String> {
    let mut list: Vec<String> = text
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    list.sort();
    list
}

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
            sponsors: sponsor_list(r.get(10)?),
            awaiting_enrolment: r.get(11)?,
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
    insert_in(&tx, officer, false)?;
    audit::append(&tx, key, event, officer.created_at)?;
    tx.commit()?;
    Ok(())
}

/// Inserts an officer inside `tx`; `awaiting`: added through an enrolment link, no key yet.
pub(super) fn insert_in(
    tx: &rusqlite::Transaction<'_>,
    officer: &NewOfficer,
    awaiting: bool,
) -> Result<(), StoreError> {
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
                               public_key, sealed_key, created_at, is_custodian,
                               awaiting_enrolment)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
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
            officer.is_custodian,
            awaiting
        ],
    )?;
    for channel in officer.channels.iter().flatten() {
        tx.execute(
            "INSERT OR IGNORE INTO officer_channels (officer_id, channel_id) VALUES (?1, ?2)",
            params![officer.id, channel],
        )?;
    }
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

/// Enabled officers who handle `channel_id`, those awaiting enrolment included (a reporter may
/// keep them out; they hold no key to grant to yet).
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
    pub sponsors: Vec<String>,
    pub awaiting_enrolment: bool,
    /// The language of this officer's mails and pages, if they chose one.
    pub language: Option<String>,
}

const CREDENTIALS: &str =
    "id, name, email, is_admin, disabled, password_hash, public_key, sealed_key, totp_sealed,
     is_custodian, (SELECT group_concat(sponsor_id) FROM key_sponsors WHERE officer_id = id),
     awaiting_enrolment, language";

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
        sponsors: sponsor_list(r.get(10)?),
        awaiting_enrolment: r.get(11)?,
        language: r.get(12)?,
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

/// Until when (seconds since the epoch) an officer's authenticator step is locked, if it is.
pub fn totp_locked_until(store: &Store, id: &str, at: i64) -> Result<Option<i64>, StoreError> {
    let conn = store.reader()?;
    let until: Option<Option<i64>> = conn
        .query_row(
            "SELECT totp_locked_until FROM officers WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(until.flatten().filter(|&u| u > at))
}

/// Counts a wrong authenticator code; the `limit`-th in a row locks the step until
/// `at + lock_s` (and starts the count again) and is recorded in the audit log. Returns the
/// end of the lock when this failure set one.
pub fn totp_failed(
    store: &Store,
    id: &str,
    limit: i64,
    lock_s: i64,
    key: &AuditKey,
    events: (&Event, &Event),
    at: i64,
) -> Result<Option<i64>, StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction()?;
    let failures: i64 = tx.query_row(
        "UPDATE officers SET totp_failures = totp_failures + 1 WHERE id = ?1
         RETURNING totp_failures",
        [id],
        |r| r.get(0),
    )?;
    audit::append(&tx, key, events.0, at)?;
    let locked = (failures >= limit).then_some(at + lock_s);
    if let Some(until) = locked {
        tx.execute(
            "UPDATE officers SET totp_failures = 0, totp_locked_until = ?2 WHERE id = ?1",
            params![id, until],
        )?;
        audit::append(&tx, key, events.1, at)?;
    }
    tx.commit()?;
    Ok(locked)
}

/// A right authenticator code: the count of wrong ones starts again.
pub fn totp_succeeded(store: &Store, id: &str) -> Result<(), StoreError> {
    store
        .writer()
        .execute("UPDATE officers SET totp_failures = 0 WHERE id = ?1", [id])?;
    Ok(())
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

/// Whether any officer exists at all (the first one added becomes an admin).
pub fn any(store: &Store) -> Result<bool, StoreError> {
    let conn = store.reader()?;
    Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM officers)", [], |r| r.get(0))?)
}

/// Gives or takes the admin role. Taking it from the last enabled admin is refused
/// (`Ok(false)`): nobody could manage officers any more.
pub fn set_admin(
    store: &Store,
    id: &str,
    admin: bool,
    key: &AuditKey,
    event: &Event,
    at: i64,
) -> Result<bool, StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction()?;
    if !admin {
        let others: i64 = tx.query_row(
            "SELECT COUNT(*) FROM officers WHERE is_admin AND NOT disabled AND id <> ?1",
            [id],
            |r| r.get(0),
        )?;
        if others == 0 {
            return Ok(false);
        }
    }
    tx.execute(
        "UPDATE officers SET is_admin = ?2 WHERE id = ?1",
        params![id, admin],
    )?;
    audit::append(&tx, key, event, at)?;
    tx.commit()?;
    Ok(true)
}

/// Disables or enables an officer. Their grants stay, sealed to their key: a disable suspends
/// access, enabling restores it. Mail still queued for them goes.
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
            tx.execute("DELETE FROM outbox WHERE officer_id = ?1", [id])?;
        }
        Ok(())
    })
}

/// Cases that only this officer's key opens (no other officer, disabled or not, and no
/// recovery grant holds their case key), among those `filter` (SQL on `c`, the case) picks.
pub(super) fn sole_holder_cases(
    conn: &rusqlite::Connection,
    id: &str,
    filter: &str,
) -> rusqlite::Result<usize> {
    conn.query_row(
        &format!(
            "SELECT COUNT(*) FROM grants g JOIN cases c ON c.id = g.case_id
             WHERE g.officer_id = ?1 AND g.key = 'case' AND ({filter})
               AND NOT EXISTS (SELECT 1 FROM grants o WHERE o.case_id = g.case_id
                   AND o.key = 'case' AND o.holder <> 'submitter' AND o.officer_id IS NOT ?1)"
        ),
        [id],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n as usize)
}

/// How many cases nobody else could open if this officer's key went.
pub fn only_holder_of(store: &Store, id: &str) -> Result<usize, StoreError> {
    let conn = store.reader()?;
    Ok(sole_holder_cases(&conn, id, "1")?)
}

/// What a change of channels did, or would have done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// Applied; this many grants were deleted.
    Done(usize),
    /// Not applied: it would have deleted the last way to open this many cases.
    WouldLose(usize),
}

/// Grants an officer holds for cases outside `channels` (`None`: every channel, so none).
pub fn grants_outside(
    store: &Store,
    id: &str,
    channels: Option<&[String]>,
) -> Result<usize, StoreError> {
    let Some(list) = channels else { return Ok(0) };
    let conn = store.reader()?;
    let mut n = 0;
    let mut stmt = conn.prepare(
        "SELECT c.channel_id FROM grants g JOIN cases c ON c.id = g.case_id
         WHERE g.officer_id = ?1 AND g.key = 'case'",
    )?;
    for channel in stmt.query_map([id], |r| r.get::<_, String>(0))? {
        if !list.contains(&channel?) {
            n += 1;
        }
    }
    Ok(n)
}

/// Sets channel membership (`None`: every channel) and deletes grants for cases outside it;
/// `revoked` describes that deletion for the audit log, in the same transaction. Nothing is
/// changed if that would delete the last grant of a case.
pub fn set_channels(
    store: &Store,
    id: &str,
    channels: Option<&[String]>,
    key: &AuditKey,
    event: &Event,
    revoked_event: &Event,
    at: i64,
) -> Result<Revocation, StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
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
        let outside = "c.channel_id NOT IN
            (SELECT channel_id FROM officer_channels WHERE officer_id = ?1)";
        let lost = sole_holder_cases(&tx, id, outside)?;
        if lost > 0 {
            // Dropping the transaction rolls the membership change back.
            return Ok(Revocation::WouldLose(lost));
        }
        revoked = tx.execute(
            &format!(
                "DELETE FROM grants WHERE officer_id = ?1 AND case_id IN (
                     SELECT c.id FROM cases c WHERE {outside})"
            ),
            [id],
        )?;
        tx.execute(
            &format!(
                "DELETE FROM outbox WHERE officer_id = ?1 AND case_id IN (
                     SELECT c.id FROM cases c WHERE {outside})"
            ),
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
    Ok(Revocation::Done(revoked))
}
