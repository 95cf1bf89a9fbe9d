//! Officer administration: suspending, channel membership, 2FA policy, and re-granting case
//! keys to an officer through someone who can already open the cases. (Adding and resetting
//! officers is in `enrolment`: an admin never sets a password.)
//!
//! A new grant needs the case's secret key, which the server does not have: it is opened with
//! the granting admin's own key (in their session) or, at the command line, with the
//! organisation's recovery identity. A submitter's exclusions are read from the sealed case
//! and always honoured, for the officer and for every key their key's sponsors enrolled
//! ([`kept_out`]). Nothing here deletes the last grant of a case.

use serde::Serialize;

use super::access::open_keys;
use super::access::Officer;
use super::enrolment::{kept_out, would_lose};
use super::sealed::SealedSubmission;
use super::{now, CaseError, Cases};
use crate::audit::{Actor, AuditKey, Event};
use crate::crypto::{keys, SecretKey};
use crate::store::cases::{self, Holder, KeyGrants, KeyKind, NewGrant};
use crate::store::officers::{self, Credentials, Revocation};
use crate::store::{settings, Store};

/// What a re-grant did. Numbers only of cases the granter opened; the rest are counts.
#[derive(Debug, Default, Clone, Serialize)]
pub struct GrantReport {
    pub granted: Vec<i64>,
    /// How many cases the granter cannot open themselves, so could not pass on. Only a count:
    /// their numbers would tell an admin which cases exist that they were kept out of.
    pub unreachable: usize,
    /// Cases whose submitter excluded this officer, or an officer behind their key.
    pub excluded: Vec<i64>,
    /// Identity keys passed to a custodian.
    pub identities: usize,
}

/// Whoever opens the cases for a re-grant.
pub enum Granter<'a> {
    Officer(&'a Officer),
    Recovery(&'a SecretKey),
}

fn target(store: &Store, id: &str) -> Result<Credentials, CaseError> {
    officers::credentials(store, id)?
        .ok_or_else(|| CaseError::NotFound("there is no such officer".into()))
}

impl Granter<'_> {
    /// An audit entry for what the granter does: an officer's, or the operator's at the
    /// command line with the recovery identity.
    pub(super) fn event(&self, action: &'static str) -> Event {
        match self {
            Granter::Officer(o) => Event::by_officer(&o.id, action),
            Granter::Recovery(_) => Event::new(Actor::Operator, action),
        }
    }
}

/// The case key and staff key of a case, opened by `granter`; `None` when they cannot.
pub(super) fn open_for(
    store: &Store,
    granter: &Granter<'_>,
    case_id: &str,
) -> Option<(SecretKey, SecretKey)> {
    match granter {
        Granter::Officer(o) => open_keys(store, o, case_id).ok(),
        Granter::Recovery(identity) => {
            match cases::grants_of(store, case_id, &Holder::Recovery).ok()? {
                KeyGrants {
                    case: Some(c),
                    staff: Some(s),
                } => Some((
                    keys::open_grant(&c, identity).ok()?,
                    keys::open_grant(&s, identity).ok()?,
                )),
                _ => None,
            }
        }
    }
}

/// Grants `target` every case of their channels they lack and may have. A case that cannot be
/// opened or read counts as unreachable; it does not stop the others.
fn regrant(
    store: &Store,
    audit_key: &AuditKey,
    granter: &Granter<'_>,
    target: &Credentials,
) -> Result<GrantReport, CaseError> {
    let mut report = GrantReport::default();
    if target.disabled || target.awaiting_enrolment {
        return Ok(report);
    }
    let channels = officers::list(store)?
        .into_iter()
        .find(|o| o.id == target.id)
        .and_then(|o| o.channels);
    let mut batches = Vec::new();
    let mut numbers = std::collections::HashMap::new();
    for (case_id, _) in cases::without_grant(store, &target.id, channels.as_deref())? {
        let Some(record) = cases::get(store, &case_id)? else {
            continue;
        };
        let Some((case_key, staff_key)) = open_for(store, granter, &case_id) else {
            report.unreachable += 1;
            continue;
        };
        let Ok(doc) = SealedSubmission::open(&record.sealed_submission, &case_key) else {
            report.unreachable += 1;
            continue;
        };
        if kept_out(&doc.exclude_officers, &target.id, &target.sponsors) {
            report.excluded.push(record.number);
            continue;
        }
        let mut grants = Vec::new();
        for (kind, key) in [(KeyKind::Case, &case_key), (KeyKind::Staff, &staff_key)] {
            grants.push(NewGrant {
                key: kind,
                holder: Holder::Officer(target.id.clone()),
                to: target.public_key.clone(),
                sealed: keys::grant(key, &target.public_key)?,
            });
        }
        let via = granter.event("granted");
        numbers.insert(case_id.clone(), record.number);
        batches.push((
            case_id.clone(),
            grants,
            via.case(&case_id).detail(format!("to {}", target.id)),
        ));
    }
    let granted = cases::add_grants(store, &batches, audit_key, now())?;
    report.granted = granted
        .iter()
        .filter_map(|id| numbers.get(id).copied())
        .collect();
    report.granted.sort_unstable();
    if target.is_custodian {
        report.identities = grant_identities(store, audit_key, granter, target)?;
    }
    Ok(report)
}

/// Passes a custodian the identity keys of every case the granter can open them for (a
/// custodian granter, or the recovery identity). Returns how many were granted.
fn grant_identities(
    store: &Store,
    audit_key: &AuditKey,
    granter: &Granter<'_>,
    target: &Credentials,
) -> Result<usize, CaseError> {
    use super::identity::{identity_key, recovery_identity_key};
    use crate::store::identity::{self, NewIdentityGrant, Via};
    let mut grants = Vec::new();
    for case_id in identity::without_custodian_grant(store, &target.id)? {
        let key = match granter {
            Granter::Officer(o) => identity_key(store, &case_id, o).ok().flatten(),
            Granter::Recovery(r) => recovery_identity_key(store, &case_id, r),
        };
        let Some(key) = key else { continue };
        // The submitter's exclusions hold for custodians too; a case the granter cannot read
        // the exclusions of is left alone.
        let excluded = open_for(store, granter, &case_id)
            .zip(cases::get(store, &case_id)?)
            .and_then(|((case_key, _), record)| {
                SealedSubmission::open(&record.sealed_submission, &case_key).ok()
            })
            .map(|doc| kept_out(&doc.exclude_officers, &target.id, &target.sponsors));
        if excluded != Some(false) {
            continue;
        }
        let event = granter
            .event("identity_granted")
            .case(&case_id)
            .detail(format!("to custodian {}", target.id));
        grants.push((
            case_id,
            NewIdentityGrant {
                officer_id: Some(target.id.clone()),
                to: target.public_key.clone(),
                via: Via::Custodian,
                sealed: keys::grant(&key, &target.public_key)?,
            },
            event,
        ));
    }
    Ok(identity::add_grants(store, &grants, audit_key, now())?)
}

/// A channel list with duplicates and blanks removed.
fn dedup(channels: Option<Vec<String>>) -> Option<Vec<String>> {
    channels.map(|list| {
        let mut list: Vec<String> = list.into_iter().filter(|c| !c.is_empty()).collect();
        list.sort();
        list.dedup();
        list
    })
}

impl Cases {
    pub fn require_admin(officer: &Officer) -> Result<(), CaseError> {
        if officer.is_admin {
            Ok(())
        } else {
            Err(CaseError::Forbidden("only an admin may do this".into()))
        }
    }

    /// Suspends an officer (their sessions end where the caller ends them, and every request
    /// of theirs is refused) or lifts the suspension. Their grants stay sealed to their key
    /// throughout, so enabling restores exactly the access they had.
    pub async fn set_officer_disabled(
        &self,
        admin: &Officer,
        id: &str,
        disabled: bool,
    ) -> Result<(), CaseError> {
        Self::require_admin(admin)?;
        if disabled && admin.id == id {
            return Err(CaseError::invalid("officer", "you cannot disable yourself"));
        }
        let id = id.to_owned();
        let key = self.audit.clone();
        let event = Event::by_officer(
            &admin.id,
            if disabled {
                "officer_disabled"
            } else {
                "officer_enabled"
            },
        )
        .detail(id.clone());
        self.store
            .run(move |s| {
                target(s, &id)?;
                officers::set_disabled(s, &id, disabled, &key, &event, now())?;
                Ok(())
            })
            .await
    }

    /// Gives or takes the admin role: by an admin in the browser or API, or by the operator at
    /// the command line (`by` = `None`). The last enabled admin cannot be demoted. Case access
    /// is untouched: the role only governs managing officers and settings.
    pub async fn set_officer_admin(
        &self,
        by: Option<&Officer>,
        id: &str,
        admin: bool,
    ) -> Result<(), CaseError> {
        if let Some(officer) = by {
            Self::require_admin(officer)?;
        }
        let action = if admin {
            "officer_promoted"
        } else {
            "officer_demoted"
        };
        let event = match by {
            Some(officer) => Event::by_officer(&officer.id, action),
            None => Event::new(Actor::Operator, action),
        }
        .detail(id.to_owned());
        let id = id.to_owned();
        let key = self.audit.clone();
        let changed = self
            .store
            .run(move |s| {
                target(s, &id)?;
                Ok::<_, CaseError>(officers::set_admin(s, &id, admin, &key, &event, now())?)
            })
            .await?;
        if changed {
            Ok(())
        } else {
            Err(CaseError::Conflict(
                "this is the last admin: make another officer an admin first".into(),
            ))
        }
    }

    /// How many of an officer's grants a change to `channels` would revoke (for the
    /// confirmation step).
    pub async fn grants_outside(
        &self,
        admin: &Officer,
        id: &str,
        channels: Option<Vec<String>>,
    ) -> Result<usize, CaseError> {
        Self::require_admin(admin)?;
        let channels = dedup(channels);
        let id = id.to_owned();
        self.store
            .run(move |s| {
                target(s, &id)?;
                Ok(officers::grants_outside(s, &id, channels.as_deref())?)
            })
            .await
    }

    /// Sets an officer's channels (`None`: all). Grants for cases outside them are revoked
    /// (refused, with a count, if that would leave a case nobody can open); cases inside them
    /// are granted through the admin where the admin can open them.
    pub async fn set_officer_channels(
        &self,
        admin: &Officer,
        id: &str,
        channels: Option<Vec<String>>,
    ) -> Result<GrantReport, CaseError> {
        Self::require_admin(admin)?;
        let channels = dedup(channels);
        if let Some(list) = &channels {
            if list.is_empty() {
                return Err(CaseError::invalid(
                    "channels",
                    "choose at least one channel",
                ));
            }
            if let Some(unknown) = list.iter().find(|c| self.channels().get(c).is_none()) {
                return Err(CaseError::invalid(
                    "channels",
                    &format!("there is no channel {unknown:?}"),
                ));
            }
        }
        let admin = admin.clone();
        let id = id.to_owned();
        let key = self.audit.clone();
        self.store
            .run(move |s| {
                target(s, &id)?;
                let event = Event::by_officer(&admin.id, "channels_changed").detail(format!(
                    "{}: {}",
                    id,
                    channels.as_ref().map_or("all".into(), |c| c.join(","))
                ));
                let revoked_event = Event::by_officer(&admin.id, "revoked");
                let done = officers::set_channels(
                    s,
                    &id,
                    channels.as_deref(),
                    &key,
                    &event,
                    &revoked_event,
                    now(),
                )?;
                if let Revocation::WouldLose(n) = done {
                    return Err(would_lose(n));
                }
                regrant(s, &key, &Granter::Officer(&admin), &target(s, &id)?)
            })
            .await
    }

    /// Grants `id` the cases of their channels they lack, through `granter`.
    pub async fn grant_cases(
        &self,
        granter: Granter<'_>,
        id: &str,
    ) -> Result<GrantReport, CaseError> {
        let opener = match &granter {
            Granter::Officer(o) => {
                Self::require_admin(o)?;
                Ok((*o).clone())
            }
            Granter::Recovery(k) => Err((*k).clone()),
        };
        let id = id.to_owned();
        let key = self.audit.clone();
        self.store
            .run(move |s| {
                let target = target(s, &id)?;
                match &opener {
                    Ok(officer) => regrant(s, &key, &Granter::Officer(officer), &target),
                    Err(identity) => regrant(s, &key, &Granter::Recovery(identity), &target),
                }
            })
            .await
    }

    /// The officer id for an email address.
    pub async fn officer_id(&self, email: &str) -> Result<String, CaseError> {
        let email = email.trim().to_owned();
        self.store
            .run(move |s| officers::credentials_by_email(s, &email))
            .await?
            .map(|c| c.id)
            .ok_or_else(|| CaseError::NotFound("there is no officer with this email".into()))
    }

    /// Requires (or stops requiring) 2FA for every officer.
    pub async fn set_totp_required(
        &self,
        admin: &Officer,
        required: bool,
    ) -> Result<(), CaseError> {
        Self::require_admin(admin)?;
        let key = self.audit.clone();
        let event = Event::by_officer(&admin.id, "settings_changed")
            .detail(format!("require_totp = {required}"));
        self.store
            .run(move |s| {
                settings::set(
                    s,
                    "require_totp",
                    if required { "1" } else { "0" },
                    &key,
                    &event,
                    now(),
                )
            })
            .await?;
        Ok(())
    }
}
