//! Retention: closed cases are deleted, ciphertext, grants and all, once their channel's
//! retention period has passed since closing; discarded (junk) cases once their shorter grace
//! period has (see `discard`).

use super::deadlines::DAY;
use super::{now, CaseError, Cases};
use crate::audit::{Actor, Event};
use crate::store::{audit, cases, files};

/// Cases deleted per transaction.
const PURGE_BATCH: i64 = 100;
/// Retention of cases whose channel is no longer configured.
const DEFAULT_RETENTION_DAYS: u32 = 365;

/// How long closed cases of a channel's `version` are kept: the longer of that version's
/// retention and the channel's current one. A shorter retention published later applies to
/// cases that come in after it, never to those already in: an admin cannot shorten the life of
/// a case, perhaps one about them that excluded them, by editing its channel.
fn retention_days(channels: &super::Channels, channel_id: &str, version: Option<u32>) -> u32 {
    let asked = channels
        .of_case(channel_id, version)
        .map(|c| c.retention_days);
    let now = channels.of_case(channel_id, None).map(|c| c.retention_days);
    match (asked, now) {
        (Some(a), Some(b)) => a.max(b),
        (Some(days), None) | (None, Some(days)) => days,
        (None, None) => DEFAULT_RETENTION_DAYS,
    }
}

impl Cases {
    /// Purges every discarded case past its grace period and every closed case past its
    /// retention period (365 days for a channel no longer known); returns their numbers.
    /// Works in batches, each its own transaction, so a large backlog never holds the
    /// database's one writer for long.
    pub async fn purge_expired(&self, actor: Actor) -> Result<Vec<i64>, CaseError> {
        let mut purged = self.purge_discarded(actor).await?;
        let in_use = self.store.run(cases::channel_versions).await?;
        for (channel_id, version) in in_use {
            let days = retention_days(&self.channels(), &channel_id, version);
            loop {
                let channel_id = channel_id.clone();
                let key = self.audit.clone();
                let blobs = self.files.blobs.clone();
                let (listed, deleted) = self
                    .store
                    .run(move |s| {
                        let at = now();
                        let before = at - i64::from(days) * DAY;
                        let expired =
                            cases::closed_before(s, (&channel_id, version), before, PURGE_BATCH)?;
                        let doomed: Vec<(String, Event)> = expired
                            .iter()
                            .map(|(id, _)| {
                                // No number: the entry outlives the case it names.
                                let event = Event::new(actor, "purged")
                                    .case(id)
                                    .detail(format!("closed over {days} days"));
                                (id.clone(), event)
                            })
                            .collect();
                        let deleted = cases::delete_closed(s, &doomed, before, &key, at)?;
                        let numbers: Vec<i64> = expired
                            .iter()
                            .filter(|(id, _)| deleted.cases.contains(id))
                            .map(|(_, n)| *n)
                            .collect();
                        // The rows are gone; a blob whose removal fails is swept as a stray.
                        for file in &deleted.files {
                            if let Err(e) = blobs.remove(file) {
                                tracing::error!(error = %e, "a purged case's file was not removed");
                            }
                        }
                        Ok::<_, CaseError>((expired.len() as i64, numbers))
                    })
                    .await?;
                purged.extend(deleted);
                if listed < PURGE_BATCH {
                    break;
                }
                tokio::task::yield_now().await;
            }
        }
        if !purged.is_empty() {
            self.store.run(cases::checkpoint).await?;
        }
        Ok(purged)
    }

    /// Deletes attachment files that no case names (left by a crash mid-upload) and that have
    /// not been written to for `idle`; returns how many.
    pub async fn remove_stray_files(&self, idle: std::time::Duration) -> Result<usize, CaseError> {
        let blobs = self.files.blobs.clone();
        self.store
            .run(move |s| {
                let known = files::all_ids(s)?;
                blobs
                    .remove_strays(&known, idle)
                    .map_err(|source| CaseError::Io {
                        path: blobs.dir().to_path_buf(),
                        source,
                    })
            })
            .await
    }

    /// Checks the audit chain; returns how many entries hold.
    pub async fn verify_audit(&self) -> Result<Result<u64, crate::audit::Broken>, CaseError> {
        let key = self.audit.clone();
        let (entries, highest, live) = self
            .store
            .run(|s| {
                Ok::<_, CaseError>((
                    audit::all(s)?,
                    audit::highest_issued(s)?,
                    cases::all_ids(s)?,
                ))
            })
            .await?;
        Ok(crate::audit::verify(&key, entries, highest, |id| {
            live.contains(id)
        }))
    }
}
