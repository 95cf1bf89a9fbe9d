//! View models of the reporter pages: the forms, the receipt, the follow-up pages.

use askama::Template;

use crate::cases::followup::CaseView;
use crate::config::ChannelKind;
use crate::http::views::{ThreadLine, Ui};

#[derive(Template)]
#[template(path = "index.html")]
pub struct IndexPage {
    pub t: Ui,
}

#[derive(Template)]
#[template(path = "channels.html")]
pub struct ChannelsPage {
    pub t: Ui,
    pub heading: &'static str,
    /// (id, title, description, link)
    pub channels: Vec<(String, String, String, String)>,
}

pub struct FieldInput {
    pub name: String,
    pub label: String,
    pub help: String,
    pub kind: &'static str,
    pub required: bool,
    pub max_length: usize,
    pub value: String,
    pub checked: bool,
    /// (value, shown, selected)
    pub options: Vec<(String, String, bool)>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "form.html")]
pub struct FormPage {
    pub t: Ui,
    pub title: String,
    pub description: String,
    pub noun: &'static str,
    pub action: &'static str,
    pub channel: String,
    pub fields: Vec<FieldInput>,
    /// (id, name, excluded)
    pub officers: Vec<(String, String, bool)>,
    pub takes_contact: bool,
    /// False while nobody could read a case of this channel: the form is not shown.
    pub accepting: bool,
    pub contact_email: String,
    pub contact_consent: bool,
    pub takes_identity: bool,
    pub identity_name: String,
    pub identity_contact: String,
    pub identity_error: Option<String>,
    pub error: Option<String>,
    pub exclude_error: Option<String>,
    pub contact_error: Option<String>,
    pub file_error: Option<String>,
    pub clean_metadata: bool,
    /// Files were sent with a submission that was refused: they must be chosen again.
    pub files_again: bool,
    /// What files may come, and how many.
    pub files_help: String,
    /// The one-time token of this filling-in (see `form_tokens`).
    pub form_token: String,
    /// Whistleblowing forms: the word on reporting to the authorities (configured paragraphs;
    /// empty: the built-in sentence). `None` on complaint forms.
    pub external: Option<Vec<String>>,
}

#[derive(Template)]
#[template(path = "receipt.html")]
pub struct ReceiptPage {
    pub t: Ui,
    pub noun: &'static str,
    pub code: String,
}

impl Drop for ReceiptPage {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.code);
    }
}

#[derive(Template)]
#[template(path = "followup_login.html")]
pub struct FollowupLoginPage {
    pub t: Ui,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "followup_case.html")]
pub struct FollowupCasePage {
    pub t: Ui,
    pub noun: &'static str,
    pub case: CaseView,
    pub received: String,
    pub status: &'static str,
    pub status_help: &'static str,
    pub messages: Vec<ThreadLine>,
    pub csrf: String,
    pub error: Option<String>,
    pub draft: String,
    pub max_file: String,
    /// The channel takes an identity: (when given, when disclosed to a handler).
    pub identity: Option<(Option<String>, Vec<String>)>,
}

impl Drop for FollowupCasePage {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.draft);
    }
}

/// What a case of this kind is called, in running text: "report", "Meldung", "denúncia".
pub fn noun(ui: &Ui, kind: &ChannelKind) -> &'static str {
    noun_of(ui, kind.as_str())
}

pub fn noun_of(ui: &Ui, kind: &str) -> &'static str {
    if kind == "complaint" {
        ui.get("kind.complaint")
    } else {
        ui.get("kind.report")
    }
}

/// A status as the submitter reads it, with what it means for them.
pub fn status_text(ui: &Ui, status: &str) -> (&'static str, &'static str) {
    match status {
        "received" | "acknowledged" | "in_progress" | "awaiting_submitter" | "closed" => (
            ui.get(&format!("submitter_status.{status}")),
            ui.get(&format!("submitter_status.{status}_help")),
        ),
        _ => (ui.get("submitter_status.unknown"), ""),
    }
}
