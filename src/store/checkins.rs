//! The `checkins` table: a reporter's answers, after closing, to whether they suffered
//! retaliation. When to ask and what an answer does is decided in `cases::checkins`.

use rusqlite::params;

use super::cases::StatusChange;
use super::outbox::{self, NewMail};
use super::{audit, Store, StoreError};
use crate::audit::{AuditKey, Event};

/// The check-ins answered after the closing at `closed_at`: their `after_days`.
pub fn answered(store: &Store, case_id: &str, closed_at: i64) -> Result<Vec<u32>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn
        .prepare_cached("SELECT after_days FROM checkins WHERE case_id = ?1 AND closed_at = ?2")?;
    let rows = stmt
        .query_map(params![case_id, closed_at], |r| r.get(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// An answer, once per check-in (`false` if it was answered already). Retaliation reported
/// flags the case and reopens it with `reopen` (if still closed), alerting its handlers.
#[allow(clippy::too_many_arguments)]
pub fn answer(
    store: &Store,
    case_id: &str,
    closed_at: i64,
    after_days: u32,
    sealed: &[u8],
    reopen: Option<&StatusChange>,
    key: &AuditKey,
    events: &[Event],
    alerts: &[NewMail],
    at: i64,
) -> Result<bool, StoreError> {
    let at = super::day(at);
    let mut conn = store.writer();
    let tx = conn.transaction()?;
    let n = tx.execute(
        "INSERT OR IGNORE INTO checkins (case_id, closed_at, after_days, retaliation, sealed,
             created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![case_id, closed_at, after_days, reopen.is_some(), sealed, at],
    )?;
    if n == 0 {
        return Ok(false);
    }
    if let Some(change) = reopen {
        tx.execute(
            "UPDATE cases SET retaliation_reported = 1 WHERE id = ?1",
            [case_id],
        )?;
        super::cases::move_status(&tx, case_id, "closed", change)?;
    }
    super::cases::touch(&tx, case_id, at)?;
    for event in events {
        audit::append(&tx, key, event, at)?;
    }
    for mail in alerts {
        outbox::insert(&tx, mail, at)?;
    }
    tx.commit()?;
    Ok(true)
}
