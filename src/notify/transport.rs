//! How mail leaves: SMTP (lettre URL form, TLS as the URL says: `smtp://…` none,
//! `smtp://…?tls=required` STARTTLS, `smtps://…` implicit TLS), or, with no `smtp_url`, .eml
//! files in `DATA/mail/` for trying sealbox out.

use std::time::Duration;

use lettre::transport::smtp::Error as SmtpError;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use super::NotifyError;
use crate::config::Settings;

/// A message builder with what every mail of sealbox carries: plain UTF-8 text, MIME 1.0, and
/// `Auto-Submitted: auto-generated` (RFC 3834) so that vacation responders and list servers
/// do not answer a machine.
pub fn mail_builder() -> lettre::message::MessageBuilder {
    use lettre::message::header::{ContentType, HeaderName, HeaderValue, MIME_VERSION_1_0};
    Message::builder()
        .header(MIME_VERSION_1_0)
        .header(ContentType::TEXT_PLAIN)
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_owned(),
        ))
}

pub enum Transport {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// Host and TLS mode, for logs (never the credentials).
        describe: String,
    },
    Files(AsyncFileTransport<Tokio1Executor>, String),
}

/// Why a send failed.
#[derive(Debug)]
pub struct Failure {
    /// Safe to store and log (see [`category`]).
    pub category: String,
    /// The server refused this mail for good (5xx): retrying will not help.
    pub permanent: bool,
}

/// Why a send failed, as a category safe to store and log: a server's own text can hold the
/// recipient's address, so it is never kept.
pub fn category(e: &SmtpError) -> String {
    let code = e.status().map(|c| format!(" {c}")).unwrap_or_default();
    if e.is_permanent() {
        format!("rejected permanently{code}")
    } else if e.is_transient() {
        format!("rejected for now{code}")
    } else if e.is_timeout() {
        "timed out".into()
    } else if e.is_tls() {
        "TLS failed or not offered".into()
    } else if e.is_client() {
        "client error".into()
    } else {
        "connection failed".into()
    }
}

impl Transport {
    pub fn from_settings(settings: &Settings) -> Result<Self, NotifyError> {
        match &settings.mail.smtp_url {
            Some(url) => {
                let url = url.expose_secret();
                let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(NotifyError::SmtpUrl)?;
                let describe = describe(url);
                Ok(Transport::Smtp {
                    transport: builder
                        .timeout(Some(Duration::from_secs(settings.mail.timeout_s.max(1))))
                        .build(),
                    describe,
                })
            }
            None => {
                let dir = settings.data_dir.join("mail");
                std::fs::create_dir_all(&dir).map_err(|source| NotifyError::Io {
                    path: dir.clone(),
                    source,
                })?;
                let describe = format!(".eml files in {}", dir.display());
                Ok(Transport::Files(AsyncFileTransport::new(dir), describe))
            }
        }
    }

    pub fn describe(&self) -> &str {
        match self {
            Transport::Smtp { describe, .. } => describe,
            Transport::Files(_, describe) => describe,
        }
    }

    /// Sends one message.
    pub async fn send(&self, message: Message) -> Result<(), Failure> {
        match self {
            Transport::Smtp { transport, .. } => {
                transport
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| Failure {
                        category: category(&e),
                        permanent: e.is_permanent(),
                    })
            }
            Transport::Files(files, _) => {
                files.send(message).await.map(|_| ()).map_err(|_| Failure {
                    category: "could not write the .eml file".into(),
                    permanent: false,
                })
            }
        }
    }

    /// Sends one message and returns the full error, for an operator at the command line.
    pub async fn send_verbose(&self, message: Message) -> Result<(), NotifyError> {
        let transport = self.describe().to_owned();
        match self {
            Transport::Smtp {
                transport: smtp, ..
            } => smtp
                .send(message)
                .await
                .map(|_| ())
                .map_err(|source| NotifyError::Smtp {
                    transport,
                    category: category(&source),
                    source,
                }),
            Transport::Files(files, _) => files
                .send(message)
                .await
                .map(|_| ())
                .map_err(|source| NotifyError::File { transport, source }),
        }
    }
}

/// `host:port (TLS mode)` from a lettre URL, without user or password.
fn describe(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("smtp", url));
    let after_user = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    let host = after_user.split(['?', '/']).next().unwrap_or_default();
    let tls = if scheme == "smtps" {
        "implicit TLS"
    } else if url.contains("tls=required") {
        "STARTTLS required"
    } else if url.contains("tls=opportunistic") {
        "STARTTLS if offered"
    } else {
        "no TLS"
    };
    format!("SMTP {host} ({tls})")
}

#[cfg(test)]
mod tests {
    #[test]
    fn descriptions_never_show_credentials() {
        let d = super::describe("smtp://user:secret@mail.example.org:587?tls=required");
        assert_eq!(d, "SMTP mail.example.org:587 (STARTTLS required)");
        assert_eq!(
            super::describe("smtps://mail.example.org"),
            "SMTP mail.example.org (implicit TLS)"
        );
        assert_eq!(
            super::describe("smtp://127.0.0.1:2525"),
            "SMTP 127.0.0.1:2525 (no TLS)"
        );
    }
}
