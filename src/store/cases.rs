//! The `cases` and `grants` tables.

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::outbox::{self, NewMail};
use super::vocabulary::{ChannelKind, Outcome, Priority, Source, Status};
use super::{audit, Store, StoreError};
use crate::audit::{AuditKey, Event};

/// `next_due_at` as stored for a case with no deadline ahead: sorts after every date.
pub(super) const NO_DEADLINE: i64 = i64::MAX;

/// The stored `next_due_at`, as the date it is (`None`: nothing due).
pub(super) fn due_from_column(stored: i64) -> Option<i64> {
    (stored != NO_DEADLINE).then_some(stored)
}

/// A `next_due_at` as stored.
pub(crate) fn due_to_column(due: Option<i64>) -> i64 {
    due.unwrap_or(NO_DEADLINE)
}

/// Which of a case's two secret keys a grant carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// Content the submitter may see.
    Case,
    /// Internal notes; never granted to the submitter.
    Staff,
}

impl KeyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Case => "case",
            KeyKind::Staff => "staff",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    Officer(String),
    Submitter,
    Recovery,
}

pub struct NewGrant {
    pub key: KeyKind,
    pub holder: Holder,
    /// The public key `sealed` was sealed to: an officer grant is stored only if it is still
    /// that officer's key.
    pub to: String,
    pub sealed: Vec<u8>,
}

/// Inserts one grant within `tx`. An officer grant goes in only if, at this moment, the
/// officer is enabled, still has the key it was sealed to, and handles the case's channel:
/// a disable, reset or membership change that raced the sealing wins. `false` if skipped.
fn insert_grant(
    tx: &rusqlite::Transaction<'_>,
    case_id: &str,
    grant: &NewGrant,
    at: i64,
) -> Result<bool, StoreError> {
    // Prepared once per connection: a case inserts five or more grants.
    let n = match &grant.holder {
        Holder::Officer(officer_id) => tx.prepare_cached(
            "INSERT OR IGNORE INTO grants (case_id, key, holder, officer_id, sealed, created_at)
             SELECT ?1, ?2, 'officer', ?3, ?4, ?5
             WHERE EXISTS (SELECT 1 FROM officers o, cases c
                 WHERE o.id = ?3 AND c.id = ?1 AND o.disabled = 0 AND o.public_key = ?6
                   AND (o.all_channels = 1 OR EXISTS (SELECT 1 FROM officer_channels m
                        WHERE m.officer_id = o.id AND m.channel_id = c.channel_id)))",
        )?
        .execute(params![
                case_id,
                grant.key.as_str(),
                officer_id,
                grant.sealed,
                at,
                grant.to
            ])?,
        other => tx
            .prepare_cached(
                "INSERT OR IGNORE INTO grants (case_id, key, holder, officer_id, sealed, created_at)
                 VALUES (?1, ?2, ?3, NULL, ?4, ?5)",
            )?
            .execute(params![
                case_id,
                grant.key.as_str(),
                if *other == Holder::Submitter {
                    "submitter"
                } else {
                    "recovery"
                },
                grant.sealed,
                at
            ])?,
    };
    Ok(n == 1)
}

pub struct NewCase {
    pub id: String,
    /// Draws a candidate case number; drawn again while the number is taken.
    pub number: fn() -> i64,
    pub channel_id: String,
    pub kind: ChannelKind,
    pub received_at: i64,
    pub acknowledge_due_at: Option<i64>,
    pub resolve_due_at: Option<i64>,
    /// The first deadline ahead.
    pub next_due_at: Option<i64>,
    pub case_public_key: String,
    pub staff_public_key: String,
    pub claim_tag: [u8; 32],
    pub submitter_salt: Vec<u8>,
    pub sealed_submission: Vec<u8>,
    pub grants: Vec<NewGrant>,
    /// Attachments sent with the submission, their blobs written and synced.
    pub files: Vec<super::files::NewFile>,
    /// The identity key, for a channel that takes the reporter's identity.
    pub identity: Option<super::identity::NewCaseIdentity>,
    /// How it came in, and the officer who took it down when not on the web.
    pub source: Source,
    pub recorded_by: Option<String>,
    /// The version of its channel it was submitted under (0: none stored).
    pub channel_version: u32,
}

/// What the claim-code sign-in needs to find and unlock a case.
pub struct ClaimMatch {
    pub case_id: String,
    pub submitter_salt: Vec<u8>,
    pub submitter_grant: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct CaseRecord {
    pub id: String,
    pub number: i64,
    pub channel_id: String,
    pub kind: ChannelKind,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub received_at: i64,
    pub acknowledge_due_at: Option<i64>,
    pub resolve_due_at: Option<i64>,
    pub acknowledged_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub next_due_at: Option<i64>,
    pub assigned_officer_id: Option<String>,
    pub updated_at: i64,
    pub case_public_key: String,
    pub staff_public_key: String,
    pub sealed_submission: Vec<u8>,
    pub sealed_summary: Option<Vec<u8>>,
    pub satisfaction: Option<i64>,
    pub sealed_feedback: Option<Vec<u8>>,
    pub source: Source,
    pub category: Option<String>,
    pub priority: Priority,
    /// Where the reporter asked to hear of news: an age file to the case key.
    pub sealed_notify: Option<Vec<u8>>,
    /// A check-in said the reporter suffered retaliation.
    pub retaliation_reported: bool,
    /// The version of its channel it was submitted under, when stored.
    pub channel_version: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct GrantRow {
    pub key: String,
    pub holder: String,
    pub officer_id: Option<String>,
    pub sealed: Vec<u8>,
}

/// Stores a case and all its grants in one transaction; returns its number. Every time stored
/// with it is `received_at`, which is cut to the day here whatever the caller passed. Nothing of the case
/// exists until the commit, and after it the case survives a crash.
/// `alerts` are mails to officers, queued only for an officer whose grant went in; `mails`
/// (to the submitter) are queued as they are.
pub fn insert(
    store: &Store,
    case: &NewCase,
    key: &AuditKey,
    alerts: &[(String, NewMail)],
    mails: &[NewMail],
) -> Result<i64, StoreError> {
    let received_at = super::day(case.received_at);
    let mut conn = store.writer();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let number = free_number(&tx, case.number)?;
    tx.execute(
        "INSERT INTO cases (id, number, channel_id, kind, status, received_at,
             acknowledge_due_at, resolve_due_at, next_due_at, updated_at, case_public_key,
             staff_public_key, claim_tag, submitter_salt, sealed_submission, source,
             channel_version)
         VALUES (?1, ?2, ?3, ?4, 'received', ?5, ?6, ?7, ?13, ?5, ?8, ?9, ?10, ?11, ?12, ?14,
             ?15)",
        params![
            case.id,
            number,
            case.channel_id,
            case.kind,
            received_at,
            case.acknowledge_due_at,
            case.resolve_due_at,
            case.case_public_key,
            case.staff_public_key,
            case.claim_tag.as_slice(),
            case.submitter_salt,
            case.sealed_submission,
            due_to_column(case.next_due_at),
            case.source,
            (case.channel_version > 0).then_some(case.channel_version),
        ],
    )?;
    let mut granted = Vec::new();
    for grant in &case.grants {
        if insert_grant(&tx, &case.id, grant, received_at)? {
            if let Holder::Officer(id) = &grant.holder {
                granted.push(id.clone());
            }
        }
    }
    for (officer_id, mail) in alerts {
        if granted.contains(officer_id) {
            outbox::insert(&tx, mail, received_at)?;
        }
    }
    for mail in mails {
        outbox::insert(&tx, mail, received_at)?;
    }
    super::files::insert_all(&tx, &case.id, &case.files, received_at)?;
    if let Some(identity) = &case.identity {
        super::identity::insert_for_case(&tx, &case.id, identity, received_at)?;
    }
    let event = match &case.recorded_by {
        None => Event::new(crate::audit::Actor::Submitter, "case_received"),
        Some(officer_id) => Event::by_officer(officer_id, "case_recorded"),
    }
    .case(&case.id)
    .detail(match (case.files.len(), case.source) {
        (0, Source::Web) => format!("#{number} in {}", case.channel_id),
        (n, Source::Web) => format!("#{number} in {}, {n} files", case.channel_id),
        (n, source) => format!("#{number} in {}, by {source}, {n} files", case.channel_id),
    });
    audit::append(&tx, key, &event, received_at)?;
    tx.commit()?;
    Ok(number)
}

/// Tries drawn numbers until one is free. With eight digits a collision is rare until tens of
/// millions of cases; the bound only keeps a broken generator from looping forever.
fn free_number(tx: &rusqlite::Transaction<'_>, draw: fn() -> i64) -> Result<i64, StoreError> {
    let mut taken = tx.prepare_cached("SELECT 1 FROM cases WHERE number = ?1")?;
    for _ in 0..64 {
        let number = draw();
        if !taken.exists([number])? {
            return Ok(number);
        }
    }
    Err(StoreError::Conflict("every case number drawn"))
}

/// Every sign-in runs this. `holder <> 'officer'` is implied by `holder = 'submitter'`, but
/// SQLite uses the partial index `grants_other` only when the query states its condition;
/// without it each sign-in scanned every grant of every case.
pub(crate) const CLAIM_LOOKUP: &str = "SELECT c.id, c.submitter_salt, g.sealed FROM cases c
    JOIN grants g ON g.case_id = c.id AND g.key = 'case'
        AND g.holder = 'submitter' AND g.holder <> 'officer'
    WHERE c.claim_tag = ?1";

pub fn find_by_claim_tag(store: &Store, tag: &[u8; 32]) -> Result<Option<ClaimMatch>, StoreError> {
    let conn = store.reader()?;
    let mut lookup = conn.prepare_cached(CLAIM_LOOKUP)?;
    let found = lookup
        .query_row([tag.as_slice()], |r| {
            Ok(ClaimMatch {
                case_id: r.get(0)?,
                submitter_salt: r.get(1)?,
                submitter_grant: r.get(2)?,
            })
        })
        .optional()?;
    Ok(found)
}

const RECORD: &str = "id, number, channel_id, kind, status, outcome, received_at,
    acknowledge_due_at, resolve_due_at, acknowledged_at, closed_at, next_due_at,
    assigned_officer_id, updated_at, case_public_key, staff_public_key, sealed_submission,
    sealed_summary, satisfaction, sealed_feedback, source, category, priority, sealed_notify,
    retaliation_reported, channel_version";

fn record(r: &rusqlite::Row<'_>) -> rusqlite::Result<CaseRecord> {
    Ok(CaseRecord {
        id: r.get(0)?,
        number: r.get(1)?,
        channel_id: r.get(2)?,
        kind: r.get(3)?,
        status: r.get(4)?,
        outcome: r.get(5)?,
        received_at: r.get(6)?,
        acknowledge_due_at: r.get(7)?,
        resolve_due_at: r.get(8)?,
        acknowledged_at: r.get(9)?,
        closed_at: r.get(10)?,
        next_due_at: due_from_column(r.get(11)?),
        assigned_officer_id: r.get(12)?,
        updated_at: r.get(13)?,
        case_public_key: r.get(14)?,
        staff_public_key: r.get(15)?,
        sealed_submission: r.get(16)?,
        sealed_summary: r.get(17)?,
        satisfaction: r.get(18)?,
        sealed_feedback: r.get(19)?,
        source: r.get(20)?,
        category: r.get(21)?,
        priority: r.get(22)?,
        sealed_notify: r.get(23)?,
        retaliation_reported: r.get(24)?,
        channel_version: r.get(25)?,
    })
}

pub fn get(store: &Store, id: &str) -> Result<Option<CaseRecord>, StoreError> {
    let conn = store.reader()?;
    Ok(conn
        .query_row(
            &format!("SELECT {RECORD} FROM cases WHERE id = ?1"),
            [id],
            record,
        )
        .optional()?)
}

/// A case by its id or its number (as the inbox shows it).
pub fn find(store: &Store, id_or_number: &str) -> Result<Option<CaseRecord>, StoreError> {
    let conn = store.reader()?;
    let number: i64 = id_or_number.trim_start_matches('#').parse().unwrap_or(-1);
    Ok(conn
        .query_row(
            &format!("SELECT {RECORD} FROM cases WHERE id = ?1 OR number = ?2"),
            params![id_or_number, number],
            record,
        )
        .optional()?)
}

/// The sealed keys one holder has for a case.
#[derive(Debug, Default)]
pub struct KeyGrants {
    pub case: Option<Vec<u8>>,
    pub staff: Option<Vec<u8>>,
}

/// The grants `holder` has for a case (officer or recovery).
pub fn grants_of(store: &Store, case_id: &str, holder: &Holder) -> Result<KeyGrants, StoreError> {
    let conn = store.reader()?;
    let (kind, officer_id) = match holder {
        Holder::Officer(id) => ("officer", Some(id.as_str())),
        Holder::Submitter => ("submitter", None),
        Holder::Recovery => ("recovery", None),
    };
    let mut stmt = conn.prepare(
        "SELECT key, sealed FROM grants
         WHERE case_id = ?1 AND holder = ?2 AND officer_id IS ?3",
    )?;
    let mut out = KeyGrants::default();
    for row in stmt.query_map(params![case_id, kind, officer_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
    })? {
        let (key, sealed) = row?;
        match key.as_str() {
            "case" => out.case = Some(sealed),
            _ => out.staff = Some(sealed),
        }
    }
    Ok(out)
}

/// Officers holding a case-key grant for a case (who can work it).
pub fn holders(store: &Store, case_id: &str) -> Result<Vec<String>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare(
        "SELECT officer_id FROM grants WHERE case_id = ?1 AND holder = 'officer' AND key = 'case'",
    )?;
    let rows = stmt
        .query_map([case_id], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(rows)
}

/// A change of workflow state, with everything it sets.
pub struct StatusChange {
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub acknowledged_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub resolve_due_at: Option<i64>,
    pub next_due_at: Option<i64>,
    pub sealed_summary: Option<Vec<u8>>,
}

/// Applies a status change if the case is still in `from` (so two officers acting at once
/// cannot both succeed); `false` when it was not.
#[allow(clippy::too_many_arguments)]
pub fn change_status(
    store: &Store,
    case_id: &str,
    from: &str,
    change: &StatusChange,
    key: &AuditKey,
    event: &Event,
    mails: &[NewMail],
    at: i64,
) -> Result<bool, StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction()?;
    let moved = move_status(&tx, case_id, from, change)?;
    if moved {
        touch(&tx, case_id, at)?;
        audit::append(&tx, key, event, at)?;
        for mail in mails {
            outbox::insert(&tx, mail, at)?;
        }
        tx.commit()?;
    }
    Ok(moved)
}

/// A status change within the caller's transaction, if the case is still in `from`;
/// `false` when it was not. Check-in mails belong to the closing they follow: any move drops
/// those still queued.
pub(crate) fn move_status(
    tx: &rusqlite::Transaction<'_>,
    case_id: &str,
    from: &str,
    change: &StatusChange,
) -> Result<bool, StoreError> {
    let n = tx.execute(
        "UPDATE cases SET status = ?3, outcome = ?4, acknowledged_at = ?5, closed_at = ?6,
             resolve_due_at = ?7, next_due_at = ?8, sealed_summary = COALESCE(?9, sealed_summary),
             discarded_at = NULL
         WHERE id = ?1 AND status = ?2",
        params![
            case_id,
            from,
            change.status,
            change.outcome,
            change.acknowledged_at,
            change.closed_at,
            change.resolve_due_at,
            due_to_column(change.next_due_at),
            change.sealed_summary,
        ],
    )?;
    if n == 1 {
        outbox::withdraw(tx, case_id, &["reporter_checkin"])?;
    }
    Ok(n == 1)
}

/// Records a rating unless the case has one already (`false` then): set once, even by two
/// requests at once. Who may rate is decided by the caller.
pub fn rate(
    store: &Store,
    case_id: &str,
    score: i64,
    sealed_feedback: Option<&[u8]>,
    key: &AuditKey,
    event: &Event,
    at: i64,
) -> Result<bool, StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction()?;
    let n = tx.execute(
        "UPDATE cases SET satisfaction = ?2, sealed_feedback = ?3
         WHERE id = ?1 AND satisfaction IS NULL",
        params![case_id, score, sealed_feedback],
    )?;
    if n == 1 {
        // A customer's action: the audit entry, too, keeps only the day.
        let at = super::day(at);
        touch(&tx, case_id, at)?;
        audit::append(&tx, key, event, at)?;
        tx.commit()?;
    }
    Ok(n == 1)
}

/// A customer took back their contact address: the case's sealed document is replaced by
/// one without it, and mail still queued to them for this case is withdrawn.
pub fn withdraw_contact(
    store: &Store,
    case_id: &str,
    sealed_submission: &[u8],
    key: &AuditKey,
    event: &Event,
    at: i64,
) -> Result<(), StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction()?;
    tx.execute(
        "UPDATE cases SET sealed_submission = ?2 WHERE id = ?1",
        params![case_id, sealed_submission],
    )?;
    tx.execute(
        "DELETE FROM outbox WHERE case_id = ?1 AND officer_id IS NULL",
        [case_id],
    )?;
    // A customer's action: the audit entry, too, keeps only the day.
    let at = super::day(at);
    touch(&tx, case_id, at)?;
    audit::append(&tx, key, event, at)?;
    tx.commit()?;
    Ok(())
}

pub fn assign(
    store: &Store,
    case_id: &str,
    officer_id: Option<&str>,
    key: &AuditKey,
    event: &Event,
    at: i64,
) -> Result<(), StoreError> {
    audit::audited(store, key, event, at, |tx| {
        tx.execute(
            "UPDATE cases SET assigned_officer_id = ?2 WHERE id = ?1",
            params![case_id, officer_id],
        )?;
        touch(tx, case_id, at)?;
        Ok(())
    })
}

/// Marks a case changed, within the caller's transaction: `updated_at` to the day, and every
/// officer's read mark dropped, so the inbox shows it unread again (the acting officer marks it
/// read afterwards). A time could not do this: `updated_at` keeps only the day.
pub(crate) fn touch(
    tx: &rusqlite::Transaction<'_>,
    case_id: &str,
    at: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE cases SET updated_at = ?2 WHERE id = ?1",
        params![case_id, super::day(at)],
    )?;
    tx.execute("DELETE FROM case_reads WHERE case_id = ?1", [case_id])?;
    Ok(())
}

pub fn mark_read(
    store: &Store,
    officer_id: &str,
    case_id: &str,
    at: i64,
) -> Result<(), StoreError> {
    store.writer().execute(
        "INSERT INTO case_reads (officer_id, case_id, seen_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (officer_id, case_id) DO UPDATE SET seen_at = excluded.seen_at",
        params![officer_id, case_id, at],
    )?;
    Ok(())
}

/// What the inbox may filter by.
#[derive(Debug, Default, Clone)]
pub struct InboxFilter {
    pub channel: Option<String>,
    pub status: Option<Status>,
    /// Discarded cases only (otherwise: none of them).
    pub discarded: bool,
    pub overdue_at: Option<i64>,
    pub category: Option<String>,
    pub priority: Option<Priority>,
    /// Only these cases (a search's finds).
    pub only: Option<Vec<String>>,
}

/// One inbox line: metadata only.
#[derive(Debug, Clone)]
pub struct InboxRow {
    pub id: String,
    pub number: i64,
    pub channel_id: String,
    pub status: Status,
    /// Discarded as junk: listed only when asked for.
    pub discarded: bool,
    pub received_at: i64,
    pub next_due_at: Option<i64>,
    pub updated_at: i64,
    pub assigned_officer_id: Option<String>,
    pub seen_at: Option<i64>,
    /// A record of the case awaits the reporter's approval.
    pub awaiting_approval: bool,
    /// The reporter asked to talk and nobody has answered yet.
    pub meeting_requested: bool,
    pub category: Option<String>,
    pub priority: Priority,
    pub retaliation_reported: bool,
}

/// Cases `officer_id` holds a grant for, by next deadline, `limit` after the cursor
/// (`(next_due_at, number)` of the last row of the previous page). The SQL names only the
/// filters in use, so SQLite can walk the index that matches them in due order and stop at
/// `limit`, whatever the number of cases.
pub fn inbox(
    store: &Store,
    officer_id: &str,
    filter: &InboxFilter,
    after: Option<(Option<i64>, i64)>,
    limit: i64,
) -> Result<Vec<InboxRow>, StoreError> {
    let conn = store.reader()?;
    let (after_due, after_number) =
        after.map_or((i64::MIN, i64::MIN), |(due, n)| (due_to_column(due), n));
    let mut sql = String::from(
        "SELECT c.id, c.number, c.channel_id, c.status, c.received_at, c.next_due_at,
                c.updated_at, c.assigned_officer_id, r.seen_at, c.discarded_at IS NOT NULL,
                EXISTS (SELECT 1 FROM records d
                        WHERE d.case_id = c.id AND d.state = 'awaiting_approval'),
                EXISTS (SELECT 1 FROM meeting_requests m
                        WHERE m.case_id = c.id AND m.answered_at IS NULL),
                c.category, c.priority, c.retaliation_reported
         FROM cases c
         LEFT JOIN case_reads r ON r.case_id = c.id AND r.officer_id = ?1
         WHERE EXISTS (SELECT 1 FROM grants g
                       WHERE g.case_id = c.id AND g.officer_id = ?1 AND g.key = 'case'
                         AND g.holder = 'officer')
           AND (c.next_due_at, c.number) > (?2, ?3)",
    );
    let mut values: Vec<rusqlite::types::Value> = vec![
        officer_id.to_owned().into(),
        after_due.into(),
        after_number.into(),
        limit.into(),
    ];
    // Discarded cases are listed only when asked for by that name.
    sql.push_str(if filter.discarded {
        " AND c.discarded_at IS NOT NULL"
    } else {
        " AND c.discarded_at IS NULL"
    });
    let mut add = |clause: &str, value: rusqlite::types::Value| {
        values.push(value);
        sql.push_str(&format!(" AND {clause} ?{}", values.len()));
    };
    if let Some(channel) = &filter.channel {
        add("c.channel_id =", channel.clone().into());
    }
    if let Some(status) = filter.status {
        add("c.status =", status.as_str().to_owned().into());
    }
    if let Some(at) = filter.overdue_at {
        add("c.next_due_at <", at.into());
    }
    if let Some(category) = &filter.category {
        add("c.category =", category.clone().into());
    }
    if let Some(priority) = filter.priority {
        add("c.priority =", priority.as_str().to_owned().into());
    }
    if let Some(only) = &filter.only {
        let list = serde_json::to_string(only).unwrap_or_else(|_| "[]".into());
        values.push(list.into());
        sql.push_str(&format!(
            " AND c.id IN (SELECT value FROM json_each(?{}))",
            values.len()
        ));
    }
    sql.push_str(" ORDER BY c.next_due_at, c.number LIMIT ?4");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(values), |r| {
            Ok(InboxRow {
                id: r.get(0)?,
                number: r.get(1)?,
                channel_id: r.get(2)?,
                status: r.get(3)?,
                received_at: r.get(4)?,
                next_due_at: due_from_column(r.get(5)?),
                updated_at: r.get(6)?,
                assigned_officer_id: r.get(7)?,
                seen_at: r.get(8)?,
                discarded: r.get(9)?,
                awaiting_approval: r.get(10)?,
                meeting_requested: r.get(11)?,
                category: r.get(12)?,
                priority: r.get(13)?,
                retaliation_reported: r.get(14)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Up to `limit` closed cases of `channel_id`, submitted under `version`, closed before
/// `before`: (id, number).
pub fn closed_before(
    store: &Store,
    (channel_id, version): (&str, Option<u32>),
    before: i64,
    limit: i64,
) -> Result<Vec<(String, i64)>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare(
        "SELECT id, number FROM cases
         WHERE status = 'closed' AND channel_id = ?1 AND channel_version IS ?4
           AND closed_at < ?2 ORDER BY number LIMIT ?3",
    )?;
    let rows = stmt
        .query_map(params![channel_id, before, limit, version], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Deletes closed cases, closed before `before`, with everything of them (grants, messages,
/// notes), each with the event that says why, in one transaction. A case reopened since it was
/// listed is left alone. Returns the ids deleted.
pub fn delete_closed(
    store: &Store,
    cases: &[(String, Event)],
    before: i64,
    key: &AuditKey,
    at: i64,
) -> Result<Deleted, StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction()?;
    let mut deleted = Deleted::default();
    for (case_id, event) in cases {
        let closed: bool = tx
            .query_row(
                "SELECT 1 FROM cases WHERE id = ?1 AND status = 'closed' AND closed_at < ?2",
                params![case_id, before],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if closed {
            deleted.files.extend(delete(&tx, case_id)?);
            audit::append(&tx, key, event, at)?;
            deleted.cases.push(case_id.clone());
        }
    }
    tx.commit()?;
    Ok(deleted)
}

/// Discards a case as junk, if it is not discarded already: closed (outcome `no_action`, which
/// is what its submitter sees), out of the inbox, to be purged after the grace period. The
/// officer's reason goes in sealed, as an internal note; all of it in one transaction with
/// its audit entry. `false` when it was discarded already.
pub fn discard(
    store: &Store,
    case_id: &str,
    officer_id: &str,
    sealed_reason: &[u8],
    key: &AuditKey,
    event: &Event,
    at: i64,
) -> Result<bool, StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction()?;
    let n = tx.execute(
        "UPDATE cases SET status = 'closed', outcome = 'no_action', closed_at = ?2,
             next_due_at = ?3, discarded_at = ?2
         WHERE id = ?1 AND discarded_at IS NULL",
        params![case_id, at, NO_DEADLINE],
    )?;
    if n == 1 {
        tx.execute(
            "INSERT INTO notes (case_id, officer_id, sealed, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![case_id, officer_id, sealed_reason, at],
        )?;
        touch(&tx, case_id, at)?;
        audit::append(&tx, key, event, at)?;
        tx.commit()?;
    }
    Ok(n == 1)
}

/// Up to `limit` cases discarded before `before`: (id, number).
pub fn discarded_before(
    store: &Store,
    before: i64,
    limit: i64,
) -> Result<Vec<(String, i64)>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare(
        "SELECT id, number FROM cases
         WHERE discarded_at < ?1 AND status = 'closed' ORDER BY number LIMIT ?2",
    )?;
    let rows = stmt
        .query_map(params![before, limit], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Deletes a case with everything of it, within the caller's transaction, and removes the
/// detail of its audit entries (their digests keep the chain whole). Every way a case goes
/// goes through here. Returns the ids of its attachment files, whose blobs the caller removes
/// once the transaction committed.
pub fn delete(tx: &rusqlite::Transaction<'_>, case_id: &str) -> Result<Vec<String>, StoreError> {
    let files = super::files::ids_of_case(tx, case_id)?;
    tx.execute("DELETE FROM cases WHERE id = ?1", [case_id])?;
    audit::forget_case(tx, case_id)?;
    Ok(files)
}

/// What a purge deleted: cases, and the attachments whose blobs are to be removed now.
#[derive(Debug, Default)]
pub struct Deleted {
    pub cases: Vec<String>,
    pub files: Vec<String>,
}

/// The ids of every case.
pub fn all_ids(store: &Store) -> Result<std::collections::HashSet<String>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare("SELECT id FROM cases")?;
    let rows = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Every channel that has cases (including channels no longer configured), with each
/// version of it cases were submitted under (`None`: before versions were kept).
pub fn channel_versions(store: &Store) -> Result<Vec<(String, Option<u32>)>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare("SELECT DISTINCT channel_id, channel_version FROM cases")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Writes the WAL back into the database and truncates it, so deleted ciphertext does not
/// linger in old page images there (`secure_delete` clears the main file only). Under
/// Litestream it does nothing: Litestream checkpoints once it has shipped the frames.
pub fn checkpoint(store: &Store) -> Result<(), StoreError> {
    if store.leaves_checkpoints_to_litestream() {
        return Ok(());
    }
    store
        .writer()
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

/// How many cases `officer_id` holds the case key of.
pub fn held_by(store: &Store, officer_id: &str) -> Result<usize, StoreError> {
    let n: i64 = store.reader()?.query_row(
        "SELECT COUNT(*) FROM grants WHERE officer_id = ?1 AND key = 'case'",
        [officer_id],
        |r| r.get(0),
    )?;
    Ok(n as usize)
}

/// Cases of `channels` (`None`: all) that `officer_id` holds no grant for.
pub fn without_grant(
    store: &Store,
    officer_id: &str,
    channels: Option<&[String]>,
) -> Result<Vec<(String, String)>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare(
        "SELECT id, channel_id FROM cases c WHERE NOT EXISTS (
             SELECT 1 FROM grants g WHERE g.case_id = c.id AND g.officer_id = ?1)
         ORDER BY number",
    )?;
    let rows = stmt
        .query_map([officer_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<(String, String)>, _>>()?;
    Ok(rows
        .into_iter()
        .filter(|(_, channel)| channels.is_none_or(|list| list.contains(channel)))
        .collect())
}

/// Adds grants to existing cases in one transaction: per case its grants and the event that
/// records them. Returns the cases that were granted (a case whose officer grants were all
/// refused, see [`insert_grant`], is not).
pub fn add_grants(
    store: &Store,
    batches: &[(String, Vec<NewGrant>, Event)],
    key: &AuditKey,
    at: i64,
) -> Result<Vec<String>, StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut granted = Vec::new();
    for (case_id, grants, event) in batches {
        let mut any = false;
        for grant in grants {
            any |= insert_grant(&tx, case_id, grant, super::day(at))?;
        }
        if any {
            audit::append(&tx, key, event, at)?;
            granted.push(case_id.clone());
        }
    }
    tx.commit()?;
    Ok(granted)
}

/// A case's sealed document and an officer's grant of its case key.
pub struct GrantedDocument {
    pub id: String,
    pub channel_id: String,
    pub channel_version: Option<u32>,
    pub grant: Vec<u8>,
    pub sealed: Vec<u8>,
}

/// For each of `case_ids` that `officer_id` holds a case grant for, its document: what an
/// inbox page needs to show each case's opening words.
pub fn documents_for(
    store: &Store,
    officer_id: &str,
    case_ids: &[String],
) -> Result<Vec<GrantedDocument>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.channel_id, g.sealed, c.sealed_submission, c.channel_version
         FROM cases c
         JOIN grants g ON g.case_id = c.id AND g.key = 'case' AND g.holder = 'officer'
              AND g.officer_id = ?2
         WHERE c.id = ?1",
    )?;
    let mut out = Vec::with_capacity(case_ids.len());
    for id in case_ids {
        if let Some(row) = stmt
            .query_row(params![id, officer_id], |r| {
                Ok(GrantedDocument {
                    id: r.get(0)?,
                    channel_id: r.get(1)?,
                    grant: r.get(2)?,
                    sealed: r.get(3)?,
                    channel_version: r.get(4)?,
                })
            })
            .optional()?
        {
            out.push(row);
        }
    }
    Ok(out)
}

/// Sets (or with `None` removes) the address a reporter asked to hear of news at. Removing
/// it also withdraws news mail still queued to it. A reporter's act: the day only.
pub fn set_notify(
    store: &Store,
    case_id: &str,
    sealed: Option<&[u8]>,
    key: &AuditKey,
    event: &Event,
    at: i64,
) -> Result<(), StoreError> {
    let at = super::day(at);
    audit::audited(store, key, event, at, |tx| {
        tx.execute(
            "UPDATE cases SET sealed_notify = ?2 WHERE id = ?1",
            params![case_id, sealed],
        )?;
        if sealed.is_none() {
            outbox::withdraw(tx, case_id, &["reporter_news", "reporter_checkin"])?;
        }
        Ok(())
    })
}
