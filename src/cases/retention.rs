//! Retention: closed cases are deleted, ciphertext, grants and all, once their channel's
//! retention period has passed since closing.

use super::{now, CaseError, Cases};
use crate::audit::{Actor, Event};
use crate::store::cases;

const DAY: i64 = 24 * 60 * 60;

impl Cases {
    /// Purges every closed case past its channel's retention period; returns their numbers.
    pub async fn purge_expired(&self, actor: Actor) -> Result<Vec<i64>, CaseError> {
        let channels = self.channels.clone();
        let key = self.audit.clone();
        self.store
            .run(move |s| {
                let at = now();
                let mut purged = Vec::new();
                for channel in channels.all() {
                    let before = at - i64::from(channel.retention_days) * DAY;
                    for (id, number) in cases::closed_before(s, &channel.id, before)? {
                        let event = Event::new(actor, "purged").case(&id).detail(format!(
                            "#{number}, closed over {} days",
                            channel.retention_days
                        ));
                        cases::delete(s, &id, &key, &event, at)?;
                        purged.push(number);
                    }
                }
                Ok(purged)
            })
            .await
    }

    /// Checks the audit chain; returns how many entries hold.
    pub async fn verify_audit(&self) -> Result<Result<u64, crate::audit::Broken>, CaseError> {
        let key = self.audit.clone();
        let entries = self.store.run(crate::store::audit::all).await?;
        Ok(crate::audit::verify(&key, entries))
    }
}
