//! The free-space reserve of the data directory's disk (`[limits] min_free_bytes`): new cases,
//! messages and uploads are refused before they would take the disk below it, so a full disk
//! never stops the database from committing what it already took (or an officer from working).

use std::path::PathBuf;

use super::CaseError;

#[derive(Debug, Clone)]
pub struct DiskReserve {
    dir: PathBuf,
    min_free: u64,
}

impl DiskReserve {
    /// `min_free` 0: no reserve.
    pub fn new(dir: PathBuf, min_free: u64) -> Self {
        DiskReserve { dir, min_free }
    }

    /// Fails with [`CaseError::InsufficientStorage`] when writing `bytes` more would leave less
    /// than the reserve free. A disk whose free space cannot be read is not refused for it:
    /// the write itself will then say what is wrong.
    pub fn check(&self, bytes: u64) -> Result<(), CaseError> {
        if self.min_free == 0 {
            return Ok(());
        }
        match crate::store::disk::available(&self.dir) {
            Ok(free) if free < self.min_free.saturating_add(bytes) => {
                Err(CaseError::InsufficientStorage)
            }
            Ok(_) => Ok(()),
            Err(e) => {
                tracing::warn!(error = %e, "free space of the data directory cannot be read");
                Ok(())
            }
        }
    }
}
