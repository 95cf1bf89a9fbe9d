//! The attachment directory: one standard age file per attachment, named by its random id.
//!
//! Only ids made by [`crate::crypto::random::id`] (lowercase hex) name a file here, so no id from
//! a request can reach outside the directory.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

const SUFFIX: &str = ".age";

#[derive(Debug, Clone)]
pub struct Blobs {
    dir: PathBuf,
    /// Blobs this process created and has not yet settled (recorded) or removed: never strays.
    live: Arc<Mutex<HashSet<String>>>,
}

/// Whether `id` can name a blob: 32 lowercase hex characters, as ids are made.
pub fn valid_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn bad_id() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "not a file id")
}

impl Blobs {
    /// Opens the directory, creating it (mode 0700) when absent.
    pub fn open(dir: &Path) -> io::Result<Self> {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir)?;
        Ok(Blobs {
            dir: dir.to_path_buf(),
            live: Arc::default(),
        })
    }

    fn live(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.live.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, id: &str) -> io::Result<PathBuf> {
        if !valid_id(id) {
            return Err(bad_id());
        }
        Ok(self.dir.join(format!("{id}{SUFFIX}")))
    }

    /// Creates a new, empty blob (mode 0600); fails if it exists. It counts as live (never a
    /// stray) until it is settled or removed.
    pub fn create(&self, id: &str) -> io::Result<File> {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(self.path(id)?)?;
        self.live().insert(id.to_owned());
        Ok(file)
    }

    /// A live blob is now recorded in the database.
    pub fn settle(&self, id: &str) {
        self.live().remove(id);
    }

    pub fn exists(&self, id: &str) -> bool {
        self.path(id).is_ok_and(|p| p.is_file())
    }

    pub fn open_blob(&self, id: &str) -> io::Result<File> {
        File::open(self.path(id)?)
    }

    /// Deletes a blob; one already gone is not an error.
    pub fn remove(&self, id: &str) -> io::Result<()> {
        self.live().remove(id);
        match std::fs::remove_file(self.path(id)?) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Makes the directory's entries (new files) durable.
    pub fn sync(&self) -> io::Result<()> {
        File::open(&self.dir)?.sync_all()
    }

    /// Deletes files that no row names (left by a crash mid-upload) and that nobody has written
    /// to for `idle`; returns how many went. Blobs of uploads in progress here, and anything
    /// else found in the directory, are left alone.
    pub fn remove_strays(&self, known: &HashSet<String>, idle: Duration) -> io::Result<usize> {
        let mut removed = 0;
        let now = SystemTime::now();
        for entry in std::fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let Some(id) = name.to_str().and_then(|n| n.strip_suffix(SUFFIX)) else {
                continue;
            };
            if !valid_id(id) || known.contains(id) || self.live().contains(id) {
                continue;
            }
            let modified = entry.metadata()?.modified()?;
            if now.duration_since(modified).unwrap_or_default() >= idle {
                self.remove(id)?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_generated_ids_name_files() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::open(&dir.path().join("files")).unwrap();
        for bad in ["../sealbox", "", "ABCDEF0123456789abcdef0123456789", "a/b"] {
            assert!(blobs.create(bad).is_err(), "{bad:?}");
            assert!(blobs.open_blob(bad).is_err(), "{bad:?}");
        }
        let id = crate::crypto::random::id();
        blobs.create(&id).unwrap();
        assert!(blobs.create(&id).is_err(), "never overwritten");
        blobs.remove(&id).unwrap();
        blobs.remove(&id).unwrap();
    }

    #[test]
    fn strays_are_removed_and_known_files_kept() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::open(dir.path()).unwrap();
        let (kept, stray) = (crate::crypto::random::id(), crate::crypto::random::id());
        blobs.create(&kept).unwrap();
        blobs.create(&stray).unwrap();
        std::fs::write(dir.path().join("README"), "not ours").unwrap();
        blobs.settle(&kept);
        blobs.settle(&stray);
        let uploading = crate::crypto::random::id();
        blobs.create(&uploading).unwrap();
        let known = HashSet::from([kept.clone()]);
        assert_eq!(
            blobs
                .remove_strays(&known, Duration::from_secs(3600))
                .unwrap(),
            0
        );
        assert_eq!(blobs.remove_strays(&known, Duration::ZERO).unwrap(), 1);
        assert!(blobs.open_blob(&kept).is_ok());
        assert!(blobs.open_blob(&stray).is_err());
        assert!(
            blobs.exists(&uploading),
            "an upload in progress is no stray"
        );
        assert!(dir.path().join("README").exists());
    }
}
