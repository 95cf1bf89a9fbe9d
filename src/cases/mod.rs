//! The domain: intake, follow-up, officers. No HTTP and no SQL here; rules live here.

pub mod access;
pub mod admin;
pub mod casework;
pub mod channels;
pub mod checkins;
pub mod deadlines;
pub mod discard;
pub mod enrolment;
pub mod export;
pub mod files;
pub mod followup;
pub mod identity;
pub mod intake;
mod mail;
pub mod news;
pub mod officers;
mod posting;
pub mod published;
pub mod records;
pub mod reminders;
pub mod reserve;
pub mod retention;
pub mod scrub;
pub mod sealed;
pub mod search;
pub mod signin;
pub mod statistics;
pub mod text;
pub mod triage;
pub mod workflow;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::audit::AuditKey;
use crate::config::Settings;
use crate::crypto::lookup::LookupKey;
use crate::crypto::{CryptoError, KdfPool};
use crate::store::blobs::Blobs;
use crate::store::{Store, StoreError};

/// Who did something, as the audit log names them.
pub use crate::audit::Actor;
pub use channels::{Channel, Channels};

#[derive(thiserror::Error)]
pub enum CaseError {
    /// Input that breaks a rule; `field` names what to fix (`fields.what`, `contact.email`).
    /// `reason`, when given, says the same for a reader of another language.
    #[error("{message}")]
    Invalid {
        field: String,
        message: String,
        reason: Option<Reason>,
    },
    /// A claim code that opens no case: malformed, unknown and wrong look the same.
    #[error("this claim code does not open a case")]
    ClaimRejected,
    /// An officer sign-in that failed: unknown email, wrong password and disabled look the same.
    #[error("the email address or the password is not right")]
    SignInRejected,
    /// The password was right; the account needs a code from the authenticator app.
    #[error("enter the 6-digit code from your authenticator app")]
    TotpRequired,
    #[error("that code is not right, or was used already: wait for the next one")]
    TotpRejected,
    /// Too many wrong authenticator codes for this account: its code step is locked a while.
    #[error("too many wrong codes from the authenticator app: this account's sign-in is locked for {minutes} minutes")]
    TotpLocked { minutes: u64, retry_after: u64 },
    /// The officer may not do this (no grant for the case, not an admin).
    #[error("{0}")]
    Forbidden(String),
    /// Not possible in the case's current state (a workflow rule).
    #[error("{0}")]
    InvalidTransition(String),
    #[error("{0}")]
    Conflict(String),
    /// What the request was based on has changed since it was read (a channel published
    /// meanwhile).
    #[error("{0}")]
    Stale(String),
    #[error("{0}")]
    NotFound(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Crypto(CryptoError),
    /// Too many key derivations wait already (or this one waited too long): nothing was done.
    #[error("the server is busy: try again in {retry_after} seconds")]
    Busy { retry_after: u64 },
    /// Over a limit of the channel (files per case, bytes per file or per case).
    #[error("{message}")]
    TooLarge {
        message: String,
        reason: Option<Reason>,
    },
    /// The installation cannot take this request now (e.g. nobody could ever read the case).
    #[error("{0}")]
    Unavailable(String),
    /// Mail settings that cannot work, or a test mail the server did not take.
    #[error(transparent)]
    Notify(#[from] crate::notify::NotifyError),
    /// The channels configured cannot be used.
    #[error(transparent)]
    Channels(#[from] channels::ChannelsError),
    /// `recovery_recipient` is not an age public key.
    #[error("recovery_recipient is not an age public key")]
    RecoveryRecipient(#[source] CryptoError),
    /// A sealed document that does not have the shape sealbox writes (or could not be written).
    #[error("the {what} could not be read or written as JSON")]
    Document {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// A directory or file of the data directory that could not be used.
    #[error("{}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// An export bundle could not be written.
    #[error("the export could not be written")]
    Export(#[source] std::io::Error),
    /// The printable page of an export could not be rendered.
    #[error("the printable page could not be rendered")]
    Render(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A blocking worker ended without answering (it panicked).
    #[error("a worker thread failed")]
    Worker(#[from] tokio::task::JoinError),
    /// A rule of sealbox itself was broken (a bug, never the user's doing).
    #[error("internal error: {0}")]
    Internal(&'static str),
    /// Storing this would leave the data directory's disk below `[limits] min_free_bytes`.
    #[error("the disk is down to its free-space reserve")]
    InsufficientStorage,
}

impl From<CryptoError> for CaseError {
    fn from(e: CryptoError) -> Self {
        match e {
            CryptoError::Busy { retry_after } => CaseError::Busy { retry_after },
            e => CaseError::Crypto(e),
        }
    }
}

impl std::fmt::Debug for CaseError {
    /// The whole cause chain, for logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")?;
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

/// What a refusal says, in words every language can give: a key under `invalid.` in the
/// translation files (`web/i18n/`) and the values of its placeholders. The English message
/// beside it is what the API answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Reason {
    pub fn new(key: &'static str) -> Self {
        Reason {
            key,
            args: Vec::new(),
        }
    }

    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    /// The English text, from the English translation file.
    pub fn english(&self) -> String {
        let args: Vec<(&str, &dyn std::fmt::Display)> = self
            .args
            .iter()
            .map(|(k, v)| (*k, v as &dyn std::fmt::Display))
            .collect();
        crate::i18n::Lang::En.fill(&format!("invalid.{}", self.key), &args)
    }
}

impl CaseError {
    pub fn invalid(field: &str, message: &str) -> Self {
        CaseError::Invalid {
            field: field.to_owned(),
            message: message.to_owned(),
            reason: None,
        }
    }

    /// Input that breaks a rule, said in every language: the English message is the
    /// reason's English text.
    pub fn invalid_because(field: &str, reason: Reason) -> Self {
        CaseError::Invalid {
            field: field.to_owned(),
            message: reason.english(),
            reason: Some(reason),
        }
    }

    /// Over a limit, said in every language.
    pub fn too_large(reason: Reason) -> Self {
        CaseError::TooLarge {
            message: reason.english(),
            reason: Some(reason),
        }
    }

    /// The input field an `Invalid` error is about.
    pub fn field(&self) -> Option<&str> {
        match self {
            CaseError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

pub use crate::clock::now;

/// Everything the domain needs, shared by every request.
#[derive(Clone)]
pub struct Cases {
    store: Store,
    kdf: KdfPool,
    lookup: Arc<LookupKey>,
    /// Swapped whole when an admin publishes a channel.
    channels: Arc<std::sync::RwLock<Arc<Channels>>>,
    recovery_recipient: Option<String>,
    audit: Arc<AuditKey>,
    /// Shown as the issuer in authenticator apps.
    site_name: String,
    mail: Arc<mail::MailContext>,
    /// Attachments, one age file each.
    files: files::FileStore,
    /// Cases with a submitter's upload in progress.
    uploading: files::Uploading,
    /// Claim-code derivations running now: one code, one derivation.
    claims_in_flight: Arc<followup::InFlight>,
    /// Days a discarded case is kept before it is purged.
    discard_grace_days: u32,
    /// Canned replies (`[[replies]]`).
    replies: Arc<Vec<crate::config::ReplyConfig>>,
    /// Channel publications, one at a time: each is checked against the one before.
    publishing: Arc<tokio::sync::Mutex<()>>,
}

impl Cases {
    /// Opens the data directory (created with mode 0700 when absent), its database and keys.
    pub fn open(settings: &Settings) -> Result<Self, CaseError> {
        let dir = &settings.data_dir;
        create_private_dir(dir)?;
        create_private_dir(&dir.join("keys"))?;
        let store = Store::open_with(&dir.join("sealbox.sqlite"), settings.litestream)?;
        let lookup = LookupKey::load_or_create(&dir.join("keys").join("lookup.key"))?;
        let audit = AuditKey::load_or_create(&dir.join("keys").join("audit.key"))?;
        match crate::store::audit::rechain(&store, &audit)? {
            crate::store::audit::Rechain::NotNeeded => {}
            crate::store::audit::Rechain::Done(n) => {
                tracing::info!(
                    entries = n,
                    "audit log verified and chained over detail digests"
                )
            }
            crate::store::audit::Rechain::Broken(broken) => tracing::error!(
                %broken,
                "audit log does not verify; left as it is, new entries are chained onto it"
            ),
        }
        if let Some(r) = &settings.recovery_recipient {
            crate::crypto::keys::recipient(r).map_err(CaseError::RecoveryRecipient)?;
        }
        // Made now, not at the first unknown email, which would then cost two derivations.
        crate::crypto::kdf::dummy_password_hash();
        let channels = published::load(&store, &settings.channels)?;
        Ok(Cases {
            store,
            kdf: KdfPool::bounded(settings.kdf_bounds()),
            lookup: Arc::new(lookup),
            channels: Arc::new(std::sync::RwLock::new(Arc::new(channels))),
            recovery_recipient: settings.recovery_recipient.clone(),
            audit: Arc::new(audit),
            site_name: settings.organisation.clone(),
            mail: Arc::new(mail::MailContext::new(settings)?),
            files: files::FileStore::new(
                Blobs::open(&dir.join("files")).map_err(|source| CaseError::Io {
                    path: dir.join("files"),
                    source,
                })?,
                reserve::DiskReserve::new(dir.clone(), settings.limits.min_free_bytes),
            ),
            uploading: files::Uploading::default(),
            claims_in_flight: Arc::default(),
            discard_grace_days: settings.discard_grace_days,
            replies: Arc::new(settings.replies.clone()),
            publishing: Arc::default(),
        })
    }

    /// The channels as they are now (a publication replaces them for later calls).
    pub fn channels(&self) -> Arc<Channels> {
        self.channels
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Whether cases of a channel with these officers can be taken: someone must be able to
    /// read them, an officer or the organisation's recovery key.
    pub fn accepts_cases(&self, officers: &[intake::OfficerRef]) -> bool {
        officers.iter().any(|o| o.handles_channel) || self.recovery_recipient.is_some()
    }

    /// Refuses with [`CaseError::InsufficientStorage`] when `bytes` more would take the data
    /// directory's disk below its reserve (an upload's declared size, before it is read).
    pub fn ensure_room(&self, bytes: u64) -> Result<(), CaseError> {
        self.files.reserve.check(bytes)
    }

    /// Whether the installation can work: the database answers a trivial query, the data
    /// directory takes a new file (not read-only, not out of space or inodes) and its disk is
    /// above the free-space reserve (else new cases are refused). Says nothing about cases.
    pub async fn live(&self) -> bool {
        if self.files.reserve.check(0).is_err() {
            return false;
        }
        // The data directory itself: the attachments directory is one level down.
        let blobs = self.files.blobs.dir();
        let dir = blobs.parent().unwrap_or(blobs).to_path_buf();
        self.store
            .run(move |s| {
                s.ping()?;
                let probe = tempfile::Builder::new()
                    .prefix(".healthz-")
                    .tempfile_in(&dir)
                    .map_err(StoreError::Disk)?;
                std::io::Write::write_all(&mut probe.as_file(), b"ok").map_err(StoreError::Disk)?;
                Ok::<_, StoreError>(())
            })
            .await
            .is_ok()
    }

    /// The database is sound (`PRAGMA integrity_check`).
    pub async fn healthy(&self) -> Result<bool, CaseError> {
        Ok(self.store.run(|s| s.integrity_check()).await? == "ok")
    }
}

fn create_private_dir(dir: &Path) -> Result<(), CaseError> {
    let fail = |source| CaseError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(fail)
}
