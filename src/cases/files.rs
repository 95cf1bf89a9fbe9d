//! Attachments: streamed into age files as they arrive, recorded with the post they belong to.
//!
//! An [`Upload`] takes files chunk by chunk. Each file is written by its own blocking task,
//! through the metadata scrubber (if asked) and the age stream cipher, straight into a blob
//! under the data directory: there is never a plaintext file, and never more than a few
//! chunks of one in memory. Nothing is recorded until the case, message or note it belongs to
//! commits; an upload dropped before then (an error, a disconnect) deletes what it wrote.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufReader, Read, Write};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use zeroize::{Zeroize, Zeroizing};

use super::channels::FileLimits;
use super::scrub::{Outcome, ScrubError, Scrubber};
use super::{CaseError, Reason};
use crate::crypto::{random, seal, CryptoError, SecretKey};
use crate::store::blobs::Blobs;
use crate::store::cases::KeyKind;
use crate::store::files::{FileRow, NewFile};
use crate::store::StoreError;

/// Longest file name kept, in characters.
const NAME_MAX: usize = 200;

/// What is sealed about a file besides its content (padded JSON, like every sealed text).
#[derive(Serialize, Deserialize)]
pub(super) struct FileMeta {
    pub name: String,
    #[serde(rename = "type")]
    pub media_type: String,
    pub size: u64,
    /// Hidden metadata was removed (a JPEG or PNG, with cleaning asked for).
    pub cleaned: bool,
    /// When it was sent, exactly (the database keeps only the day). Absent in files sealed
    /// before times were sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<i64>,
    /// The question (a `files` field) it was attached to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl Drop for FileMeta {
    fn drop(&mut self) {
        self.name.zeroize();
    }
}

/// An attachment as officers and submitters see it listed.
#[derive(Debug, Serialize)]
pub struct FileView {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub media_type: String,
    pub size: u64,
    pub cleaned: bool,
    /// `submitter` or `officer`.
    pub author: String,
    pub officer: Option<String>,
    /// Sealed with the staff key: officers only.
    pub internal: bool,
    /// The day it was sent (as stored in clear).
    pub at: i64,
    /// The exact time, from its sealed facts, when they hold one.
    pub exact_at: Option<i64>,
    /// The id of the files question it answers, if any.
    pub field: Option<String>,
}

impl Drop for FileView {
    fn drop(&mut self) {
        self.name.zeroize();
    }
}

/// A file opened for download: its sealed facts and a reader that decrypts as it goes.
pub struct Download {
    pub name: String,
    pub media_type: String,
    pub size: u64,
    pub reader: Box<dyn Read + Send>,
}

/// A blob written by this request and not recorded yet: deleted when dropped, unless kept.
/// Whatever ends a request early (an error, a disconnect that drops the handler, a writer
/// task finishing after its request is gone), the blob goes with it.
struct Pending {
    blobs: Blobs,
    id: String,
}

impl Pending {
    /// Its row has committed: the blob stays.
    fn keep(mut self) {
        self.blobs.settle(&self.id);
        self.id.clear();
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if self.id.is_empty() {
            return;
        }
        if let Err(e) = self.blobs.remove(&self.id) {
            tracing::error!(error = %e, "an attachment of a failed request was not removed");
        }
    }
}

/// A written, synced blob waiting for its post to commit.
struct Staged {
    blob: Pending,
    sealed_meta: Vec<u8>,
    /// The question it answers and its name, for the form's check of its files questions.
    question: Option<(String, Zeroizing<String>)>,
}

/// Cases with a submitter's upload in progress: one at a time per case, so the limits a
/// second upload is held to count the first one's files.
#[derive(Clone, Default)]
pub(super) struct Uploading(Arc<Mutex<HashSet<String>>>);

impl Uploading {
    fn set(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn lock(&self, case_id: &str) -> Result<CaseLock, CaseError> {
        if !self.set().insert(case_id.to_owned()) {
            return Err(CaseError::Conflict(
                "another upload to this case is still in progress; send this one when it has \
                 finished"
                    .into(),
            ));
        }
        Ok(CaseLock {
            uploading: self.clone(),
            case_id: case_id.to_owned(),
        })
    }
}

pub(super) struct CaseLock {
    uploading: Uploading,
    case_id: String,
}

impl Drop for CaseLock {
    fn drop(&mut self) {
        self.uploading.set().remove(&self.case_id);
    }
}

/// What every upload shares: where blobs go, and the bound on blocking writes at once (so
/// uploads cannot take every blocking thread the database also needs).
#[derive(Clone)]
pub(super) struct FileStore {
    pub blobs: Blobs,
    pub writes: Arc<Semaphore>,
    pub reserve: super::reserve::DiskReserve,
}

/// An upload checks the disk's free-space reserve again after each this many bytes.
const RESERVE_CHECK_BYTES: u64 = 1 << 20;

/// Blocking file writes in flight at once, across all uploads.
const CONCURRENT_WRITES: usize = 16;

impl FileStore {
    pub(super) fn new(blobs: Blobs, reserve: super::reserve::DiskReserve) -> Self {
        FileStore {
            blobs,
            writes: Arc::new(Semaphore::new(CONCURRENT_WRITES)),
            reserve,
        }
    }
}

/// Files arriving with one request. Dropped without [`Upload::commit`], it deletes them.
pub struct Upload {
    store: FileStore,
    /// Sealed to this public key, recorded under this key kind.
    to: String,
    key: KeyKind,
    author: &'static str,
    officer_id: Option<String>,
    clean: bool,
    /// `None` until the channel is known (intake): no file may start before.
    limits: Option<FileLimits>,
    /// Files and bytes the case already holds from this author, counted against the limits.
    used_files: u32,
    used_bytes: u64,
    staged: Vec<Staged>,
    current: Option<Sink>,
    /// Bytes written since the free-space reserve was last checked.
    unchecked: u64,
    /// Held for a submitter's upload to an existing case.
    _lock: Option<CaseLock>,
}

impl Upload {
    pub(super) fn new(store: FileStore, to: String, key: KeyKind, author: &'static str) -> Self {
        Upload {
            store,
            to,
            key,
            author,
            officer_id: None,
            clean: false,
            limits: None,
            used_files: 0,
            used_bytes: 0,
            staged: Vec::new(),
            current: None,
            unchecked: 0,
            _lock: None,
        }
    }

    pub(super) fn locked(mut self, lock: CaseLock) -> Self {
        self._lock = Some(lock);
        self
    }

    pub(super) fn by_officer(mut self, officer_id: &str) -> Self {
        self.officer_id = Some(officer_id.to_owned());
        self
    }

    pub(super) fn already_holding(mut self, files: u32, bytes: u64) -> Self {
        self.used_files = files;
        self.used_bytes = bytes;
        self
    }

    /// The limits of the case's channel; set before the first file.
    pub fn limit_to(&mut self, limits: FileLimits) {
        self.limits = Some(limits);
    }

    /// The key the files are sealed to.
    pub fn key(&self) -> KeyKind {
        self.key
    }

    /// Remove hidden metadata from JPEG and PNG files that start after this.
    pub fn clean_photos(&mut self, clean: bool) {
        self.clean = clean;
    }

    /// Files staged so far.
    pub fn len(&self) -> usize {
        self.staged.len()
    }

    pub fn is_empty(&self) -> bool {
        self.staged.is_empty()
    }

    /// Starts the next file.
    pub async fn begin(&mut self) -> Result<(), CaseError> {
        let limits = self.limits.ok_or_else(|| {
            CaseError::invalid(
                "channel",
                "say which channel the case is for before sending files",
            )
        })?;
        if self.used_files >= limits.files {
            return Err(CaseError::too_large(
                Reason::new("too_many_files").with("max", limits.files),
            ));
        }
        self.store.reserve.check(RESERVE_CHECK_BYTES)?;
        self.unchecked = 0;
        let (store, to, clean) = (self.store.clone(), self.to.clone(), self.clean);
        let sink = tokio::task::spawn_blocking(move || Sink::start(store, to, clean))
            .await
            .map_err(CaseError::Worker)??;
        self.used_files += 1;
        self.current = Some(sink);
        Ok(())
    }

    /// The next piece of the current file.
    pub async fn write(&mut self, chunk: Bytes) -> Result<(), CaseError> {
        let limits = self.limits.unwrap_or_default();
        let sink = self.current.as_mut().ok_or_else(no_file)?;
        sink.received += chunk.len() as u64;
        self.used_bytes += chunk.len() as u64;
        if sink.received > limits.per_file {
            self.current = None;
            return Err(CaseError::too_large(
                Reason::new("file_too_large").with("size", human_size(limits.per_file)),
            ));
        }
        if self.used_bytes > limits.total {
            self.current = None;
            return Err(CaseError::too_large(
                Reason::new("files_too_large").with("size", human_size(limits.total)),
            ));
        }
        self.unchecked += chunk.len() as u64;
        if self.unchecked >= RESERVE_CHECK_BYTES {
            // Dropping the file being written deletes it: nothing half-written stays.
            if let Err(e) = self.store.reserve.check(RESERVE_CHECK_BYTES) {
                self.current = None;
                return Err(e);
            }
            self.unchecked = 0;
        }
        sink.push(chunk).await
    }

    /// Completes the current file: sealed, synced, and staged under its cleaned-up name.
    /// `question`: the `files` field it was attached to.
    pub async fn end(
        &mut self,
        name: &str,
        media_type: Option<&str>,
        question: Option<&str>,
    ) -> Result<(), CaseError> {
        let sink = self.current.take().ok_or_else(no_file)?;
        let name = display_name(name);
        let media_type = media_type.and_then(clean_media_type);
        let question = question.map(|q| (q.to_owned(), Zeroizing::new(name.clone())));
        let mut staged = sink
            .finish(name, media_type, question.as_ref().map(|q| q.0.clone()))
            .await?;
        staged.question = question;
        self.staged.push(staged);
        Ok(())
    }

    /// The names of the files staged for each question, in the order they came.
    pub fn by_question(&self) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (question, name) in self.staged.iter().filter_map(|s| s.question.as_ref()) {
            out.entry(question.clone())
                .or_default()
                .push(name.to_string());
        }
        out
    }

    /// Ids of the files staged so far.
    pub fn ids(&self) -> Vec<String> {
        self.staged.iter().map(|s| s.blob.id.clone()).collect()
    }

    /// The rows to record; the blobs are synced into the directory first. Blocking.
    pub(super) fn prepare(&self) -> Result<Vec<NewFile>, CaseError> {
        if self.staged.is_empty() {
            return Ok(Vec::new());
        }
        self.store.blobs.sync().map_err(write_failed)?;
        if let Some(gone) = self
            .staged
            .iter()
            .find(|s| !self.store.blobs.exists(&s.blob.id))
        {
            tracing::error!(file = %gone.blob.id, "a staged attachment vanished before it was recorded");
            return Err(write_failed(std::io::ErrorKind::NotFound.into()));
        }
        Ok(self
            .staged
            .iter()
            .map(|s| NewFile {
                id: s.blob.id.clone(),
                key: self.key,
                author: self.author,
                officer_id: self.officer_id.clone(),
                sealed_meta: s.sealed_meta.clone(),
            })
            .collect())
    }

    /// The post they belong to has committed: the blobs stay. Called inside the blocking
    /// step that committed, so that step and this one cannot be separated.
    pub(super) fn commit(self) -> Vec<String> {
        self.staged
            .into_iter()
            .map(|s| {
                let id = s.blob.id.clone();
                s.blob.keep();
                id
            })
            .collect()
    }
}

/// The files of a post, if it has any; a post with neither text nor files is refused.
pub(super) fn files_of_post(
    body: &Option<super::text::MessageBody>,
    upload: Option<Upload>,
    ask: Reason,
) -> Result<Option<Upload>, CaseError> {
    let upload = upload.filter(|u| !u.is_empty());
    if body.is_none() && upload.is_none() {
        return Err(CaseError::invalid_because("body", ask));
    }
    Ok(upload)
}

fn no_file() -> CaseError {
    CaseError::Internal("no file has been started")
}

fn write_failed(e: std::io::Error) -> CaseError {
    CaseError::Store(StoreError::Disk(e))
}

/// Bytes gathered before they are handed to a blocking write: large enough that the hand-off
/// costs nothing next to the encryption, small enough to bound memory per upload.
const BATCH: usize = 1024 * 1024;

/// One file being written. Each batch is encrypted and written by a short blocking task while
/// the next batch is read from the network; no thread waits on a slow client.
struct Sink {
    writes: Arc<Semaphore>,
    /// `None` while a batch is being written.
    writer: Option<Box<Writer>>,
    in_flight: Option<tokio::task::JoinHandle<Result<Box<Writer>, CaseError>>>,
    pending: Vec<Bytes>,
    pending_len: usize,
    received: u64,
}

impl Sink {
    fn start(store: FileStore, to: String, clean: bool) -> Result<Self, CaseError> {
        let id = random::id();
        let file = store.blobs.create(&id).map_err(write_failed)?;
        // From here on, dropping the writer deletes the blob.
        let mut writer = Box::new(Writer {
            blob: Pending {
                blobs: store.blobs,
                id,
            },
            to: to.clone(),
            out: None,
            scrubber: clean.then(Scrubber::new),
            flusher: file.try_clone().map_err(write_failed)?,
            unflushed: 0,
        });
        writer.out = Some(Counted {
            inner: seal::SealedWriter::start(file, &to).map_err(|e| match e {
                CryptoError::Write(e) => write_failed(e),
                e => e.into(),
            })?,
            bytes: 0,
        });
        Ok(Sink {
            writes: store.writes,
            writer: Some(writer),
            in_flight: None,
            pending: Vec::new(),
            pending_len: 0,
            received: 0,
        })
    }

    async fn push(&mut self, chunk: Bytes) -> Result<(), CaseError> {
        self.pending_len += chunk.len();
        self.pending.push(chunk);
        if self.pending_len >= BATCH {
            self.flush().await?;
        }
        Ok(())
    }

    /// Hands the gathered bytes to a blocking write, once the previous one is done.
    async fn flush(&mut self) -> Result<(), CaseError> {
        let mut writer = self.writer().await?;
        let batch = std::mem::take(&mut self.pending);
        self.pending_len = 0;
        let permit = self
            .writes
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| no_file())?;
        self.in_flight = Some(tokio::task::spawn_blocking(move || {
            let _permit = permit;
            for chunk in &batch {
                writer.write(chunk)?;
            }
            Ok(writer)
        }));
        Ok(())
    }

    /// The writer, after any write in flight has finished.
    async fn writer(&mut self) -> Result<Box<Writer>, CaseError> {
        match self.in_flight.take() {
            Some(task) => task.await.map_err(CaseError::Worker)?,
            None => self
                .writer
                .take()
                .ok_or_else(|| CaseError::Internal("file writer lost after an error")),
        }
    }

    async fn finish(
        mut self,
        name: String,
        media_type: Option<String>,
        question: Option<String>,
    ) -> Result<Staged, CaseError> {
        self.flush().await?;
        let writer = self.writer().await?;
        tokio::task::spawn_blocking(move || writer.finish(name, media_type, question))
            .await
            .map_err(CaseError::Worker)?
    }
}

/// How much is written between nudges to the kernel to start putting it on disk.
const WRITEBACK_EVERY: u64 = 16 << 20;

/// Asks the kernel to start writing the file's dirty pages to disk now, without waiting, so
/// the `fsync` that ends an upload has little left to do. (Left alone, a machine with plenty of
/// memory keeps a whole upload dirty until that `fsync`, and the disk sits idle meanwhile.)
#[cfg(target_os = "linux")]
fn start_writeback(file: &std::fs::File) {
    use std::os::fd::AsRawFd;
    // SAFETY: `sync_file_range` only reads its integer arguments; the descriptor is open for
    // as long as `file` is borrowed. A failure only means the final fsync does all the work.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &std::fs::File) {}

/// Counts the plaintext bytes stored (after cleaning).
struct Counted<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The blocking side of a [`Sink`]: one blob, deleted when dropped before it is recorded.
struct Writer {
    blob: Pending,
    to: String,
    out: Option<Counted<seal::SealedWriter<std::fs::File>>>,
    scrubber: Option<Scrubber>,
    /// The same open file, to start its writeback early.
    flusher: std::fs::File,
    unflushed: u64,
}

impl Writer {
    fn write(&mut self, data: &[u8]) -> Result<(), CaseError> {
        let out = self.out.as_mut().ok_or_else(no_file)?;
        match &mut self.scrubber {
            Some(s) => s.write(data, out).map_err(scrub_failed)?,
            None => out.write_all(data).map_err(write_failed)?,
        }
        self.unflushed += data.len() as u64;
        if self.unflushed >= WRITEBACK_EVERY {
            self.unflushed = 0;
            start_writeback(&self.flusher);
        }
        Ok(())
    }

    /// Ends the age file, syncs it, and seals its facts.
    fn finish(
        mut self: Box<Self>,
        name: String,
        media_type: Option<String>,
        question: Option<String>,
    ) -> Result<Staged, CaseError> {
        let mut out = self.out.take().ok_or_else(no_file)?;
        let outcome = match self.scrubber.take() {
            Some(s) => s.finish(&mut out).map_err(scrub_failed)?,
            None => Outcome::Kept,
        };
        let size = out.bytes;
        let file = out.inner.finish().map_err(|e| match e {
            CryptoError::Write(e) => write_failed(e),
            e => e.into(),
        })?;
        file.sync_all().map_err(write_failed)?;
        let (cleaned, media_type) = match outcome {
            Outcome::Cleaned(kind) => (true, kind.media_type().to_owned()),
            Outcome::Kept => (
                false,
                media_type.unwrap_or_else(|| "application/octet-stream".into()),
            ),
        };
        let meta = FileMeta {
            name,
            media_type,
            size,
            cleaned,
            at: Some(super::now()),
            field: question,
        };
        let json =
            Zeroizing::new(
                serde_json::to_vec(&meta).map_err(|source| CaseError::Document {
                    what: "document",
                    source,
                })?,
            );
        let sealed_meta = seal::seal_padded(&json, &[&self.to])?;
        Ok(Staged {
            blob: self.blob,
            sealed_meta,
            question: None,
        })
    }
}

fn scrub_failed(e: ScrubError) -> CaseError {
    match e {
        ScrubError::Malformed(why) => CaseError::invalid(
            "file",
            &format!(
                "{why}, so its hidden metadata cannot be removed; send it without \
                 “remove hidden metadata”, or check the file"
            ),
        ),
        ScrubError::Io(e) => write_failed(e),
    }
}

/// Opens a file's sealed facts.
pub(super) fn open_meta(row: &FileRow, key: &SecretKey) -> Result<FileMeta, CaseError> {
    let plain = seal::open(&row.sealed_meta, key)?;
    serde_json::from_slice(&plain).map_err(|source| CaseError::Document {
        what: "sealed file facts",
        source,
    })
}

/// A file listed for a view.
pub(super) fn view(
    row: &FileRow,
    key: &SecretKey,
    officer: Option<String>,
) -> Result<FileView, CaseError> {
    let meta = open_meta(row, key)?;
    Ok(FileView {
        id: row.id.clone(),
        name: meta.name.clone(),
        media_type: meta.media_type.clone(),
        size: meta.size,
        cleaned: meta.cleaned,
        author: row.author.clone(),
        officer,
        internal: row.key == KeyKind::Staff,
        at: row.created_at,
        exact_at: meta.at,
        field: meta.field.clone(),
    })
}

/// Opens a blob for reading, decrypting as it is read.
pub(super) fn download(
    blobs: &Blobs,
    row: &FileRow,
    key: &SecretKey,
) -> Result<Download, CaseError> {
    let meta = open_meta(row, key)?;
    let file = blobs.open_blob(&row.id).map_err(|e| {
        tracing::error!(error = %e, "an attachment's file is missing");
        CaseError::NotFound("this file's content is missing on the server".into())
    })?;
    let reader = seal::open_stream(BufReader::with_capacity(64 * 1024, file), key)?;
    Ok(Download {
        name: meta.name.clone(),
        media_type: meta.media_type.clone(),
        size: meta.size,
        reader: Box::new(reader),
    })
}

/// A file name as sent, made safe to show and to offer for saving: only the last path
/// component, no control or bidirectional-override characters (which can disguise an
/// extension), at most [`NAME_MAX`] characters. Never used as a path on the server.
pub fn display_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .take(NAME_MAX)
        .collect();
    let trimmed = cleaned.trim();
    if trimmed.is_empty() || trimmed.chars().all(|c| c == '.') {
        "file".to_owned()
    } else {
        trimmed.to_owned()
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A declared media type, kept only if it looks like one (`type/subtype`, token characters).
fn clean_media_type(raw: &str) -> Option<String> {
    let essence = raw.split(';').next()?.trim().to_ascii_lowercase();
    let token = |s: &str| {
        !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    let (kind, sub) = essence.split_once('/')?;
    (token(kind) && token(sub)).then_some(essence)
}

/// Bytes as people say them: "1 GiB", "20 MiB", "512 bytes".
pub fn human_size(bytes: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if bytes >= size {
            let whole = bytes / size;
            let tenths = (bytes % size) * 10 / size;
            return if tenths == 0 {
                format!("{whole} {unit}")
            } else {
                format!("{whole}.{tenths} {unit}")
            };
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_are_paths_keep_only_their_last_part() {
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(display_name("C:\\Users\\me\\evidence.pdf"), "evidence.pdf");
        assert_eq!(display_name(".."), "file");
        assert_eq!(display_name("dir/"), "file");
        assert_eq!(display_name(""), "file");
        assert_eq!(display_name("  report .pdf "), "report .pdf");
        assert_eq!(display_name("a\u{0}b\nc.txt"), "abc.txt");
        assert_eq!(display_name("invoice\u{202e}fdp.exe"), "invoicefdp.exe");
        assert_eq!(display_name(&"x".repeat(500)).chars().count(), NAME_MAX);
    }

    #[test]
    fn media_types_are_kept_only_when_well_formed() {
        assert_eq!(
            clean_media_type("Application/PDF; charset=x").as_deref(),
            Some("application/pdf")
        );
        assert_eq!(clean_media_type("text/html\"><script>"), None);
        assert_eq!(clean_media_type("nonsense"), None);
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_size(1 << 30), "1 GiB");
        assert_eq!(human_size(3 << 29), "1.5 GiB");
        assert_eq!(human_size(20 << 20), "20 MiB");
        assert_eq!(human_size(100), "100 bytes");
    }
}
