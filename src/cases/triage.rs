//! Triage and relations between cases: a category (one of the channel's) and a priority an
//! officer sets, links between cases they can both open, and the canned replies they may
//! start an answer from.

use serde::{Deserialize, Serialize};

use super::access::{granted, Officer};
use super::{now, CaseError, Cases};
use crate::audit::Event;
use crate::i18n::Lang;
use crate::store::cases::{self as case_rows, Holder};
use crate::store::{triage, Store};

/// How urgent a case is: `low`, `normal`, `high`, `critical`.
pub use crate::store::vocabulary::Priority;

/// A triage as the API and the case page send it: what is left out stays as it was; an empty
/// category clears it.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TriageRequest {
    pub category: Option<String>,
    pub priority: Option<Priority>,
}

/// The priority a word names, or why not.
pub fn parse_priority(word: &str) -> Result<Priority, CaseError> {
    Priority::from_word(word)
        .ok_or_else(|| CaseError::invalid("priority", "choose low, normal, high or critical"))
}

/// The cases linked to `case_id` that `officer` may open (a link to any other is not shown).
pub(super) fn visible_links(
    s: &Store,
    case_id: &str,
    officer: &Officer,
) -> Result<Vec<(String, i64)>, CaseError> {
    let holder = Holder::Officer(officer.id.clone());
    let mut visible = Vec::new();
    for (id, number) in triage::links_of(s, case_id)? {
        if case_rows::grants_of(s, &id, &holder)?.case.is_some() {
            visible.push((id, number));
        }
    }
    Ok(visible)
}

/// A canned reply, in the reader's language.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reply {
    pub id: String,
    pub title: String,
    pub body: String,
}

impl Cases {
    /// Files a case under a category of its channel and a priority.
    pub async fn triage(
        &self,
        officer: &Officer,
        case_id: &str,
        request: TriageRequest,
    ) -> Result<(Option<String>, Priority), CaseError> {
        let officer = officer.clone();
        let case_id = case_id.to_owned();
        let channels = self.channels();
        let audit = self.audit.clone();
        self.store
            .run(move |s| {
                let case = granted(s, &officer, &case_id)?;
                let category = match request.category.as_deref().map(str::trim) {
                    None => case.category.clone(),
                    Some("") => None,
                    Some(word) => {
                        let offered = channels
                            .get(&case.channel_id)
                            .is_some_and(|c| c.categories.iter().any(|k| k == word));
                        if !offered {
                            return Err(CaseError::invalid(
                                "category",
                                "this channel has no such category",
                            ));
                        }
                        Some(word.to_owned())
                    }
                };
                let priority = request.priority.unwrap_or(case.priority);
                let event = Event::by_officer(&officer.id, "triaged")
                    .case(&case_id)
                    .detail(format!(
                        "{} · {priority}",
                        category.as_deref().unwrap_or("-")
                    ));
                let at = now();
                triage::set(
                    s,
                    &case_id,
                    category.as_deref(),
                    priority,
                    &audit,
                    &event,
                    at,
                )?;
                case_rows::mark_read(s, &officer.id, &case_id, at)?;
                Ok((category, priority))
            })
            .await
    }

    /// Links two cases `officer` can both open; `other` is a case id or number.
    pub async fn link(
        &self,
        officer: &Officer,
        case_id: &str,
        other: &str,
    ) -> Result<i64, CaseError> {
        let officer = officer.clone();
        let case_id = case_id.to_owned();
        let other = other.trim().to_owned();
        let audit = self.audit.clone();
        self.store
            .run(move |s| {
                let case = granted(s, &officer, &case_id)?;
                // An unknown case and one the officer cannot open look the same.
                let target = case_rows::find(s, &other)?
                    .filter(|t| t.id != case.id)
                    .ok_or_else(|| {
                        CaseError::invalid("case", "no case of yours has that number")
                    })?;
                if granted(s, &officer, &target.id).is_err() {
                    return Err(CaseError::invalid(
                        "case",
                        "no case of yours has that number",
                    ));
                }
                // One entry on each case, naming neither: a case's history is read by
                // everyone who can open it, and may not point at a case they cannot.
                let events = [
                    Event::by_officer(&officer.id, "linked").case(&case.id),
                    Event::by_officer(&officer.id, "linked").case(&target.id),
                ];
                let linked =
                    triage::link(s, &case.id, &target.id, &officer.id, &audit, &events, now())?;
                if !linked {
                    return Err(CaseError::Conflict("these cases are linked already".into()));
                }
                Ok(target.number)
            })
            .await
    }

    /// The canned replies in `lang`.
    pub fn replies(&self, lang: Lang) -> Vec<Reply> {
        self.replies
            .iter()
            .map(|r| Reply {
                id: r.id.clone(),
                title: r.title.get(lang).to_owned(),
                body: r.body.get(lang).to_owned(),
            })
            .collect()
    }
}
