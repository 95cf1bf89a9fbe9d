//! Records of oral reports (minutes, transcripts) that the reporter checks and approves, and a
//! reporter's requests for a call or a meeting.
//!
//! An officer writes a record, sealed to the case key; the reporter reads it with their claim
//! code and either asks for corrections (a comment) or approves it. Each correction is a new
//! version; earlier ones stay readable. Approval is the reporter's act alone (only the claim
//! code opens the way to it), it records the SHA-256 of the approved text in the audit chain,
//! and the record never changes again.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use super::access::{granted, Officer, Unlocked};
use super::deadlines::{reminder, DAY};
use super::mail::reminded;
use super::sealed::{open_text_at, seal_text};
use super::text::{MessageBody, RECORD_MAX};
use super::{now, CaseError, Cases};
use crate::audit::{Actor, Event};
use crate::crypto::{random, SecretKey};
use crate::notify::templates::Template;
use crate::store::records::{self, Change, RecordRow};
use crate::store::{cases, officers, Store};

/// The words of records, requests and sources, as pages and the API name them.
pub use crate::store::vocabulary::{MeetingKind, RecordKind, RecordState, Source};

/// Characters in a reporter's availability ("weekdays after 6 pm, by phone").
pub const AVAILABILITY_MAX: usize = 2_000;

/// A record as its readers see it: every version, the reporter's comments, where it stands.
#[derive(Debug, Serialize)]
pub struct RecordView {
    pub id: String,
    pub kind: RecordKind,
    pub state: RecordState,
    pub approved_version: Option<i64>,
    pub approved_sha256: Option<String>,
    /// Oldest first; the last is the one to approve.
    pub versions: Vec<VersionView>,
    pub comments: Vec<CommentView>,
}

impl RecordView {
    pub fn latest(&self) -> Option<&VersionView> {
        self.versions.last()
    }
}

#[derive(Debug, Serialize)]
pub struct VersionView {
    pub version: i64,
    pub body: String,
    /// The day, as kept in clear, and the exact time sealed with the text.
    pub at: i64,
    pub exact_at: Option<i64>,
    /// Who wrote it (for officers' eyes; the reporter sees "the case handler").
    pub officer: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct CommentView {
    pub version: i64,
    pub body: String,
    pub at: i64,
}

impl Drop for VersionView {
    fn drop(&mut self) {
        self.body.zeroize();
    }
}

impl Drop for CommentView {
    fn drop(&mut self) {
        self.body.zeroize();
    }
}

/// A reporter's request to talk, opened.
#[derive(Debug, Serialize)]
pub struct MeetingView {
    pub kind: MeetingKind,
    pub availability: String,
    /// The day it was asked for.
    pub requested_at: i64,
    pub due_at: i64,
    pub answered_at: Option<i64>,
}

impl Drop for MeetingView {
    fn drop(&mut self) {
        self.availability.zeroize();
    }
}

/// The records of a case, opened with its case key; officers' names from `names` when given.
pub(super) fn read_records(
    s: &Store,
    case_id: &str,
    case_key: &SecretKey,
    names: Option<&HashMap<String, String>>,
) -> Result<Vec<RecordView>, CaseError> {
    records::list(s, case_id)?
        .into_iter()
        .map(|row| open_record(row, case_key, names))
        .collect()
}

fn open_record(
    row: RecordRow,
    key: &SecretKey,
    names: Option<&HashMap<String, String>>,
) -> Result<RecordView, CaseError> {
    let versions = row
        .versions
        .iter()
        .map(|v| {
            let (body, exact_at) = open_text_at(&v.sealed, key)?;
            Ok(VersionView {
                version: v.version,
                body,
                at: v.created_at,
                exact_at,
                officer: names
                    .and_then(|n| v.officer_id.as_ref().and_then(|id| n.get(id).cloned())),
            })
        })
        .collect::<Result<Vec<_>, CaseError>>()?;
    let comments = row
        .comments
        .iter()
        .map(|c| {
            Ok(CommentView {
                version: c.version,
                body: open_text_at(&c.sealed, key)?.0,
                at: c.created_at,
            })
        })
        .collect::<Result<Vec<_>, CaseError>>()?;
    Ok(RecordView {
        id: row.id,
        kind: row.kind,
        state: row.state,
        approved_version: row.approved_version,
        approved_sha256: row.approved_sha256,
        versions,
        comments,
    })
}

/// A case's requests to talk, opened with its case key.
pub(super) fn read_meetings(
    s: &Store,
    case_id: &str,
    case_key: &SecretKey,
) -> Result<Vec<MeetingView>, CaseError> {
    records::meetings(s, case_id)?
        .into_iter()
        .map(|m| {
            Ok(MeetingView {
                kind: m.kind,
                availability: open_text_at(&m.sealed, case_key)?.0,
                requested_at: m.created_at,
                due_at: m.due_at,
                answered_at: m.answered_at,
            })
        })
        .collect()
}

/// SHA-256 of a text as approved (its UTF-8 bytes), in lower-case hex.
pub fn sha256_hex(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

fn no_such_record() -> CaseError {
    CaseError::NotFound("this case has no such record".into())
}

fn approved_already() -> CaseError {
    CaseError::Conflict("this record was approved: it can no longer change".into())
}

/// A new record as the API takes it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRecord {
    pub kind: RecordKind,
    #[schema(min_length = 1)]
    pub body: String,
}

/// A request to talk as the API takes it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingRequest {
    pub kind: MeetingKind,
    /// When and how they can be reached or meet.
    #[schema(min_length = 1)]
    pub availability: String,
}

impl Cases {
    /// `officer` writes a record of a case they hold; it awaits the reporter's approval.
    pub async fn write_record(
        &self,
        officer: &Officer,
        case_id: &str,
        kind: RecordKind,
        body: &str,
    ) -> Result<String, CaseError> {
        let body = MessageBody::parse_up_to(body, RECORD_MAX)?;
        let officer = officer.clone();
        let case_id = case_id.to_owned();
        let audit = self.audit.clone();
        let mail = self.mail.clone();
        self.store
            .run(move |s| {
                let case = granted(s, &officer, &case_id)?;
                let sealed = seal_text(body.as_str(), &case.case_public_key)?;
                let news = news_for(s, &mail, &officer, &case, body.as_str())?;
                let id = random::id();
                let event = Event::by_officer(&officer.id, "record_written")
                    .case(&case_id)
                    .detail(format!("{kind} {id} v1"));
                let at = now();
                records::insert(
                    s,
                    &case_id,
                    &id,
                    kind,
                    &officer.id,
                    &sealed,
                    &audit,
                    &event,
                    &news,
                    at,
                )?;
                mail.wake();
                cases::mark_read(s, &officer.id, &case_id, at)?;
                Ok(id)
            })
            .await
    }

    /// A new version of a record, answering the reporter's corrections; `Conflict` once it
    /// was approved.
    pub async fn revise_record(
        &self,
        officer: &Officer,
        case_id: &str,
        record_id: &str,
        body: &str,
    ) -> Result<i64, CaseError> {
        let body = MessageBody::parse_up_to(body, RECORD_MAX)?;
        let officer = officer.clone();
        let case_id = case_id.to_owned();
        let record_id = record_id.to_owned();
        let audit = self.audit.clone();
        let mail = self.mail.clone();
        self.store
            .run(move |s| {
                let case = granted(s, &officer, &case_id)?;
                let sealed = seal_text(body.as_str(), &case.case_public_key)?;
                let news = news_for(s, &mail, &officer, &case, body.as_str())?;
                let event = |version: i64| {
                    Event::by_officer(&officer.id, "record_revised")
                        .case(&case_id)
                        .detail(format!("{record_id} v{version}"))
                };
                let at = now();
                let change = records::revise(
                    s,
                    &case_id,
                    &record_id,
                    &officer.id,
                    &sealed,
                    &audit,
                    event,
                    &news,
                    at,
                )?;
                let version = settled(change)?;
                cases::mark_read(s, &officer.id, &case_id, at)?;
                mail.wake();
                Ok(version)
            })
            .await
    }

    /// The reporter approves the latest version of a record: its SHA-256 goes into the audit
    /// chain and the record is final. Returns the digest.
    pub async fn approve_record(
        &self,
        unlocked: &Unlocked,
        record_id: &str,
    ) -> Result<String, CaseError> {
        let unlocked = unlocked.clone();
        let record_id = record_id.to_owned();
        let audit = self.audit.clone();
        self.store
            .run(move |s| {
                let case_id = unlocked.case_id.clone();
                let record = read_records(s, &case_id, &unlocked.key, None)?
                    .into_iter()
                    .find(|r| r.id == record_id)
                    .ok_or_else(no_such_record)?;
                if record.state == RecordState::Approved {
                    return Err(approved_already());
                }
                let latest = record.latest().ok_or_else(no_such_record)?;
                let digest = sha256_hex(&latest.body);
                let event = Event::new(Actor::Submitter, "record_approved")
                    .case(&case_id)
                    .detail(format!(
                        "{} {record_id} v{} sha256:{digest}",
                        record.kind, latest.version
                    ));
                let change = records::approve(
                    s,
                    &case_id,
                    &record_id,
                    latest.version,
                    &digest,
                    &audit,
                    &event,
                    now(),
                )?;
                settled(change)?;
                Ok(digest)
            })
            .await
    }

    /// The reporter asks for corrections to the latest version of a record, sealed to the
    /// case key; its handlers are alerted.
    pub async fn comment_record(
        &self,
        unlocked: &Unlocked,
        record_id: &str,
        body: MessageBody,
    ) -> Result<(), CaseError> {
        let case_id = unlocked.case_id.clone();
        let record_id = record_id.to_owned();
        let audit = self.audit.clone();
        let mail = self.mail.clone();
        let channels = self.channels();
        self.store
            .run(move |s| {
                let case = super::access::existing(s, &case_id)?;
                let sealed = seal_text(body.as_str(), &case.case_public_key)?;
                let alerts =
                    mail.alert_holders(s, &channels, &case, Template::OfficerNewMessage, true)?;
                let event = Event::new(Actor::Submitter, "record_commented")
                    .case(&case_id)
                    .detail(&record_id);
                let change = records::comment(
                    s,
                    &case_id,
                    &record_id,
                    &sealed,
                    &audit,
                    &event,
                    &alerts,
                    now(),
                )?;
                settled(change)?;
                mail.wake();
                Ok(())
            })
            .await
    }

    /// The reporter asks for a call or a meeting, saying when they can; it is sealed to the
    /// case key, due within the channel's `meeting_days`, and its handlers are alerted.
    pub async fn request_meeting(
        &self,
        unlocked: &Unlocked,
        kind: MeetingKind,
        availability: &str,
    ) -> Result<(), CaseError> {
        let availability = MessageBody::parse_up_to(availability, AVAILABILITY_MAX)
            .map_err(|e| CaseError::invalid("availability", &e.to_string()))?;
        let case_id = unlocked.case_id.clone();
        let audit = self.audit.clone();
        let mail = self.mail.clone();
        let channels = self.channels();
        self.store
            .run(move |s| {
                let case = super::access::existing(s, &case_id)?;
                if case.status == super::workflow::Status::Closed {
                    return Err(CaseError::Conflict(
                        "this case is closed: write a new report to talk about it".into(),
                    ));
                }
                let days = channels
                    .get(&case.channel_id)
                    .map_or(14, |c| c.meeting_days);
                let at = now();
                let due = crate::store::day(at) + i64::from(days) * DAY;
                let sealed = seal_text(availability.as_str(), &case.case_public_key)?;
                let alerts = mail.alert_holders(
                    s,
                    &channels,
                    &case,
                    Template::OfficerMeetingRequest,
                    false,
                )?;
                let event = Event::new(Actor::Submitter, "meeting_requested")
                    .case(&case_id)
                    .detail(kind.as_str());
                records::request_meeting(
                    s, &case_id, kind, &sealed, due, &audit, &event, &alerts, at,
                )?;
                mail.wake();
                Ok(())
            })
            .await
    }

    /// Reminders for requests to talk nobody answered: to the handler, or to everyone who can
    /// open the case, once when the answer is due soon and once when it is overdue.
    pub(super) async fn queue_meeting_reminders(&self) -> Result<usize, CaseError> {
        let mail = self.mail.clone();
        let channels = self.channels();
        self.store
            .run(move |s| {
                let now = now();
                let mut queued = 0;
                let due = records::meetings_due_before(s, now + mail.remind_before_s)?;
                if due.is_empty() {
                    return Ok(0);
                }
                let officers = officers::list(s)?;
                for request in due {
                    let Some(stage) = reminder(
                        request.due_at,
                        request.created_at,
                        now,
                        mail.remind_before_s,
                    ) else {
                        continue;
                    };
                    if request.reminded.as_deref() == Some(stage.as_str()) {
                        continue;
                    }
                    let Some(case) = cases::get(s, &request.case_id)? else {
                        continue;
                    };
                    let holders = cases::holders(s, &case.id)?;
                    let to = reminded(&officers, &holders, case.assigned_officer_id.as_ref());
                    if to.is_empty() {
                        continue;
                    }
                    let mails = mail.reminder_mails(
                        to,
                        stage.as_str(),
                        channels.of_case(&case.channel_id, None),
                        (&case.id, &case.channel_id),
                        request.due_at,
                    )?;
                    if records::remind_meeting(s, request.id, stage.as_str(), &mails, now)? {
                        queued += mails.len();
                    }
                }
                Ok(queued)
            })
            .await
    }
}

/// What writing `text` to a case as a record entails: its words into the search index, and
/// the "there is news" mail if the reporter asked for one.
fn news_for(
    s: &Store,
    mail: &super::mail::MailContext,
    officer: &Officer,
    case: &cases::CaseRecord,
    text: &str,
) -> Result<Vec<crate::store::outbox::NewMail>, CaseError> {
    let (case_key, staff_key) = super::access::open_keys(s, officer, &case.id)?;
    super::search::index_text(s, &case.id, &staff_key, text)?;
    Ok(super::news::news_mail(mail, case, &case_key)?
        .into_iter()
        .collect())
}

/// A change to a record that was done, or why not.
fn settled(change: Change) -> Result<i64, CaseError> {
    match change {
        Change::Done(version) => Ok(version),
        Change::NoSuchRecord => Err(no_such_record()),
        Change::Approved => Err(approved_already()),
        Change::Moved => Err(CaseError::Conflict(
            "a new version came in meanwhile: read it, then approve".into(),
        )),
    }
}
