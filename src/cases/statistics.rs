//! Statistics for officers, from workflow metadata only (channel, kind, status, outcome, dates,
//! rating), over the cases the officer holds a grant for.
//!
//! Small cells are suppressed: a count from 1 to 4 is shown as "<5", and a median, share or
//! average resting on fewer than 5 cases is not shown at all, so no figure points at a
//! reporter.

use serde::{Serialize, Serializer};
use time::OffsetDateTime;

use super::access::Officer;
use super::workflow::{Outcome, Status};
use super::{now, CaseError, Cases};
use crate::store::stats::{self, CaseFacts};

/// Below this a count is not shown exactly.
pub const SMALL: u64 = 5;
const DAY: f64 = 86_400.0;

/// A count as shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    Exact(u64),
    /// 1 to 4: shown as "<5".
    Few,
}

impl Count {
    pub fn of(n: u64) -> Self {
        if (1..SMALL).contains(&n) {
            Count::Few
        } else {
            Count::Exact(n)
        }
    }

    /// The value to draw (a suppressed cell is drawn as if it were [`SMALL`] - 1, marked).
    pub fn drawn(self) -> u64 {
        match self {
            Count::Exact(n) => n,
            Count::Few => SMALL - 1,
        }
    }
}

impl std::fmt::Display for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Count::Exact(n) => write!(f, "{n}"),
            Count::Few => write!(f, "<{SMALL}"),
        }
    }
}

/// In JSON: a number, or the string "<5".
impl Serialize for Count {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Count::Exact(n) => s.serialize_u64(*n),
            Count::Few => s.serialize_str(&format!("<{SMALL}")),
        }
    }
}

/// Its schema says the same: a count of 0 or at least [`SMALL`], or the string "<5".
impl utoipa::PartialSchema for Count {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(0)),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some([format!("<{SMALL}")])),
            )
            .into()
    }
}

impl utoipa::ToSchema for Count {}

/// Counts per month for one channel or kind.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Series {
    pub id: String,
    pub label: String,
    pub counts: Vec<Count>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Statistics {
    /// Calendar months (UTC), oldest first: `2026-11`.
    pub months: Vec<String>,
    /// Cases received per month, by channel and by kind (the category of channel).
    pub by_channel: Vec<Series>,
    pub by_kind: Vec<Series>,
    /// How they came in: the web, or taken down by an officer (phone, meeting, letter).
    pub by_source: Vec<Series>,
    /// By the category officers filed them under (those used, in the order first met).
    pub by_category: Vec<Series>,
    /// Cases whose reporter answered a check-in with retaliation suffered.
    pub retaliation_reported: Count,
    /// Now, over every case the officer can open.
    pub open: Count,
    pub closed: Count,
    pub overdue: Count,
    /// Over cases received in the window.
    pub median_days_to_acknowledge: Option<f64>,
    pub median_days_to_close: Option<f64>,
    /// Percent of cases (received at least 7 days ago) acknowledged within 7 days.
    pub acknowledged_within_7_days: Option<f64>,
    pub outcomes: Vec<(String, Count)>,
    pub satisfaction_average: Option<f64>,
    /// Ratings 1 to 5 and how many gave each.
    pub satisfaction: Vec<(i64, Count)>,
}

/// A month as a number: year × 12 + month index.
fn month_of(ts: i64) -> i64 {
    let t = OffsetDateTime::from_unix_timestamp(ts).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    i64::from(t.year()) * 12 + i64::from(u8::from(t.month())) - 1
}

fn month_name(m: i64) -> String {
    format!("{}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
}

/// The median of `values`, unless fewer than [`SMALL`] of them.
fn median(mut values: Vec<f64>) -> Option<f64> {
    if (values.len() as u64) < SMALL {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    })
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The statistics of `facts` over the `months` calendar months up to the one holding `at`.
pub fn compute(
    facts: &[CaseFacts],
    months: u32,
    at: i64,
    channels: &[(String, String)],
) -> Statistics {
    let last = month_of(at);
    let first = last - i64::from(months.max(1)) + 1;
    let span = (last - first + 1) as usize;
    let in_window = |f: &&CaseFacts| month_of(f.received_at) >= first;
    let per_month = |matches: &dyn Fn(&CaseFacts) -> bool| -> Vec<Count> {
        let mut counts = vec![0u64; span];
        for f in facts.iter().filter(in_window).filter(|f| matches(f)) {
            let m = month_of(f.received_at);
            if m <= last {
                counts[(m - first) as usize] += 1;
            }
        }
        counts.into_iter().map(Count::of).collect()
    };
    let mut channel_list: Vec<(String, String)> = channels.to_vec();
    for f in facts {
        if !channel_list.iter().any(|(id, _)| id == &f.channel_id) {
            channel_list.push((f.channel_id.clone(), f.channel_id.clone()));
        }
    }
    let by_channel = channel_list
        .into_iter()
        .map(|(id, label)| Series {
            counts: per_month(&|f| f.channel_id == id),
            id,
            label,
        })
        .collect();
    let by_kind = [
        ("whistleblowing", "Whistleblowing"),
        ("complaint", "Complaints"),
    ]
    .into_iter()
    .map(|(id, label)| Series {
        id: id.into(),
        label: label.into(),
        counts: per_month(&|f| f.kind.as_str() == id),
    })
    .collect();
    let by_source = crate::store::vocabulary::Source::ALL
        .iter()
        .map(|source| Series {
            id: source.as_str().into(),
            label: source.as_str().into(),
            counts: per_month(&|f| f.source == *source),
        })
        .collect();

    let mut categories: Vec<String> = Vec::new();
    for name in facts.iter().filter_map(|f| f.category.clone()) {
        if !categories.contains(&name) {
            categories.push(name);
        }
    }
    let by_category = categories
        .into_iter()
        .map(|name| Series {
            counts: per_month(&|f| f.category.as_deref() == Some(name.as_str())),
            id: name.clone(),
            label: name,
        })
        .collect();

    let count =
        |p: &dyn Fn(&CaseFacts) -> bool| Count::of(facts.iter().filter(|f| p(f)).count() as u64);
    let window: Vec<&CaseFacts> = facts.iter().filter(in_window).collect();
    // Whole days: `received_at` is kept to the day, so an exact officer time against it would
    // add a fraction that only says what hour the officer acted.
    let days_since = |f: &CaseFacts, t: i64| (crate::store::day(t) - f.received_at) as f64 / DAY;
    let to_ack = window
        .iter()
        .filter_map(|f| f.acknowledged_at.map(|a| days_since(f, a)))
        .collect();
    let to_close = window
        .iter()
        .filter_map(|f| f.closed_at.map(|c| days_since(f, c)))
        .collect();
    let week = 7 * 86_400;
    let due: Vec<&&CaseFacts> = window
        .iter()
        .filter(|f| f.received_at + week <= at)
        .collect();
    let within = due
        .iter()
        .filter(|f| {
            f.acknowledged_at
                .is_some_and(|a| crate::store::day(a) - f.received_at <= week)
        })
        .count();
    let acknowledged_within_7_days =
        ((due.len() as u64) >= SMALL).then(|| round1(100.0 * within as f64 / due.len() as f64));
    let outcomes = Outcome::ALL
        .iter()
        .map(|o| {
            let n = window
                .iter()
                .filter(|f| f.status == Status::Closed && f.outcome == Some(*o))
                .count();
            (o.label().to_owned(), Count::of(n as u64))
        })
        .collect();
    let ratings: Vec<i64> = window.iter().filter_map(|f| f.satisfaction).collect();
    let satisfaction_average = ((ratings.len() as u64) >= SMALL)
        .then(|| round1(ratings.iter().sum::<i64>() as f64 / ratings.len() as f64));
    let satisfaction = (1..=5)
        .map(|score| {
            let n = ratings.iter().filter(|r| **r == score).count();
            (score, Count::of(n as u64))
        })
        .collect();
    Statistics {
        months: (first..=last).map(month_name).collect(),
        by_channel,
        by_kind,
        by_source,
        by_category,
        retaliation_reported: count(&|f| f.retaliation_reported),
        open: count(&|f| f.status != Status::Closed),
        closed: count(&|f| f.status == Status::Closed),
        overdue: count(&|f| super::deadlines::is_overdue(f.next_due_at, at)),
        median_days_to_acknowledge: median(to_ack).map(round1),
        median_days_to_close: median(to_close).map(round1),
        acknowledged_within_7_days,
        outcomes,
        satisfaction_average,
        satisfaction,
    }
}

impl Cases {
    /// Statistics over the cases `officer` can open, for the last `months` calendar months.
    pub async fn statistics(
        &self,
        officer: &Officer,
        months: u32,
    ) -> Result<Statistics, CaseError> {
        let officer_id = officer.id.clone();
        let facts = self
            .store
            .run(move |s| stats::granted_to(s, &officer_id))
            .await?;
        let channels: Vec<(String, String)> = self
            .channels()
            .all()
            .iter()
            .map(|c| (c.id.clone(), c.title.canonical().to_owned()))
            .collect();
        Ok(compute(&facts, months.clamp(1, 60), now(), &channels))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAY: i64 = 1_779_000_000; // 2026-05-17
    const DAYS: i64 = 86_400;

    /// A case as stored: received on the day of `received_at`.
    fn case(channel: &str, received_at: i64) -> CaseFacts {
        let received_at = crate::store::day(received_at);
        CaseFacts {
            channel_id: channel.into(),
            kind: crate::config::ChannelKind::Whistleblowing,
            status: Status::Received,
            outcome: None,
            received_at,
            acknowledged_at: None,
            closed_at: None,
            next_due_at: Some(received_at + 7 * DAYS),
            satisfaction: None,
            source: crate::store::vocabulary::Source::Web,
            category: None,
            retaliation_reported: false,
        }
    }

    #[test]
    fn small_counts_are_suppressed_and_shown_as_fewer_than_five() {
        assert_eq!(Count::of(0), Count::Exact(0));
        assert_eq!(Count::of(1), Count::Few);
        assert_eq!(Count::of(4), Count::Few);
        assert_eq!(Count::of(5), Count::Exact(5));
        assert_eq!(Count::Few.to_string(), "<5");
        assert_eq!(serde_json::to_string(&Count::Few).unwrap(), "\"<5\"");
        assert_eq!(serde_json::to_string(&Count::Exact(7)).unwrap(), "7");
    }

    #[test]
    fn figures_resting_on_few_cases_are_not_shown() {
        let mut facts: Vec<CaseFacts> = (0..4).map(|i| case("report", MAY + i)).collect();
        for f in &mut facts {
            f.acknowledged_at = Some(f.received_at + 2 * DAYS);
        }
        let s = compute(
            &facts,
            3,
            MAY + 30 * DAYS,
            &[("report".into(), "Report".into())],
        );
        assert_eq!(s.median_days_to_acknowledge, None);
        assert_eq!(s.acknowledged_within_7_days, None);
        assert_eq!(
            s.by_channel[0].counts,
            [Count::Exact(0), Count::Few, Count::Exact(0)]
        );

        let mut late = case("report", MAY + 10);
        late.acknowledged_at = Some(MAY + 10 + 10 * DAYS);
        facts.push(late);
        let s = compute(
            &facts,
            3,
            MAY + 30 * DAYS,
            &[("report".into(), "Report".into())],
        );
        assert_eq!(s.median_days_to_acknowledge, Some(2.0));
        assert_eq!(s.acknowledged_within_7_days, Some(80.0));
        assert_eq!(s.by_channel[0].counts[1], Count::Exact(5));
    }

    #[test]
    fn months_run_oldest_first_up_to_now() {
        let s = compute(&[case("report", MAY)], 3, MAY, &[]);
        assert_eq!(s.months, ["2026-03", "2026-04", "2026-05"]);
        assert_eq!(
            s.by_channel[0].id, "report",
            "channels no longer configured still count"
        );
        assert_eq!(s.open, Count::Few);
    }
}
