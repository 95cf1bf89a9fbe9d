//! Sealed identity disclosure. A reporter may give their name and a way to reach them, with the
//! report or later. It is sealed to the case's own identity key, which only the recovery
//! recipient and the identity custodians hold. A handler who needs it files a request with a
//! reason; a custodian approves or denies it; only an approval grants the identity key to that
//! handler. Every step is audit-logged, and the reporter sees on the follow-up page when their
//! identity was disclosed (to a case handler: the role, not the name).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::access::Officer;
use super::access::Unlocked;
use super::{now, CaseError, Cases};
use crate::audit::{Actor, Event};
use crate::crypto::{self, keys, seal, KeyPair, SecretKey};
use crate::store::identity::{self, DisclosureRow, NewCaseIdentity, NewIdentityGrant, Via};
use crate::store::{cases, officers, Store};

const NAME_MAX: usize = 200;
const CONTACT_MAX: usize = 500;
const REASON_MAX: usize = 2_000;

/// What a reporter gives about themselves, before validation.
#[derive(Debug, Default, Deserialize, Zeroize, ZeroizeOnDrop, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub contact: String,
}

/// The identity as sealed (padded JSON, so `age -d` prints it readably).
#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub(super) struct SealedIdentity {
    pub name: String,
    pub contact: String,
    /// When it was given, exactly (the case keeps only the day in clear).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_at: Option<i64>,
}

impl IdentityInput {
    /// `None` when nothing was given.
    pub(super) fn validate(&self) -> Result<Option<SealedIdentity>, CaseError> {
        let name = self.name.trim();
        let contact = self.contact.trim();
        if name.is_empty() && contact.is_empty() {
            return Ok(None);
        }
        for (field, text, max) in [
            ("identity.name", name, NAME_MAX),
            ("identity.contact", contact, CONTACT_MAX),
        ] {
            if text.chars().count() > max || text.chars().any(|c| c.is_control() && c != '\n') {
                return Err(CaseError::invalid(
                    field,
                    &format!("at most {max} characters, on one line"),
                ));
            }
        }
        if name.is_empty() {
            return Err(CaseError::invalid(
                "identity.name",
                "give your name too, or leave both empty",
            ));
        }
        Ok(Some(SealedIdentity {
            name: name.to_owned(),
            contact: contact.to_owned(),
            given_at: Some(super::now()),
        }))
    }
}

impl SealedIdentity {
    fn seal(&self, to: &str) -> Result<Vec<u8>, CaseError> {
        let json = zeroize::Zeroizing::new(serde_json::to_vec(self).map_err(|source| {
            CaseError::Document {
                what: "document",
                source,
            }
        })?);
        Ok(seal::seal_padded(&json, &[to])?)
    }

    fn open(sealed: &[u8], key: &SecretKey) -> Result<Self, CaseError> {
        serde_json::from_slice(&seal::open(sealed, key)?).map_err(|source| CaseError::Document {
            what: "sealed identity",
            source,
        })
    }
}

/// The identity key of a new case, with its grants: the recovery recipient and every custodian.
pub(super) fn new_case_identity(
    store: &Store,
    recovery: Option<&str>,
    given: Option<&SealedIdentity>,
    excluded: &[String],
) -> Result<NewCaseIdentity, CaseError> {
    let custodians: Vec<_> = officers::list(store)?
        .into_iter()
        .filter(|o| {
            o.is_custodian
                && !o.disabled
                && !o.awaiting_enrolment
                && !super::enrolment::kept_out(excluded, &o.id, &o.sponsors)
        })
        .collect();
    if given.is_some() && recovery.is_none() && custodians.is_empty() {
        return Err(nobody_to_hold());
    }
    let pair = KeyPair::generate();
    let mut grants = Vec::new();
    if let Some(r) = recovery {
        grants.push(NewIdentityGrant {
            officer_id: None,
            to: r.to_owned(),
            via: Via::Recovery,
            sealed: keys::grant(&pair.secret, r)?,
        });
    }
    for o in custodians {
        grants.push(NewIdentityGrant {
            sealed: keys::grant(&pair.secret, &o.public_key)?,
            officer_id: Some(o.id),
            to: o.public_key,
            via: Via::Custodian,
        });
    }
    Ok(NewCaseIdentity {
        sealed: given.map(|g| g.seal(&pair.public)).transpose()?,
        public_key: pair.public,
        grants,
    })
}

/// The identity key of a case as `officer` holds it, opened; `None` without a grant.
pub(super) fn identity_key(
    store: &Store,
    case_id: &str,
    officer: &Officer,
) -> Result<Option<SecretKey>, CaseError> {
    identity::grant_of(store, case_id, Some(&officer.id))?
        .map(|g| keys::open_grant(&g, &officer.key))
        .transpose()
        .map_err(Into::into)
}

/// The recovery identity's way to the identity key of a case.
pub(super) fn recovery_identity_key(
    store: &Store,
    case_id: &str,
    recovery: &SecretKey,
) -> Option<SecretKey> {
    let grant = identity::grant_of(store, case_id, None).ok()??;
    keys::open_grant(&grant, recovery).ok()
}

/// The reporter's side: whether they can give an identity, when they did, and every disclosure.
#[derive(Debug, Serialize)]
pub struct SubmitterIdentity {
    pub given_at: Option<i64>,
    /// Someone holds this case's identity key, so an identity given now could be read:
    /// the follow-up page offers the form only then.
    pub can_give: bool,
    /// When a custodian approved a handler's request: the identity was disclosed then.
    pub disclosed: Vec<Disclosed>,
}

#[derive(Debug, Serialize)]
pub struct Disclosed {
    pub at: i64,
    /// The role it was disclosed to, never a name.
    pub to: &'static str,
}

/// The officer's side of a case's identity.
#[derive(Debug, Serialize)]
pub struct OfficerIdentity {
    /// The day it was given (as stored in clear).
    pub given_at: Option<i64>,
    /// The exact time, when this officer holds the key and it was sealed with one.
    pub given_exact: Option<i64>,
    /// The identity, when this officer holds the key (a custodian, or an approved request).
    pub name: Option<String>,
    pub contact: Option<String>,
    pub requests: Vec<RequestView>,
    /// Given, not open to this officer, no request of theirs pending.
    pub may_request: bool,
}

impl Drop for OfficerIdentity {
    fn drop(&mut self) {
        self.name.zeroize();
        self.contact.zeroize();
    }
}

#[derive(Debug, Serialize)]
pub struct RequestView {
    pub id: String,
    pub case_id: String,
    pub number: i64,
    pub requester: String,
    /// Readable by handlers (staff key) and custodians (identity key).
    pub reason: Option<String>,
    pub requested_at: i64,
    pub state: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    /// A custodian (not the requester) holding the key may decide it now.
    pub decidable: bool,
}

impl Drop for RequestView {
    fn drop(&mut self) {
        self.reason.zeroize();
    }
}

fn request_view(
    row: &DisclosureRow,
    names: &HashMap<String, String>,
    reason_keys: &[&SecretKey],
    decidable: bool,
) -> RequestView {
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
    RequestView {
        id: row.id.clone(),
        case_id: row.case_id.clone(),
        number: row.number,
        requester: name(&row.requester_id),
        reason: reason_keys
            .iter()
            .find_map(|k| super::sealed::open_text(&row.sealed_reason, k).ok()),
        requested_at: row.requested_at,
        state: row.state.clone(),
        decided_by: row.decided_by.as_deref().map(name),
        decided_at: row.decided_at,
        decidable: decidable && row.state == "pending",
    }
}

/// What `officer` (or, with `None`, the recovery identity in an export) sees of a case's
/// identity; `None` when the case takes none.
pub(super) fn officer_view(
    store: &Store,
    case_id: &str,
    staff_key: &SecretKey,
    identity_key: Option<&SecretKey>,
    officer: Option<&Officer>,
) -> Result<Option<OfficerIdentity>, CaseError> {
    let Some(record) = identity::of_case(store, case_id)? else {
        return Ok(None);
    };
    let opened = match (&record.sealed, identity_key) {
        (Some(sealed), Some(key)) => Some(SealedIdentity::open(sealed, key)?),
        _ => None,
    };
    let names = super::access::names(store)?;
    let rows = identity::of_case_requests(store, case_id)?;
    let mut keys = vec![staff_key];
    keys.extend(identity_key);
    let custodian = officer.is_some_and(|o| o.is_custodian) && identity_key.is_some();
    let requests: Vec<RequestView> = rows
        .iter()
        .map(|r| {
            let own = officer.is_some_and(|o| o.id == r.requester_id);
            request_view(r, &names, &keys, custodian && !own)
        })
        .collect();
    let pending_own = officer.is_some_and(|o| {
        rows.iter()
            .any(|r| r.state == "pending" && r.requester_id == o.id)
    });
    Ok(Some(OfficerIdentity {
        given_at: record.given_at,
        given_exact: opened.as_ref().and_then(|i| i.given_at),
        may_request: officer.is_some()
            && record.sealed.is_some()
            && identity_key.is_none()
            && !pending_own,
        name: opened.as_ref().map(|i| i.name.clone()),
        contact: opened.as_ref().map(|i| i.contact.clone()),
        requests,
    }))
}

/// What the reporter sees; `None` when the case takes no identity.
pub(super) fn submitter_view(
    store: &Store,
    case_id: &str,
) -> Result<Option<SubmitterIdentity>, CaseError> {
    let Some(record) = identity::of_case(store, case_id)? else {
        return Ok(None);
    };
    Ok(Some(SubmitterIdentity {
        given_at: record.given_at,
        can_give: identity::holders(store, case_id)? > 0,
        disclosed: identity::of_case_requests(store, case_id)?
            .into_iter()
            .filter(|r| r.state == "approved")
            .map(|r| Disclosed {
                at: r.decided_at.unwrap_or(r.requested_at),
                to: "a case handler",
            })
            .collect(),
    }))
}

fn not_custodian() -> CaseError {
    CaseError::Forbidden("only an identity custodian may do this".into())
}

/// Someone could open an identity given now: a custodian, or the recovery recipient.
fn has_holders(store: &Store, recovery: bool) -> Result<bool, CaseError> {
    Ok(recovery
        || officers::list(store)?
            .iter()
            .any(|o| o.is_custodian && !o.disabled && !o.awaiting_enrolment))
}

fn nobody_to_hold() -> CaseError {
    CaseError::Conflict(
        "no identity custodian is set up yet, so nobody could read your identity: leave it \
         out for now"
            .into(),
    )
}

impl Cases {
    /// Whether an identity given now could be read by anyone (forms offer it only then).
    pub async fn accepts_identity(&self) -> Result<bool, CaseError> {
        let recovery = self.recovery_recipient.is_some();
        self.store.run(move |s| has_holders(s, recovery)).await
    }

    /// The reporter gives (or corrects) their identity from the follow-up page.
    pub async fn give_identity(
        &self,
        unlocked: &Unlocked,
        input: IdentityInput,
    ) -> Result<(), CaseError> {
        let given = input
            .validate()?
            .ok_or_else(|| CaseError::invalid("identity.name", "give at least your name"))?;
        let case_id = unlocked.case_id().to_owned();
        let audit_key = self.audit.clone();
        self.store
            .run(move |s| {
                let record = identity::of_case(s, &case_id)?.ok_or_else(|| {
                    CaseError::Conflict("this channel does not take an identity".into())
                })?;
                if identity::holders(s, &case_id)? == 0 {
                    return Err(nobody_to_hold());
                }
                let sealed = given.seal(&record.public_key)?;
                let event = Event::new(Actor::Submitter, "identity_given").case(&case_id);
                identity::give(s, &case_id, &sealed, &audit_key, &event, now())?;
                Ok(())
            })
            .await
    }

    /// A handler asks to see the reporter's identity, giving a reason that custodians (and
    /// the case's other handlers) read. Returns the request's id.
    pub async fn request_disclosure(
        &self,
        officer: &Officer,
        case_id: &str,
        reason: &str,
    ) -> Result<String, CaseError> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > REASON_MAX {
            return Err(CaseError::invalid(
                "reason",
                &format!("say why you need the reporter's identity (1 to {REASON_MAX} characters)"),
            ));
        }
        let reason = zeroize::Zeroizing::new(reason.to_owned());
        let officer = officer.clone();
        let case_id = case_id.to_owned();
        let audit_key = self.audit.clone();
        self.store
            .run(move |s| {
                let record = cases::get(s, &case_id)?
                    .ok_or_else(|| CaseError::NotFound("there is no such case".into()))?;
                super::access::open_keys(s, &officer, &case_id)?;
                let identity = identity::of_case(s, &case_id)?
                    .filter(|i| i.sealed.is_some())
                    .ok_or_else(|| {
                        CaseError::Conflict("the reporter has not given an identity".into())
                    })?;
                if identity::grant_of(s, &case_id, Some(&officer.id))?.is_some() {
                    return Err(CaseError::Conflict(
                        "you can already see the reporter's identity".into(),
                    ));
                }
                // Custodians read it with the identity key, the case's handlers with the staff key.
                let sealed_reason = super::sealed::seal_text_to(
                    &reason,
                    &[&identity.public_key, &record.staff_public_key],
                )?;
                let row = DisclosureRow {
                    id: crypto::random::id(),
                    case_id: case_id.clone(),
                    number: record.number,
                    requester_id: officer.id.clone(),
                    sealed_reason,
                    requested_at: now(),
                    state: "pending".into(),
                    decided_by: None,
                    decided_at: None,
                };
                let event = Event::by_officer(&officer.id, "disclosure_requested")
                    .case(&case_id)
                    .detail(&row.id);
                if !identity::request(s, &row, &audit_key, &event)? {
                    return Err(CaseError::Conflict(
                        "your request for this case is already waiting for a custodian".into(),
                    ));
                }
                Ok(row.id)
            })
            .await
    }

    /// Requests waiting for a decision, then the latest decisions: for custodians only, and
    /// of those only the requests a custodian could decide (they hold the case's identity
    /// key) or made themselves.
    pub async fn disclosure_requests(
        &self,
        custodian: &Officer,
    ) -> Result<Vec<RequestView>, CaseError> {
        if !custodian.is_custodian {
            return Err(not_custodian());
        }
        let custodian = custodian.clone();
        self.store
            .run(move |s| {
                let names = super::access::names(s)?;
                let mut views = Vec::new();
                for row in identity::recent(s, 50)? {
                    let key = identity_key(s, &row.case_id, &custodian)?;
                    let own = row.requester_id == custodian.id;
                    // A custodian the reporter kept out of the case holds no identity key for
                    // it. Listing the request anyway would tell the very person the report may
                    // be about that the case exists, who handles it, and that the reporter's
                    // identity is being sought.
                    if key.is_none() && !own {
                        continue;
                    }
                    let keys: Vec<&SecretKey> = key.iter().collect();
                    views.push(request_view(&row, &names, &keys, key.is_some() && !own));
                }
                Ok(views)
            })
            .await
    }

    /// A custodian approves (granting the identity key to the requester) or denies a request.
    /// Nobody decides their own request.
    pub async fn decide_disclosure(
        &self,
        custodian: &Officer,
        request_id: &str,
        approve: bool,
    ) -> Result<(), CaseError> {
        if !custodian.is_custodian {
            return Err(not_custodian());
        }
        let custodian = custodian.clone();
        let request_id = request_id.to_owned();
        let audit_key = self.audit.clone();
        self.store
            .run(move |s| {
                let request = identity::get(s, &request_id)?
                    .ok_or_else(|| CaseError::NotFound("there is no such request".into()))?;
                if request.requester_id == custodian.id {
                    return Err(CaseError::Forbidden(
                        "another custodian must decide your own request".into(),
                    ));
                }
                if request.state != "pending" {
                    return Err(CaseError::Conflict(format!(
                        "this request was {} already",
                        request.state
                    )));
                }
                let key = identity_key(s, &request.case_id, &custodian)?.ok_or_else(|| {
                    CaseError::Forbidden("you hold no identity key for this case".into())
                })?;
                let grant = if approve {
                    let requester = officers::credentials(s, &request.requester_id)?
                        .filter(|c| !c.disabled)
                        .ok_or_else(|| {
                            CaseError::Conflict("the requester can no longer sign in".into())
                        })?;
                    Some(NewIdentityGrant {
                        sealed: keys::grant(&key, &requester.public_key)?,
                        officer_id: Some(requester.id),
                        to: requester.public_key,
                        via: Via::Disclosure,
                    })
                } else {
                    None
                };
                let event = Event::by_officer(
                    &custodian.id,
                    if approve {
                        "disclosure_approved"
                    } else {
                        "disclosure_denied"
                    },
                )
                .case(&request.case_id)
                .detail(&request.id);
                if !identity::decide(
                    s,
                    &request,
                    &custodian.id,
                    grant.as_ref(),
                    &audit_key,
                    &event,
                    now(),
                )? {
                    return Err(CaseError::Conflict(
                        "the request changed meanwhile, or its requester no longer holds the \
                         case: reload and look again"
                            .into(),
                    ));
                }
                Ok(())
            })
            .await
    }
}
