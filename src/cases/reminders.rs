//! Deadline reminders and the daily digest. A reminder goes to the case's handler, or to every
//! officer who can open it when nobody is assigned: once when a deadline is near, once when it
//! has passed. Like every mail, they say only that something is due.

use super::deadlines::{reminder, DAY};
use super::mail::reminded;
use super::{now, CaseError, Cases};
use crate::notify::templates::Template;
use crate::store::{cases, officers, reminders};

impl Cases {
    /// Queues the reminders that are due and, at the configured hour, the daily digests.
    /// Returns (reminders, digests) queued.
    pub async fn queue_due_mail(&self) -> Result<(usize, usize), CaseError> {
        let reminders = self.queue_reminders().await? + self.queue_meeting_reminders().await?;
        let digests = match self.mail.digest_hour {
            Some(hour) => self.queue_digests(hour).await?,
            None => 0,
        };
        if reminders + digests > 0 {
            self.mail.wake();
        }
        Ok((reminders, digests))
    }

    async fn queue_reminders(&self) -> Result<usize, CaseError> {
        let mail = self.mail.clone();
        let channels = self.channels();
        self.store
            .run(move |s| {
                let now = now();
                let due = reminders::due_before(s, now + mail.remind_before_s)?;
                if due.is_empty() {
                    return Ok(0);
                }
                let officers = officers::list(s)?;
                let mut queued = 0;
                for case in due {
                    let Some(stage) =
                        reminder(case.due_at, case.received_at, now, mail.remind_before_s)
                    else {
                        continue;
                    };
                    let stage = stage.as_str();
                    if reminders::sent(s, &case.id, case.due_at, stage)? {
                        continue;
                    }
                    let holders = cases::holders(s, &case.id)?;
                    let to = reminded(&officers, &holders, case.assigned_officer_id.as_ref());
                    if to.is_empty() {
                        // Nobody can receive it now: try again next round rather than mark it.
                        continue;
                    }
                    let mails = mail.reminder_mails(
                        to,
                        stage,
                        channels.of_case(&case.channel_id, None),
                        (&case.id, &case.channel_id),
                        case.due_at,
                    )?;
                    if reminders::queue(s, &case.id, case.due_at, stage, &mails, now)? {
                        queued += 1;
                    }
                }
                Ok(queued)
            })
            .await
    }

    async fn queue_digests(&self, hour: u8) -> Result<usize, CaseError> {
        let now = now();
        if (now % DAY) / 3600 < i64::from(hour) {
            return Ok(0);
        }
        let mail = self.mail.clone();
        self.store
            .run(move |s| {
                let mut queued = 0;
                for officer in officers::list(s)?.into_iter().filter(|o| !o.disabled) {
                    let (open, overdue) = reminders::counts(s, &officer.id, now)?;
                    if open == 0 {
                        continue;
                    }
                    let vars = [("open", open.to_string()), ("overdue", overdue.to_string())];
                    let vars: Vec<(&str, &str)> =
                        vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    let digest = mail.draft(
                        Template::OfficerDigest,
                        officer.lang(),
                        &officer.email,
                        Some(&officer.id),
                        None,
                        &vars,
                        0,
                    )?;
                    if reminders::queue_digest(s, &officer.id, now / DAY, &digest, now)? {
                        queued += 1;
                    }
                }
                Ok(queued)
            })
            .await
    }
}
