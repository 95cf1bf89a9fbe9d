//! The case workflow: statuses, outcomes, and which moves between them are allowed.
//!
//! `received` → `acknowledged` → `in_progress` → `closed` (with an outcome), with
//! `awaiting_submitter` as a pause while the submitter is asked something. A closed case can be
//! reopened (back to `in_progress`); nothing goes back to `received`.

use super::CaseError;
use crate::audit::{Actor, Event};
use crate::store::messages::StatusMove;

pub use crate::store::vocabulary::{Outcome, Status};

impl Status {
    /// A status as a request names it.
    pub fn parse(text: &str) -> Result<Self, CaseError> {
        Status::from_word(text).ok_or_else(|| {
            CaseError::invalid(
                "status",
                "use received, acknowledged, in_progress, awaiting_submitter or closed",
            )
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Received => "Received",
            Status::Acknowledged => "Acknowledged",
            Status::InProgress => "In progress",
            Status::AwaitingSubmitter => "Awaiting submitter",
            Status::Closed => "Closed",
        }
    }

    /// Where a case in this status may go next.
    pub fn next(self) -> &'static [Status] {
        use Status::*;
        match self {
            Received => &[Acknowledged, Closed],
            Acknowledged => &[InProgress, AwaitingSubmitter, Closed],
            InProgress => &[AwaitingSubmitter, Closed],
            AwaitingSubmitter => &[InProgress, Closed],
            Closed => &[InProgress],
        }
    }

    /// A submitter's answer ends `awaiting_submitter`: the case goes back to `in_progress`
    /// (made with the message, only if the case still awaits them).
    pub fn after_submitter_answer(case_id: &str) -> StatusMove {
        let (from, to) = (Status::AwaitingSubmitter, Status::InProgress);
        StatusMove {
            from,
            to,
            event: Event::new(Actor::Submitter, "status_changed")
                .case(case_id)
                .detail(format!("{} → {}", from.as_str(), to.as_str())),
        }
    }

    /// Checks a move; the error says why it is not possible.
    pub fn check_move(self, to: Status) -> Result<(), CaseError> {
        if self.next().contains(&to) {
            return Ok(());
        }
        let why = match (self, to) {
            (Status::Closed, _) => "the case is closed: reopen it (in progress) first".to_owned(),
            (_, Status::Received) => "a case cannot go back to received".to_owned(),
            (from, to) if from == to => format!("the case is already {}", from.as_str()),
            (Status::Received, _) => "acknowledge the case first".to_owned(),
            (from, to) => format!("a case cannot go from {} to {}", from.as_str(), to.as_str()),
        };
        Err(CaseError::InvalidTransition(why))
    }
}

impl Outcome {
    /// An outcome as a request names it.
    pub fn parse(text: &str) -> Result<Self, CaseError> {
        Outcome::from_word(text).ok_or_else(|| {
            CaseError::invalid(
                "outcome",
                "closing needs an outcome: substantiated, unsubstantiated, resolved, \
                     no_action or referred",
            )
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Substantiated => "Substantiated",
            Outcome::Unsubstantiated => "Unsubstantiated",
            Outcome::Resolved => "Resolved",
            Outcome::NoAction => "No action",
            Outcome::Referred => "Referred",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Status::*;
    use super::*;

    #[test]
    fn the_workflow_allows_only_its_moves() {
        assert!(Received.check_move(Acknowledged).is_ok());
        assert!(Closed.check_move(InProgress).is_ok());
        assert!(AwaitingSubmitter.check_move(InProgress).is_ok());
        for (from, to) in [
            (Closed, Acknowledged),
            (Received, InProgress),
            (InProgress, Received),
            (InProgress, InProgress),
        ] {
            assert!(
                matches!(from.check_move(to), Err(CaseError::InvalidTransition(_))),
                "{from:?}→{to:?}"
            );
        }
    }

    #[test]
    fn statuses_and_outcomes_parse_their_names() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()).unwrap(), s);
        }
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()).unwrap(), o);
        }
        assert_eq!(
            Outcome::parse("maybe").unwrap_err().field(),
            Some("outcome")
        );
    }
}
