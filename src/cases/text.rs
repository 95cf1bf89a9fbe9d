//! Small input types parsed at the edge: once built, the type is the proof of validity.

use zeroize::Zeroizing;

use super::{CaseError, Reason};

/// Characters in one message of the thread.
pub const MESSAGE_MAX: usize = 20_000;

/// A message body: trimmed, not empty, at most `MESSAGE_MAX` characters; wiped when dropped.
pub struct MessageBody(Zeroizing<String>);

/// Characters in one version of a record (minutes, a transcript).
pub const RECORD_MAX: usize = 100_000;

impl MessageBody {
    pub fn parse(input: &str) -> Result<Self, CaseError> {
        Self::parse_up_to(input, MESSAGE_MAX)
    }

    /// A body of at most `max` characters, otherwise as [`MessageBody::parse`].
    pub fn parse_up_to(input: &str, max: usize) -> Result<Self, CaseError> {
        let text = Zeroizing::new(input.replace("\r\n", "\n"));
        let text = text.trim();
        if text.is_empty() {
            return Err(CaseError::invalid_because(
                "body",
                Reason::new("message_empty"),
            ));
        }
        let chars = text.chars().count();
        if chars > max {
            return Err(CaseError::invalid_because(
                "body",
                Reason::new("message_too_long")
                    .with("chars", chars)
                    .with("max", max),
            ));
        }
        Ok(MessageBody(Zeroizing::new(text.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address, checked for shape (not deliverability), lower-cased domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, input: &str) -> Result<Self, CaseError> {
        let text = input.trim();
        let bad = || CaseError::invalid_because(field, Reason::new("email"));
        if text.len() > 254 || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = text.rsplit_once('@').ok_or_else(bad)?;
        if local.is_empty()
            || local.len() > 64
            || domain.len() < 3
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains('@')
            || text.contains(['<', '>', ',', ';', '"'])
            || !crate::notify::deliverable(text)
        {
            return Err(bad());
        }
        Ok(Email(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_trimmed_and_bounded() {
        assert_eq!(
            MessageBody::parse("  hi \r\n there ").unwrap().as_str(),
            "hi \n there"
        );
        assert!(MessageBody::parse(" \n ").is_err());
        assert!(MessageBody::parse(&"x".repeat(MESSAGE_MAX + 1)).is_err());
    }

    #[test]
    fn emails_are_checked_for_shape() {
        assert_eq!(
            Email::parse("e", " A.B@Example.ORG ").unwrap().as_str(),
            "A.B@example.org"
        );
        for bad in [
            "",
            "a",
            "a@b",
            "@example.org",
            "a b@example.org",
            "a@example.org>",
            "a@.org",
        ] {
            assert!(Email::parse("e", bad).is_err(), "{bad}");
        }
    }
}
