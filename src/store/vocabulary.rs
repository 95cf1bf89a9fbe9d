//! The words the workflow columns of a case hold (`status`, `outcome`, `kind`), as the types
//! the store returns and takes. Which moves between them are allowed, and what they are called
//! on a page, is decided in `cases::workflow`, not here.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::Serialize;

pub use crate::config::ChannelKind;

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Received,
    Acknowledged,
    InProgress,
    AwaitingSubmitter,
    Closed,
}

/// How a closed case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Substantiated,
    Unsubstantiated,
    Resolved,
    NoAction,
    Referred,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Received,
        Status::Acknowledged,
        Status::InProgress,
        Status::AwaitingSubmitter,
        Status::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::Acknowledged => "acknowledged",
            Status::InProgress => "in_progress",
            Status::AwaitingSubmitter => "awaiting_submitter",
            Status::Closed => "closed",
        }
    }

    /// The status a stored word names.
    pub fn from_word(word: &str) -> Option<Self> {
        Status::ALL.into_iter().find(|s| s.as_str() == word)
    }
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Substantiated,
        Outcome::Unsubstantiated,
        Outcome::Resolved,
        Outcome::NoAction,
        Outcome::Referred,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Substantiated => "substantiated",
            Outcome::Unsubstantiated => "unsubstantiated",
            Outcome::Resolved => "resolved",
            Outcome::NoAction => "no_action",
            Outcome::Referred => "referred",
        }
    }

    /// The outcome a stored word names.
    pub fn from_word(word: &str) -> Option<Self> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == word)
    }
}

impl ChannelKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            ChannelKind::Whistleblowing => "whistleblowing",
            ChannelKind::Complaint => "complaint",
        }
    }

    /// The kind a stored word names.
    pub fn from_word(word: &str) -> Option<Self> {
        [ChannelKind::Whistleblowing, ChannelKind::Complaint]
            .into_iter()
            .find(|k| k.as_str() == word)
    }
}

/// Reads a column's word as `T`; a word sealbox never writes is an error, not a guess.
fn word<T>(value: ValueRef<'_>, parse: fn(&str) -> Option<T>) -> FromSqlResult<T> {
    parse(value.as_str()?).ok_or(FromSqlError::InvalidType)
}

impl FromSql for Status {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        word(value, Status::from_word)
    }
}

impl ToSql for Status {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl FromSql for Outcome {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        word(value, Outcome::from_word)
    }
}

impl ToSql for Outcome {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl FromSql for ChannelKind {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        word(value, ChannelKind::from_word)
    }
}

impl ToSql for ChannelKind {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

/// The stored word, as pages and the API name it.
macro_rules! display_as_word {
    ($($t:ty),*) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}
display_as_word!(Status, Outcome, ChannelKind);

/// A closed set of words stored in one column: the enum, its words, and their SQL mapping.
macro_rules! words {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }

            /// The value a stored word names.
            pub fn from_word(word: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == word)
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                word(value, $name::from_word)
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(self.as_str().into())
            }
        }

        display_as_word!($name);
    };
}

words! {
    /// How a case came in: on the web, or taken down by an officer.
    Source { Web = "web", Phone = "phone", Meeting = "meeting", Letter = "letter" }
}

words! {
    /// What an officer wrote down of an oral report.
    RecordKind { Minutes = "minutes", Transcript = "transcript" }
}

words! {
    /// Where a record stands with the reporter.
    RecordState {
        AwaitingApproval = "awaiting_approval",
        ChangesRequested = "changes_requested",
        Approved = "approved",
    }
}

words! {
    /// What a reporter asks for when they want to talk.
    MeetingKind { Call = "call", Meeting = "meeting" }
}

words! {
    /// How urgent a case is, as an officer triaged it.
    Priority { Low = "low", Normal = "normal", High = "high", Critical = "critical" }
}
