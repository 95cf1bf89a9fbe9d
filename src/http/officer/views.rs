//! View models of the officer pages.

use askama::Template;

use super::OfficerSession;
use crate::cases::casework::{HistoryEntry, InboxItem, InboxQuery, OfficerCaseView, ThreadEntry};
use crate::cases::enrolment::EnrolmentView;
use crate::cases::files::FileView;
use crate::cases::identity::{OfficerIdentity, RequestView};
use crate::cases::officers::OfficerSummary;
use crate::cases::records::Source;
use crate::cases::statistics::{Count, Series, Statistics};
use crate::cases::workflow::{Outcome, Status};
use crate::cases::CaseError;
use crate::cases::{Channel, Channels};
use crate::config::ChannelKind;
use crate::http::charts;
use crate::http::errors::Problem;
use crate::http::views::{thread, MeetingLine, RecordLine, ThreadLine, Ui};

/// The page frame for a signed-in officer.
pub fn chrome(session: &OfficerSession) -> Chrome {
    Chrome {
        t: session.value.ui.clone(),
        who: Some(session.value.officer.name.clone()),
        admin: session.value.officer.is_admin,
        custodian: session.value.officer.is_custodian,
        csrf: session.csrf.clone(),
        ..Chrome::default()
    }
}

/// The page frame with what an action did (`notice`) or what was wrong with it (`error`).
pub fn chrome_with(
    session: &OfficerSession,
    notice: Option<String>,
    error: Option<String>,
) -> Chrome {
    Chrome {
        notice,
        error,
        ..chrome(session)
    }
}

/// A status as officers name it, in their language.
pub fn status_label(t: &Ui, status: Status) -> &'static str {
    t.get(&format!("status.{}", status.as_str()))
}

/// One officer on the admin page.
pub struct OfficerRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub admin: bool,
    pub custodian: bool,
    /// Comma-separated channel ids, or "all".
    pub channels: String,
    pub disabled: bool,
    /// Their enrolment link is not used yet.
    pub awaiting: bool,
}

impl From<OfficerSummary> for OfficerRow {
    fn from(o: OfficerSummary) -> Self {
        OfficerRow {
            channels: o.channels.map_or("all".into(), |c| c.join(",")),
            id: o.id,
            name: o.name,
            email: o.email,
            admin: o.admin,
            custodian: o.custodian,
            disabled: o.disabled,
            awaiting: o.awaiting_enrolment,
        }
    }
}

/// What every officer page shows around its content.
#[derive(Default)]
pub struct Chrome {
    /// The officer's language (or, signed out, the browser's).
    pub t: Ui,
    pub who: Option<String>,
    pub admin: bool,
    /// An identity custodian: the disclosure requests page is theirs.
    pub custodian: bool,
    pub csrf: String,
    pub notice: Option<String>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "officer_login.html")]
pub struct LoginPage {
    pub chrome: Chrome,
    pub email: String,
    pub totp_needed: bool,
}

impl LoginPage {
    /// The sign-in form, empty, for a visitor in the browser's language.
    pub fn new(t: Ui) -> Self {
        LoginPage {
            chrome: Chrome {
                t,
                ..Chrome::default()
            },
            email: String::new(),
            totp_needed: false,
        }
    }

    /// The form again after a refused sign-in: why, the address kept, and the code field
    /// once the password was right.
    pub fn refused(t: Ui, email: String, refusal: CaseError) -> Self {
        let totp_needed = !matches!(refusal, CaseError::SignInRejected);
        LoginPage {
            chrome: Chrome {
                error: Some(t.problem(&Problem::from(refusal))),
                t,
                ..Chrome::default()
            },
            email,
            totp_needed,
        }
    }
}

pub struct InboxLine {
    pub id: String,
    pub number: i64,
    pub channel: String,
    pub status: String,
    pub status_label: &'static str,
    pub received: String,
    pub due: String,
    pub overdue: bool,
    pub unread: bool,
    pub handler: String,
    pub awaiting_approval: bool,
    pub meeting_requested: bool,
    pub category: Option<String>,
    pub priority: &'static str,
    pub priority_label: &'static str,
    pub summary: String,
    pub retaliation_reported: bool,
}

impl InboxLine {
    fn new(t: &Ui, i: InboxItem) -> Self {
        InboxLine {
            status_label: Status::parse(&i.status)
                .map_or_else(|_| t.get("status.discarded"), |s| status_label(t, s)),
            received: t.date(i.received_at),
            due: i.due_at.map(|d| t.date(d)).unwrap_or_default(),
            handler: i.assigned_to.unwrap_or_default(),
            awaiting_approval: i.awaiting_approval,
            meeting_requested: i.meeting_requested,
            priority: i.priority.as_str(),
            priority_label: t.get(&format!("priority.{}", i.priority)),
            summary: i.summary.to_string(),
            retaliation_reported: i.retaliation_reported,
            category: i.category,
            id: i.id,
            number: i.number,
            channel: i.channel,
            status: i.status,
            overdue: i.overdue,
            unread: i.unread,
        }
    }
}

impl InboxPage {
    /// One page of the inbox, its filters as `query` set them.
    pub fn new(
        chrome: Chrome,
        query: &InboxQuery,
        page: crate::cases::casework::InboxPage,
        channels: &[Channel],
    ) -> Self {
        let t = &chrome.t;
        InboxPage {
            channels: channels
                .iter()
                .map(|c| {
                    let selected = query.channel.as_ref() == Some(&c.id);
                    (c.id.clone(), c.title.get(t.lang).to_owned(), selected)
                })
                .collect(),
            statuses: status_filter(t, query.status.as_deref()),
            priorities: priority_choices(t)
                .into_iter()
                .map(|(w, l)| (w, l, query.priority.as_deref() == Some(w)))
                .collect(),
            categories: {
                let mut all: Vec<&String> = channels.iter().flat_map(|c| &c.categories).collect();
                all.sort();
                all.dedup();
                all.into_iter()
                    .map(|c| (c.clone(), query.category.as_ref() == Some(c)))
                    .collect()
            },
            overdue: query.overdue,
            q: query.q.clone().unwrap_or_default(),
            rows: page
                .items
                .into_iter()
                .map(|i| InboxLine::new(t, i))
                .collect(),
            next_link: page.next.map(|next| next_link(query, &next)),
            chrome,
        }
    }
}

/// The statuses to filter by, discarded cases last: (value, label, selected).
fn status_filter(t: &Ui, chosen: Option<&str>) -> Vec<(&'static str, &'static str, bool)> {
    let discarded = crate::cases::discard::DISCARDED;
    Status::ALL
        .iter()
        .map(|s| (s.as_str(), status_label(t, *s), chosen == Some(s.as_str())))
        .chain([(
            discarded,
            t.get("status.discarded"),
            chosen == Some(discarded),
        )])
        .collect()
}

/// The next page of the inbox, with the same filters.
fn next_link(query: &InboxQuery, next: &str) -> String {
    let mut link = format!("/officer?after={next}");
    if let Some(c) = &query.channel {
        link.push_str(&format!("&channel={c}"));
    }
    if let Some(s) = &query.status {
        link.push_str(&format!("&status={s}"));
    }
    if query.overdue {
        link.push_str("&overdue=1");
    }
    if let Some(c) = &query.category {
        link.push_str(&format!("&category={}", percent_encoded(c)));
    }
    if let Some(p) = &query.priority {
        link.push_str(&format!("&priority={}", percent_encoded(p)));
    }
    if let Some(q) = &query.q {
        link.push_str(&format!("&q={}", percent_encoded(q)));
    }
    link
}

/// A query value as a link carries it: every byte but letters, digits and `-_.~` escaped.
fn percent_encoded(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "officer_inbox.html")]
pub struct InboxPage {
    pub chrome: Chrome,
    /// (id, title, selected)
    pub channels: Vec<(String, String, bool)>,
    /// (value, label, selected)
    pub statuses: Vec<(&'static str, &'static str, bool)>,
    pub overdue: bool,
    pub rows: Vec<InboxLine>,
    pub next_link: Option<String>,
    /// (word, label, selected)
    pub priorities: Vec<(&'static str, &'static str, bool)>,
    /// Every channel's categories: (name, selected).
    pub categories: Vec<(String, bool)>,
    /// The words searched for.
    pub q: String,
}

#[derive(Template)]
#[template(path = "officer_case.html")]
pub struct CasePage {
    pub chrome: Chrome,
    pub case: OfficerCaseView,
    pub status_label: &'static str,
    pub outcome_label: Option<&'static str>,
    pub received: String,
    /// (label, when, overdue)
    pub deadlines: Vec<(&'static str, String, bool)>,
    pub excluded: String,
    pub messages: Vec<ThreadLine>,
    pub notes: Vec<ThreadLine>,
    /// (value, label)
    pub moves: Vec<(&'static str, &'static str)>,
    pub outcomes: Vec<(&'static str, &'static str)>,
    /// (when, who, what, detail): one page of the history.
    pub history: Vec<(String, String, String, String)>,
    pub history_pages: HistoryPages,
    pub identity: Option<IdentityPanel>,
    pub records: Vec<RecordLine>,
    pub meetings: Vec<MeetingLine>,
    pub source: Option<&'static str>,
    /// (word, label) of each priority, and the case's.
    pub priorities: Vec<(&'static str, &'static str)>,
    pub priority_label: &'static str,
    /// Canned replies to start from: (id, title, chosen).
    pub replies: Vec<(String, String, bool)>,
    /// The reply box's text: a canned reply chosen.
    pub reply_draft: String,
}

impl CasePage {
    /// Offers the canned replies; with `chosen`, its text fills the reply box.
    pub fn offer_replies(&mut self, replies: &[crate::cases::triage::Reply], chosen: Option<&str>) {
        self.replies = replies
            .iter()
            .map(|r| (r.id.clone(), r.title.clone(), Some(r.id.as_str()) == chosen))
            .collect();
        if let Some(r) = replies.iter().find(|r| Some(r.id.as_str()) == chosen) {
            self.reply_draft = r.body.clone();
        }
    }
}

/// Each priority as (word, label).
pub fn priority_choices(t: &Ui) -> Vec<(&'static str, &'static str)> {
    crate::cases::triage::Priority::ALL
        .iter()
        .map(|p| (p.as_str(), t.get(&format!("priority.{p}"))))
        .collect()
}

/// History lines on one page of the case page.
pub const HISTORY_PAGE: usize = 50;

/// Where a page of the history is: links to the earlier and later pages, and which entries.
pub struct HistoryPages {
    pub earlier: Option<usize>,
    pub later: Option<usize>,
    /// "Entries 51–100 of 230", when there is more than one page.
    pub span: Option<String>,
}

/// Page `page` of `lines` (oldest first), counted from the newest: (its lines, the links).
fn history_page<T>(t: &Ui, mut lines: Vec<T>, page: usize) -> (Vec<T>, HistoryPages) {
    let total = lines.len();
    let end = total.saturating_sub((page - 1) * HISTORY_PAGE);
    let start = end.saturating_sub(HISTORY_PAGE);
    let pages = HistoryPages {
        earlier: (start > 0).then_some(page + 1),
        later: (page > 1).then(|| page - 1),
        span: (total > HISTORY_PAGE).then(|| {
            t.get("case.history_span")
                .replace("{from}", &(start + 1).to_string())
                .replace("{to}", &end.to_string())
                .replace("{total}", &total.to_string())
        }),
    };
    lines.truncate(end);
    (lines.split_off(start), pages)
}

impl CasePage {
    /// The case page: the case as `CaseSheet` shows it, and the moves and outcomes open to it.
    pub fn new(
        chrome: Chrome,
        case: OfficerCaseView,
        history: &[HistoryEntry],
        page: usize,
    ) -> Result<Self, CaseError> {
        let t = &chrome.t;
        let current = case.status;
        let case_id = case.id.clone();
        let sheet = CaseSheet::of(t, &case, history, |f| {
            format!("/officer/cases/{case_id}/files/{}", f.id)
        })?;
        let (lines, history_pages) = history_page(t, sheet.history, page);
        Ok(CasePage {
            priorities: priority_choices(t),
            priority_label: t.get(&format!("priority.{}", case.priority)),
            replies: Vec::new(),
            reply_draft: String::new(),
            records: sheet.records,
            meetings: sheet.meetings,
            source: sheet.source,
            status_label: sheet.status_label,
            outcome_label: sheet.outcome_label,
            received: sheet.received,
            deadlines: sheet.deadlines,
            excluded: sheet.excluded,
            messages: sheet.messages,
            notes: sheet.notes,
            moves: moves(t, current),
            outcomes: outcome_choices(t),
            history: lines,
            history_pages,
            identity: case.identity.as_ref().map(|i| IdentityPanel::new(t, i)),
            case,
            chrome,
        })
    }
}

impl CasePage {
    /// The text under `key`, in the words for this case's kind (a customer, not a reporter,
    /// for a complaint).
    pub fn says(&self, key: &str) -> &'static str {
        words_for(&self.chrome.t, &self.case.kind, key)
    }
}

/// The text under `key`, or under `key_complaint` for a complaint when there is one.
fn words_for(t: &Ui, kind: &ChannelKind, key: &str) -> &'static str {
    match kind {
        ChannelKind::Complaint => t
            .lang
            .try_text(&format!("{key}_complaint"))
            .unwrap_or_else(|| t.get(key)),
        ChannelKind::Whistleblowing => t.get(key),
    }
}

/// The statuses a case can move to from `current`: (value, label).
fn moves(t: &Ui, current: Status) -> Vec<(&'static str, &'static str)> {
    current
        .next()
        .iter()
        .map(|s| (s.as_str(), status_label(t, *s)))
        .collect()
}

/// The outcomes a case can be closed with: (value, label).
fn outcome_choices(t: &Ui) -> Vec<(&'static str, &'static str)> {
    Outcome::ALL
        .iter()
        .map(|o| (o.as_str(), t.get(&format!("outcome.{}", o.as_str()))))
        .collect()
}

/// The reporter's identity on the case page, as this officer may see it.
pub struct IdentityPanel {
    pub given: Option<String>,
    pub name: Option<String>,
    pub contact: Option<String>,
    pub may_request: bool,
    pub requests: Vec<RequestLine>,
}

pub struct RequestLine {
    pub id: String,
    pub case_id: String,
    pub number: i64,
    pub requester: String,
    pub reason: String,
    pub requested: String,
    /// pending, approved, denied
    pub state: String,
    /// "approved by X on …"
    pub decision: String,
    pub decidable: bool,
}

impl RequestLine {
    pub fn new(t: &Ui, r: &RequestView) -> Self {
        let state = t.get(&format!("identity.{}", r.state));
        let decision = match r.decided_at {
            Some(at) => t.lang.fill(
                "identity.decided",
                &[
                    ("state", &state),
                    ("who", &r.decided_by.as_deref().unwrap_or("—")),
                    ("date", &t.date_time(at)),
                ],
            ),
            None => t.get("identity.waiting").into(),
        };
        RequestLine {
            id: r.id.clone(),
            case_id: r.case_id.clone(),
            number: r.number,
            requester: r.requester.clone(),
            reason: r
                .reason
                .clone()
                .unwrap_or_else(|| t.get("identity.sealed_reason").into()),
            requested: t.date_time(r.requested_at),
            state: r.state.clone(),
            decision,
            decidable: r.decidable,
        }
    }
}

/// The identity section of the case page.
impl IdentityPanel {
    pub fn new(t: &Ui, identity: &OfficerIdentity) -> Self {
        IdentityPanel {
            given: identity.given_at.map(|at| t.when(at, identity.given_exact)),
            name: identity.name.clone(),
            contact: identity.contact.clone(),
            may_request: identity.may_request,
            requests: identity
                .requests
                .iter()
                .map(|r| RequestLine::new(t, r))
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "officer_disclosures.html")]
pub struct DisclosuresPage {
    pub chrome: Chrome,
    pub requests: Vec<RequestLine>,
}

#[derive(Template)]
#[template(path = "officer_account.html")]
pub struct AccountPage {
    pub chrome: Chrome,
    /// The language chosen (`en`, `pt-BR`, `de`), or empty: the browser's.
    pub language: &'static str,
    /// (code, name) of every language.
    pub languages: Vec<(&'static str, &'static str)>,
    pub enrolled: bool,
    pub required: bool,
    pub qr_svg: String,
    pub secret: String,
}

impl Drop for AccountPage {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.qr_svg);
        zeroize::Zeroize::zeroize(&mut self.secret);
    }
}

#[derive(Template)]
#[template(path = "officer_admin.html")]
pub struct AdminPage {
    pub chrome: Chrome,
    pub require_totp: bool,
    /// An enrolment link just issued: shown this once.
    pub enrol_link: Option<String>,
    pub officers: Vec<OfficerRow>,
    pub channel_ids: String,
}

impl AdminPage {
    /// The officers and settings; `enrol_link` when an action just issued one.
    pub fn new(
        chrome: Chrome,
        require_totp: bool,
        enrol_link: Option<String>,
        officers: Vec<OfficerSummary>,
        channels: &[Channel],
    ) -> Self {
        AdminPage {
            chrome,
            require_totp,
            enrol_link,
            officers: officers.into_iter().map(OfficerRow::from).collect(),
            channel_ids: channels
                .iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// A question before a destructive admin action, answered by posting the same form again with
/// `confirm` set (no script needed).
#[derive(Template)]
#[template(path = "officer_confirm.html")]
pub struct ConfirmPage {
    pub chrome: Chrome,
    pub question: String,
    pub action: String,
    /// The form's other fields, carried over as they were.
    pub fields: Vec<(String, String)>,
    /// Where "cancel" goes.
    pub back: String,
}

/// The page of a one-time enrolment link: set a password.
#[derive(Template)]
#[template(path = "officer_enrol.html")]
pub struct EnrolPage {
    pub chrome: Chrome,
    /// The page's own path (the token is in it).
    pub action: String,
    pub name: String,
    pub email: String,
    pub reset: bool,
    /// The password was set: the page says so and links to sign in.
    pub done: bool,
}

impl EnrolPage {
    /// The form to set a password with the enrolment link `token`, for `view`'s officer.
    pub fn new(t: Ui, token: &str, view: EnrolmentView, error: Option<String>) -> Self {
        EnrolPage {
            chrome: Chrome {
                t,
                error,
                ..Chrome::default()
            },
            action: format!("/officer/enrol/{token}"),
            name: view.name,
            email: view.email,
            reset: view.reset,
            done: false,
        }
    }

    /// The password is set: the page says so and links to sign in.
    pub fn done(t: Ui) -> Self {
        EnrolPage {
            chrome: Chrome {
                t,
                ..Chrome::default()
            },
            action: String::new(),
            name: String::new(),
            email: String::new(),
            reset: false,
            done: true,
        }
    }
}

#[derive(Template)]
#[template(path = "officer_statistics.html")]
pub struct StatisticsPage {
    pub chrome: Chrome,
    pub stats: Statistics,
    pub months: u32,
    /// SVG drawn by `charts`, from figures only (labels escaped there).
    pub by_channel_svg: String,
    pub by_kind_svg: String,
    pub state_svg: String,
    pub outcomes_svg: String,
    pub satisfaction_svg: String,
}

impl StatisticsPage {
    /// The figures of the last `months` as charts, named in the officer's language (the
    /// figures themselves, and the JSON, stay as they are).
    pub fn new(chrome: Chrome, months: u32, mut stats: Statistics, channels: &Channels) -> Self {
        let t = &chrome.t;
        name_series(t, &mut stats, channels);
        let state_rows = [
            (t.get("stats.open").to_owned(), stats.open),
            (t.get("stats.closed").to_owned(), stats.closed),
            (t.get("stats.overdue").to_owned(), stats.overdue),
        ];
        let ratings: Vec<(String, Count)> = stats
            .satisfaction
            .iter()
            .map(|(score, count)| (t.fmt1("stats.of_5", "n", score), *count))
            .collect();
        let by_month =
            |title: &str, series: &[Series]| charts::stacked_bars(title, &stats.months, series);
        StatisticsPage {
            by_channel_svg: by_month(t.get("stats.chart_by_channel"), &stats.by_channel),
            by_kind_svg: by_month(t.get("stats.chart_by_kind"), &stats.by_kind),
            state_svg: charts::bars(t.get("stats.chart_state"), &state_rows),
            outcomes_svg: charts::bars(t.get("stats.chart_outcomes"), &stats.outcomes),
            satisfaction_svg: charts::bars(t.get("stats.chart_ratings"), &ratings),
            months,
            stats,
            chrome,
        }
    }
}

/// Channels, kinds and outcomes by their names in the officer's language.
fn name_series(t: &Ui, stats: &mut Statistics, channels: &Channels) {
    for series in &mut stats.by_channel {
        if let Some(c) = channels.get(&series.id) {
            series.label = c.title.get(t.lang).to_owned();
        }
    }
    for series in &mut stats.by_kind {
        series.label = match series.id.as_str() {
            "complaint" => t.get("kind.complaint_plural"),
            _ => t.get("kind.whistleblowing_plural"),
        }
        .to_owned();
    }
    for series in &mut stats.by_source {
        series.label = t.get(&format!("source.{}", series.id)).to_owned();
    }
    for ((label, _), outcome) in stats.outcomes.iter_mut().zip(Outcome::ALL) {
        *label = t.get(&format!("outcome.{}", outcome.as_str())).to_owned();
    }
}

/// What the case page and the printable page both show, shaped for a template.
pub struct CaseSheet {
    pub status_label: &'static str,
    pub outcome_label: Option<&'static str>,
    pub received: String,
    /// (label, when, overdue)
    pub deadlines: Vec<(&'static str, String, bool)>,
    pub excluded: String,
    pub messages: Vec<ThreadLine>,
    pub notes: Vec<ThreadLine>,
    /// (when, who, what, detail)
    pub history: Vec<(String, String, String, String)>,
    pub records: Vec<RecordLine>,
    pub meetings: Vec<MeetingLine>,
    /// How it came in, when an officer took it down (phone, meeting, letter).
    pub source: Option<&'static str>,
}

impl CaseSheet {
    /// `file_url` says where each file is: a download link, or its place in an export.
    pub fn of(
        t: &Ui,
        case: &OfficerCaseView,
        history: &[HistoryEntry],
        file_url: impl Fn(&FileView) -> String,
    ) -> Result<Self, CaseError> {
        let current = case.status;
        Ok(CaseSheet {
            records: case
                .records
                .iter()
                .map(|r| RecordLine::new(t, r, true))
                .collect(),
            meetings: case
                .meeting_requests
                .iter()
                .map(|m| MeetingLine::new(t, m))
                .collect(),
            source: (case.source != Source::Web).then(|| t.get(&format!("source.{}", case.source))),
            status_label: status_label(t, current),
            outcome_label: case
                .outcome
                .map(|o| t.get(&format!("outcome.{}", o.as_str()))),
            received: t.when(case.received_at, case.received_exact),
            deadlines: deadlines(t, case, current),
            excluded: case.excluded.join(", "),
            messages: officer_thread(t, case, &case.messages, false, &file_url),
            notes: officer_thread(t, case, &case.notes, true, &file_url),
            history: history
                .iter()
                .map(|h| history_line(t, &case.kind, h))
                .collect(),
        })
    }
}

/// Who wrote a message or sent a file, as officers read it.
fn author(t: &Ui, kind: &ChannelKind, officer: &Option<String>, author: &str) -> String {
    match (officer, author) {
        (Some(name), _) => name.clone(),
        (None, "submitter") => words_for(t, kind, "thread.submitter").into(),
        (None, _) => t.get("thread.former_officer").into(),
    }
}

/// What a history entry did, in the reader's language (the log's own words for an action
/// without a text), and who did it: a reporter, or a customer for a complaint.
fn history_words(t: &Ui, kind: &ChannelKind, h: &HistoryEntry) -> (String, String) {
    let action = t
        .lang
        .try_text(&format!("history.{}", h.action.replace(' ', "_")))
        .map_or_else(|| h.action.clone(), str::to_owned);
    let who = match (h.who.as_str(), kind) {
        ("Submitter", _) => words_for(t, kind, "thread.submitter").to_owned(),
        (actor @ ("system" | "operator"), _) => t.get(&format!("history.{actor}")).to_owned(),
        (who, _) => who.to_owned(),
    };
    (action, who)
}

/// The messages (or notes) of a case with the files sent with them (`internal`: with notes).
fn officer_thread(
    t: &Ui,
    case: &OfficerCaseView,
    entries: &[ThreadEntry],
    internal: bool,
    file_url: &impl Fn(&FileView) -> String,
) -> Vec<ThreadLine> {
    let messages = entries.iter().map(|m| {
        let who = author(t, &case.kind, &m.officer, &m.author);
        ThreadLine::message(t, &m.author, who, (m.at, m.exact_at), &m.body)
    });
    let files = case
        .files
        .iter()
        .filter(|f| f.internal == internal)
        .map(|f| {
            let note = match (f.cleaned, f.author.as_str()) {
                (true, _) => t.get("files.cleaned"),
                (false, "submitter") => t.get("files.as_sent_short"),
                (false, _) => "",
            };
            let who = author(t, &case.kind, &f.officer, &f.author);
            ThreadLine::file(t, who, f, file_url(f), note)
        });
    thread(messages, files)
}

/// The case's deadlines and when they were met: (label, when, overdue).
fn deadlines(t: &Ui, case: &OfficerCaseView, current: Status) -> Vec<(&'static str, String, bool)> {
    let resolve_label = if case.kind == ChannelKind::Complaint {
        t.get("case.resolve_by")
    } else {
        t.get("case.feedback_due")
    };
    let mut deadlines = Vec::new();
    if let Some(ack) = case.acknowledge_due_at {
        let late = case.overdue && current == Status::Received;
        deadlines.push((t.get("case.acknowledge_by"), t.date(ack), late));
    }
    if let Some(at) = case.acknowledged_at {
        deadlines.push((t.get("case.acknowledged"), t.date_time(at), false));
    }
    if let Some(resolve) = case.resolve_due_at {
        let late = case.overdue && !matches!(current, Status::Received | Status::Closed);
        deadlines.push((resolve_label, t.date(resolve), late));
    }
    if let Some(at) = case.closed_at {
        deadlines.push((t.get("case.closed"), t.date_time(at), false));
    }
    deadlines
}

/// (when, who, what, detail)
fn history_line(t: &Ui, kind: &ChannelKind, h: &HistoryEntry) -> (String, String, String, String) {
    let date = |at| if h.exact { t.date_time(at) } else { t.date(at) };
    let (action, who) = history_words(t, kind, h);
    let detail = detail_words(t, &h.detail);
    if h.count > 1 {
        (
            format!("{} – {}", date(h.first_at), date(h.at)),
            who,
            format!("{action} ×{}", h.count),
            detail,
        )
    } else {
        (date(h.at), who, action, detail)
    }
}

/// A history detail with the workflow's words (`received → acknowledged (resolved)`) in the
/// reader's language; other words as the log has them.
fn detail_words(t: &Ui, detail: &str) -> String {
    if detail == "printable page" {
        return t.get("export.printable").to_owned();
    }
    detail
        .split(' ')
        .map(|token| {
            let word = token.trim_matches(|c| c == '(' || c == ')');
            let label = Status::from_word(word)
                .map(|s| status_label(t, s))
                .or_else(|| Outcome::from_word(word).map(|_| t.get(&format!("outcome.{word}"))));
            match label {
                Some(label) => token.replace(word, label),
                None => token.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl PrintPage<'_> {
    /// The text under `key`, in the words for this case's kind.
    pub fn says(&self, key: &str) -> &'static str {
        words_for(&self.t, &self.case.kind, key)
    }
}

#[derive(Template)]
#[template(path = "officer_case_print.html")]
pub struct PrintPage<'a> {
    pub t: Ui,
    pub case: &'a OfficerCaseView,
    pub sheet: CaseSheet,
    /// Self-contained (styles inline, no links) for a bundle, opened offline.
    pub standalone: bool,
    pub exported: String,
    pub exported_by: String,
}

#[derive(Template)]
#[template(path = "officer_record.html")]
pub struct RecordPage {
    pub chrome: Chrome,
    /// (id, title, chosen)
    pub channels: Vec<(String, String, bool)>,
    /// The chosen channel's form, as the reporter would fill it in.
    pub form: Option<crate::http::reporter::views::FormPage>,
    /// (word, label, chosen): how the report came in.
    pub sources: Vec<(&'static str, &'static str, bool)>,
}

impl RecordPage {
    pub fn new(
        chrome: Chrome,
        channels: Vec<(String, String, bool)>,
        form: Option<crate::http::reporter::views::FormPage>,
        source: &str,
    ) -> Self {
        let t = &chrome.t;
        let sources = Source::ALL
            .iter()
            .filter(|s| **s != Source::Web)
            .map(|s| {
                (
                    s.as_str(),
                    t.get(&format!("source.{s}")),
                    s.as_str() == source,
                )
            })
            .collect();
        RecordPage {
            channels,
            form,
            sources,
            chrome,
        }
    }
}

/// The slip with the claim code of a report taken down: shown once, printable on its own.
#[derive(Template)]
#[template(path = "officer_slip.html")]
pub struct SlipPage {
    pub chrome: Chrome,
    pub code: String,
    pub followup: String,
}

impl SlipPage {
    pub fn new(chrome: Chrome, code: String, followup: String) -> Self {
        SlipPage {
            chrome,
            code,
            followup,
        }
    }
}

impl Drop for SlipPage {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.code);
    }
}
