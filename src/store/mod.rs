//! SQLite access: connections, schema, and one module per table group. No business rules.
//!
//! One writer connection behind a mutex (SQLite allows one writer anyway), readers from a small
//! pool; WAL with `synchronous=FULL` so a committed case survives a power cut, `secure_delete`
//! so deleted ciphertext is overwritten. Every call here blocks: callers use [`Store::run`].

pub mod audit;
pub mod blobs;
pub mod cases;
pub mod channels;
pub mod checkins;
pub mod disk;
pub mod enrolments;
pub mod files;
pub mod identity;
pub mod messages;
pub mod officers;
pub mod outbox;
pub mod records;
pub mod reminders;
pub mod search;
pub mod settings;
pub mod snapshot;
pub mod stats;
pub mod triage;
pub mod vocabulary;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

const PRAGMAS: &str = "PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA foreign_keys = ON;
PRAGMA secure_delete = ON;
PRAGMA busy_timeout = 5000;";

const READERS: u32 = 4;

const DAY: i64 = 24 * 60 * 60;

/// `at` (unix seconds) cut to the start of its day, UTC. Times of what a submitter does are
/// stored in clear only at this precision; exact times live inside sealed documents.
pub fn day(at: i64) -> i64 {
    at - at.rem_euclid(DAY)
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("database migration: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("database worker failed")]
    Worker(#[source] tokio::task::JoinError),
    /// Writing to the data directory failed (an attachment file).
    #[error("data directory: {0}")]
    Disk(std::io::Error),
}

impl StoreError {
    /// Whether the data directory, not the request, is at fault: the disk is full, read-only or
    /// failing, or the database is too busy. Nothing was stored, and trying later may work.
    pub fn is_storage_fault(&self) -> bool {
        use rusqlite::ErrorCode::*;
        match self {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.code,
                DiskFull | ReadOnly | SystemIoFailure | CannotOpen | DatabaseBusy | DatabaseLocked
            ),
            StoreError::Pool(_) | StoreError::Disk(_) => true,
            _ => false,
        }
    }
}

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../../migrations/0001_initial.sql")),
        M::up(include_str!("../../migrations/0002_files.sql")),
        M::up(include_str!("../../migrations/0003_identity.sql")),
        M::up(include_str!("../../migrations/0004_officer_language.sql")),
        M::up(include_str!("../../migrations/0005_lookup_indexes.sql")),
        M::up(include_str!("../../migrations/0006_enrolment.sql")),
        M::up(include_str!(
            "../../migrations/0007_metadata_to_the_day.sql"
        )),
        M::up(include_str!("../../migrations/0008_bounds.sql")),
        M::up(include_str!("../../migrations/0009_records.sql")),
        M::up(include_str!("../../migrations/0010_triage.sql")),
        M::up(include_str!("../../migrations/0011_news.sql")),
        M::up(include_str!("../../migrations/0012_checkins.sql")),
        M::up(include_str!("../../migrations/0013_search.sql")),
        M::up(include_str!("../../migrations/0014_channel_versions.sql")),
    ])
}

#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    writer: Mutex<Connection>,
    readers: r2d2::Pool<SqliteConnectionManager>,
    /// Litestream replicates the WAL: only it may checkpoint (see [`Store::open_with`]).
    litestream: bool,
}

impl Store {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with(path, false)
    }

    /// Like [`Store::open`]; with `litestream`, SQLite never checkpoints the WAL by itself
    /// (`wal_autocheckpoint=0`) and [`cases::checkpoint`] does nothing: Litestream must see
    /// every WAL frame before it is folded into the database, and checkpoints itself.
    pub fn open_with(path: &Path, litestream: bool) -> Result<Self, StoreError> {
        let autocheckpoint = if litestream {
            "PRAGMA wal_autocheckpoint = 0;"
        } else {
            ""
        };
        let mut writer = Connection::open(path)?;
        writer.execute_batch(PRAGMAS)?;
        writer.execute_batch(autocheckpoint)?;
        migrations().to_latest(&mut writer)?;
        let manager = SqliteConnectionManager::file(path).with_init(move |c| {
            c.execute_batch(PRAGMAS)?;
            c.execute_batch(autocheckpoint)
        });
        let readers = r2d2::Pool::builder()
            .max_size(READERS)
            .min_idle(Some(1))
            .build(manager)?;
        Ok(Store {
            inner: Arc::new(Inner {
                writer: Mutex::new(writer),
                readers,
                litestream,
            }),
        })
    }

    /// Runs blocking database work on the blocking thread pool, never on the async executor.
    /// The closure may return the caller's own error type, so a caller can seal and store in
    /// one blocking step.
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&Store) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || work(&store))
            .await
            .map_err(|e| E::from(StoreError::Worker(e)))?
    }

    pub(crate) fn writer(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the writer leaves no open transaction (rusqlite rolls back on
        // drop), so a poisoned lock is still safe to use.
        self.inner
            .writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn reader(
        &self,
    ) -> Result<r2d2::PooledConnection<SqliteConnectionManager>, StoreError> {
        Ok(self.inner.readers.get()?)
    }

    /// Whether Litestream, not sealbox, checkpoints the WAL.
    pub fn leaves_checkpoints_to_litestream(&self) -> bool {
        self.inner.litestream
    }

    /// A trivial read of the database file (its schema page): it answers.
    pub fn ping(&self) -> Result<(), StoreError> {
        self.reader()?
            .query_row("SELECT COUNT(*) FROM sqlite_master", [], |_| Ok(()))?;
        Ok(())
    }

    /// `PRAGMA integrity_check`; `Ok(())` when the database is sound.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        let conn = self.reader()?;
        Ok(conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_starts_at_utc_midnight() {
        assert_eq!(day(1_772_637_377), 1_772_582_400);
        assert_eq!(day(1_772_582_400), 1_772_582_400);
        assert_eq!(day(1_772_582_399), 1_772_582_400 - DAY);
        assert_eq!(day(-1), -DAY);
    }

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
    }

    /// The queries a submitter's sign-in and follow-up run: each must find its rows through an
    /// index, or every sign-in slows down with every case ever received.
    #[test]
    fn sign_in_lookups_use_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        let conn = store.reader().unwrap();
        for sql in [cases::CLAIM_LOOKUP, identity::HOLDERS] {
            let mut plan = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let nulls = vec![rusqlite::types::Null; plan.parameter_count()];
            let steps: Vec<String> = plan
                .query_map(rusqlite::params_from_iter(nulls), |r| r.get(3))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert!(
                steps.iter().all(|s| s.starts_with("SEARCH")),
                "{sql}\n{steps:?}"
            );
        }
    }

    #[test]
    fn opens_with_durable_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        let conn = store.reader().unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        let fk: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        let sd: i64 = conn
            .query_row("PRAGMA secure_delete", [], |r| r.get(0))
            .unwrap();
        assert_eq!((mode.as_str(), sync, fk, sd), ("wal", 2, 1, 1));
        assert_eq!(store.integrity_check().unwrap(), "ok");
        let auto: i64 = conn
            .query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
            .unwrap();
        assert_eq!(auto, 1000);
    }

    #[test]
    fn under_litestream_sqlite_never_checkpoints_by_itself() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_with(&dir.path().join("db.sqlite"), true).unwrap();
        for conn in [&*store.reader().unwrap(), &*store.writer()] {
            let auto: i64 = conn
                .query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
                .unwrap();
            assert_eq!(auto, 0);
        }
        store
            .writer()
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        let wal = dir.path().join("db.sqlite-wal");
        let before = std::fs::metadata(&wal).unwrap().len();
        cases::checkpoint(&store).unwrap();
        assert!(before > 0);
        assert_eq!(std::fs::metadata(&wal).unwrap().len(), before);
    }
}
