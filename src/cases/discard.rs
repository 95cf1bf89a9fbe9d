//! Discarding an obvious junk case (spam, a test, gibberish): an officer who can open it gives
//! a reason, and the case is closed for its submitter, leaves the inbox, and is purged after a
//! grace period instead of the channel's full retention.

use super::deadlines::DAY;
use super::sealed::seal_text;
use super::text::MessageBody;
use super::{now, CaseError, Cases};
use crate::audit::{Actor, Event};
use crate::store::cases;

/// The inbox status that lists discarded cases.
pub const DISCARDED: &str = "discarded";

/// Cases purged per transaction.
const PURGE_BATCH: i64 = 100;

impl Cases {
    /// Discards a case `officer` holds a grant for. The reason is required; it is sealed to the
    /// staff key as an internal note (officers' words are never stored in clear), and the
    /// audit entry says only that it was discarded and when it will be purged.
    pub async fn discard(
        &self,
        officer: &super::access::Officer,
        case_id: &str,
        reason: &str,
    ) -> Result<(), CaseError> {
        let reason = MessageBody::parse(reason).map_err(|e| match e {
            CaseError::Invalid {
                message, reason, ..
            } => CaseError::Invalid {
                field: "reason".into(),
                message: format!("discarding a case needs a reason: {message}"),
                reason,
            },
            other => other,
        })?;
        let officer = officer.clone();
        let case_id = case_id.to_owned();
        let key = self.audit.clone();
        let grace = self.discard_grace_days;
        let discarded = self
            .store
            .run(move |s| {
                let record = super::access::granted(s, &officer, &case_id)?;
                let sealed = seal_text(
                    &format!("Discarded as junk: {}", reason.as_str()),
                    &record.staff_public_key,
                )?;
                let event = Event::by_officer(&officer.id, "discarded")
                    .case(&case_id)
                    .detail(format!(
                        "reason sealed in the notes; purged after {grace} days"
                    ));
                Ok::<_, CaseError>(cases::discard(
                    s,
                    &case_id,
                    &officer.id,
                    &sealed,
                    &key,
                    &event,
                    now(),
                )?)
            })
            .await?;
        if !discarded {
            return Err(CaseError::Conflict("this case is discarded already".into()));
        }
        Ok(())
    }

    /// Purges cases discarded more than the grace period ago (zero days: every discarded
    /// case); returns their numbers.
    pub(super) async fn purge_discarded(&self, actor: Actor) -> Result<Vec<i64>, CaseError> {
        let mut purged = Vec::new();
        let days = self.discard_grace_days;
        loop {
            let key = self.audit.clone();
            let blobs = self.files.blobs.clone();
            let (listed, deleted) = self
                .store
                .run(move |s| {
                    let at = now();
                    // Discarded at or before this second, less the grace period.
                    let before = at - i64::from(days) * DAY + 1;
                    let expired = cases::discarded_before(s, before, PURGE_BATCH)?;
                    let doomed: Vec<(String, Event)> = expired
                        .iter()
                        .map(|(id, _)| {
                            let event = Event::new(actor, "purged")
                                .case(id)
                                .detail(format!("discarded over {days} days"));
                            (id.clone(), event)
                        })
                        .collect();
                    let deleted = cases::delete_closed(s, &doomed, before, &key, at)?;
                    for file in &deleted.files {
                        if let Err(e) = blobs.remove(file) {
                            tracing::error!(error = %e, "a purged case's file was not removed");
                        }
                    }
                    let numbers: Vec<i64> = expired
                        .iter()
                        .filter(|(id, _)| deleted.cases.contains(id))
                        .map(|(_, n)| *n)
                        .collect();
                    Ok::<_, CaseError>((expired.len() as i64, numbers))
                })
                .await?;
            purged.extend(deleted);
            if listed < PURGE_BATCH {
                break;
            }
            tokio::task::yield_now().await;
        }
        Ok(purged)
    }
}
