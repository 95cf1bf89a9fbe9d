//! Enrolment links and key provenance.
//!
//! No admin sets or learns another officer's password. Adding an officer or resetting one
//! issues a one-time link (`/officer/enrol/{token}`, valid for 72 hours, stored only as a
//! hash), shown once to the admin and mailed to the officer; whoever opens it sets the password
//! and a new key is made. Because the admin saw the link, the key counts as theirs: it records
//! the admin as its sponsor, with the sponsors of the admin's own key (transitively) and those
//! of whoever made the account (who chose the address links are mailed to), and a case that
//! excludes any sponsor is never granted to it — at intake, by an admin's re-grant,
//! by the recovery re-grant, or as an identity key ([`kept_out`]).

use secrecy::{ExposeSecret, SecretString};

use super::access::Officer;
use super::officers::{check_password, OfficerProfile, OfficerSummary};
use super::text::Email;
use super::{now, CaseError, Cases};
use crate::audit::Event;
use crate::crypto::link::LinkToken;
use crate::crypto::{kdf, keys, random};
use crate::i18n::Lang;
use crate::notify::templates::Template;
use crate::store::enrolments::{self, Enrolled, NewLink, Pending};
use crate::store::officers::{self, Credentials, NewOfficer, Revocation};
use crate::store::StoreError;

/// How long an enrolment link works.
pub const LINK_LIFETIME_S: i64 = 72 * 3600;

/// Whether a case whose submitter excluded `excluded` must stay away from a key whose officer
/// is `officer_id` and whose sponsors are `sponsors`: the officer is excluded, or an excluded
/// officer issued the link the key was enrolled with (or a link behind that one's key).
pub fn kept_out(excluded: &[String], officer_id: &str, sponsors: &[String]) -> bool {
    excluded
        .iter()
        .any(|x| x == officer_id || sponsors.contains(x))
}

/// A link just issued: shown once to the admin, never stored.
pub struct IssuedLink {
    pub officer_id: String,
    pub url: SecretString,
}

/// An enrolment link as its holder sees it before using it.
pub struct EnrolmentView {
    pub name: String,
    pub email: String,
    /// A reset (rather than a new account).
    pub reset: bool,
    pub language: Option<Lang>,
}

fn link_gone() -> CaseError {
    CaseError::NotFound(
        "this enrolment link does not work: it was used already, replaced by a newer one, or \
         is older than 72 hours. Ask an admin for a new one."
            .into(),
    )
}

fn admin_sponsors(store: &crate::store::Store, admin: &Officer) -> Result<Vec<String>, CaseError> {
    let me = officers::credentials(store, &admin.id)?
        .ok_or_else(|| CaseError::Forbidden("only an admin may do this".into()))?;
    let mut list = me.sponsors;
    list.push(admin.id.clone());
    list.sort();
    list.dedup();
    Ok(list)
}

impl Cases {
    fn enrol_url(&self, token: &LinkToken) -> SecretString {
        SecretString::from(format!(
            "{}/officer/enrol/{}",
            self.mail.base_url(),
            token.expose()
        ))
    }

    /// Adds an officer who sets their own password through a one-time link; the link is
    /// mailed to them and returned to show to the admin once.
    pub async fn invite_officer(
        &self,
        admin: &Officer,
        input: OfficerProfile,
    ) -> Result<(OfficerSummary, IssuedLink), CaseError> {
        let checked = self.check_new_officer(input, Some(admin))?;
        let token = LinkToken::generate();
        let officer = NewOfficer {
            id: random::id(),
            email: checked.email,
            name: checked.name,
            is_admin: checked.admin,
            is_custodian: checked.custodian,
            channels: checked.channels,
            password_hash: String::new(),
            public_key: String::new(),
            sealed_key: Vec::new(),
            created_at: now(),
        };
        let summary = OfficerSummary::of_new(&officer);
        let mail = self.mail.draft(
            Template::OfficerEnrol,
            Lang::default(),
            &officer.email,
            Some(&officer.id),
            None,
            &[
                ("token", token.expose()),
                ("admin", &admin.name),
                ("name", &officer.name),
            ],
            0,
        )?;
        let event = Event::by_officer(&admin.id, "officer_added").detail(format!(
            "{} ({}{}), enrolment link",
            officer.id,
            if officer.is_admin { "admin" } else { "officer" },
            if officer.is_custodian {
                ", custodian"
            } else {
                ""
            }
        ));
        let audit = self.audit.clone();
        let admin_owned = admin.clone();
        let hash = token.hash();
        self.store
            .run(move |s| {
                let sponsors = admin_sponsors(s, &admin_owned)?;
                let at = officer.created_at;
                let link = NewLink {
                    token_hash: &hash,
                    officer_id: &officer.id,
                    kind: "new",
                    issued_by: &admin_owned.id,
                    sponsors: &sponsors,
                    created_at: at,
                    expires_at: at + LINK_LIFETIME_S,
                };
                enrolments::add_officer(s, &officer, &link, &mail, &audit, &event).map_err(|e| {
                    match e {
                        StoreError::Conflict(what) => {
                            CaseError::Conflict(format!("{what} already exists"))
                        }
                        other => other.into(),
                    }
                })
            })
            .await?;
        self.mail.wake();
        let url = self.enrol_url(&token);
        Ok((
            summary.clone(),
            IssuedLink {
                officer_id: summary.id,
                url,
            },
        ))
    }

    /// The officer an admin may reset: not themselves, and a custodian only by a custodian.
    async fn reset_target(&self, admin: &Officer, id: &str) -> Result<Credentials, CaseError> {
        Self::require_admin(admin)?;
        if admin.id == id {
            return Err(CaseError::invalid(
                "officer",
                "you cannot reset yourself: change your password on your account page",
            ));
        }
        let id = id.to_owned();
        let target = self
            .store
            .run(move |s| officers::credentials(s, &id))
            .await?
            .ok_or_else(|| CaseError::NotFound("there is no such officer".into()))?;
        if target.is_custodian && !admin.is_custodian {
            // Otherwise an admin could enrol a key of their own that reporters' identities
            // are sealed to.
            return Err(CaseError::Forbidden(
                "only an identity custodian may reset a custodian".into(),
            ));
        }
        Ok(target)
    }

    /// What a reset of `id` would cost: how many cases they hold, and how many of those
    /// nobody else can open (a reset is refused while there are any). Counts only.
    pub async fn reset_preview(
        &self,
        admin: &Officer,
        id: &str,
    ) -> Result<(String, usize, usize), CaseError> {
        let target = self.reset_target(admin, id).await?;
        let id = target.id.clone();
        let (held, sole) = self
            .store
            .run(move |s| {
                Ok::<_, CaseError>((
                    crate::store::cases::held_by(s, &id)?,
                    officers::only_holder_of(s, &id)?,
                ))
            })
            .await?;
        Ok((target.name, held, sole))
    }

    /// Resets an officer: their password, key, 2FA and sessions end, their grants go (a new
    /// key cannot use them), and a one-time link lets them enrol again. Refused, with a count,
    /// while their key is the last way to open a case. The officer is told by mail.
    pub async fn reset_officer(&self, admin: &Officer, id: &str) -> Result<IssuedLink, CaseError> {
        let target = self.reset_target(admin, id).await?;
        let token = LinkToken::generate();
        let lang = target
            .language
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or_default();
        let mail = self.mail.draft(
            Template::OfficerReset,
            lang,
            &target.email,
            Some(&target.id),
            None,
            &[
                ("token", token.expose()),
                ("admin", &admin.name),
                ("name", &target.name),
            ],
            0,
        )?;
        let event = Event::by_officer(&admin.id, "officer_reset")
            .detail(format!("{}: enrolment link", target.id));
        let audit = self.audit.clone();
        let admin_owned = admin.clone();
        let hash = token.hash();
        let target_id = target.id.clone();
        let done = self
            .store
            .run(move |s| {
                let sponsors = admin_sponsors(s, &admin_owned)?;
                let at = now();
                let link = NewLink {
                    token_hash: &hash,
                    officer_id: &target_id,
                    kind: "reset",
                    issued_by: &admin_owned.id,
                    sponsors: &sponsors,
                    created_at: at,
                    expires_at: at + LINK_LIFETIME_S,
                };
                Ok::<_, CaseError>(enrolments::reset(s, &link, &mail, &audit, &event)?)
            })
            .await?;
        if let Revocation::WouldLose(n) = done {
            return Err(would_lose(n));
        }
        self.mail.wake();
        Ok(IssuedLink {
            officer_id: target.id,
            url: self.enrol_url(&token),
        })
    }

    /// The enrolment behind a link, if it still works.
    pub async fn enrolment(&self, token: &str) -> Result<EnrolmentView, CaseError> {
        let pending = self.pending_enrolment(token).await?.1;
        Ok(EnrolmentView {
            reset: pending.kind == "reset",
            language: pending.language.as_deref().and_then(Lang::parse),
            name: pending.name,
            email: pending.email,
        })
    }

    async fn pending_enrolment(&self, token: &str) -> Result<([u8; 32], Pending), CaseError> {
        let hash = LinkToken::parse(token).ok_or_else(link_gone)?.hash();
        let pending = self
            .store
            .run(move |s| enrolments::pending(s, &hash, now()))
            .await?
            .ok_or_else(link_gone)?;
        Ok((hash, pending))
    }

    /// Uses a link: sets the holder's password and makes their new key. The link works once.
    pub async fn enrol(
        &self,
        token: &str,
        password: SecretString,
        repeated: SecretString,
    ) -> Result<String, CaseError> {
        let (hash, pending) = self.pending_enrolment(token).await?;
        if password.expose_secret() != repeated.expose_secret() {
            return Err(CaseError::invalid(
                "repeat_password",
                "the two passwords are not the same",
            ));
        }
        check_password(&password)?;
        let (password_hash, wrapped) = self
            .kdf
            .run(kdf::Lane::SignIn, move || {
                Ok::<_, CaseError>((
                    kdf::hash_password(&password)?,
                    keys::new_officer_key(&password)?,
                ))
            })
            .await??;
        let lang = pending
            .language
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or_default();
        let email = Email::parse("email", &pending.email)?;
        let mail = self.mail.draft(
            Template::OfficerEnrolled,
            lang,
            email.as_str(),
            Some(&pending.officer_id),
            None,
            &[("name", &pending.name)],
            0,
        )?;
        let event = Event::by_officer(&pending.officer_id, "officer_enrolled").detail("new key");
        let audit = self.audit.clone();
        let id = pending.officer_id.clone();
        let used = self
            .store
            .run(move |s| {
                let new = Enrolled {
                    password_hash: &password_hash,
                    public_key: &wrapped.public,
                    sealed_key: &wrapped.sealed,
                };
                enrolments::complete(s, &hash, &id, &new, &mail, &audit, &event, now())
            })
            .await?;
        if !used {
            return Err(link_gone());
        }
        self.mail.wake();
        Ok(pending.officer_id)
    }
}

/// A refusal that would cost the last way to open cases: a count, never which cases.
pub(super) fn would_lose(n: usize) -> CaseError {
    CaseError::Conflict(format!(
        "refused: {n} case(s) can be opened only with this officer's key and would be lost. \
         Grant them to another officer first (Grant cases, or `sealbox officer grant \
         --recovery-identity`)."
    ))
}

#[cfg(test)]
mod tests {
    use super::kept_out;

    #[test]
    fn an_exclusion_reaches_keys_its_officer_enrolled() {
        let x = vec!["x".to_owned()];
        assert!(kept_out(&x, "x", &[]));
        assert!(kept_out(&x, "puppet", &["x".to_owned()]));
        assert!(kept_out(
            &x,
            "puppet2",
            &["puppet".to_owned(), "x".to_owned()]
        ));
        assert!(!kept_out(&x, "b", &["y".to_owned()]));
        assert!(!kept_out(&[], "b", &["x".to_owned()]));
    }
}
