//! Intake: a submission becomes a sealed case, and the submitter gets a claim code.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::access::Officer;
use super::channels::RawValue;
use super::enrolment::kept_out;
use super::files::Upload;
use super::sealed::{SealedContact, SealedSubmission};
use super::text::Email;
use super::workflow::Status;
use super::{now, CaseError, Cases, Channel, Reason};
use crate::crypto::{self, kdf, keys, seal, ClaimCode, KeyPair};
use crate::i18n::Lang;
use crate::notify::templates::Template;
use crate::store::cases::{Holder, KeyKind, NewCase, NewGrant};
use crate::store::officers;
use crate::store::vocabulary::Source;

/// A report an officer took down for a reporter (a call, a meeting, a letter): the channel's
/// form filled in on their behalf, with their choices, before validation.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordedReport {
    pub channel: String,
    #[serde(default)]
    pub fields: BTreeMap<String, RawValue>,
    /// `phone`, `meeting` or `letter`.
    pub source: Source,
    /// Officers the reporter asked to keep out: honoured as on the web, for the officer who
    /// takes the report down too.
    #[serde(default)]
    pub exclude_officers: Vec<String>,
    pub contact: Option<ContactInput>,
    pub identity: Option<super::identity::IdentityInput>,
    /// The reporter agreed to the recording attached (required when one is).
    #[serde(default)]
    pub recording_consent: bool,
    #[serde(skip)]
    pub language: Lang,
}

/// Who brought a case in, when it was not its reporter on the web.
struct TakenDown {
    officer_id: String,
    source: Source,
}

/// What a submitter sends, before validation.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    pub channel: String,
    #[serde(default)]
    pub fields: BTreeMap<String, RawValue>,
    #[serde(default)]
    pub exclude_officers: Vec<String>,
    pub contact: Option<ContactInput>,
    /// The reporter's identity, sealed for the identity custodians (channels that take it).
    pub identity: Option<super::identity::IdentityInput>,
    /// The language the submitter used (the page's, or the API request's): a customer's mails
    /// are written in it. Kept only inside the sealed document, never in clear: it could
    /// narrow down who wrote.
    #[serde(skip)]
    pub language: Lang,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub consent: bool,
}

/// A submission's keys, made before its files arrive so each file can be sealed to the case
/// key as it streams in. Dropped without being submitted, it deletes those files.
pub struct IntakeDraft {
    case_key: KeyPair,
    staff_key: KeyPair,
    /// The channel the files were limited by: the case must be for the same one.
    channel: Option<String>,
    pub files: Upload,
}

impl IntakeDraft {
    /// Files from here on are for a case of `channel`, held to its limits, their photos
    /// cleaned or not.
    pub fn files_for(&mut self, channel: &Channel, clean: bool) -> &mut Upload {
        if self.channel.is_none() {
            self.files.limit_to(channel.files);
            self.files.clean_photos(clean);
            self.channel = Some(channel.id.clone());
        }
        &mut self.files
    }
}

/// What the submitter takes away. The claim code is shown once and never stored.
pub struct Receipt {
    pub case_id: String,
    pub number: i64,
    pub claim_code: ClaimCode,
}

/// An officer a submitter may exclude from their case.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OfficerRef {
    pub id: String,
    pub name: String,
    /// Receives the channel's cases; otherwise an identity custodian, who would hold only the
    /// identity key.
    #[serde(skip)]
    pub handles_channel: bool,
}

/// Who a submitter may keep out of a case of `channel`: its officers, and for a channel that
/// takes identities, the identity custodians (who would otherwise hold the identity key).
fn excludable(
    store: &crate::store::Store,
    channel_officers: &[officers::OfficerRow],
    with_custodians: bool,
) -> Result<Vec<OfficerRef>, CaseError> {
    let mut refs: Vec<OfficerRef> = channel_officers
        .iter()
        .map(|o| OfficerRef {
            id: o.id.clone(),
            name: o.name.clone(),
            handles_channel: true,
        })
        .collect();
    if with_custodians {
        for o in officers::list(store)? {
            if o.is_custodian && !o.disabled && !refs.iter().any(|r| r.id == o.id) {
                refs.push(OfficerRef {
                    id: o.id,
                    name: o.name,
                    handles_channel: false,
                });
            }
        }
    }
    Ok(refs)
}

impl Cases {
    /// Officers who may be excluded from a case in `channel`: those who would receive it, and
    /// the identity custodians on a channel that takes identities.
    pub async fn excludable_officers(&self, channel: &str) -> Result<Vec<OfficerRef>, CaseError> {
        let with_custodians = self
            .channels()
            .get(channel)
            .is_some_and(|c| c.takes_identity);
        let channel = channel.to_owned();
        self.store
            .run(move |s| excludable(s, &officers::for_channel(s, &channel)?, with_custodians))
            .await
    }

    /// The officers a submitter of `channel` is shown to choose from: none on a channel that
    /// takes no exclusions. Whether the channel can take cases at all is asked of
    /// [`Cases::channel_accepts`].
    pub async fn officers_to_exclude(&self, channel: &str) -> Result<Vec<OfficerRef>, CaseError> {
        if !self
            .channels()
            .get(channel)
            .is_some_and(|c| c.takes_exclusions())
        {
            return Ok(Vec::new());
        }
        self.excludable_officers(channel).await
    }

    /// Whether somebody could open a case of `channel` if it came in now.
    pub async fn channel_accepts(&self, channel: &str) -> Result<bool, CaseError> {
        Ok(self.accepts_cases(&self.excludable_officers(channel).await?))
    }

    /// Keys for a new case, and an upload for its files.
    pub fn new_intake(&self) -> IntakeDraft {
        let case_key = KeyPair::generate();
        let staff_key = KeyPair::generate();
        let files = Upload::new(
            self.files.clone(),
            case_key.public.clone(),
            KeyKind::Case,
            "submitter",
        );
        IntakeDraft {
            case_key,
            staff_key,
            channel: None,
            files,
        }
    }

    /// Validates, seals and stores a submission without files.
    pub async fn submit(&self, submission: Submission) -> Result<Receipt, CaseError> {
        self.submit_with(self.new_intake(), submission).await
    }

    /// Keys for a report `officer` takes down, and an upload for its recording.
    pub fn new_recorded_intake(&self, officer: &Officer) -> IntakeDraft {
        let mut draft = self.new_intake();
        draft.files = Upload::new(
            self.files.clone(),
            draft.case_key.public.clone(),
            KeyKind::Case,
            "officer",
        )
        .by_officer(&officer.id);
        draft
    }

    /// A report `officer` took down for a reporter, sealed like one from the web: the officer
    /// reads it only through a grant of the channel, unless the reporter kept them out. The
    /// claim code, to hand over, is returned once and never stored.
    pub async fn record_report(
        &self,
        officer: &Officer,
        draft: IntakeDraft,
        report: RecordedReport,
    ) -> Result<Receipt, CaseError> {
        if report.source == Source::Web {
            return Err(CaseError::invalid(
                "source",
                "a report taken down comes by phone, meeting or letter",
            ));
        }
        if !draft.files.is_empty() && !report.recording_consent {
            return Err(CaseError::invalid_because(
                "recording_consent",
                Reason::new("recording_consent"),
            ));
        }
        let submission = Submission {
            channel: report.channel,
            fields: report.fields,
            exclude_officers: report.exclude_officers,
            contact: report.contact,
            identity: report.identity,
            language: report.language,
        };
        let by = TakenDown {
            officer_id: officer.id.clone(),
            source: report.source,
        };
        self.intake(draft, submission, Some(by)).await
    }

    /// Validates, seals and stores a submission with the files of its draft. The case is
    /// committed (and durable, files included) before the claim code is returned; on any error
    /// nothing of it is kept.
    pub async fn submit_with(
        &self,
        draft: IntakeDraft,
        submission: Submission,
    ) -> Result<Receipt, CaseError> {
        self.intake(draft, submission, None).await
    }

    #[tracing::instrument(skip_all, fields(channel = %submission.channel))]
    async fn intake(
        &self,
        draft: IntakeDraft,
        submission: Submission,
        taken_down: Option<TakenDown>,
    ) -> Result<Receipt, CaseError> {
        self.files.reserve.check(0)?;
        let channel = self
            .channels()
            .get(&submission.channel)
            .ok_or_else(|| CaseError::invalid("channel", "there is no such channel"))?
            .clone();
        if !draft.files.is_empty() && draft.channel.as_deref() != Some(channel.id.as_str()) {
            return Err(CaseError::invalid(
                "channel",
                "the files were sent for another channel than the case",
            ));
        }
        // A report taken down by an officer has no files questions answered (its recording is
        // the case's own file); a reporter's answers them with their files.
        let answered_files = draft.files.by_question();
        let files = taken_down.is_none().then_some(&answered_files);
        let fields = channel.validate(&submission.fields, files)?;
        let contact = match submission.contact {
            Some(c) if !c.email.trim().is_empty() => {
                if !channel.takes_contact() {
                    return Err(CaseError::invalid_because(
                        "contact.email",
                        Reason::new("contact_not_taken"),
                    ));
                }
                let email = Email::parse("contact.email", &c.email)?;
                if !c.consent {
                    return Err(CaseError::invalid_because(
                        "contact.consent",
                        Reason::new("consent"),
                    ));
                }
                Some(SealedContact {
                    email: email.as_str().to_owned(),
                    consent: true,
                    language: Some(submission.language.code().to_owned()),
                })
            }
            _ => None,
        };

        let identity = match submission
            .identity
            .as_ref()
            .map(|i| i.validate())
            .transpose()?
        {
            Some(Some(_)) if !channel.takes_identity => {
                return Err(CaseError::invalid(
                    "identity",
                    "this channel does not take an identity",
                ))
            }
            given => given.flatten(),
        };
        let takes_identity = channel.takes_identity;

        let channel_id = channel.id.clone();
        let (entitled, excludable) = self
            .store
            .run(move |s| {
                let entitled = officers::for_channel(s, &channel_id)?;
                let excludable = excludable(s, &entitled, takes_identity)?;
                Ok::<_, CaseError>((entitled, excludable))
            })
            .await?;
        if let Some(by) = &taken_down {
            if !entitled.iter().any(|o| o.id == by.officer_id) {
                return Err(CaseError::Forbidden(
                    "only an officer of this channel takes reports down for it".into(),
                ));
            }
        }
        let mut exclude = submission.exclude_officers;
        exclude.sort();
        exclude.dedup();
        if !exclude.is_empty() && !channel.takes_exclusions() {
            return Err(CaseError::invalid(
                "exclude_officers",
                "a complaint channel does not take exclusions of officers",
            ));
        }
        if let Some(unknown) = exclude
            .iter()
            .find(|id| !excludable.iter().any(|o| &o.id == *id))
        {
            return Err(CaseError::invalid(
                "exclude_officers",
                &format!("{unknown:?} is not an officer of this channel"),
            ));
        }
        // The reporter's exclusions, as they chose them, are checked first; then every key an
        // excluded officer enrolled is kept out too, and keys not enrolled yet have nobody to
        // grant to.
        let kept = entitled.iter().filter(|o| !exclude.contains(&o.id)).count();
        let holders: Vec<_> = entitled
            .iter()
            .filter(|o| !o.awaiting_enrolment && !kept_out(&exclude, &o.id, &o.sponsors))
            .collect();
        let readers: Vec<(String, String)> = holders
            .iter()
            .map(|o| (o.id.clone(), o.public_key.clone()))
            .collect();
        // Mails this case causes, queued in its own transaction: an alert to every officer who
        // will hold a grant, and a receipt to a customer who left an address.
        let case_id = crypto::random::id();
        let recorder = taken_down.as_ref().map(|t| t.officer_id.as_str());
        let alerts = holders
            .iter()
            .filter(|o| Some(o.id.as_str()) != recorder)
            .map(|o| {
                let lang = o.lang();
                let mail = self.mail.officer_alert(
                    Template::OfficerNewCase,
                    lang,
                    &o.email,
                    &o.id,
                    &case_id,
                    channel.title.get(lang),
                )?;
                Ok((o.id.clone(), mail))
            })
            .collect::<Result<Vec<_>, CaseError>>()?;
        let alerted: Vec<String> = alerts.iter().map(|(id, _)| id.clone()).collect();
        let receipts = match &contact {
            Some(c) => vec![self.mail.customer(
                Template::CustomerReceived,
                c.lang(),
                &c.email,
                &case_id,
                Status::Received,
            )?],
            None => Vec::new(),
        };
        if kept == 0 && !entitled.is_empty() {
            return Err(CaseError::invalid_because(
                "exclude_officers",
                Reason::new("keep_one_reader"),
            ));
        }
        if readers.is_empty() && self.recovery_recipient.is_none() {
            // Taking it would show a claim code for a case nobody could ever open.
            return Err(CaseError::Unavailable(
                "this channel has no one to receive cases yet, so nothing was stored; \
                 please try again later"
                    .into(),
            ));
        }

        // The exact time is sealed with the case; in clear it is kept to the day, and the
        // deadlines count from that day.
        let received_exact = now();
        let received_at = crate::store::day(received_exact);
        let search_fields = fields.clone();
        let document = Zeroizing::new(
            serde_json::to_vec(&SealedSubmission {
                channel: channel.id.clone(),
                fields,
                exclude_officers: exclude.clone(),
                contact,
                received_at: Some(received_exact),
            })
            .map_err(|source| CaseError::Document {
                what: "document",
                source,
            })?,
        );

        let code = ClaimCode::generate();
        let salt = crypto::random::bytes::<{ kdf::SALT_LEN }>();
        let (code, submitter) = self
            .kdf
            .run(kdf::Lane::Intake, move || {
                let key = kdf::submitter_key(&code, &salt);
                (code, key)
            })
            .await?;
        let submitter = submitter?;
        let claim_tag = self.lookup.tag(&code);
        let recovery = self.recovery_recipient.clone();
        let due = super::deadlines::at_receipt(&channel, received_at);
        let audit = self.audit.clone();
        let kind = channel.kind.clone();
        let channel_id = channel.id.clone();
        let channel_version = channel.version;

        let excluded = exclude;
        let IntakeDraft {
            case_key,
            staff_key,
            files: upload,
            ..
        } = draft;
        let staff_secret = staff_key.secret.clone();
        let (case_id, number) = self
            .store
            .run(move |store| {
                let files = upload.prepare()?;
                let sealed_submission = seal::seal_padded(&document, &[&case_key.public])?;
                let mut grants = vec![NewGrant {
                    key: KeyKind::Case,
                    holder: Holder::Submitter,
                    to: submitter.public(),
                    sealed: keys::grant(&case_key.secret, &submitter.public())?,
                }];
                let holders = readers
                    .into_iter()
                    .map(|(id, public)| (Holder::Officer(id), public))
                    .chain(recovery.clone().map(|r| (Holder::Recovery, r)));
                for (holder, public) in holders {
                    for (kind, key) in [(KeyKind::Case, &case_key), (KeyKind::Staff, &staff_key)] {
                        grants.push(NewGrant {
                            key: kind,
                            holder: holder.clone(),
                            sealed: keys::grant(&key.secret, &public)?,
                            to: public.clone(),
                        });
                    }
                }
                let identity = takes_identity
                    .then(|| {
                        super::identity::new_case_identity(
                            store,
                            recovery.as_deref(),
                            identity.as_ref(),
                            &excluded,
                        )
                    })
                    .transpose()?;
                let case = NewCase {
                    identity,
                    id: case_id,
                    number: crypto::random::case_number,
                    channel_id,
                    kind,
                    received_at,
                    acknowledge_due_at: due.acknowledge,
                    resolve_due_at: due.resolve,
                    next_due_at: due.next,
                    case_public_key: case_key.public,
                    staff_public_key: staff_key.public,
                    claim_tag,
                    submitter_salt: salt.to_vec(),
                    sealed_submission,
                    grants,
                    files,
                    source: taken_down.as_ref().map_or(Source::Web, |t| t.source),
                    recorded_by: taken_down.map(|t| t.officer_id),
                    channel_version,
                };
                let number = crate::store::cases::insert(store, &case, &audit, &alerts, &receipts)?;
                upload.commit();
                super::search::index_fields(store, &case.id, &staff_secret, &search_fields)?;
                Ok::<_, CaseError>((case.id, number))
            })
            .await?;
        for officer_id in &alerted {
            self.mail.claim_alert(officer_id, &case_id);
        }
        self.mail.wake();
        // No log line: its time would date the case's arrival for anyone who reads the log.
        // The counter says how many, to whoever may scrape the metrics port, and never which.
        crate::metrics::count("sealbox_cases_received_total", &[("channel", &channel.id)]);
        Ok(Receipt {
            case_id,
            number,
            claim_code: code,
        })
    }
}
