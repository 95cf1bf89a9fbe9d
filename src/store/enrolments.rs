//! The `enrolments` and `key_sponsors` tables: one-time links with which an officer sets their
//! own password and gets a new key, and who stands behind each key.

use rusqlite::{params, OptionalExtension};

use super::officers::{insert_in, NewOfficer, Revocation};
use super::outbox::{self, NewMail};
use super::{audit, Store, StoreError};
use crate::audit::{AuditKey, Event};

/// A link about to be issued. Only the hash of its token is stored.
pub struct NewLink<'a> {
    pub token_hash: &'a [u8],
    pub officer_id: &'a str,
    /// `new` (an added officer) or `reset`.
    pub kind: &'static str,
    pub issued_by: &'a str,
    /// The issuer and the sponsors of the issuer's key.
    pub sponsors: &'a [String],
    pub created_at: i64,
    pub expires_at: i64,
}

fn insert_link(tx: &rusqlite::Transaction<'_>, link: &NewLink<'_>) -> Result<(), StoreError> {
    // One link per officer: issuing another makes the older one worthless.
    tx.execute(
        "DELETE FROM enrolments WHERE officer_id = ?1",
        [link.officer_id],
    )?;
    tx.execute(
        "INSERT INTO enrolments (token_hash, officer_id, kind, issued_by, sponsors, created_at,
                                 expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            link.token_hash,
            link.officer_id,
            link.kind,
            link.issued_by,
            link.sponsors.join(","),
            link.created_at,
            link.expires_at
        ],
    )?;
    Ok(())
}

/// Adds an officer without a key, who enrols through `link`; `mail` carries the link to them.
pub fn add_officer(
    store: &Store,
    officer: &NewOfficer,
    link: &NewLink<'_>,
    mail: &NewMail,
    key: &AuditKey,
    event: &Event,
) -> Result<(), StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction()?;
    insert_in(&tx, officer, true)?;
    tx.execute(
        "UPDATE officers SET account_sponsors = ?2 WHERE id = ?1",
        params![officer.id, link.sponsors.join(",")],
    )?;
    insert_link(&tx, link)?;
    outbox::insert(&tx, mail, link.created_at)?;
    audit::append(&tx, key, event, link.created_at)?;
    tx.commit()?;
    Ok(())
}

/// Resets an officer: their password, key, 2FA secret, grants (sealed to the old key, so of
/// no use to the new one), the sponsors of that key, older links and mail still queued for
/// them go; `link` is their one way back in, and `mail` tells them. Nothing changes if their
/// key is the last way to open a case.
pub fn reset(
    store: &Store,
    link: &NewLink<'_>,
    mail: &NewMail,
    key: &AuditKey,
    event: &Event,
) -> Result<Revocation, StoreError> {
    let id = link.officer_id;
    let mut conn = store.writer();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let lost = super::officers::sole_holder_cases(&tx, id, "1")?;
    if lost > 0 {
        return Ok(Revocation::WouldLose(lost));
    }
    tx.execute(
        "UPDATE officers SET password_hash = '', public_key = '', sealed_key = x'',
             totp_sealed = NULL, totp_last_step = 0, awaiting_enrolment = 1
         WHERE id = ?1",
        [id],
    )?;
    let revoked = tx.execute("DELETE FROM grants WHERE officer_id = ?1", [id])?;
    tx.execute("DELETE FROM key_sponsors WHERE officer_id = ?1", [id])?;
    tx.execute("DELETE FROM outbox WHERE officer_id = ?1", [id])?;
    insert_link(&tx, link)?;
    outbox::insert(&tx, mail, link.created_at)?;
    audit::append(&tx, key, event, link.created_at)?;
    tx.commit()?;
    Ok(Revocation::Done(revoked))
}

/// A link that can still be used.
#[derive(Debug, Clone)]
pub struct Pending {
    pub officer_id: String,
    pub kind: String,
    pub name: String,
    pub email: String,
    pub language: Option<String>,
}

/// The link whose token hashes to `token_hash`, unless it was used, replaced or has expired.
pub fn pending(store: &Store, token_hash: &[u8], now: i64) -> Result<Option<Pending>, StoreError> {
    let conn = store.reader()?;
    Ok(conn
        .query_row(
            "SELECT e.officer_id, e.kind, o.name, o.email, o.language
             FROM enrolments e JOIN officers o ON o.id = e.officer_id
             WHERE e.token_hash = ?1 AND e.expires_at > ?2 AND o.disabled = 0",
            params![token_hash, now],
            |r| {
                Ok(Pending {
                    officer_id: r.get(0)?,
                    kind: r.get(1)?,
                    name: r.get(2)?,
                    email: r.get(3)?,
                    language: r.get(4)?,
                })
            },
        )
        .optional()?)
}

/// The officer's new password and key.
pub struct Enrolled<'a> {
    pub password_hash: &'a str,
    pub public_key: &'a str,
    pub sealed_key: &'a [u8],
}

/// Uses the link for `officer_id`: deletes it (it works once), sets the password and key, and
/// records the link's sponsors and the account's as the key's. `false` if the link was used, replaced or expired
/// meanwhile (then nothing changes).
#[allow(clippy::too_many_arguments)]
pub fn complete(
    store: &Store,
    token_hash: &[u8],
    officer_id: &str,
    new: &Enrolled<'_>,
    mail: &NewMail,
    key: &AuditKey,
    event: &Event,
    now: i64,
) -> Result<bool, StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let sponsors: Option<String> = tx
        .query_row(
            "DELETE FROM enrolments
             WHERE token_hash = ?1 AND officer_id = ?2 AND expires_at > ?3
             RETURNING sponsors",
            params![token_hash, officer_id, now],
            |r| r.get(0),
        )
        .optional()?;
    let Some(sponsors) = sponsors else {
        return Ok(false);
    };
    // Whoever made the account chose the address every later link is mailed to: a reset by
    // someone else does not wash the key clean of them.
    let account: String = tx.query_row(
        "SELECT account_sponsors FROM officers WHERE id = ?1",
        [officer_id],
        |r| r.get(0),
    )?;
    let sponsors = format!("{sponsors},{account}");
    let n = tx.execute(
        "UPDATE officers SET password_hash = ?2, public_key = ?3, sealed_key = ?4,
             totp_sealed = NULL, awaiting_enrolment = 0
         WHERE id = ?1 AND disabled = 0",
        params![
            officer_id,
            new.password_hash,
            new.public_key,
            new.sealed_key
        ],
    )?;
    if n != 1 {
        return Ok(false);
    }
    tx.execute(
        "DELETE FROM key_sponsors WHERE officer_id = ?1",
        [officer_id],
    )?;
    for sponsor in sponsors
        .split(',')
        .filter(|s| !s.is_empty() && *s != officer_id)
    {
        tx.execute(
            "INSERT OR IGNORE INTO key_sponsors (officer_id, sponsor_id) VALUES (?1, ?2)",
            params![officer_id, sponsor],
        )?;
    }
    outbox::insert(&tx, mail, now)?;
    audit::append(&tx, key, event, now)?;
    tx.commit()?;
    Ok(true)
}
