//! View models of the officer pages.

use askama::Template;

use super::views::{ThreadLine, Ui};
use crate::cases::casework::OfficerCaseView;

/// One officer on the admin page.
pub struct OfficerRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub admin: bool,
    /// Comma-separated channel ids, or "all".
    pub channels: String,
    pub disabled: bool,
}

/// What every officer page shows around its content.
#[derive(Default)]
pub struct Chrome {
    /// The officer's language (or, signed out, the browser's).
    pub t: Ui,
    pub who: Option<String>,
    pub admin: bool,
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
    pub officers: Vec<OfficerRow>,
    pub channel_ids: String,
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
