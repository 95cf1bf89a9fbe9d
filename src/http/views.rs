//! Template view models: what each page shows, already shaped for the template.

use askama::Template;

use crate::cases::followup::CaseView;
use crate::config::ChannelKind;

#[derive(Template)]
#[template(path = "index.html")]
pub struct IndexPage;

#[derive(Template)]
#[template(path = "channels.html")]
pub struct ChannelsPage {
    pub heading: &'static str,
    pub path: &'static str,
    /// (id, title, description)
    pub channels: Vec<(String, String, String)>,
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
    /// (option, selected)
    pub options: Vec<(String, bool)>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "form.html")]
pub struct FormPage {
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
    pub error: Option<String>,
    pub exclude_error: Option<String>,
    pub contact_error: Option<String>,
}

#[derive(Template)]
#[template(path = "receipt.html")]
pub struct ReceiptPage {
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
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "followup_case.html")]
pub struct FollowupCasePage {
    pub noun: &'static str,
    pub case: CaseView,
    pub received: String,
    pub status: &'static str,
    pub status_help: &'static str,
    /// (author class, author label, when, body)
    pub messages: Vec<(String, &'static str, String, String)>,
    pub csrf: String,
    pub error: Option<String>,
    pub draft: String,
}

impl Drop for FollowupCasePage {
    fn drop(&mut self) {
        for m in &mut self.messages {
            zeroize::Zeroize::zeroize(&mut m.3);
        }
        zeroize::Zeroize::zeroize(&mut self.draft);
    }
}

pub fn noun(kind: &ChannelKind) -> &'static str {
    match kind {
        ChannelKind::Whistleblowing => "report",
        ChannelKind::Complaint => "complaint",
    }
}

pub fn noun_of(kind: &str) -> &'static str {
    if kind == "complaint" {
        "complaint"
    } else {
        "report"
    }
}

/// A status as the submitter reads it, with what it means for them.
pub fn status_text(status: &str) -> (&'static str, &'static str) {
    match status {
        "received" => (
            "Received",
            "Your case has arrived and is waiting to be acknowledged.",
        ),
        "acknowledged" => (
            "Acknowledged",
            "Someone has read your case and will look into it.",
        ),
        "in_progress" => ("In progress", "Your case is being looked into."),
        "awaiting_submitter" => (
            "Waiting for you",
            "The people handling your case have asked you something: see the messages below.",
        ),
        "closed" => ("Closed", "Your case is closed. You can still read it here."),
        _ => ("Unknown", ""),
    }
}

/// `24 November 2026, 14:05 UTC`
pub fn date_time(ts: i64) -> String {
    let format = time::macros::format_description!(
        "[day padding:none] [month repr:long] [year], [hour]:[minute] UTC"
    );
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_default()
}

/// RFC 3339 in UTC, for the API.
pub fn rfc3339(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_read_well() {
        assert_eq!(super::date_time(0), "1 January 1970, 00:00 UTC");
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
    }
}
