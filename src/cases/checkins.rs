//! Retaliation check-ins (ISO 37002 §8.3.2): a set number of days after a case is closed
//! (`checkin_days` of its channel), the follow-up page asks the reporter whether they suffered
//! retaliation. The answer and comment are sealed to the case key; "some" flags the case for
//! its handlers, reopens it and is counted in statistics.

use serde::Deserialize;

use super::access::Unlocked;
use super::deadlines::{Deadlines, DAY};
use super::sealed::seal_text;
use super::text::MessageBody;
use super::workflow::Status;
use super::{now, CaseError, Cases, Channel};
use crate::audit::{Actor, Event};
use crate::notify::templates::Template;
use crate::store::cases::{CaseRecord, StatusChange};
use crate::store::checkins;

/// What the reporter answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Retaliation {
    None,
    Some,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckinAnswer {
    pub retaliation: Retaliation,
    pub comment: Option<String>,
}

/// The check-in asked of a case now (its days after closing), if any: the latest one due
/// since the last closing that no answer covers yet.
pub(super) fn asked(
    channel: Option<&Channel>,
    case: &CaseRecord,
    answered: &[u32],
    at: i64,
) -> Option<u32> {
    let closed = case.closed_at.filter(|_| case.status == Status::Closed)?;
    let due = channel?
        .checkin_days
        .iter()
        .copied()
        .filter(|d| closed + i64::from(*d) * DAY <= at)
        .max()?;
    (!answered.iter().any(|a| *a >= due)).then_some(due)
}

/// When a case closes, the check-in mails to a reporter who asked to hear of news, each to go
/// out when its check-in is due.
pub(super) fn checkin_mails(
    mail: &super::mail::MailContext,
    channel: Option<&Channel>,
    case: &CaseRecord,
    case_key: &crate::crypto::SecretKey,
) -> Result<Vec<crate::store::outbox::NewMail>, CaseError> {
    let Some((email, lang)) = super::news::notify_address(case, case_key)? else {
        return Ok(Vec::new());
    };
    let days = channel
        .map(|c| c.checkin_days.as_slice())
        .unwrap_or_default();
    days.iter()
        .map(|d| mail.reporter_checkin(lang, &email, &case.id, u64::from(*d) * DAY as u64))
        .collect()
}

impl Cases {
    /// The reporter answers the check-in asked now; `Conflict` when none is.
    pub async fn check_in(
        &self,
        unlocked: &Unlocked,
        answer: CheckinAnswer,
    ) -> Result<(), CaseError> {
        let comment = match answer.comment.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(MessageBody::parse(text)?),
        };
        let case_id = unlocked.case_id.clone();
        let channels = self.channels();
        let audit = self.audit.clone();
        let mail = self.mail.clone();
        self.store
            .run(move |s| {
                let case = super::access::existing(s, &case_id)?;
                let closed = case.closed_at.unwrap_or_default();
                let answered = checkins::answered(s, &case_id, closed)?;
                let channel = channels.of_case(&case.channel_id, None);
                let not_asked =
                    || CaseError::Conflict("no check-in is asked of this case now".into());
                let after_days = asked(channel, &case, &answered, now()).ok_or_else(not_asked)?;
                let word = match answer.retaliation {
                    Retaliation::None => "none",
                    Retaliation::Some => "some",
                };
                let text = match &comment {
                    Some(c) => format!("retaliation: {word}\n\n{}", c.as_str()),
                    None => format!("retaliation: {word}"),
                };
                let sealed = seal_text(&text, &case.case_public_key)?;
                let mut events = vec![Event::new(Actor::Submitter, "checkin_answered")
                    .case(&case_id)
                    .detail(format!("after {after_days} days"))];
                let (reopen, alerts) = match answer.retaliation {
                    Retaliation::None => (None, Vec::new()),
                    Retaliation::Some => {
                        let today = crate::store::day(now());
                        let due = super::deadlines::after_move(
                            Deadlines {
                                acknowledge: case.acknowledge_due_at,
                                resolve: case.resolve_due_at,
                                next: case.next_due_at,
                            },
                            channel,
                            Status::InProgress,
                            today,
                        );
                        events.push(
                            Event::new(Actor::Submitter, "retaliation_reported").case(&case_id),
                        );
                        events.push(
                            Event::new(Actor::Submitter, "status_changed")
                                .case(&case_id)
                                .detail("closed → in_progress"),
                        );
                        let change = StatusChange {
                            status: Status::InProgress,
                            outcome: None,
                            acknowledged_at: case.acknowledged_at,
                            closed_at: None,
                            resolve_due_at: due.resolve,
                            next_due_at: due.next,
                            sealed_summary: None,
                        };
                        let alerts = mail.alert_holders(
                            s,
                            &channels,
                            &case,
                            Template::OfficerNewMessage,
                            false,
                        )?;
                        (Some(change), alerts)
                    }
                };
                let done = checkins::answer(
                    s,
                    &case_id,
                    closed,
                    after_days,
                    &sealed,
                    reopen.as_ref(),
                    &audit,
                    &events,
                    &alerts,
                    now(),
                )?;
                if !done {
                    return Err(not_asked());
                }
                mail.wake();
                Ok(())
            })
            .await
    }
}
