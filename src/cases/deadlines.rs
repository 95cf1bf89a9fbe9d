//! Deadlines: when a case must be acknowledged and answered, which deadline is next, when a
//! case is overdue and when a reminder is due. Every rule about time limits is decided here;
//! the store only keeps the dates.
//!
//! Deadlines count from the UTC day a case arrived (or was acknowledged): the clear metadata
//! says nothing finer than a day, and no deadline falls later than the law allows.

use super::channels::Channel;
use super::workflow::Status;
use crate::config::ChannelKind;

/// Seconds in a day.
pub const DAY: i64 = 24 * 60 * 60;

/// A case's deadlines as they are kept: acknowledgement, feedback or resolution, and the next
/// one of these still ahead (`None` once closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    pub acknowledge: Option<i64>,
    pub resolve: Option<i64>,
    pub next: Option<i64>,
}

/// Due dates at receipt (`received_day`: the UTC day it arrived). For whistleblowing the
/// feedback clock starts at acknowledgement, so until then it is counted from the latest date
/// acknowledgement was due (EU Directive 2019/1937, art. 9(1)(b) and (f)).
pub fn at_receipt(channel: &Channel, received_day: i64) -> Deadlines {
    let acknowledge = received_day + i64::from(channel.acknowledge_days) * DAY;
    let resolve = match channel.kind {
        ChannelKind::Whistleblowing => acknowledge + i64::from(channel.resolve_days) * DAY,
        ChannelKind::Complaint => received_day + i64::from(channel.resolve_days) * DAY,
    };
    Deadlines {
        acknowledge: Some(acknowledge),
        resolve: Some(resolve),
        next: Some(acknowledge),
    }
}

/// The deadlines after a case moves to `to` on the UTC day `today`. Acknowledging a report
/// starts its feedback period (art. 9(1)(f)); closing leaves nothing due.
pub fn after_move(
    current: Deadlines,
    channel: Option<&Channel>,
    to: Status,
    today: i64,
) -> Deadlines {
    let mut next = Deadlines {
        next: current.resolve,
        ..current
    };
    if to == Status::Acknowledged {
        if let Some(c) = channel.filter(|c| c.kind == ChannelKind::Whistleblowing) {
            let due = today + i64::from(c.resolve_days) * DAY;
            next.resolve = Some(due);
            next.next = Some(due);
        }
    }
    if to == Status::Closed {
        next.next = None;
    }
    next
}

/// A case is overdue when its next deadline has passed.
pub fn is_overdue(next_due: Option<i64>, now: i64) -> bool {
    next_due.is_some_and(|due| due < now)
}

/// Which reminder a deadline calls for now, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminder {
    /// The deadline is near.
    Soon,
    /// The deadline has passed.
    Overdue,
}

impl Reminder {
    pub fn as_str(self) -> &'static str {
        match self {
            Reminder::Soon => "soon",
            Reminder::Overdue => "overdue",
        }
    }
}

/// The reminder for a deadline `due` of a case received on `received_day`, at `now`. "Soon"
/// means within `remind_before` seconds, but never more than half of the time the case was
/// given: a complaint due in two days is not "due soon" the moment it arrives.
pub fn reminder(due: i64, received_day: i64, now: i64, remind_before: i64) -> Option<Reminder> {
    let window = remind_before.min((due - received_day).max(0) / 2);
    if due < now {
        Some(Reminder::Overdue)
    } else if due - now <= window {
        Some(Reminder::Soon)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overdue_only_once_the_deadline_passed() {
        assert!(!is_overdue(None, 10));
        assert!(!is_overdue(Some(10), 10));
        assert!(is_overdue(Some(9), 10));
    }

    #[test]
    fn a_fresh_short_deadline_is_not_due_soon() {
        let day0 = 100 * DAY;
        let due = day0 + 2 * DAY;
        assert_eq!(reminder(due, day0, day0 + 60, 3 * DAY), None);
        assert_eq!(
            reminder(due, day0, day0 + DAY + 1, 3 * DAY),
            Some(Reminder::Soon)
        );
        assert_eq!(
            reminder(due, day0, due + 1, 3 * DAY),
            Some(Reminder::Overdue)
        );
        // A long deadline is reminded `remind_before` ahead.
        let far = day0 + 90 * DAY;
        assert_eq!(reminder(far, day0, far - 4 * DAY, 3 * DAY), None);
        assert_eq!(
            reminder(far, day0, far - 2 * DAY, 3 * DAY),
            Some(Reminder::Soon)
        );
    }
}
