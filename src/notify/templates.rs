//! Mail texts, from the translation files (`web/i18n/<lang>.toml`, under `[mail.<kind>]`):
//! a `subject` and a `body`, with `{name}` placeholders. Nothing a submitter wrote ever goes
//! into one.

use crate::i18n::{self, Lang};

#[derive(Debug, Clone, Copy)]
pub enum Template {
    OfficerNewCase,
    OfficerNewMessage,
    OfficerDueSoon,
    OfficerOverdue,
    OfficerDigest,
    CustomerReceived,
    CustomerStatus,
    CustomerClosed,
    Test,
    /// An account was made for the officer: the link to set their password.
    OfficerEnrol,
    /// The officer's account was reset by an admin: the link, and a warning if they did not
    /// ask for it.
    OfficerReset,
    /// A password was set through an enrolment link.
    OfficerEnrolled,
    /// A reporter asked for a call or a meeting.
    OfficerMeetingRequest,
    /// To a reporter who asked to hear of news: an officer wrote to them.
    ReporterNews,
    /// To a reporter who asked to hear of news: a retaliation check-in waits for them.
    ReporterCheckin,
}

impl Template {
    pub const ALL: [Template; 15] = [
        Template::OfficerNewCase,
        Template::OfficerNewMessage,
        Template::OfficerDueSoon,
        Template::OfficerOverdue,
        Template::OfficerDigest,
        Template::CustomerReceived,
        Template::CustomerStatus,
        Template::CustomerClosed,
        Template::Test,
        Template::OfficerEnrol,
        Template::OfficerReset,
        Template::OfficerEnrolled,
        Template::OfficerMeetingRequest,
        Template::ReporterNews,
        Template::ReporterCheckin,
    ];

    /// The outbox's name for mails of this template, and its section in the translations.
    pub fn kind(self) -> &'static str {
        match self {
            Template::OfficerNewCase => "officer_new_case",
            Template::OfficerNewMessage => "officer_new_message",
            Template::OfficerDueSoon => "officer_due_soon",
            Template::OfficerOverdue => "officer_overdue",
            Template::OfficerDigest => "officer_digest",
            Template::CustomerReceived => "customer_received",
            Template::CustomerStatus => "customer_status",
            Template::CustomerClosed => "customer_closed",
            Template::Test => "test",
            Template::OfficerEnrol => "officer_enrol",
            Template::OfficerReset => "officer_reset",
            Template::OfficerEnrolled => "officer_enrolled",
            Template::OfficerMeetingRequest => "officer_meeting_request",
            Template::ReporterNews => "reporter_news",
            Template::ReporterCheckin => "reporter_checkin",
        }
    }

    /// (subject, body) in `lang`, with `vars` filled in.
    pub fn render(self, lang: Lang, vars: &[(&str, &str)]) -> (String, String) {
        let vars: Vec<(&str, &dyn std::fmt::Display)> = vars
            .iter()
            .map(|(k, v)| (*k, v as &dyn std::fmt::Display))
            .collect();
        let text = |part: &str| lang.text(&format!("mail.{}.{part}", self.kind()));
        (
            i18n::fill(text("subject").trim(), &vars),
            i18n::fill(text("body"), &vars),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_their_placeholders_in_every_language() {
        for lang in Lang::ALL {
            for t in Template::ALL {
                let (subject, body) = t.render(
                    lang,
                    &[
                        ("organisation", "Acme"),
                        ("channel", "Report"),
                        ("link", "https://x"),
                        ("status", "Closed"),
                        ("due", "1 May"),
                        ("open", "3"),
                        ("overdue", "1"),
                        ("token", "0f0f"),
                        ("admin", "Ada"),
                        ("name", "Ned"),
                    ],
                );
                assert!(
                    !subject.is_empty() && !subject.contains('{'),
                    "{t:?} {lang:?}: {subject}"
                );
                assert!(
                    !body.contains('{') && body.contains("https://x"),
                    "{t:?} {lang:?}: {body}"
                );
            }
        }
        let (subject, _) = Template::OfficerNewCase.render(Lang::De, &[("channel", "HR")]);
        assert_eq!(subject, "Neuer Fall in HR");
    }
}
