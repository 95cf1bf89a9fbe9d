//! Template view models: what each page shows, already shaped for the template.

use askama::Template;

use crate::cases::files::FileView;
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
    pub max_files: u32,
    pub max_file: String,
    pub max_total: String,
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

/// One line of a thread on a page: a message, or a file.
pub struct ThreadLine {
    /// Who wrote it, as a CSS class: `submitter`, `officer`.
    pub from: String,
    pub who: String,
    pub at: String,
    pub body: String,
    pub file: Option<FileLine>,
}

pub struct FileLine {
    pub url: String,
    pub name: String,
    pub size: String,
    /// What happened to its hidden metadata, if worth saying.
    pub note: &'static str,
}

impl Drop for ThreadLine {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.body);
        if let Some(f) = &mut self.file {
            zeroize::Zeroize::zeroize(&mut f.name);
        }
    }
}

impl ThreadLine {
    pub fn message(from: &str, who: String, at: i64, body: &str) -> (i64, ThreadLine) {
        let line = ThreadLine {
            from: from.to_owned(),
            who,
            at: date_time(at),
            body: body.to_owned(),
            file: None,
        };
        (at, line)
    }

    pub fn file(
        who: String,
        file: &FileView,
        url: String,
        note: &'static str,
    ) -> (i64, ThreadLine) {
        let line = ThreadLine {
            from: file.author.clone(),
            who,
            at: date_time(file.at),
            body: String::new(),
            file: Some(FileLine {
                url,
                name: file.name.clone(),
                size: crate::cases::files::human_size(file.size),
                note,
            }),
        };
        (file.at, line)
    }
}

/// Messages and files in time order; within the same second the text of a post comes before
/// its files (the sort is stable and messages are listed first).
pub fn thread(
    messages: impl IntoIterator<Item = (i64, ThreadLine)>,
    files: impl IntoIterator<Item = (i64, ThreadLine)>,
) -> Vec<ThreadLine> {
    let mut lines: Vec<(i64, ThreadLine)> = messages.into_iter().chain(files).collect();
    lines.sort_by_key(|(at, _)| *at);
    lines.into_iter().map(|(_, line)| line).collect()
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
