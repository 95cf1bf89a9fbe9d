//! Mail: templates, the lettre transports, the outbox key, and the worker that drains the
//! durable outbox. Mails carry no case content, ever: they say that something happened and
//! where to sign in.

pub mod outbox;
pub mod templates;
pub mod transport;

use std::path::Path;

use crate::crypto::{keys, random, seal, CryptoError, KeyPair, SecretKey};
use crate::store::outbox::NewMail;
use crate::store::StoreError;

pub use outbox::Worker;
pub use transport::Transport;

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// `mail.from` is not a mailbox.
    #[error("mail.from {from:?} is not a mail address")]
    Sender {
        from: String,
        #[source]
        source: lettre::address::AddressError,
    },
    /// `mail.smtp_url` cannot be used.
    #[error("mail.smtp_url: {0}")]
    SmtpUrl(#[source] lettre::transport::smtp::Error),
    /// A recipient address that is not one.
    #[error("not an email address")]
    Recipient(#[source] lettre::address::AddressError),
    #[error("the mail could not be built")]
    Build(#[source] lettre::error::Error),
    /// The SMTP server did not take a mail; `category` says what failed in plain words.
    #[error("{transport}: {category}")]
    Smtp {
        transport: String,
        category: String,
        #[source]
        source: lettre::transport::smtp::Error,
    },
    /// The .eml file could not be written.
    #[error("{transport}")]
    File {
        transport: String,
        #[source]
        source: lettre::transport::file::Error,
    },
    #[error("{path}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("a mail could not be queued")]
    Json(#[source] serde_json::Error),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// Whether `address` is one mail can be sent to (lettre's own check, as the worker uses).
pub fn deliverable(address: &str) -> bool {
    address.parse::<lettre::Address>().is_ok()
}

/// Checks the configured sender (`mail.from`, a mailbox such as `Ethics <ethics@example.org>`).
pub fn check_sender(from: &str) -> Result<(), NotifyError> {
    sender(from).map(|_| ())
}

fn sender(from: &str) -> Result<lettre::message::Mailbox, NotifyError> {
    from.parse().map_err(|source| NotifyError::Sender {
        from: from.to_owned(),
        source,
    })
}

/// Sends one mail straight away, not through the outbox (an operator's test); answers which
/// transport took it.
pub async fn send_now(
    settings: &crate::config::Settings,
    to: &str,
    subject: String,
    text: String,
) -> Result<String, NotifyError> {
    let transport = Transport::from_settings(settings)?;
    let message = transport::mail_builder()
        .from(sender(&settings.mail.from)?)
        .to(to.parse().map_err(NotifyError::Recipient)?)
        .subject(subject)
        .body(text)
        .map_err(NotifyError::Build)?;
    transport.send_verbose(message).await?;
    Ok(transport.describe().to_owned())
}

/// A mail to queue.
pub struct Draft {
    pub kind: &'static str,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub case_id: Option<String>,
    /// The officer it goes to, if any: their queued mail goes when they are disabled.
    pub officer_id: Option<String>,
    /// Seconds to wait before sending.
    pub delay_s: u64,
    /// Kinds of mail for the same case this one replaces while they are still queued.
    pub replaces: &'static [&'static str],
}

/// What is sealed in the outbox for one mail.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct SealedMail {
    pub to: String,
    pub subject: String,
    pub text: String,
}

impl Drop for SealedMail {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.to);
    }
}

/// The server-held key that queued mail (addresses included) is sealed to until it is sent.
/// It lives in `DATA/keys/outbox.key` (mode 0600): the one place the server can read what it
/// stores, for mail not yet delivered only.
pub struct OutboxKey {
    key: SecretKey,
    public: String,
    /// For Message-IDs.
    domain: String,
}

impl OutboxKey {
    /// `from` is the sender address: Message-IDs use its domain.
    pub fn load_or_create(path: &Path, from: &str) -> Result<Self, CryptoError> {
        let bytes = keys::load_or_create_secret_file(path)?;
        let key = SecretKey::from_bytes(&bytes)?;
        let domain = from
            .rsplit_once('@')
            .map(|(_, d)| d.trim_end_matches('>').trim())
            .filter(|d| !d.is_empty())
            .unwrap_or("sealbox.invalid")
            .to_owned();
        Ok(OutboxKey {
            public: key.public(),
            key,
            domain,
        })
    }

    /// A fresh key (tests).
    pub fn ephemeral() -> Self {
        let pair = KeyPair::generate();
        OutboxKey {
            public: pair.public,
            key: pair.secret,
            domain: "sealbox.invalid".into(),
        }
    }

    /// Seals a draft for the outbox, with a Message-ID it keeps for every attempt.
    pub fn seal(&self, draft: Draft, now: i64) -> Result<NewMail, NotifyError> {
        let mail = SealedMail {
            to: draft.to.clone(),
            subject: draft.subject.clone(),
            text: draft.text.clone(),
        };
        let json = zeroize::Zeroizing::new(serde_json::to_vec(&mail).map_err(NotifyError::Json)?);
        Ok(NewMail {
            message_id: format!("<{}@{}>", random::id(), self.domain),
            kind: draft.kind,
            case_id: draft.case_id,
            officer_id: draft.officer_id,
            sealed: seal::seal_padded(&json, &[&self.public])?,
            not_before: now + draft.delay_s as i64,
            replaces: draft.replaces,
        })
    }

    pub(crate) fn open(&self, sealed: &[u8]) -> Result<SealedMail, CryptoError> {
        let plain = seal::open(sealed, &self.key)?;
        serde_json::from_slice(&plain).map_err(|_| CryptoError::Open)
    }
}
