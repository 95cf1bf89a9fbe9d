//! Mail texts, from `web/mail/*.txt`: the first line is the subject, the rest the body, with
//! `{name}` placeholders. Nothing a submitter wrote ever goes into one.

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
}

impl Template {
    fn source(self) -> &'static str {
        match self {
            Template::OfficerNewCase => include_str!("../../web/mail/officer_new_case.txt"),
            Template::OfficerNewMessage => include_str!("../../web/mail/officer_new_message.txt"),
            Template::OfficerDueSoon => include_str!("../../web/mail/officer_due_soon.txt"),
            Template::OfficerOverdue => include_str!("../../web/mail/officer_overdue.txt"),
            Template::OfficerDigest => include_str!("../../web/mail/officer_digest.txt"),
            Template::CustomerClosed => include_str!("../../web/mail/customer_closed.txt"),
            Template::CustomerReceived => include_str!("../../web/mail/customer_received.txt"),
            Template::CustomerStatus => include_str!("../../web/mail/customer_status.txt"),
            Template::Test => include_str!("../../web/mail/test.txt"),
        }
    }

    /// The outbox's name for mails of this template.
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
        }
    }

    /// (subject, body) with `vars` filled in.
    pub fn render(self, vars: &[(&str, &str)]) -> (String, String) {
        let fill = |text: &str| {
            vars.iter().fold(text.to_owned(), |acc, (name, value)| {
                acc.replace(&format!("{{{name}}}"), value)
            })
        };
        let (subject, body) = self
            .source()
            .split_once('\n')
            .unwrap_or((self.source(), ""));
        (fill(subject.trim()), fill(body.trim_start_matches('\n')))
    }
}

#[cfg(test)]
mod tests {
    use super::Template;

    #[test]
    fn templates_fill_their_placeholders() {
        for t in [
            Template::OfficerNewCase,
            Template::OfficerNewMessage,
            Template::CustomerReceived,
            Template::CustomerStatus,
            Template::Test,
        ] {
            let (subject, body) = t.render(&[
                ("organisation", "Acme"),
                ("channel", "Report"),
                ("link", "https://x"),
                ("status", "Closed"),
            ]);
            assert!(
                !subject.is_empty() && !subject.contains('{'),
                "{t:?}: {subject}"
            );
            assert!(
                !body.contains('{') && body.contains("https://x"),
                "{t:?}: {body}"
            );
        }
    }
}
