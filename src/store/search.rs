//! The `search_tags` table: blind tags of the words of each case. What a tag is, and who may
//! search, is decided in `crypto::search` and `cases::search`.

use std::collections::HashSet;

use rusqlite::params;

use super::{Store, StoreError};

pub type Tag = [u8; crate::crypto::search::TAG_LEN];

/// Makes a case's tags exactly `tags`: adds those missing, removes those no longer there.
pub fn replace(store: &Store, case_id: &str, tags: &HashSet<Tag>) -> Result<(), StoreError> {
    let stored: HashSet<Tag> = {
        let conn = store.reader()?;
        let mut stmt = conn.prepare_cached("SELECT tag FROM search_tags WHERE case_id = ?1")?;
        let rows = stmt
            .query_map([case_id], |r| r.get::<_, Vec<u8>>(0))?
            .filter_map(|t| t.ok().and_then(|t| t.try_into().ok()))
            .collect();
        rows
    };
    if &stored == tags {
        return Ok(());
    }
    let mut conn = store.writer();
    let tx = conn.transaction()?;
    {
        let mut delete =
            tx.prepare_cached("DELETE FROM search_tags WHERE case_id = ?1 AND tag = ?2")?;
        for tag in stored.difference(tags) {
            delete.execute(params![case_id, tag.as_slice()])?;
        }
        let mut insert =
            tx.prepare_cached("INSERT OR IGNORE INTO search_tags (case_id, tag) VALUES (?1, ?2)")?;
        for tag in tags.difference(&stored) {
            insert.execute(params![case_id, tag.as_slice()])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Adds tags to a case (a new message, note or record).
pub fn add(store: &Store, case_id: &str, tags: &HashSet<Tag>) -> Result<(), StoreError> {
    let mut conn = store.writer();
    let tx = conn.transaction()?;
    {
        let mut insert =
            tx.prepare_cached("INSERT OR IGNORE INTO search_tags (case_id, tag) VALUES (?1, ?2)")?;
        for tag in tags {
            insert.execute(params![case_id, tag.as_slice()])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Which of `wanted` (a case and the tags it must all have) have every tag.
pub fn matching(store: &Store, wanted: &[(String, Vec<Tag>)]) -> Result<Vec<String>, StoreError> {
    let conn = store.reader()?;
    let mut has =
        conn.prepare_cached("SELECT 1 FROM search_tags WHERE case_id = ?1 AND tag = ?2")?;
    let mut out = Vec::new();
    for (case_id, tags) in wanted {
        let mut all = true;
        for tag in tags {
            if !has.exists(params![case_id, tag.as_slice()])? {
                all = false;
                break;
            }
        }
        if all {
            out.push(case_id.clone());
        }
    }
    Ok(out)
}

/// Each case `officer_id` holds, with their grant of its staff key.
pub fn staff_grants(store: &Store, officer_id: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare_cached(
        "SELECT case_id, sealed FROM grants
         WHERE officer_id = ?1 AND key = 'staff' AND holder = 'officer'",
    )?;
    let rows = stmt
        .query_map([officer_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
