//! The JSON bodies of the API, built from what `cases` returns: one named type per answer, so
//! a handler only extracts, calls `cases` and answers with one of these.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::cases::casework::{HistoryEntry, InboxItem, InboxPage, OfficerCaseView, ThreadEntry};
use crate::cases::channels::Field;
use crate::cases::files::FileView;
use crate::cases::followup::{CaseView, MessageView};
use crate::cases::identity::{OfficerIdentity, RequestView, SubmitterIdentity};
use crate::cases::intake::OfficerRef;
use crate::cases::records::{
    MeetingKind, MeetingView, RecordKind, RecordState, RecordView, Source,
};
use crate::cases::triage::Priority;
use crate::cases::Channel;
use crate::http::views::rfc3339;
use crate::i18n::Lang;

/// `GET /api/v1/channels`
#[derive(Serialize, ToSchema)]
pub struct ChannelsOut {
    pub channels: Vec<ChannelOut>,
}

#[derive(Serialize, ToSchema)]
pub struct ChannelOut {
    id: String,
    kind: &'static str,
    title: String,
    description: String,
    fields: Vec<FieldOut>,
    officers: Vec<OfficerRef>,
    takes_contact: bool,
    /// False while nobody could read a case of this channel (no officer, no recovery key).
    accepting: bool,
}

impl ChannelOut {
    /// A channel and its form in `lang`, with the officers a submitter may keep away.
    pub fn new(c: &Channel, lang: Lang, officers: Vec<OfficerRef>, accepting: bool) -> Self {
        ChannelOut {
            id: c.id.clone(),
            kind: c.kind.as_str(),
            title: c.title.get(lang).to_owned(),
            description: c.description.get(lang).to_owned(),
            fields: c.fields.iter().map(|f| FieldOut::new(f, lang)).collect(),
            officers,
            takes_contact: c.takes_contact(),
            accepting,
        }
    }
}

#[derive(Serialize, ToSchema)]
struct FieldOut {
    id: String,
    label: String,
    #[serde(rename = "type")]
    kind: &'static str,
    required: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    options: Vec<String>,
    max_length: usize,
    /// A number field's bounds.
    #[serde(skip_serializing_if = "Option::is_none")]
    min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max: Option<f64>,
    /// The step of a step-by-step form it is asked on (1 on a one-page form).
    step: u32,
    /// Asked (and required, when it is) only when that earlier field has that answer;
    /// otherwise a value for it is refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    show_if: Option<ConditionOut>,
}

/// `show_if` of a field.
#[derive(Serialize, ToSchema)]
struct ConditionOut {
    field: String,
    equals: String,
}

impl FieldOut {
    /// The label in `lang`; the options as the values to send, whatever the language.
    fn new(f: &Field, lang: Lang) -> Self {
        FieldOut {
            id: f.id.clone(),
            label: f.label.get(lang).to_owned(),
            kind: f.kind.as_str(),
            required: f.required,
            options: f.options.iter().map(|o| o.canonical().to_owned()).collect(),
            max_length: f.max_length,
            min: f.min,
            max: f.max,
            step: f.step,
            show_if: f.show_if.as_ref().map(|c| ConditionOut {
                field: c.field.clone(),
                equals: c.equals.clone(),
            }),
        }
    }
}

/// `GET /api/v1/followup`: the case as its submitter sees it.
#[derive(Serialize, ToSchema)]
pub struct FollowupOut<'a> {
    number: i64,
    channel: &'a str,
    #[schema(value_type = crate::cases::workflow::Status)]
    status: &'a str,
    #[schema(value_type = Option<crate::cases::workflow::Outcome>)]
    outcome: Option<&'a str>,
    /// The day (UTC midnight, RFC 3339), as kept in clear.
    received_at: String,
    /// The exact time, from the sealed submission (absent in cases from before it was sealed).
    #[serde(skip_serializing_if = "Option::is_none")]
    received_at_exact: Option<String>,
    /// Each field's value: text, or true/false for a checkbox.
    #[schema(value_type = BTreeMap<String, crate::cases::channels::RawValue>)]
    fields: &'a BTreeMap<String, serde_json::Value>,
    contact: Option<ContactOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    satisfaction: Option<i64>,
    messages: Vec<MessageOut<'a>>,
    files: Vec<FileOut<'a>>,
    /// `null` when the channel takes no identity.
    identity: Option<IdentityOut>,
    /// Records of what the reporter said, for them to approve.
    records: Vec<RecordOut<'a>>,
    /// Their requests for a call or a meeting.
    meetings: Vec<MeetingOut<'a>>,
    /// Where they asked to hear of news (`POST`/`DELETE /api/v1/followup/notify`).
    #[serde(skip_serializing_if = "Option::is_none")]
    notify_email: Option<&'a str>,
    /// The retaliation check-in asked now (`POST /api/v1/followup/checkin`), or `null`.
    checkin: Option<CheckinOut>,
}

#[derive(Serialize, ToSchema)]
struct CheckinOut {
    /// Days after closing.
    after_days: u32,
}

impl<'a> FollowupOut<'a> {
    pub fn new(case: &'a CaseView) -> Self {
        FollowupOut {
            number: case.number,
            channel: &case.channel,
            status: case.status.as_str(),
            outcome: case.outcome.map(|o| o.as_str()),
            received_at: rfc3339(case.received_at),
            received_at_exact: case.received_exact.map(rfc3339),
            fields: &case.fields,
            contact: ContactOut::of(&case.contact_email),
            summary: case.summary.as_deref(),
            satisfaction: case.satisfaction,
            messages: case.messages.iter().map(MessageOut::new).collect(),
            files: case
                .files
                .iter()
                .map(|f| FileOut::new(f, format!("/api/v1/followup/files/{}", f.id)))
                .collect(),
            identity: case.identity.as_ref().map(IdentityOut::new),
            records: case.records.iter().map(RecordOut::new).collect(),
            meetings: case.meetings.iter().map(MeetingOut::new).collect(),
            notify_email: case.notify_email.as_deref(),
            checkin: case.checkin.map(|after_days| CheckinOut { after_days }),
        }
    }
}

#[derive(Serialize, ToSchema)]
struct IdentityOut {
    given_at: Option<String>,
    disclosed: Vec<DisclosedOut>,
}

impl IdentityOut {
    fn new(i: &SubmitterIdentity) -> Self {
        IdentityOut {
            given_at: i.given_at.map(rfc3339),
            disclosed: i
                .disclosed
                .iter()
                .map(|d| DisclosedOut {
                    at: rfc3339(d.at),
                    to: d.to,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
struct DisclosedOut {
    at: String,
    to: &'static str,
}

/// A file of a case as the API lists it, with where to download it.
#[derive(Serialize, ToSchema)]
pub struct FileOut<'a> {
    pub id: &'a str,
    pub name: &'a str,
    #[serde(rename = "type")]
    pub media_type: &'a str,
    pub size: u64,
    pub cleaned: bool,
    pub author: &'a str,
    /// The day it was sent (UTC midnight), as kept in clear.
    pub at: String,
    /// The exact time, from its sealed facts, when they hold one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_exact: Option<String>,
    pub url: String,
    /// Officers only: sealed with the staff key, and who sent it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub officer: Option<Option<&'a str>>,
    /// The files question it answers (a field id), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'a str>,
}

impl<'a> FileOut<'a> {
    pub fn new(f: &'a FileView, url: String) -> Self {
        FileOut {
            id: &f.id,
            name: &f.name,
            media_type: &f.media_type,
            size: f.size,
            cleaned: f.cleaned,
            author: &f.author,
            at: rfc3339(f.at),
            at_exact: f.exact_at.map(rfc3339),
            url,
            internal: None,
            officer: None,
            field: f.field.as_deref(),
        }
    }

    /// With what only officers see.
    pub fn for_officers(f: &'a FileView, url: String) -> Self {
        FileOut {
            internal: Some(f.internal),
            officer: Some(f.officer.as_deref()),
            ..FileOut::new(f, url)
        }
    }
}

#[derive(Serialize, ToSchema)]
struct ContactOut<'a> {
    email: &'a str,
}

impl<'a> ContactOut<'a> {
    fn of(email: &'a Option<String>) -> Option<Self> {
        email.as_deref().map(|email| ContactOut { email })
    }
}

#[derive(Serialize, ToSchema)]
struct MessageOut<'a> {
    author: &'a str,
    body: &'a str,
    /// The day it was written (UTC midnight), as kept in clear.
    at: String,
    /// The exact time sealed with it, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    at_exact: Option<String>,
}

impl<'a> MessageOut<'a> {
    fn new(m: &'a MessageView) -> Self {
        MessageOut {
            author: &m.author,
            body: &m.body,
            at: rfc3339(m.at),
            at_exact: m.exact_at.map(rfc3339),
        }
    }
}

/// `GET /api/v1/officer/cases`: one page of the inbox.
#[derive(Serialize, ToSchema)]
pub struct CasesOut {
    cases: Vec<CaseLine>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
}

impl From<InboxPage> for CasesOut {
    fn from(page: InboxPage) -> Self {
        CasesOut {
            cases: page.items.into_iter().map(CaseLine::from).collect(),
            next: page.next,
        }
    }
}

#[derive(Serialize, ToSchema)]
struct CaseLine {
    id: String,
    number: i64,
    channel: String,
    #[schema(value_type = crate::cases::workflow::Status)]
    status: String,
    received_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    due_at: Option<String>,
    overdue: bool,
    unread: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    assigned_to: Option<String>,
    /// A record awaits the reporter's approval.
    awaiting_approval: bool,
    /// The reporter asked to talk and has no answer yet.
    meeting_requested: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<String>,
    priority: Priority,
    /// The case's opening words (its first text answered, about 120 characters), decrypted
    /// for this answer with the officer's key.
    summary: String,
    /// A check-in said the reporter suffered retaliation.
    retaliation_reported: bool,
}

impl From<InboxItem> for CaseLine {
    fn from(i: InboxItem) -> Self {
        CaseLine {
            received_at: rfc3339(i.received_at),
            due_at: i.due_at.map(rfc3339),
            id: i.id,
            number: i.number,
            channel: i.channel,
            status: i.status,
            overdue: i.overdue,
            unread: i.unread,
            assigned_to: i.assigned_to,
            awaiting_approval: i.awaiting_approval,
            meeting_requested: i.meeting_requested,
            summary: i.summary.to_string(),
            retaliation_reported: i.retaliation_reported,
            category: i.category,
            priority: i.priority,
        }
    }
}

/// `GET /api/v1/officer/cases/{id}`: the case as an officer opens it.
///
/// The fields are in alphabetical order: the body was built with `json!` before, whose keys
/// come out sorted, and the order on the wire stays as it was.
#[derive(Serialize, ToSchema)]
pub struct CaseOut<'a> {
    assigned_to: Option<&'a str>,
    channel: &'a str,
    contact: Option<ContactOut<'a>>,
    deadlines: DeadlinesOut,
    due_at: Option<String>,
    excluded_officers: &'a [String],
    feedback: Option<&'a str>,
    /// Each field's value: text, or true/false for a checkbox.
    #[schema(value_type = BTreeMap<String, crate::cases::channels::RawValue>)]
    fields: &'a BTreeMap<String, serde_json::Value>,
    files: Vec<FileOut<'a>>,
    handlers: Vec<HandlerOut<'a>>,
    history: Vec<HistoryOut<'a>>,
    id: &'a str,
    identity: Option<IdentityPanelOut<'a>>,
    kind: &'a str,
    messages: Vec<ThreadOut<'a>>,
    notes: Vec<ThreadOut<'a>>,
    number: i64,
    #[schema(value_type = Option<crate::cases::workflow::Outcome>)]
    outcome: Option<&'a str>,
    overdue: bool,
    received_at: String,
    received_at_exact: Option<String>,
    satisfaction: Option<i64>,
    #[schema(value_type = crate::cases::workflow::Status)]
    status: &'a str,
    summary: Option<&'a str>,
    /// `web`, or how an officer took it down: `phone`, `meeting`, `letter`.
    source: Source,
    records: Vec<RecordOut<'a>>,
    meeting_requests: Vec<MeetingOut<'a>>,
    category: Option<&'a str>,
    priority: Priority,
    /// Linked cases this officer can open too.
    links: Vec<CaseLinkOut<'a>>,
    /// A check-in said the reporter suffered retaliation.
    retaliation_reported: bool,
}

#[derive(Serialize, ToSchema)]
struct CaseLinkOut<'a> {
    id: &'a str,
    number: i64,
}

impl<'a> CaseOut<'a> {
    pub fn new(c: &'a OfficerCaseView, history: &'a [HistoryEntry]) -> Self {
        CaseOut {
            assigned_to: c.assigned_to.as_deref(),
            channel: &c.channel,
            contact: ContactOut::of(&c.contact_email),
            deadlines: DeadlinesOut::new(c),
            due_at: c.due_at.map(rfc3339),
            excluded_officers: &c.excluded,
            feedback: c.feedback.as_deref(),
            fields: &c.fields,
            files: officer_files(c),
            handlers: c
                .handlers
                .iter()
                .map(|(id, name)| HandlerOut { id, name })
                .collect(),
            history: history.iter().map(HistoryOut::new).collect(),
            id: &c.id,
            identity: c.identity.as_ref().map(IdentityPanelOut::new),
            kind: c.kind.as_str(),
            messages: thread(&c.messages),
            notes: thread(&c.notes),
            number: c.number,
            outcome: c.outcome.map(|o| o.as_str()),
            overdue: c.overdue,
            received_at: rfc3339(c.received_at),
            received_at_exact: c.received_exact.map(rfc3339),
            satisfaction: c.satisfaction,
            status: c.status.as_str(),
            summary: c.summary.as_deref(),
            source: c.source,
            records: c.records.iter().map(RecordOut::new).collect(),
            meeting_requests: c.meeting_requests.iter().map(MeetingOut::new).collect(),
            category: c.category.as_deref(),
            priority: c.priority,
            links: c
                .links
                .iter()
                .map(|(id, number)| CaseLinkOut {
                    id,
                    number: *number,
                })
                .collect(),
            retaliation_reported: c.retaliation_reported,
        }
    }
}

/// A record and where it stands: its latest version first-hand, the earlier ones and the
/// reporter's comments beside it.
#[derive(Serialize, ToSchema)]
struct RecordOut<'a> {
    id: &'a str,
    kind: RecordKind,
    /// The latest version and its text.
    version: i64,
    body: &'a str,
    state: RecordState,
    #[serde(skip_serializing_if = "Option::is_none")]
    approved_version: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    approved_sha256: Option<&'a str>,
    versions: Vec<VersionOut<'a>>,
    comments: Vec<CommentOut<'a>>,
}

impl<'a> RecordOut<'a> {
    fn new(r: &'a RecordView) -> Self {
        let latest = r.latest();
        RecordOut {
            id: &r.id,
            kind: r.kind,
            version: latest.map_or(0, |v| v.version),
            body: latest.map_or("", |v| v.body.as_str()),
            state: r.state,
            approved_version: r.approved_version,
            approved_sha256: r.approved_sha256.as_deref(),
            versions: r
                .versions
                .iter()
                .map(|v| VersionOut {
                    version: v.version,
                    body: &v.body,
                    at: rfc3339(v.at),
                    at_exact: v.exact_at.map(rfc3339),
                    officer: v.officer.as_deref(),
                })
                .collect(),
            comments: r
                .comments
                .iter()
                .map(|c| CommentOut {
                    version: c.version,
                    body: &c.body,
                    at: rfc3339(c.at),
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
struct VersionOut<'a> {
    version: i64,
    body: &'a str,
    at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    at_exact: Option<String>,
    /// Who wrote it (officers' view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    officer: Option<&'a str>,
}

#[derive(Serialize, ToSchema)]
struct CommentOut<'a> {
    /// The version it asks to correct.
    version: i64,
    body: &'a str,
    at: String,
}

#[derive(Serialize, ToSchema)]
struct MeetingOut<'a> {
    kind: MeetingKind,
    availability: &'a str,
    requested_at: String,
    due_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    answered_at: Option<String>,
}

impl<'a> MeetingOut<'a> {
    fn new(m: &'a MeetingView) -> Self {
        MeetingOut {
            kind: m.kind,
            availability: &m.availability,
            requested_at: rfc3339(m.requested_at),
            due_at: rfc3339(m.due_at),
            answered_at: m.answered_at.map(rfc3339),
        }
    }
}

/// Every file of the case, with what only officers see and where to download it.
fn officer_files(c: &OfficerCaseView) -> Vec<FileOut<'_>> {
    let url = |f: &FileView| format!("/api/v1/officer/cases/{}/files/{}", c.id, f.id);
    c.files
        .iter()
        .map(|f| FileOut::for_officers(f, url(f)))
        .collect()
}

/// A case's deadlines and when they were met (keys in alphabetical order, as on the wire).
#[derive(Serialize, ToSchema)]
struct DeadlinesOut {
    acknowledge_by: Option<String>,
    acknowledged_at: Option<String>,
    closed_at: Option<String>,
    resolve_by: Option<String>,
}

impl DeadlinesOut {
    fn new(c: &OfficerCaseView) -> Self {
        DeadlinesOut {
            acknowledge_by: c.acknowledge_due_at.map(rfc3339),
            acknowledged_at: c.acknowledged_at.map(rfc3339),
            closed_at: c.closed_at.map(rfc3339),
            resolve_by: c.resolve_due_at.map(rfc3339),
        }
    }
}

/// Someone the case can be assigned to.
#[derive(Serialize, ToSchema)]
struct HandlerOut<'a> {
    id: &'a str,
    name: &'a str,
}

/// One line of a case's history (keys in alphabetical order, as on the wire).
#[derive(Serialize, ToSchema)]
struct HistoryOut<'a> {
    action: &'a str,
    at: String,
    detail: &'a str,
    who: &'a str,
}

impl<'a> HistoryOut<'a> {
    fn new(h: &'a HistoryEntry) -> Self {
        HistoryOut {
            action: &h.action,
            at: rfc3339(h.at),
            detail: &h.detail,
            who: &h.who,
        }
    }
}

#[derive(Serialize, ToSchema)]
struct ThreadOut<'a> {
    author: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    officer: Option<&'a str>,
    body: &'a str,
    /// As kept in clear: the day for a message, the exact time for a note.
    at: String,
    /// The exact time sealed with it, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    at_exact: Option<String>,
}

fn thread(entries: &[ThreadEntry]) -> Vec<ThreadOut<'_>> {
    entries
        .iter()
        .map(|m| ThreadOut {
            author: &m.author,
            officer: m.officer.as_deref(),
            body: &m.body,
            at: rfc3339(m.at),
            at_exact: m.exact_at.map(rfc3339),
        })
        .collect()
}

/// The `identity` of the officer API's case: the identity only for a holder of its key
/// (keys in alphabetical order, as on the wire).
#[derive(Serialize, ToSchema)]
struct IdentityPanelOut<'a> {
    contact: Option<&'a str>,
    given_at: Option<String>,
    may_request: bool,
    name: Option<&'a str>,
    requests: Vec<RequestOut<'a>>,
}

impl<'a> IdentityPanelOut<'a> {
    fn new(identity: &'a OfficerIdentity) -> Self {
        IdentityPanelOut {
            contact: identity.contact.as_deref(),
            given_at: identity.given_at.map(rfc3339),
            may_request: identity.may_request,
            name: identity.name.as_deref(),
            requests: identity.requests.iter().map(RequestOut::new).collect(),
        }
    }
}

/// `GET /api/v1/officer/disclosures`: the requests for identities a custodian may see.
#[derive(Serialize, ToSchema)]
pub struct DisclosuresOut<'a> {
    disclosures: Vec<RequestOut<'a>>,
}

impl<'a> DisclosuresOut<'a> {
    pub fn new(requests: &'a [RequestView]) -> Self {
        DisclosuresOut {
            disclosures: requests.iter().map(RequestOut::new).collect(),
        }
    }
}

/// A request for a reporter's identity (keys in alphabetical order, as on the wire).
#[derive(Serialize, ToSchema)]
struct RequestOut<'a> {
    case_id: &'a str,
    decided_at: Option<String>,
    decided_by: Option<&'a str>,
    id: &'a str,
    number: i64,
    reason: Option<&'a str>,
    requested_at: String,
    requester: &'a str,
    state: &'a str,
}

impl<'a> RequestOut<'a> {
    fn new(r: &'a RequestView) -> Self {
        RequestOut {
            case_id: &r.case_id,
            decided_at: r.decided_at.map(rfc3339),
            decided_by: r.decided_by.as_deref(),
            id: &r.id,
            number: r.number,
            reason: r.reason.as_deref(),
            requested_at: rfc3339(r.requested_at),
            requester: &r.requester,
            state: &r.state,
        }
    }
}
