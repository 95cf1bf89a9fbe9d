//! Workflow metadata of cases for statistics: never content, never who submitted.

use super::{Store, StoreError};

/// What statistics may use of one case: clear workflow columns only.
#[derive(Debug, Clone)]
pub struct CaseFacts {
    pub channel_id: String,
    pub kind: super::vocabulary::ChannelKind,
    pub status: super::vocabulary::Status,
    pub outcome: Option<super::vocabulary::Outcome>,
    pub received_at: i64,
    pub acknowledged_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub next_due_at: Option<i64>,
    pub satisfaction: Option<i64>,
    pub source: super::vocabulary::Source,
    pub category: Option<String>,
    pub retaliation_reported: bool,
}

/// The facts of every case `officer_id` holds a grant for.
pub fn granted_to(store: &Store, officer_id: &str) -> Result<Vec<CaseFacts>, StoreError> {
    let conn = store.reader()?;
    let mut stmt = conn.prepare(
        "SELECT c.channel_id, c.kind, c.status, c.outcome, c.received_at, c.acknowledged_at,
                c.closed_at, c.next_due_at, c.satisfaction, c.source, c.category,
                c.retaliation_reported
         FROM cases c
         WHERE EXISTS (SELECT 1 FROM grants g
                       WHERE g.case_id = c.id AND g.officer_id = ?1 AND g.key = 'case')",
    )?;
    let rows = stmt
        .query_map([officer_id], |r| {
            Ok(CaseFacts {
                channel_id: r.get(0)?,
                kind: r.get(1)?,
                status: r.get(2)?,
                outcome: r.get(3)?,
                received_at: r.get(4)?,
                acknowledged_at: r.get(5)?,
                closed_at: r.get(6)?,
                next_due_at: super::cases::due_from_column(r.get(7)?),
                satisfaction: r.get(8)?,
                source: r.get(9)?,
                category: r.get(10)?,
                retaliation_reported: r.get(11)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
