//! What a post to a case's thread (a message, files, or both, by its submitter or an officer)
//! records in the audit log: the same for both sides, so the log reads alike.

use crate::audit::{Actor, Event};

/// The audit entries of a post: its text (`message`: the action, when there is text), and its
/// files as a count. `officer_id`: the officer who posted; none for the submitter.
pub(super) fn post_events(
    officer_id: Option<&str>,
    case_id: &str,
    message: Option<&'static str>,
    files: usize,
) -> Vec<Event> {
    let event = |action| match officer_id {
        Some(id) => Event::by_officer(id, action),
        None => Event::new(Actor::Submitter, action),
    };
    let mut events = Vec::new();
    if let Some(action) = message {
        events.push(event(action).case(case_id));
    }
    if files > 0 {
        events.push(
            event("files_added")
                .case(case_id)
                .detail(format!("{files} files")),
        );
    }
    events
}
