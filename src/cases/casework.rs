//! Casework: the officer's inbox, opening a case through their own grant, and acting on it.
//!
//! Access is holding a grant: an officer without one (never granted, or excluded by the
//! submitter) gets `Forbidden` for every action and never sees the case listed.

use std::collections::BTreeMap;

use serde::Serialize;
use zeroize::Zeroize;

use super::access::{existing, granted, names, open_keys, Officer};
use super::channels::FileLimits;
use super::deadlines::{self, Deadlines};
use super::files::{Download, FileView, Upload};
use super::posting::post_events;
use super::sealed::{labelled_fields, open_text, open_text_at, seal_text, SealedSubmission};
use super::text::MessageBody;
use super::workflow::{Outcome, Status};
use super::{now, CaseError, Cases};
use crate::audit::{Actor, Entry, Event};
use crate::config::ChannelKind;
use crate::crypto::SecretKey;
use crate::store::cases::{self, CaseRecord, InboxFilter, KeyKind, StatusChange};
use crate::store::messages::{self, NewPost};
use crate::store::vocabulary::{Priority, Source};
use crate::store::{audit, files, Store};

/// Which thread of a case: the one with the submitter, or the officers' internal notes.
pub use crate::store::messages::Thread;

/// Inbox lines per page.
pub const PAGE: i64 = 50;

/// What an officer may filter the inbox by.
#[derive(Debug, Default, Clone)]
pub struct InboxQuery {
    pub channel: Option<String>,
    pub status: Option<String>,
    pub overdue: bool,
    /// The `next` of the previous page.
    pub after: Option<String>,
    pub category: Option<String>,
    pub priority: Option<String>,
    /// Words to find in the content of the cases.
    pub q: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InboxItem {
    pub id: String,
    pub number: i64,
    pub channel: String,
    pub status: String,
    pub received_at: i64,
    /// The next deadline; none once closed.
    pub due_at: Option<i64>,
    pub overdue: bool,
    pub unread: bool,
    pub assigned_to: Option<String>,
    /// A record of the case awaits the reporter's approval.
    pub awaiting_approval: bool,
    /// The reporter asked to talk and has no answer yet.
    pub meeting_requested: bool,
    pub category: Option<String>,
    pub priority: Priority,
    /// A check-in said the reporter suffered retaliation.
    pub retaliation_reported: bool,
    /// Its opening words, decrypted for this page with the officer's key (never stored);
    /// wiped when dropped.
    #[serde(skip)]
    pub summary: zeroize::Zeroizing<String>,
}

pub struct InboxPage {
    pub items: Vec<InboxItem>,
    pub next: Option<String>,
}

/// A case opened by an officer.
#[derive(Debug, Serialize)]
pub struct OfficerCaseView {
    pub id: String,
    pub number: i64,
    pub channel: String,
    pub channel_title: String,
    pub kind: ChannelKind,
    pub status: Status,
    pub outcome: Option<Outcome>,
    /// The day it was received (as stored in clear).
    pub received_at: i64,
    /// The exact time, from the sealed submission, when it holds one.
    pub received_exact: Option<i64>,
    pub acknowledge_due_at: Option<i64>,
    pub resolve_due_at: Option<i64>,
    pub acknowledged_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub due_at: Option<i64>,
    pub overdue: bool,
    pub assigned_to: Option<String>,
    pub fields: BTreeMap<String, serde_json::Value>,
    #[serde(skip)]
    pub labelled: Vec<(String, String)>,
    pub contact_email: Option<String>,
    /// Names of the officers the submitter kept out of the case.
    pub excluded: Vec<String>,
    pub summary: Option<String>,
    /// The customer's rating (1–5) and its comment.
    pub satisfaction: Option<i64>,
    pub feedback: Option<String>,
    pub messages: Vec<ThreadEntry>,
    pub notes: Vec<ThreadEntry>,
    /// Every file of the case: the submitter's, those sent to them, and internal ones.
    pub files: Vec<FileView>,
    /// (officer id, name) of everyone who may work the case: who it can be assigned to.
    pub handlers: Vec<(String, String)>,
    /// The reporter's sealed identity as this reader may see it; `None`: the channel takes
    /// none.
    pub identity: Option<super::identity::OfficerIdentity>,
    /// How it came in: `web`, or taken down by an officer (`phone`, `meeting`, `letter`).
    pub source: Source,
    /// Records of an oral report (minutes, transcripts) and where each stands.
    pub records: Vec<super::records::RecordView>,
    /// The reporter's requests for a call or a meeting.
    pub meeting_requests: Vec<super::records::MeetingView>,
    /// Triage: the category (one of the channel's) and priority.
    pub category: Option<String>,
    pub priority: Priority,
    /// What the channel offers to file it under.
    pub categories: Vec<String>,
    /// Cases linked to it that this reader can open too: (id, number).
    pub links: Vec<(String, i64)>,
    /// A check-in said the reporter suffered retaliation.
    pub retaliation_reported: bool,
}

#[derive(Debug, Serialize)]
pub struct ThreadEntry {
    pub author: String,
    /// The officer's name for officer entries.
    pub officer: Option<String>,
    pub body: String,
    /// As stored in clear: the day for a message, the exact time for a note.
    pub at: i64,
    /// The exact time sealed with the text, when it holds one.
    pub exact_at: Option<i64>,
}

/// One line of a case's history (from the audit log; never content).
#[derive(Debug, Serialize)]
pub struct HistoryEntry {
    /// When it happened; for repeated readings, the last of them.
    pub at: i64,
    /// `at` is exact; a submitter's action is recorded with its day only.
    pub exact: bool,
    pub who: String,
    pub action: String,
    pub detail: String,
    /// Repeated readings in a row by the same person count as one line: how many.
    pub count: u32,
    /// The first of them.
    pub first_at: i64,
}

/// Whether an entry only says that someone read the case (opened it, printed it, took a file):
/// such entries in a row by the same person collapse into one line with a count.
fn is_reading(action: &str, detail: &str) -> bool {
    matches!(action, "case_opened" | "file_downloaded")
        || (action == "case_exported" && detail == "printable page")
}

impl Drop for OfficerCaseView {
    fn drop(&mut self) {
        super::sealed::wipe_case(
            &mut self.fields,
            &mut self.labelled,
            [
                &mut self.contact_email,
                &mut self.summary,
                &mut self.feedback,
            ],
        );
    }
}

impl Drop for ThreadEntry {
    fn drop(&mut self) {
        self.body.zeroize();
    }
}

/// A requested status change.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    #[schema(value_type = super::workflow::Status)]
    pub status: String,
    pub outcome: Option<String>,
    pub summary: Option<String>,
}

/// A page marker: the next deadline (`-` for none) and number of the last case shown.
fn cursor(due: Option<i64>, number: i64) -> String {
    match due {
        Some(due) => format!("{due}.{number}"),
        None => format!("-.{number}"),
    }
}

fn parse_cursor(text: &str) -> Option<(Option<i64>, i64)> {
    let (due, number) = text.split_once('.')?;
    let due = match due {
        "-" => None,
        due => Some(due.parse().ok()?),
    };
    Some((due, number.parse().ok()?))
}

/// A case opened with its keys, every sealed part decrypted; the reporter's identity as
/// `viewer` may see it (none: an export, where it is never opened). Records nothing: the callers say
/// in the audit log why it was read.
pub(super) fn read_case(
    s: &Store,
    channels: &super::Channels,
    record: CaseRecord,
    case_key: &SecretKey,
    staff_key: &SecretKey,
    viewer: Option<&Officer>,
    lang: crate::i18n::Lang,
) -> Result<OfficerCaseView, CaseError> {
    let case_id = record.id.clone();
    let identity_key = match viewer {
        Some(o) => super::identity::identity_key(s, &case_id, o)?,
        None => None,
    };
    let identity =
        super::identity::officer_view(s, &case_id, staff_key, identity_key.as_ref(), viewer)?;
    let doc = SealedSubmission::open(&record.sealed_submission, case_key)?;
    let names = names(s)?;
    let name_of = |id: &Option<String>| id.as_ref().and_then(|i| names.get(i).cloned());
    let thread = |thread: Thread, key: &SecretKey| {
        messages::list(s, &case_id, thread)?
            .into_iter()
            .map(|m| {
                let (body, exact_at) = open_text_at(&m.sealed, key)?;
                Ok(ThreadEntry {
                    body,
                    officer: name_of(&m.officer_id),
                    author: m.author.clone(),
                    at: m.created_at,
                    exact_at,
                })
            })
            .collect::<Result<Vec<_>, CaseError>>()
    };
    let messages = thread(Thread::Messages, case_key)?;
    let notes = thread(Thread::Notes, staff_key)?;
    let files = files::list(s, &record.id)?
        .iter()
        .map(|row| {
            let key = match row.key {
                KeyKind::Case => case_key,
                KeyKind::Staff => staff_key,
            };
            super::files::view(row, key, name_of(&row.officer_id))
        })
        .collect::<Result<Vec<_>, CaseError>>()?;
    let summary = record
        .sealed_summary
        .as_deref()
        .map(|sealed| open_text(sealed, case_key))
        .transpose()?;
    let feedback = record
        .sealed_feedback
        .as_deref()
        .map(|sealed| open_text(sealed, case_key))
        .transpose()?;
    let handlers = cases::holders(s, &record.id)?
        .into_iter()
        .filter_map(|id| names.get(&id).map(|n| (id.clone(), n.clone())))
        .collect();
    let records = super::records::read_records(s, &case_id, case_key, Some(&names))?;
    let meeting_requests = super::records::read_meetings(s, &case_id, case_key)?;
    let at = now();
    // Its answers under the questions it was asked; its categories as they are now.
    let channel = channels.of_case(&record.channel_id, record.channel_version);
    let current = channels.of_case(&record.channel_id, None);
    let links = match viewer {
        Some(o) => super::triage::visible_links(s, &case_id, o)?,
        None => Vec::new(),
    };
    Ok(OfficerCaseView {
        retaliation_reported: record.retaliation_reported,
        links,
        categories: current.map(|c| c.categories.clone()).unwrap_or_default(),
        category: record.category.clone(),
        priority: record.priority,
        source: record.source,
        records,
        meeting_requests,
        labelled: labelled_fields(channel, &doc.fields, lang),
        channel_title: channel.map_or(record.channel_id.clone(), |c| c.title.get(lang).to_owned()),
        excluded: doc
            .exclude_officers
            .iter()
            .map(|id| names.get(id).cloned().unwrap_or_else(|| id.clone()))
            .collect(),
        contact_email: doc.contact.as_ref().map(|c| c.email.clone()),
        fields: doc.fields,
        overdue: deadlines::is_overdue(record.next_due_at, at),
        due_at: record.next_due_at,
        assigned_to: name_of(&record.assigned_officer_id),
        id: record.id,
        number: record.number,
        channel: record.channel_id,
        kind: record.kind,
        status: record.status,
        outcome: record.outcome,
        received_at: record.received_at,
        received_exact: doc.received_at,
        acknowledge_due_at: record.acknowledge_due_at,
        resolve_due_at: record.resolve_due_at,
        acknowledged_at: record.acknowledged_at,
        closed_at: record.closed_at,
        summary,
        satisfaction: record.satisfaction,
        feedback,
        messages,
        notes,
        files,
        handlers,
        identity,
    })
}

/// The opening words of each of `case_ids` that `officer` holds, opened with their grant for
/// this one page and then dropped: nothing readable is kept.
fn summaries(
    s: &Store,
    channels: &super::Channels,
    officer: &Officer,
    case_ids: &[String],
) -> Result<std::collections::HashMap<String, String>, CaseError> {
    let mut out = std::collections::HashMap::new();
    for d in cases::documents_for(s, &officer.id, case_ids)? {
        // A case that does not open shows no summary rather than taking the inbox down.
        let opened = crate::crypto::keys::open_grant(&d.grant, &officer.key)
            .map_err(CaseError::from)
            .and_then(|key| SealedSubmission::open(&d.sealed, &key));
        let mut doc = match opened {
            Ok(doc) => doc,
            Err(e) => {
                tracing::warn!(error = %e, "a case in the inbox did not open for its summary");
                continue;
            }
        };
        let channel = channels.of_case(&d.channel_id, d.channel_version);
        out.insert(d.id, super::sealed::opening_words(channel, &doc.fields));
        doc.fields.values_mut().for_each(super::sealed::wipe);
    }
    Ok(out)
}

/// Every word of a case as its officers read it.
fn case_words(view: &OfficerCaseView) -> std::collections::HashSet<String> {
    let mut out = std::collections::HashSet::new();
    super::search::field_words(&view.fields, &mut out);
    for entry in view.messages.iter().chain(&view.notes) {
        out.extend(super::search::words(&entry.body));
    }
    for record in &view.records {
        for version in &record.versions {
            out.extend(super::search::words(&version.body));
        }
        for comment in &record.comments {
            out.extend(super::search::words(&comment.body));
        }
    }
    for file in &view.files {
        out.extend(super::search::words(&file.name));
    }
    out
}

/// A case's history from the audit log; readings of the case only with `with_readings`.
pub(super) fn history_of(
    s: &Store,
    case_id: &str,
    with_readings: bool,
) -> Result<Vec<HistoryEntry>, CaseError> {
    let names = names(s)?;
    let entries: Vec<Entry> = audit::for_case(s, case_id)?;
    let mut history: Vec<HistoryEntry> = Vec::new();
    for e in entries
        .into_iter()
        .filter(|e| with_readings || e.action != "case_opened")
    {
        let entry = HistoryEntry {
            at: e.at,
            first_at: e.at,
            count: 1,
            exact: e.actor != Actor::Submitter.as_str(),
            who: match (&e.officer_id, e.actor.as_str()) {
                (Some(id), _) => names.get(id).cloned().unwrap_or_else(|| id.clone()),
                (None, "submitter") => "Submitter".into(),
                (None, other) => other.to_owned(),
            },
            action: e.action.replace('_', " "),
            detail: e.detail,
        };
        match history.last_mut() {
            Some(last)
                if is_reading(&e.action, &entry.detail)
                    && last.action == entry.action
                    && last.who == entry.who
                    && last.detail == entry.detail =>
            {
                last.count += 1;
                last.at = entry.at;
            }
            _ => history.push(entry),
        }
    }
    Ok(history)
}

impl Cases {
    /// The cases `officer` may open, soonest deadline first, a page at a time.
    pub async fn inbox(
        &self,
        officer: &Officer,
        query: InboxQuery,
    ) -> Result<InboxPage, CaseError> {
        let discarded = query.status.as_deref() == Some(super::discard::DISCARDED);
        let status = match query.status.as_deref() {
            Some(word) if !discarded => Some(Status::parse(word)?),
            _ => None,
        };
        let now = now();
        let priority = match query.priority.as_deref() {
            Some(word) => Some(super::triage::parse_priority(word)?),
            None => None,
        };
        let words = match query.q.as_deref() {
            Some(q) => super::search::query_words(q)?,
            None => Vec::new(),
        };
        let only = if words.is_empty() {
            None
        } else {
            Some(self.search_ids(officer, words).await?)
        };
        let filter = InboxFilter {
            channel: query.channel.clone(),
            status,
            discarded,
            overdue_at: query.overdue.then_some(now),
            category: query.category.clone(),
            priority,
            only,
        };
        let after = match &query.after {
            Some(text) => Some(
                parse_cursor(text)
                    .ok_or_else(|| CaseError::invalid("next", "this page marker is not valid"))?,
            ),
            None => None,
        };
        let reader = officer.clone();
        let channels = self.channels();
        let (rows, names, mut summaries) = self
            .store
            .run(move |s| {
                let rows = cases::inbox(s, &reader.id, &filter, after, PAGE + 1)?;
                let ids: Vec<String> = rows
                    .iter()
                    .take(PAGE as usize)
                    .map(|r| r.id.clone())
                    .collect();
                let summaries = summaries(s, &channels, &reader, &ids)?;
                Ok::<_, CaseError>((rows, names(s)?, summaries))
            })
            .await?;
        let more = rows.len() as i64 > PAGE;
        let items: Vec<InboxItem> = rows
            .into_iter()
            .take(PAGE as usize)
            .map(|r| InboxItem {
                overdue: deadlines::is_overdue(r.next_due_at, now),
                unread: r.seen_at.is_none_or(|seen| seen < r.updated_at),
                due_at: r.next_due_at,
                assigned_to: r.assigned_officer_id.and_then(|id| names.get(&id).cloned()),
                awaiting_approval: r.awaiting_approval,
                meeting_requested: r.meeting_requested,
                category: r.category,
                priority: r.priority,
                retaliation_reported: r.retaliation_reported,
                summary: summaries.remove(&r.id).unwrap_or_default().into(),
                id: r.id,
                number: r.number,
                channel: r.channel_id,
                status: if r.discarded {
                    super::discard::DISCARDED.to_owned()
                } else {
                    r.status.as_str().to_owned()
                },
                received_at: r.received_at,
            })
            .collect();
        let next = if more {
            items.last().map(|last| cursor(last.due_at, last.number))
        } else {
            None
        };
        Ok(InboxPage { items, next })
    }

    /// Opens a case for `officer` through their grant: decrypts it, records the reading, and
    /// marks it read for them.
    pub async fn open_case(
        &self,
        officer: &Officer,
        case_id: &str,
        lang: crate::i18n::Lang,
    ) -> Result<OfficerCaseView, CaseError> {
        let officer = officer.clone();
        let case_id = case_id.to_owned();
        let channels = self.channels();
        let audit_key = self.audit.clone();
        self.store
            .run(move |s| {
                let record = existing(s, &case_id)?;
                let (case_key, staff_key) = open_keys(s, &officer, &case_id)?;
                let view = read_case(
                    s,
                    &channels,
                    record,
                    &case_key,
                    &staff_key,
                    Some(&officer),
                    lang,
                )?;
                // What the reporter wrote since comes into the search index now.
                super::search::reindex(s, &view.id, &staff_key, &case_words(&view))?;
                let at = now();
                audit::record(
                    s,
                    &audit_key,
                    &Event::by_officer(&officer.id, "case_opened").case(&case_id),
                    at,
                )?;
                cases::mark_read(s, &officer.id, &case_id, at)?;
                Ok(view)
            })
            .await
    }

    /// A case's history from the audit log. Handlers see what changed; admins also see every
    /// reading of the case.
    pub async fn history(
        &self,
        officer: &Officer,
        case_id: &str,
    ) -> Result<Vec<HistoryEntry>, CaseError> {
        let officer = officer.clone();
        let case_id = case_id.to_owned();
        self.store
            .run(move |s| {
                granted(s, &officer, &case_id)?;
                history_of(s, &case_id, officer.is_admin)
            })
            .await
    }

    /// Moves a case along the workflow. Closing needs an outcome; a summary given when closing
    /// is sealed to the case key, so the submitter reads it too.
    pub async fn change_status(
        &self,
        officer: &Officer,
        case_id: &str,
        request: StatusRequest,
    ) -> Result<String, CaseError> {
        let to = Status::parse(&request.status)?;
        let outcome = match (to, request.outcome.as_deref().filter(|o| !o.is_empty())) {
            (Status::Closed, Some(o)) => Some(Outcome::parse(o)?),
            (Status::Closed, None) => return Err(Outcome::parse("").unwrap_err()),
            (_, Some(_)) => {
                return Err(CaseError::invalid(
                    "outcome",
                    "an outcome is given only when closing",
                ))
            }
            (_, None) => None,
        };
        let summary = match request
            .summary
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(text) if to == Status::Closed => Some(
                MessageBody::parse(text)
                    .map_err(|e| CaseError::invalid("summary", &e.to_string()))?,
            ),
            Some(_) => {
                return Err(CaseError::invalid(
                    "summary",
                    "a summary is given only when closing",
                ))
            }
            None => None,
        };
        let officer = officer.clone();
        let case_id = case_id.to_owned();
        let channels = self.channels();
        let audit_key = self.audit.clone();
        let mail = self.mail.clone();
        self.store
            .run(move |s| {
                let record = granted(s, &officer, &case_id)?;
                let from = record.status;
                from.check_move(to)?;
                let channel = channels.of_case(&record.channel_id, None);
                let at = now();
                let due = deadlines::after_move(
                    Deadlines {
                        acknowledge: record.acknowledge_due_at,
                        resolve: record.resolve_due_at,
                        next: record.next_due_at,
                    },
                    channel,
                    to,
                    crate::store::day(at),
                );
                let change = StatusChange {
                    status: to,
                    outcome,
                    acknowledged_at: if to == Status::Acknowledged {
                        Some(at)
                    } else {
                        record.acknowledged_at
                    },
                    closed_at: (to == Status::Closed).then_some(at),
                    resolve_due_at: due.resolve,
                    next_due_at: due.next,
                    sealed_summary: summary
                        .as_ref()
                        .map(|t| seal_text(t.as_str(), &record.case_public_key))
                        .transpose()?,
                };
                let detail = match outcome {
                    Some(o) => format!("{} → {} ({})", from.as_str(), to.as_str(), o.as_str()),
                    None => format!("{} → {}", from.as_str(), to.as_str()),
                };
                let event = Event::by_officer(&officer.id, "status_changed")
                    .case(&case_id)
                    .detail(detail);
                let (case_key, _) = open_keys(s, &officer, &case_id)?;
                let doc = SealedSubmission::open(&record.sealed_submission, &case_key)?;
                let mut mails = mail.status_mails(doc.contact.as_ref(), &case_id, to)?;
                if to == Status::Closed {
                    mails.extend(super::checkins::checkin_mails(
                        &mail, channel, &record, &case_key,
                    )?);
                }
                if !cases::change_status(
                    s,
                    &case_id,
                    from.as_str(),
                    &change,
                    &audit_key,
                    &event,
                    &mails,
                    at,
                )? {
                    return Err(CaseError::InvalidTransition(
                        "the case changed meanwhile: reload it and try again".into(),
                    ));
                }
                cases::mark_read(s, &officer.id, &case_id, at)?;
                mail.wake();
                Ok(to.as_str().to_owned())
            })
            .await
    }

    /// Writes to the submitter (sealed to the case key) or an internal note (sealed to the
    /// staff key, which the submitter never holds).
    pub async fn post(
        &self,
        officer: &Officer,
        case_id: &str,
        thread: Thread,
        body: MessageBody,
    ) -> Result<(), CaseError> {
        self.post_with_files(officer, case_id, thread, Some(body), None)
            .await?;
        Ok(())
    }

    /// An upload of files from `officer` to a case: for the submitter (`Thread::Messages`,
    /// sealed to the case key) or internal (`Thread::Notes`, sealed to the staff key). Each file
    /// is held to the channel's size limit; officers' files do not count against the
    /// submitter's allowance.
    pub async fn officer_upload(
        &self,
        officer: &Officer,
        case_id: &str,
        thread: Thread,
    ) -> Result<Upload, CaseError> {
        let officer = officer.clone();
        let case_id = case_id.to_owned();
        let channels = self.channels();
        let store = self.files.clone();
        self.store
            .run(move |s| {
                let record = granted(s, &officer, &case_id)?;
                let (to, key) = match thread {
                    Thread::Messages => (record.case_public_key, KeyKind::Case),
                    Thread::Notes => (record.staff_public_key, KeyKind::Staff),
                };
                let per_file = channels
                    .get(&record.channel_id)
                    .map(|c| c.files)
                    .unwrap_or_default()
                    .per_file;
                let mut upload = Upload::new(store, to, key, "officer").by_officer(&officer.id);
                upload.limit_to(FileLimits {
                    per_file,
                    files: u32::MAX,
                    total: u64::MAX,
                });
                Ok(upload)
            })
            .await
    }

    /// Posts text, files, or both to the submitter's thread or the internal notes, in one step.
    pub async fn post_with_files(
        &self,
        officer: &Officer,
        case_id: &str,
        thread: Thread,
        body: Option<MessageBody>,
        upload: Option<Upload>,
    ) -> Result<Vec<String>, CaseError> {
        let upload =
            super::files::files_of_post(&body, upload, super::Reason::new("write_something"))?;
        let key = match thread {
            Thread::Messages => KeyKind::Case,
            Thread::Notes => KeyKind::Staff,
        };
        if upload.as_ref().is_some_and(|u| u.key() != key) {
            // Files sealed for the submitter posted as internal, or the reverse.
            return Err(CaseError::invalid(
                "internal",
                "the files were sealed for another thread than the message",
            ));
        }
        let officer = officer.clone();
        let case_id = case_id.to_owned();
        let audit_key = self.audit.clone();
        let mail = self.mail.clone();
        self.store
            .run(move |s| {
                let record = granted(s, &officer, &case_id)?;
                let (to, action) = match thread {
                    Thread::Messages => (&record.case_public_key, "message_sent"),
                    Thread::Notes => (&record.staff_public_key, "note_added"),
                };
                let (case_key, staff_key) = open_keys(s, &officer, &case_id)?;
                if let Some(b) = &body {
                    super::search::index_text(s, &case_id, &staff_key, b.as_str())?;
                }
                let sealed = body.map(|b| seal_text(b.as_str(), to)).transpose()?;
                let files = match &upload {
                    Some(u) => u.prepare()?,
                    None => Vec::new(),
                };
                // Writing to the reporter is news for a reporter who asked to hear of it.
                let news = match thread {
                    Thread::Messages => super::news::news_mail(&mail, &record, &case_key)?,
                    Thread::Notes => None,
                };
                let post = NewPost {
                    case_id: &case_id,
                    thread,
                    author: "officer",
                    officer_id: Some(&officer.id),
                    sealed: sealed.as_deref(),
                    files: &files,
                    status_move: None,
                    alerts: news.into_iter().collect(),
                };
                let at = now();
                let events = post_events(
                    Some(&officer.id),
                    &case_id,
                    sealed.is_some().then_some(action),
                    files.len(),
                );
                messages::insert(s, &post, &audit_key, &events, at)?;
                let ids = upload.map(Upload::commit).unwrap_or_default();
                cases::mark_read(s, &officer.id, &case_id, at)?;
                if !post.alerts.is_empty() {
                    mail.wake();
                }
                Ok(ids)
            })
            .await
    }

    /// Opens a file of a case `officer` holds a grant for, for download; the download is
    /// recorded in the audit log.
    pub async fn officer_download(
        &self,
        officer: &Officer,
        case_id: &str,
        file_id: &str,
    ) -> Result<Download, CaseError> {
        let officer = officer.clone();
        let case_id = case_id.to_owned();
        let file_id = file_id.to_owned();
        let blobs = self.files.blobs.clone();
        let audit_key = self.audit.clone();
        self.store
            .run(move |s| {
                existing(s, &case_id)?;
                let (case_key, staff_key) = open_keys(s, &officer, &case_id)?;
                let row = files::get(s, &case_id, &file_id)?
                    .ok_or_else(|| CaseError::NotFound("there is no such file".into()))?;
                let key = match row.key {
                    KeyKind::Case => &case_key,
                    KeyKind::Staff => &staff_key,
                };
                let download = super::files::download(&blobs, &row, key)?;
                let event = Event::by_officer(&officer.id, "file_downloaded")
                    .case(&case_id)
                    .detail(&row.id);
                audit::record(s, &audit_key, &event, now())?;
                Ok(download)
            })
            .await
    }

    /// Assigns a handler (one who holds a grant), or with `None` clears the assignment.
    pub async fn assign(
        &self,
        officer: &Officer,
        case_id: &str,
        assignee: Option<&str>,
    ) -> Result<(), CaseError> {
        let officer = officer.clone();
        let case_id = case_id.to_owned();
        let assignee = assignee.filter(|a| !a.is_empty()).map(str::to_owned);
        let audit_key = self.audit.clone();
        self.store
            .run(move |s| {
                granted(s, &officer, &case_id)?;
                if let Some(a) = &assignee {
                    if !cases::holders(s, &case_id)?.contains(a) {
                        return Err(CaseError::invalid(
                            "officer_id",
                            "this officer cannot open the case, so cannot handle it",
                        ));
                    }
                }
                let event = Event::by_officer(&officer.id, "assigned")
                    .case(&case_id)
                    .detail(assignee.clone().unwrap_or_else(|| "nobody".into()));
                cases::assign(s, &case_id, assignee.as_deref(), &audit_key, &event, now())?;
                Ok(())
            })
            .await
    }
}
