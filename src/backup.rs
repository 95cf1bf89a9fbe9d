//! Backups of a whole data directory as one age file, taken while the server runs.
//!
//! The file is a standard age file (so `age -d -i KEY backup.age | tar t` works offline) holding
//! a tar stream: `sealbox.sqlite` (an online-backup copy of the database), `keys/*` (the
//! server's keys: without them the claim-code lookup and the audit chain cannot be checked) and
//! `files/<id>.age` (the attachments the copied database names). The tar is sealed as it is
//! written, 64 KiB at a time, so memory stays flat whatever the size of the data.
//!
//! The database is copied first, then the attachments it names: an attachment is written in
//! full before its row is committed and never changed after, so every row of the copy finds its
//! file. Files uploaded after the copy are not taken (their cases are not in it either).

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use crate::audit::AuditKey;
use crate::crypto::{seal, CryptoError, SecretKey};
use crate::store::{self, snapshot, StoreError};

const DATABASE: &str = "sealbox.sqlite";
const KEYS: &str = "keys";
const FILES: &str = "files";
/// Keys a data directory cannot work without: the claim-code lookup and the audit chain.
const REQUIRED_KEYS: [&str; 2] = ["lookup.key", "audit.key"];

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The command cannot run as asked; the message says what to change.
    #[error("{0}")]
    Usage(String),
    /// The backup file is not a sound sealbox backup.
    #[error("{0}")]
    Invalid(String),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What a backup holds.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub cases: u64,
    pub files: usize,
    /// Attachments the database copy named that were gone by the time they were read (their
    /// case was purged meanwhile).
    pub missing_files: usize,
    /// Bytes of data archived (before sealing).
    pub bytes: u64,
    pub audit_entries: u64,
}

/// Writes a backup of `data_dir` to `to`, sealed to `recipient` (`age1…`). The file appears
/// only when complete (temp file, fsync, rename), mode 0600. With `progress`, a line on
/// standard error tells how far it got.
pub fn backup(
    data_dir: &Path,
    to: &Path,
    recipient: &str,
    progress: bool,
) -> Result<Summary, BackupError> {
    crate::crypto::keys::recipient(recipient).map_err(|e| {
        BackupError::Usage(format!(
            "the recipient is not an age public key (age1…): {e}"
        ))
    })?;
    let database = data_dir.join(DATABASE);
    if !database.is_file() {
        return Err(BackupError::Usage(format!(
            "no database at {}: is --data-dir right?",
            database.display()
        )));
    }
    let parent = parent_of(to);
    let staging = tempfile::Builder::new()
        .prefix(".sealbox-backup-")
        .tempdir_in(parent)
        .map_err(io_at(parent))?;
    let copy = staging.path().join(DATABASE);
    snapshot::copy_database(&database, &copy)?;
    let mut summary = Summary {
        cases: snapshot::case_count(&copy)?,
        ..Summary::default()
    };

    let mut members: Vec<(String, PathBuf)> = vec![(DATABASE.into(), copy.clone())];
    let keys_dir = data_dir.join(KEYS);
    let mut keys = Vec::new();
    for entry in std::fs::read_dir(&keys_dir).map_err(io_at(&keys_dir))? {
        let entry = entry.map_err(io_at(&keys_dir))?;
        if entry.file_type().map_err(io_at(&keys_dir))?.is_file() {
            if let Some(name) = entry.file_name().to_str() {
                keys.push(name.to_owned());
            }
        }
    }
    keys.sort();
    members.extend(
        keys.into_iter()
            .map(|k| (format!("{KEYS}/{k}"), keys_dir.join(k))),
    );
    members.extend(snapshot::file_ids(&copy)?.into_iter().map(|id| {
        (
            format!("{FILES}/{id}.age"),
            data_dir.join(FILES).join(format!("{id}.age")),
        )
    }));
    let total = members
        .iter()
        .filter_map(|(_, p)| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let mut meter = Meter::new("backup", total, progress);

    // NamedTempFile is created with mode 0600 and removed if anything below fails.
    let out = tempfile::Builder::new()
        .prefix(".sealbox-backup-")
        .tempfile_in(parent)
        .map_err(io_at(parent))?;
    let sealed =
        seal::SealedWriter::start(BufWriter::with_capacity(1 << 20, out.as_file()), recipient)?;
    let mut tar = tar::Builder::new(sealed);
    for (name, path) in &members {
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound && name.starts_with(FILES) => {
                summary.missing_files += 1;
                continue;
            }
            Err(e) => return Err(io_at(path)(e)),
        };
        let len = file.metadata().map_err(io_at(path))?.len();
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(len);
        header.set_mode(0o600);
        header.set_mtime(0);
        let reader = Counting {
            inner: file.take(len),
            meter: &mut meter,
        };
        tar.append_data(&mut header, name, reader)
            .map_err(io_at(to))?;
        summary.bytes += len;
        if name.starts_with(FILES) {
            summary.files += 1;
        }
    }
    let sealed = tar.into_inner().map_err(io_at(to))?;
    let buffered = sealed.finish().map_err(|e| match e {
        CryptoError::Write(e) => io_at(to)(e),
        e => e.into(),
    })?;
    buffered
        .into_inner()
        .map_err(|e| io_at(to)(e.into_error()))?
        .sync_all()
        .map_err(io_at(to))?;
    out.persist(to).map_err(|e| io_at(to)(e.error))?;
    sync_dir(parent);
    meter.done();
    Ok(summary)
}

/// Restores the backup `from` into `data_dir`, which must be absent or empty. Everything is
/// unpacked and checked (database integrity, audit chain, every attachment present) in a
/// directory beside `data_dir` first, and renamed into place only when sound: a failed restore
/// leaves nothing behind.
pub fn restore(
    from: &Path,
    identity: &SecretKey,
    data_dir: &Path,
    progress: bool,
) -> Result<Summary, BackupError> {
    if data_dir.exists() {
        let mut entries = std::fs::read_dir(data_dir).map_err(|e| {
            BackupError::Usage(format!(
                "{} cannot be restored into: {e}",
                data_dir.display()
            ))
        })?;
        if entries.next().is_some() {
            return Err(BackupError::Usage(format!(
                "{} is not empty: restore only into an empty or absent data directory",
                data_dir.display()
            )));
        }
    }
    let parent = parent_of(data_dir);
    std::fs::create_dir_all(parent).map_err(io_at(parent))?;
    let reader = open(from, identity)?;
    // tempdir_in makes the directory with mode 0700, as a data directory should be.
    let staging = tempfile::Builder::new()
        .prefix(".sealbox-restore-")
        .tempdir_in(parent)
        .map_err(io_at(parent))?;
    let mut meter = Meter::new("restore", file_len(from), progress);
    let present = unpack(reader, from, staging.path(), true, &mut meter)?;
    let summary = check(staging.path(), &present)?;
    if data_dir.exists() {
        std::fs::remove_dir(data_dir).map_err(io_at(data_dir))?;
    }
    let staged = staging.keep();
    if let Err(e) = std::fs::rename(&staged, data_dir) {
        let _ = std::fs::remove_dir_all(&staged);
        return Err(io_at(data_dir)(e));
    }
    sync_dir(parent);
    meter.done();
    Ok(summary)
}

/// Checks the backup `from` without restoring it: it opens with `identity`, every byte
/// authenticates, the tar is whole, the database passes its integrity check and its audit chain
/// verifies, and every attachment it names is there. Attachments are read, not kept.
pub fn verify(from: &Path, identity: &SecretKey, progress: bool) -> Result<Summary, BackupError> {
    let reader = open(from, identity)?;
    let scratch = tempfile::Builder::new()
        .prefix("sealbox-verify-")
        .tempdir()
        .map_err(io_at(&std::env::temp_dir()))?;
    let mut meter = Meter::new("verify", file_len(from), progress);
    let present = unpack(reader, from, scratch.path(), false, &mut meter)?;
    let summary = check(scratch.path(), &present)?;
    meter.done();
    Ok(summary)
}

fn open(from: &Path, identity: &SecretKey) -> Result<impl Read, BackupError> {
    let file = File::open(from).map_err(io_at(from))?;
    seal::open_stream(BufReader::with_capacity(1 << 20, file), identity).map_err(|_| {
        BackupError::Invalid(format!(
            "{} cannot be opened with this identity: it is sealed to another key, or it is \
             not a sealbox backup",
            from.display()
        ))
    })
}

/// Where an archive member goes, or why it does not belong in a backup.
enum Member {
    Database,
    Key(String),
    File(String),
}

fn classify(name: &str) -> Option<Member> {
    if name == DATABASE {
        return Some(Member::Database);
    }
    if let Some(key) = name.strip_prefix("keys/") {
        let plain = !key.is_empty()
            && !key.starts_with('.')
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        return plain.then(|| Member::Key(key.to_owned()));
    }
    let id = name.strip_prefix("files/")?.strip_suffix(".age")?;
    store::blobs::valid_id(id).then(|| Member::File(id.to_owned()))
}

/// Unpacks the archive into `dir` (attachments only when `keep_files`); returns the ids of the
/// attachments it held. Reads to the very end, so the last sealed chunk is authenticated too.
fn unpack(
    reader: impl Read,
    from: &Path,
    dir: &Path,
    keep_files: bool,
    meter: &mut Meter,
) -> Result<HashSet<String>, BackupError> {
    let damaged =
        |e: io::Error| BackupError::Invalid(format!("{} is damaged: {e}", from.display()));
    let mut archive = tar::Archive::new(Counting {
        inner: reader,
        meter,
    });
    let mut present = HashSet::new();
    for entry in archive.entries().map_err(damaged)? {
        let mut entry = entry.map_err(damaged)?;
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let member = classify(&name)
            .filter(|_| entry.header().entry_type() == tar::EntryType::Regular)
            .ok_or_else(|| {
                BackupError::Invalid(format!(
                    "{} holds {name:?}, which no sealbox backup holds",
                    from.display()
                ))
            })?;
        let target = match member {
            Member::Database => dir.join(DATABASE),
            Member::Key(key) => {
                make_private_dir(&dir.join(KEYS))?;
                dir.join(KEYS).join(key)
            }
            Member::File(id) => {
                if !present.insert(id.clone()) {
                    return Err(BackupError::Invalid(format!(
                        "{} holds {name} twice",
                        from.display()
                    )));
                }
                if !keep_files {
                    io::copy(&mut entry, &mut io::sink()).map_err(damaged)?;
                    continue;
                }
                make_private_dir(&dir.join(FILES))?;
                dir.join(FILES).join(format!("{id}.age"))
            }
        };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut out = options.open(&target).map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                BackupError::Invalid(format!("{} holds {name} twice", from.display()))
            } else {
                io_at(&target)(e)
            }
        })?;
        let mut buffered = BufWriter::with_capacity(1 << 20, &mut out);
        match io::copy(&mut entry, &mut buffered) {
            Ok(_) => {}
            // Reading the archive failed (a damaged or cut file), not writing the copy.
            Err(e) if e.kind() != io::ErrorKind::WriteZero && !is_write_error(&e) => {
                return Err(damaged(e))
            }
            Err(e) => return Err(io_at(&target)(e)),
        }
        buffered.flush().map_err(io_at(&target))?;
        drop(buffered);
        out.sync_all().map_err(io_at(&target))?;
    }
    let mut rest = archive.into_inner();
    io::copy(&mut rest, &mut io::sink()).map_err(damaged)?;
    Ok(present)
}

/// Errors that come from the disk being written rather than from the archive being read.
fn is_write_error(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::ENOSPC | libc::EDQUOT | libc::EROFS)
    )
}

/// Checks an unpacked data directory: the database is sound, its audit chain verifies, the keys
/// a data directory needs are there, and every attachment it names is in `present`.
fn check(dir: &Path, present: &HashSet<String>) -> Result<Summary, BackupError> {
    let database = dir.join(DATABASE);
    if !database.is_file() {
        return Err(BackupError::Invalid("the backup holds no database".into()));
    }
    for key in REQUIRED_KEYS {
        if !dir.join(KEYS).join(key).is_file() {
            return Err(BackupError::Invalid(format!(
                "the backup lacks keys/{key}: claim codes or the audit log could not be checked \
                 without it"
            )));
        }
    }
    let integrity = snapshot::integrity_check(&database)?;
    if integrity != "ok" {
        return Err(BackupError::Invalid(format!(
            "the database in the backup fails its integrity check: {integrity}"
        )));
    }
    let named = snapshot::file_ids(&database)?;
    let missing = named.iter().filter(|id| !present.contains(*id)).count();
    if missing > 0 {
        return Err(BackupError::Invalid(format!(
            "the backup lacks {missing} attachment file(s) its database names"
        )));
    }
    let audit_key = AuditKey::load_or_create(&dir.join(KEYS).join("audit.key"))?;
    let (entries, highest, live) = {
        let store = store::Store::open(&database)?;
        (
            store::audit::all(&store)?,
            store::audit::highest_issued(&store)?,
            store::cases::all_ids(&store)?,
        )
    };
    // Store::open left the copy in WAL mode; closing it folded the log back in.
    let audit_entries = crate::audit::verify(&audit_key, entries, highest, |id| live.contains(id))
        .map_err(|broken| {
            BackupError::Invalid(format!(
                "the audit log in the backup does not verify: {broken}"
            ))
        })?;
    Ok(Summary {
        cases: snapshot::case_count(&database)?,
        files: named.len(),
        missing_files: 0,
        bytes: 0,
        audit_entries,
    })
}

fn make_private_dir(dir: &Path) -> Result<(), BackupError> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(io_at(dir))
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// Makes a rename durable; a failure here is not worth failing a finished backup for.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The progress line on standard error: `backup: 512 / 1024 MiB (50%)`, redrawn in place.
struct Meter {
    what: &'static str,
    total: u64,
    done: u64,
    shown: u64,
    enabled: bool,
}

const MIB: u64 = 1 << 20;

impl Meter {
    fn new(what: &'static str, total: u64, enabled: bool) -> Self {
        Meter {
            what,
            total,
            done: 0,
            shown: 0,
            enabled,
        }
    }

    fn add(&mut self, n: usize) {
        self.done += n as u64;
        if self.enabled && self.done - self.shown >= 16 * MIB {
            self.shown = self.done;
            self.draw();
        }
    }

    fn draw(&self) {
        let percent = (self.done * 100).checked_div(self.total).unwrap_or(100);
        eprint!(
            "\r{}: {} / {} MiB ({}%)   ",
            self.what,
            self.done / MIB,
            self.total / MIB,
            percent.min(100)
        );
    }

    fn done(&mut self) {
        if self.enabled {
            self.done = self.total.max(self.done);
            self.draw();
            eprintln!();
        }
    }
}

/// Counts bytes read through it into a [`Meter`].
struct Counting<'m, R> {
    inner: R,
    meter: &'m mut Meter,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.meter.add(n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_backup_members_are_accepted() {
        assert!(matches!(classify("sealbox.sqlite"), Some(Member::Database)));
        assert!(matches!(classify("keys/audit.key"), Some(Member::Key(_))));
        assert!(matches!(
            classify(&format!("files/{}.age", "a".repeat(32))),
            Some(Member::File(_))
        ));
        for bad in [
            "../etc/passwd",
            "/etc/passwd",
            "keys/../x",
            "keys/",
            "keys/.hidden",
            "keys/a/b",
            "files/../../x.age",
            "files/ABC.age",
            "sealbox.sqlite-wal",
            "other",
        ] {
            assert!(classify(bad).is_none(), "{bad}");
        }
    }
}
