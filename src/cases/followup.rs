//! Follow-up: a submitter unlocks their case with the claim code, reads it and writes back.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::OnceCell;
use zeroize::{Zeroize, Zeroizing};

use super::access::Unlocked;
use super::files::{Download, FileView, Upload};
use super::posting::post_events;
use super::sealed::{
    labelled_fields, open_text, open_text_at, seal_text, wipe, wipe_case, SealedSubmission,
};
use super::text::MessageBody;
use super::workflow::{Outcome, Status};
use super::{now, CaseError, Cases};
use crate::audit::{Actor, Event};
use crate::config::ChannelKind;
use crate::crypto::{kdf, keys, random, seal, ClaimCode, CryptoError};
use crate::i18n::Lang;
use crate::notify::templates::Template;
use crate::store::cases::KeyKind;
use crate::store::messages::{self, NewPost, Thread};
use crate::store::{cases, files};

/// Salt for the derivation that an unknown or malformed code still pays for, so it costs the
/// same time as a real one.
const DUMMY_SALT: [u8; kdf::SALT_LEN] = [0x5a; kdf::SALT_LEN];

/// A case as its submitter sees it.
#[derive(Debug, Serialize)]
pub struct CaseView {
    pub number: i64,
    pub channel: String,
    pub channel_title: String,
    pub kind: ChannelKind,
    pub status: Status,
    pub outcome: Option<Outcome>,
    /// The day it was received (as stored in clear).
    pub received_at: i64,
    /// The exact time, from the sealed submission, when it holds one.
    pub received_exact: Option<i64>,
    /// Field values by field id, as the API returns them.
    pub fields: BTreeMap<String, serde_json::Value>,
    /// (label, value) in form order, for pages.
    pub labelled: Vec<(String, String)>,
    pub contact_email: Option<String>,
    /// The closing summary, once the case is closed.
    pub summary: Option<String>,
    /// The customer's rating (1–5) and comment, once given.
    pub satisfaction: Option<i64>,
    pub feedback: Option<String>,
    /// A closed complaint not rated yet.
    pub can_rate: bool,
    pub messages: Vec<MessageView>,
    /// Files of the thread the submitter may see: their own and those officers sent them.
    pub files: Vec<FileView>,
    /// Whether they gave their identity and when it was disclosed; `None`: the channel takes
    /// no identity.
    pub identity: Option<super::identity::SubmitterIdentity>,
    /// Records of what they said (minutes, transcripts), for them to check and approve.
    pub records: Vec<super::records::RecordView>,
    /// Their requests for a call or a meeting.
    pub meetings: Vec<super::records::MeetingView>,
    /// The address they asked to hear of news at.
    pub notify_email: Option<String>,
    /// A retaliation check-in asked of them now: its days after closing.
    pub checkin: Option<u32>,
}

#[derive(Debug, Serialize)]
pub struct MessageView {
    pub author: String,
    pub body: String,
    /// The day it was written (as stored in clear).
    pub at: i64,
    /// The exact time, sealed with the text, when it holds one.
    pub exact_at: Option<i64>,
}

/// Decrypted text is wiped when a view is dropped (what the web framework copied into its
/// buffers is beyond reach).
impl Drop for CaseView {
    fn drop(&mut self) {
        wipe_case(
            &mut self.fields,
            &mut self.labelled,
            [
                &mut self.contact_email,
                &mut self.summary,
                &mut self.feedback,
                &mut self.notify_email,
            ],
        );
    }
}

impl Drop for MessageView {
    fn drop(&mut self) {
        self.body.zeroize();
    }
}

/// Claim-code derivations running now, by lookup tag.
#[derive(Default)]
pub(super) struct InFlight(Mutex<HashMap<[u8; 32], Slot>>);

/// One derivation's answer, shared by every sign-in that joined it.
type Slot = Arc<OnceCell<Result<Unlocked, Refusal>>>;

impl InFlight {
    /// The derivation running for `tag`, or a new slot for one.
    fn join(&self, tag: [u8; 32]) -> Slot {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let slot = map.entry(tag).or_default();
        if slot.initialized() || Arc::strong_count(slot) > 1 {
            tracing::debug!("claim code sign-in joined the derivation in flight");
        }
        slot.clone()
    }

    /// Forgets a finished derivation, so the next sign-in derives afresh.
    fn leave(&self, tag: [u8; 32], cell: &Slot) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if map.get(&tag).is_some_and(|c| Arc::ptr_eq(c, cell)) {
            map.remove(&tag);
        }
    }
}

/// How a shared derivation failed, as every sign-in that joined it is told.
#[derive(Debug, Clone)]
pub(super) enum Refusal {
    Rejected,
    Busy(u64),
    Failed,
}

impl Refusal {
    fn of(e: &CaseError) -> Self {
        match e {
            CaseError::ClaimRejected => Refusal::Rejected,
            CaseError::Busy { retry_after } => Refusal::Busy(*retry_after),
            _ => Refusal::Failed,
        }
    }
}

impl From<Refusal> for CaseError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Rejected => CaseError::ClaimRejected,
            Refusal::Busy(retry_after) => CaseError::Busy { retry_after },
            Refusal::Failed => {
                CaseError::Crypto(CryptoError::Worker("the shared key derivation failed"))
            }
        }
    }
}

impl Cases {
    /// Opens a case with a claim code as typed. Every failure, malformed, unknown or wrong,
    /// is the same `ClaimRejected` after the same argon2id work. A second sign-in with a code
    /// whose derivation is still running shares that derivation's answer instead of starting
    /// another, so one code never holds more than one argon2id job.
    pub async fn unlock(&self, typed: &str) -> Result<Unlocked, CaseError> {
        let Ok(code) = ClaimCode::parse(typed) else {
            return self.derive_unlock(None).await;
        };
        let tag = self.lookup.tag(&code);
        let cell = self.claims_in_flight.join(tag);
        let mut own_error = None;
        let own = &mut own_error;
        let shared = cell
            .get_or_init(|| async move {
                self.derive_unlock(Some((code, tag))).await.map_err(|e| {
                    let refusal = Refusal::of(&e);
                    *own = Some(e);
                    refusal
                })
            })
            .await
            .clone();
        self.claims_in_flight.leave(tag, &cell);
        match (shared, own_error) {
            (Ok(unlocked), _) => Ok(unlocked),
            (Err(_), Some(own)) => Err(own),
            (Err(refusal), None) => Err(refusal.into()),
        }
    }

    /// One argon2id derivation (against a dummy salt when the code finds no case).
    async fn derive_unlock(
        &self,
        code: Option<(ClaimCode, [u8; 32])>,
    ) -> Result<Unlocked, CaseError> {
        let (code, tag) = code.unzip();
        let tag = tag.unwrap_or_else(random::bytes::<32>);
        let found = self
            .store
            .run(move |s| cases::find_by_claim_tag(s, &tag))
            .await?;
        let salt = found
            .as_ref()
            .map_or(DUMMY_SALT.to_vec(), |m| m.submitter_salt.clone());
        let code = code.unwrap_or_else(ClaimCode::generate);
        self.kdf
            .run(kdf::Lane::SignIn, move || {
                let key = kdf::submitter_key(&code, &salt)?;
                let found = found.ok_or(CaseError::ClaimRejected)?;
                let case_key = keys::open_grant(&found.submitter_grant, &key)
                    .map_err(|_| CaseError::ClaimRejected)?;
                Ok(Unlocked {
                    case_id: found.case_id,
                    key: case_key,
                })
            })
            .await?
    }

    /// Decrypts the case for its submitter; channel and field names in `lang`.
    pub async fn view(&self, unlocked: &Unlocked, lang: Lang) -> Result<CaseView, CaseError> {
        let unlocked = unlocked.clone();
        let channels = self.channels();
        self.store
            .run(move |s| {
                let record = cases::get(s, &unlocked.case_id)?
                    .ok_or_else(|| CaseError::NotFound("this case no longer exists".into()))?;
                let doc = SealedSubmission::open(&record.sealed_submission, &unlocked.key)?;
                let channel = channels.of_case(&record.channel_id, record.channel_version);
                let labelled = labelled_fields(channel, &doc.fields, lang);
                let messages = messages::list(s, &record.id, Thread::Messages)?
                    .into_iter()
                    .map(|m| {
                        let (body, exact_at) = open_text_at(&m.sealed, &unlocked.key)?;
                        Ok(MessageView {
                            body,
                            author: m.author,
                            at: m.created_at,
                            exact_at,
                        })
                    })
                    .collect::<Result<Vec<_>, CaseError>>()?;
                let summary = record
                    .sealed_summary
                    .as_deref()
                    .map(|sealed| open_text(sealed, &unlocked.key))
                    .transpose()?;
                let feedback = record
                    .sealed_feedback
                    .as_deref()
                    .map(|sealed| open_text(sealed, &unlocked.key))
                    .transpose()?;
                let files = files::list(s, &record.id)?
                    .iter()
                    .filter(|row| row.key == KeyKind::Case)
                    .map(|row| super::files::view(row, &unlocked.key, None))
                    .collect::<Result<Vec<_>, CaseError>>()?;
                let can_rate = may_rate(&record);
                let answered = match record.closed_at {
                    Some(closed) => crate::store::checkins::answered(s, &record.id, closed)?,
                    None => Vec::new(),
                };
                let checkin = super::checkins::asked(channel, &record, &answered, now());
                let notify_email =
                    super::news::notify_address(&record, &unlocked.key)?.map(|(email, _)| email);
                Ok(CaseView {
                    number: record.number,
                    channel_title: channel
                        .map_or(record.channel_id.clone(), |c| c.title.get(lang).to_owned()),
                    channel: record.channel_id,
                    kind: record.kind,
                    status: record.status,
                    outcome: record.outcome,
                    received_at: record.received_at,
                    received_exact: doc.received_at,
                    fields: doc.fields,
                    labelled,
                    contact_email: doc.contact.map(|c| c.email),
                    summary,
                    satisfaction: record.satisfaction,
                    feedback,
                    can_rate,
                    messages,
                    files,
                    identity: super::identity::submitter_view(s, &record.id)?,
                    records: super::records::read_records(s, &record.id, &unlocked.key, None)?,
                    meetings: super::records::read_meetings(s, &record.id, &unlocked.key)?,
                    notify_email,
                    checkin,
                })
            })
            .await
    }

    /// Adds a submitter's message to the thread, sealed to the case key.
    pub async fn add_submitter_message(
        &self,
        unlocked: &Unlocked,
        body: MessageBody,
    ) -> Result<(), CaseError> {
        self.add_submitter_post(unlocked, Some(body), None).await?;
        Ok(())
    }

    /// An upload of files to a case by its submitter, counted against the channel's limits
    /// together with the files they sent before.
    pub async fn submitter_upload(&self, unlocked: &Unlocked) -> Result<Upload, CaseError> {
        self.files.reserve.check(0)?;
        let lock = self.uploading.lock(&unlocked.case_id)?;
        let unlocked = unlocked.clone();
        let channels = self.channels();
        let store = self.files.clone();
        self.store
            .run(move |s| {
                let record = cases::get(s, &unlocked.case_id)?
                    .ok_or_else(|| CaseError::NotFound("this case no longer exists".into()))?;
                let (mut count, mut bytes) = (0, 0);
                for row in files::list(s, &record.id)? {
                    if row.author == "submitter" {
                        count += 1;
                        bytes += super::files::open_meta(&row, &unlocked.key)?.size;
                    }
                }
                let mut upload =
                    Upload::new(store, record.case_public_key, KeyKind::Case, "submitter")
                        .already_holding(count, bytes)
                        .locked(lock);
                upload.limit_to(
                    channels
                        .of_case(&record.channel_id, None)
                        .map(|c| c.files)
                        .unwrap_or_default(),
                );
                Ok(upload)
            })
            .await
    }

    /// Adds a submitter's message, files, or both to the thread, sealed to the case key, in
    /// one step. An answer to `awaiting_submitter` puts the case back in progress.
    pub async fn add_submitter_post(
        &self,
        unlocked: &Unlocked,
        body: Option<MessageBody>,
        upload: Option<Upload>,
    ) -> Result<Vec<String>, CaseError> {
        self.files.reserve.check(0)?;
        let upload = super::files::files_of_post(&body, upload, super::Reason::new("post_empty"))?;
        let case_id = unlocked.case_id.clone();
        let audit = self.audit.clone();
        let mail = self.mail.clone();
        let channels = self.channels();
        self.store
            .run(move |s| {
                let record = cases::get(s, &case_id)?
                    .ok_or_else(|| CaseError::NotFound("this case no longer exists".into()))?;
                let sealed = body
                    .map(|b| seal_text(b.as_str(), &record.case_public_key))
                    .transpose()?;
                let files = match &upload {
                    Some(u) => u.prepare()?,
                    None => Vec::new(),
                };
                // Everyone who can open the case hears of it, at most once per window.
                let alerts =
                    mail.alert_holders(s, &channels, &record, Template::OfficerNewMessage, true)?;
                let at = now();
                let post = NewPost {
                    case_id: &case_id,
                    thread: Thread::Messages,
                    author: "submitter",
                    officer_id: None,
                    sealed: sealed.as_deref(),
                    files: &files,
                    status_move: Some(Status::after_submitter_answer(&case_id)),
                    alerts,
                };
                let events = post_events(
                    None,
                    &case_id,
                    sealed.is_some().then_some("message_sent"),
                    files.len(),
                );
                messages::insert(s, &post, &audit, &events, at)?;
                mail.wake();
                Ok(upload.map(Upload::commit).unwrap_or_default())
            })
            .await
    }

    /// Opens one of the case's own files (never an officers' internal one) for download.
    pub async fn submitter_download(
        &self,
        unlocked: &Unlocked,
        file_id: &str,
    ) -> Result<Download, CaseError> {
        let unlocked = unlocked.clone();
        let file_id = file_id.to_owned();
        let blobs = self.files.blobs.clone();
        let audit = self.audit.clone();
        self.store
            .run(move |s| {
                let row = files::get(s, &unlocked.case_id, &file_id)?
                    .filter(|r| r.key == KeyKind::Case)
                    .ok_or_else(|| CaseError::NotFound("there is no such file".into()))?;
                let download = super::files::download(&blobs, &row, &unlocked.key)?;
                let event = Event::new(Actor::Submitter, "file_downloaded")
                    .case(&unlocked.case_id)
                    .detail(&row.id);
                crate::store::audit::record(s, &audit, &event, now())?;
                Ok(download)
            })
            .await
    }
}

/// A customer may rate a complaint once, after it was closed.
fn may_rate(record: &cases::CaseRecord) -> bool {
    record.kind == ChannelKind::Complaint
        && record.status == Status::Closed
        && record.satisfaction.is_none()
}

impl Cases {
    /// A customer rates how their closed complaint was handled: 1 (poor) to 5 (very good), with
    /// an optional comment sealed to the case key. Once per case.
    pub async fn rate(
        &self,
        unlocked: &Unlocked,
        score: i64,
        comment: Option<MessageBody>,
    ) -> Result<(), CaseError> {
        if !(1..=5).contains(&score) {
            return Err(CaseError::invalid_because(
                "score",
                super::Reason::new("rating"),
            ));
        }
        let case_id = unlocked.case_id.clone();
        let audit = self.audit.clone();
        self.store
            .run(move |s| {
                let record = cases::get(s, &case_id)?
                    .ok_or_else(|| CaseError::NotFound("this case no longer exists".into()))?;
                let rated_once =
                    || CaseError::Conflict("a rating is given once, for a closed complaint".into());
                if !may_rate(&record) {
                    return Err(rated_once());
                }
                let sealed = comment
                    .map(|c| seal_text(c.as_str(), &record.case_public_key))
                    .transpose()?;
                let event = Event::new(Actor::Submitter, "rated")
                    .case(&case_id)
                    .detail(format!("{score}/5"));
                // Set only if still unset: of two ratings sent at once, one is kept.
                if !cases::rate(s, &case_id, score, sealed.as_deref(), &audit, &event, now())? {
                    return Err(rated_once());
                }
                Ok(())
            })
            .await
    }
}

impl Cases {
    /// A customer withdraws their consent to mail and removes their address from the case:
    /// the sealed document is sealed again without it, and mail queued to them goes. Nothing
    /// is sent to them afterwards. Asking again when no address is left changes nothing.
    pub async fn withdraw_contact(&self, unlocked: &Unlocked) -> Result<(), CaseError> {
        let unlocked = unlocked.clone();
        let audit = self.audit.clone();
        self.store
            .run(move |s| {
                let record = cases::get(s, &unlocked.case_id)?
                    .ok_or_else(|| CaseError::NotFound("this case no longer exists".into()))?;
                let mut doc = SealedSubmission::open(&record.sealed_submission, &unlocked.key)?;
                if doc.contact.is_none() {
                    return Ok(());
                }
                doc.contact = None;
                let json = Zeroizing::new(serde_json::to_vec(&doc).map_err(|source| {
                    CaseError::Document {
                        what: "document",
                        source,
                    }
                })?);
                for value in doc.fields.values_mut() {
                    wipe(value);
                }
                let sealed = seal::seal_padded(&json, &[&record.case_public_key])?;
                let event = Event::new(Actor::Submitter, "contact_withdrawn").case(&record.id);
                cases::withdraw_contact(s, &record.id, &sealed, &audit, &event, now())?;
                Ok(())
            })
            .await
    }
}
