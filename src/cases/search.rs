//! Search in the content of the cases an officer may open, with nothing readable stored for it.
//!
//! Each distinct word of a case (fields, messages, notes, records, file names) is kept as a
//! blind tag: a keyed digest under the case's search key, derived from its staff key
//! (`crypto::search`). Only holders of the staff key can compute a tag to look for, so the
//! reporter (who holds only the case key), an excluded officer and the database alone cannot.
//! A search derives the search key of every case the officer holds from their grant, once per
//! session (the keys are cached with the signed-in officer and die with the session), tags the
//! query's words, and keeps the cases that have every tag.
//!
//! Tags are written when the server holds the staff key: at intake, when an officer writes
//! (a message, a note, a record), and when an officer opens a case (which brings in what the
//! reporter wrote since, and drops words no longer there).

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use super::access::Officer;
use super::{CaseError, Cases};
use crate::crypto::search::SearchKey;
use crate::crypto::{keys, SecretKey};
use crate::store::search::{self as tags_table, Tag};
use crate::store::Store;

/// Words a query may have.
pub const QUERY_WORDS: usize = 8;

/// The words of a text as search sees them: lower case, split at anything not a letter or
/// digit, two characters or more.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .map(str::to_lowercase)
}

/// Every word of the values of a form's fields.
pub(super) fn field_words(fields: &BTreeMap<String, serde_json::Value>, out: &mut HashSet<String>) {
    for value in fields.values() {
        match value {
            serde_json::Value::String(s) => out.extend(words(s)),
            serde_json::Value::Array(items) => {
                for item in items.iter().filter_map(|i| i.as_str()) {
                    out.extend(words(item));
                }
            }
            _ => {}
        }
    }
}

fn tags_of<'a>(key: &SearchKey, words: impl IntoIterator<Item = &'a String>) -> HashSet<Tag> {
    words.into_iter().map(|w| key.tag(w)).collect()
}

/// Tags a new case's fields (at intake, the server made its staff key).
pub(super) fn index_fields(
    s: &Store,
    case_id: &str,
    staff: &SecretKey,
    fields: &BTreeMap<String, serde_json::Value>,
) -> Result<(), CaseError> {
    let mut found = HashSet::new();
    field_words(fields, &mut found);
    let key = SearchKey::of(staff);
    tags_table::add(s, case_id, &tags_of(&key, &found))?;
    Ok(())
}

/// Makes a case's tags those of `words`, all it holds now (when an officer opens it).
pub(super) fn reindex(
    s: &Store,
    case_id: &str,
    staff: &SecretKey,
    words: &HashSet<String>,
) -> Result<(), CaseError> {
    let key = SearchKey::of(staff);
    tags_table::replace(s, case_id, &tags_of(&key, words))?;
    Ok(())
}

/// Adds the words of a text an officer wrote to a case.
pub(super) fn index_text(
    s: &Store,
    case_id: &str,
    staff: &SecretKey,
    text: &str,
) -> Result<(), CaseError> {
    let key = SearchKey::of(staff);
    let found: HashSet<String> = words(text).collect();
    tags_table::add(s, case_id, &tags_of(&key, &found))?;
    Ok(())
}

/// The words of a query, at most [`QUERY_WORDS`], each once.
pub fn query_words(q: &str) -> Result<Vec<String>, CaseError> {
    let mut out: Vec<String> = Vec::new();
    for w in words(q) {
        if !out.contains(&w) {
            out.push(w);
        }
    }
    if out.len() > QUERY_WORDS {
        return Err(CaseError::invalid(
            "q",
            &format!("search for at most {QUERY_WORDS} words"),
        ));
    }
    Ok(out)
}

/// A case's search key from the officer's session, or derived from their grant and kept there.
fn search_key(officer: &Officer, case_id: &str, grant: &[u8]) -> Result<Arc<SearchKey>, CaseError> {
    if let Some(key) = officer.search.get(case_id) {
        return Ok(key);
    }
    let staff = keys::open_grant(grant, &officer.key)?;
    let key = Arc::new(SearchKey::of(&staff));
    officer.search.put(case_id, key.clone());
    Ok(key)
}

impl Cases {
    /// The cases `officer` may open that hold every word of `query`.
    pub(super) async fn search_ids(
        &self,
        officer: &Officer,
        query: Vec<String>,
    ) -> Result<Vec<String>, CaseError> {
        let officer = officer.clone();
        self.store
            .run(move |s| {
                let mut wanted = Vec::new();
                for (case_id, grant) in tags_table::staff_grants(s, &officer.id)? {
                    let key = search_key(&officer, &case_id, &grant)?;
                    let tags = query.iter().map(|w| key.tag(w)).collect();
                    wanted.push((case_id, tags));
                }
                Ok(tags_table::matching(s, &wanted)?)
            })
            .await
    }

    /// Derives in the background, once a session, the search keys of every case `officer`
    /// holds, so that their first search costs what the next ones do (about a millisecond of
    /// work a case, done while they read the inbox).
    pub fn warm_search(&self, officer: &Officer) {
        if !officer.search.begin_warming() {
            return;
        }
        let store = self.store.clone();
        let officer = officer.clone();
        tokio::spawn(async move {
            let derived = store
                .run(move |s| {
                    for (case_id, grant) in tags_table::staff_grants(s, &officer.id)? {
                        search_key(&officer, &case_id, &grant)?;
                    }
                    Ok::<_, CaseError>(())
                })
                .await;
            if let Err(e) = derived {
                tracing::warn!(error = %e, "search keys were not derived ahead");
            }
        });
    }
}
