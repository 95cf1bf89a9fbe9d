//! Consistent copies of a live database, and checks of a copy, for backups.
//!
//! The copy uses SQLite's online backup API in a single step: one read transaction over the
//! whole database, so the copy is one committed state however busy the writer is (in WAL mode a
//! reader never blocks the writer, and a copy made in several steps would restart each time the
//! server wrote).

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::StoreError;

/// Copies the database at `source` (which a server may be writing to) into a new file `dest`.
pub fn copy_database(source: &Path, dest: &Path) -> Result<(), StoreError> {
    // Read-write, not read-only: a read-only connection cannot create the WAL index when the
    // server is not running. Nothing is written through it.
    let from = Connection::open_with_flags(
        source,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    from.busy_timeout(std::time::Duration::from_secs(30))?;
    let mut to = Connection::open(dest)?;
    {
        let backup = rusqlite::backup::Backup::new(&from, &mut to)?;
        loop {
            match backup.step(-1)? {
                rusqlite::backup::StepResult::Done => break,
                // Locked or busy: the writer holds a lock for a moment; try again.
                _ => std::thread::sleep(std::time::Duration::from_millis(50)),
            }
        }
    }
    // The copy is a plain rollback-journal file: one self-contained file to archive.
    to.execute_batch("PRAGMA journal_mode = DELETE;")?;
    Ok(())
}

/// Opens a database copy read-only (a copy being checked is never changed).
fn open_copy(path: &Path) -> Result<Connection, StoreError> {
    Ok(Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?)
}

/// Ids of every attachment the copy names: the blobs a backup of it must carry.
pub fn file_ids(path: &Path) -> Result<Vec<String>, StoreError> {
    let conn = open_copy(path)?;
    let mut stmt = conn.prepare("SELECT id FROM files ORDER BY id")?;
    let ids = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(ids)
}

/// `PRAGMA integrity_check` of a copy: `"ok"` when sound, else SQLite's first findings.
pub fn integrity_check(path: &Path) -> Result<String, StoreError> {
    Ok(open_copy(path)?.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
}

/// How many cases a copy holds.
pub fn case_count(path: &Path) -> Result<u64, StoreError> {
    let n: i64 = open_copy(path)?.query_row("SELECT COUNT(*) FROM cases", [], |r| r.get(0))?;
    Ok(n as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_of_a_live_database_is_sound_and_complete() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("live.sqlite");
        let store = crate::store::Store::open(&live).unwrap();
        store
            .writer()
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1), (2);")
            .unwrap();
        let copy = dir.path().join("copy.sqlite");
        copy_database(&live, &copy).unwrap();
        assert_eq!(integrity_check(&copy).unwrap(), "ok");
        let n: i64 = open_copy(&copy)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2);
        assert!(file_ids(&copy).unwrap().is_empty());
        assert!(!dir.path().join("copy.sqlite-wal").exists());
    }
}
