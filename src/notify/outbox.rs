//! The outbox worker: sends queued mail, deletes it once the server took it, and retries with
//! exponential backoff (5 s, 10 s, 20 s … at most an hour) through outages, restarts included.
//!
//! Exactly once is not something SMTP offers: if the process dies after the server accepted a
//! mail and before it was deleted here, it is sent again after the restart, with the same
//! Message-ID, so mail clients and servers that drop duplicates by Message-ID drop it.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use lettre::message::Mailbox;
use lettre::Message;
use tokio::sync::Notify;

use super::{NotifyError, OutboxKey, Transport};
use crate::clock::now;
use crate::metrics;
use crate::store::outbox::{self, QueuedMail};
use crate::store::Store;

/// How often the worker looks for due mail when nothing woke it.
const POLL: Duration = Duration::from_secs(2);
/// Mails taken per round.
const BATCH: i64 = 50;
/// Mails sent at once. lettre writes a message's final dot separately, so each send waits out
/// a delayed ACK (~40 ms); sending several at once over pooled connections keeps that from
/// bounding throughput.
const IN_FLIGHT: usize = 8;

/// Attempts after which a mail the server rejects for good is given up.
const PERMANENT_ATTEMPTS: i64 = 5;

/// Seconds before the next attempt after `attempts` failed ones.
pub fn backoff(attempts: i64) -> i64 {
    (5_i64 << attempts.clamp(0, 10)).min(3600)
}

pub struct Worker {
    pub(crate) store: Store,
    pub(crate) transport: Transport,
    pub(crate) key: Arc<OutboxKey>,
    pub(crate) from: Mailbox,
    pub(crate) wake: Arc<Notify>,
    /// Mails the server took whose row could not be deleted yet (a full disk): never sent
    /// again, their delete retried each round.
    pub(crate) delivered: std::sync::Mutex<std::collections::HashSet<i64>>,
}

impl Worker {
    /// A worker for the configured transport and sender.
    pub fn new(
        store: Store,
        settings: &crate::config::Settings,
        key: Arc<OutboxKey>,
        wake: Arc<Notify>,
    ) -> Result<Self, NotifyError> {
        Ok(Worker {
            store,
            transport: Transport::from_settings(settings)?,
            key,
            from: super::sender(&settings.mail.from)?,
            wake,
            delivered: Default::default(),
        })
    }

    /// Runs until the process ends.
    pub async fn run(self) {
        tracing::info!(transport = self.transport.describe(), "mail worker started");
        loop {
            if let Err(e) = self.drain().await {
                tracing::error!(error = %e, "mail outbox could not be read");
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
        }
    }

    fn delivered(&self) -> std::sync::MutexGuard<'_, std::collections::HashSet<i64>> {
        self.delivered.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Deletes a mail's row; if that fails, remembers the mail as delivered.
    async fn forget(&self, id: i64) {
        match self.store.run(move |s| outbox::sent(s, id)).await {
            Ok(()) => {
                self.delivered().remove(&id);
            }
            Err(e) => {
                tracing::error!(error = %e, "a sent mail could not be taken off the outbox; it will not be sent again");
                self.delivered().insert(id);
            }
        }
    }

    /// Sends every mail that is due.
    pub async fn drain(&self) -> Result<(), NotifyError> {
        let pending: Vec<i64> = self.delivered().iter().copied().collect();
        for id in pending {
            self.forget(id).await;
        }
        loop {
            let mut due = self
                .store
                .run(move |s| outbox::due(s, now(), BATCH))
                .await?;
            due.retain(|m| !self.delivered().contains(&m.id));
            if due.is_empty() {
                return Ok(());
            }
            let results: Vec<Result<(), NotifyError>> = futures_util::stream::iter(due)
                .map(|mail| self.send_one(mail))
                .buffer_unordered(IN_FLIGHT)
                .collect()
                .await;
            results.into_iter().collect::<Result<(), _>>()?;
        }
    }

    async fn send_one(&self, mail: QueuedMail) -> Result<(), NotifyError> {
        let id = mail.id;
        let message = match self.message(&mail) {
            Ok(message) => message,
            Err(why) => {
                // It can never be sent (its address is not one, or it cannot be opened):
                // keeping it would only keep the sealed address.
                tracing::debug!(kind = mail.kind, "mail dropped");
                tracing::error!(error = %why, "mail dropped: it can never be sent");
                self.forget(id).await;
                return Ok(());
            }
        };
        match self.transport.send(message).await {
            Ok(()) => {
                metrics::count("sealbox_mail_sent_total", &[]);
                self.forget(id).await;
                // The kind at `info` would say "a case arrived" (or was answered) and when.
                tracing::debug!(kind = mail.kind, "mail sent");
                tracing::info!("mail sent");
            }
            Err(failure) if failure.permanent && mail.attempts + 1 >= PERMANENT_ATTEMPTS => {
                metrics::count("sealbox_mail_failures_total", &[]);
                tracing::debug!(kind = mail.kind, "mail dropped");
                tracing::error!(attempts = mail.attempts + 1, error = %failure.category,
                    "mail dropped: the server refused it every time");
                self.forget(id).await;
            }
            Err(failure) => {
                metrics::count("sealbox_mail_failures_total", &[]);
                let attempts = mail.attempts + 1;
                let wait = backoff(mail.attempts);
                tracing::debug!(kind = mail.kind, "mail not sent");
                tracing::warn!(attempts, retry_in_s = wait, error = %failure.category,
                    "mail not sent; it stays queued");
                let category = failure.category;
                self.store
                    .run(move |s| outbox::retry(s, id, now() + wait, &category))
                    .await?;
            }
        }
        Ok(())
    }

    fn message(&self, mail: &QueuedMail) -> Result<Message, Unsendable> {
        let sealed = self
            .key
            .open(&mail.sealed)
            .map_err(|_| Unsendable::Unreadable)?;
        let to = sealed
            .to
            .parse::<Mailbox>()
            .map_err(|_| Unsendable::Recipient)?;
        super::transport::mail_builder()
            .from(self.from.clone())
            .to(to)
            .subject(sealed.subject.clone())
            .message_id(Some(mail.message_id.clone()))
            .body(sealed.text.clone())
            .map_err(|_| Unsendable::Build)
    }
}

/// Why a queued mail can never be sent.
#[derive(Debug, thiserror::Error)]
enum Unsendable {
    #[error("the queued mail cannot be opened")]
    Unreadable,
    #[error("the recipient address is not valid")]
    Recipient,
    #[error("the mail could not be built")]
    Build,
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(super::backoff(0), 5);
        assert_eq!(super::backoff(1), 10);
        assert_eq!(super::backoff(4), 80);
        assert_eq!(super::backoff(30), 3600);
    }
}
