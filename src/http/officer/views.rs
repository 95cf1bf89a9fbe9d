//! View models of the officer pages.

use askama::Template;

use crate::cases::casework::{HistoryEntry, OfficerCaseView};
use crate::cases::files::FileView;
use crate::cases::workflow::{Outcome, Status};
use crate::cases::CaseError;
use crate::http::views::{thread, ThreadLine, Ui};

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
    /// (when, who, what, detail)
    pub history: Vec<(String, String, String, String)>,
    pub identity: Option<IdentityPanel>,
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

#[derive(Template)]
#[template(path = "officer_statistics.html")]
pub struct StatisticsPage {
    pub chrome: Chrome,
    pub stats: crate::cases::statistics::Statistics,
    pub months: u32,
    /// SVG drawn by `charts`, from figures only (labels escaped there).
    pub by_channel_svg: String,
    pub by_kind_svg: String,
    pub state_svg: String,
    pub outcomes_svg: String,
    pub satisfaction_svg: String,
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
}

impl CaseSheet {
    /// `file_url` says where each file is: a download link, or its place in an export.
    pub fn of(
        t: &Ui,
        case: &OfficerCaseView,
        history: &[HistoryEntry],
        file_url: impl Fn(&FileView) -> String,
    ) -> Result<Self, CaseError> {
        let current = Status::parse(&case.status)?;
        let who = |officer: &Option<String>, author: &str| match (officer, author) {
            (Some(name), _) => name.clone(),
            (None, "submitter") => t.get("thread.submitter").into(),
            (None, _) => t.get("thread.former_officer").into(),
        };
        let thread_of = |entries: &[crate::cases::casework::ThreadEntry], internal: bool| {
            thread(
                entries.iter().map(|m| {
                    ThreadLine::message(
                        t,
                        &m.author,
                        who(&m.officer, &m.author),
                        (m.at, m.exact_at),
                        &m.body,
                    )
                }),
                case.files
                    .iter()
                    .filter(|f| f.internal == internal)
                    .map(|f| {
                        let note = match (f.cleaned, f.author.as_str()) {
                            (true, _) => t.get("files.cleaned"),
                            (false, "submitter") => t.get("files.as_sent_short"),
                            (false, _) => "",
                        };
                        ThreadLine::file(t, who(&f.officer, &f.author), f, file_url(f), note)
                    }),
            )
        };
        let resolve_label = if case.kind == "complaint" {
            t.get("case.resolve_by")
        } else {
            t.get("case.feedback_due")
        };
        let mut deadlines = Vec::new();
        if let Some(ack) = case.acknowledge_due_at {
            deadlines.push((
                t.get("case.acknowledge_by"),
                t.date(ack),
                case.overdue && current == Status::Received,
            ));
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
        Ok(CaseSheet {
            status_label: t.get(&format!("status.{}", current.as_str())),
            outcome_label: case
                .outcome
                .as_deref()
                .and_then(|o| Outcome::parse(o).ok())
                .map(|o| t.get(&format!("outcome.{}", o.as_str()))),
            received: t.when(case.received_at, case.received_exact),
            deadlines,
            excluded: case.excluded.join(", "),
            messages: thread_of(&case.messages, false),
            notes: thread_of(&case.notes, true),
            history: history
                .iter()
                .map(|h| {
                    (
                        if h.exact {
                            t.date_time(h.at)
                        } else {
                            t.date(h.at)
                        },
                        h.who.clone(),
                        h.action.clone(),
                        h.detail.clone(),
                    )
                })
                .collect(),
        })
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
