//! Officer sign-in (password, then TOTP when enrolled), TOTP enrolment, password change.
//!
//! The password is checked against its argon2id hash first; only then is the officer's age key
//! unwrapped (scrypt). An unknown email is checked against a dummy hash, and a disabled account
//! stops before the unwrap, so neither can be told from a wrong password by its timing.

use secrecy::{ExposeSecret, SecretString};

use super::access::Officer;
use super::officers::check_password;
use super::sealed::{open_text, seal_text};
use super::{now, CaseError, Cases};
use crate::audit::Event;
pub use crate::crypto::totp::TotpSecret;
use crate::crypto::{kdf, keys, SecretKey};
use crate::i18n::Lang;
use crate::store::{audit, officers, settings};

const REQUIRE_TOTP: &str = "require_totp";
/// Wrong authenticator codes in a row that lock an account's code step ...
const TOTP_FAILURES: i64 = 5;
/// ... for this many seconds. The password was right to get here, so this stops only a thief
/// of the password guessing codes (a million of them, a few valid at any time).
const TOTP_LOCK_S: i64 = 15 * 60;

fn totp_locked(seconds_left: i64) -> CaseError {
    let retry_after = seconds_left.max(1) as u64;
    CaseError::TotpLocked {
        minutes: retry_after.div_ceil(60),
        retry_after,
    }
}

pub struct SignedIn {
    pub officer: Officer,
    /// 2FA is required for everyone and this officer has not enrolled yet: until they do,
    /// they may only enrol or sign out.
    pub must_enrol_totp: bool,
}

impl Cases {
    /// Signs an officer in. Failures say nothing about which part was wrong.
    pub async fn sign_in(
        &self,
        email: &str,
        password: SecretString,
        totp: Option<&str>,
    ) -> Result<SignedIn, CaseError> {
        let email = email.trim().to_owned();
        let creds = self
            .store
            .run(move |s| officers::credentials_by_email(s, &email))
            .await?;
        let job = creds
            .as_ref()
            .map(|c| (c.password_hash.clone(), c.sealed_key.clone(), c.disabled));
        let key = self
            .kdf
            .run(
                kdf::Lane::SignIn,
                move || -> Result<Option<SecretKey>, CaseError> {
                    // An officer awaiting enrolment has no password yet: checked like an unknown one.
                    let known = job.as_ref().filter(|j| !j.0.is_empty());
                    let hash = known.map_or(kdf::dummy_password_hash(), |j| j.0.as_str());
                    let right = kdf::verify_password(&password, hash) && known.is_some();
                    match job {
                        Some((_, sealed, false)) if right => {
                            Ok(Some(keys::unwrap_officer_key(&sealed, &password)?))
                        }
                        _ => Ok(None),
                    }
                },
            )
            .await??;
        let (creds, key) = match (creds, key) {
            (Some(c), Some(k)) => (c, k),
            (c, _) => {
                let mut event = Event::new(crate::audit::Actor::System, "sign_in_failed");
                if let Some(c) = c {
                    event = Event::by_officer(&c.id, "sign_in_failed").detail("password");
                }
                self.record(event).await?;
                return Err(CaseError::SignInRejected);
            }
        };
        if let Some(sealed) = &creds.totp_sealed {
            let Some(code) = totp.filter(|c| !c.trim().is_empty()) else {
                return Err(CaseError::TotpRequired);
            };
            let id = creds.id.clone();
            let at = now();
            let locked = self
                .store
                .run(move |s| officers::totp_locked_until(s, &id, at))
                .await?;
            if let Some(until) = locked {
                // Refused whether the code is right or not: the lock is what a guesser meets.
                self.record(Event::by_officer(&creds.id, "sign_in_failed").detail("code locked"))
                    .await?;
                return Err(totp_locked(until - at));
            }
            let secret = TotpSecret::from_base32(&open_text(sealed, &key)?)?;
            let step = secret.check(code, now() as u64)?;
            let fresh = match step {
                Some(step) => {
                    let id = creds.id.clone();
                    self.store
                        .run(move |s| officers::use_totp_step(s, &id, step))
                        .await?
                }
                None => false,
            };
            let id = creds.id.clone();
            if !fresh {
                let key = self.audit.clone();
                let failed = Event::by_officer(&id, "sign_in_failed").detail("code");
                let lock = Event::by_officer(&id, "totp_locked").detail(format!(
                    "{TOTP_FAILURES} wrong codes: locked for {} minutes",
                    TOTP_LOCK_S / 60
                ));
                let at = now();
                let locked = self
                    .store
                    .run(move |s| {
                        officers::totp_failed(
                            s,
                            &id,
                            TOTP_FAILURES,
                            TOTP_LOCK_S,
                            &key,
                            (&failed, &lock),
                            at,
                        )
                    })
                    .await?;
                return Err(match locked {
                    Some(until) => totp_locked(until - at),
                    None => CaseError::TotpRejected,
                });
            }
            self.store
                .run(move |s| officers::totp_succeeded(s, &id))
                .await?;
        }
        self.record(Event::by_officer(&creds.id, "sign_in")).await?;
        let must_enrol_totp = creds.totp_sealed.is_none() && self.totp_required().await?;
        Ok(SignedIn {
            officer: Officer {
                id: creds.id,
                name: creds.name,
                email: creds.email,
                is_admin: creds.is_admin,
                is_custodian: creds.is_custodian,
                language: None,
                key,
                search: Default::default(),
            },
            must_enrol_totp,
        })
    }

    /// The officer as the database knows them now, checked on every authenticated request:
    /// disabled, or reset to a new key since signing in → `SignInRejected` (end the session);
    /// otherwise their current admin role, and whether they must enrol 2FA before anything else.
    pub async fn refresh(&self, officer: &Officer) -> Result<(Officer, bool), CaseError> {
        let id = officer.id.clone();
        let standing = self.store.run(move |s| officers::standing(s, &id)).await?;
        match standing {
            Some(now) if !now.disabled && now.public_key == officer.key.public() => {
                let mut fresh = officer.clone();
                fresh.is_admin = now.is_admin;
                fresh.is_custodian = now.is_custodian;
                fresh.language = now.language.as_deref().and_then(Lang::parse);
                Ok((fresh, now.totp_required && !now.has_totp))
            }
            _ => Err(CaseError::SignInRejected),
        }
    }

    /// Sets the language of the officer's pages and mails; `None`: pages follow the browser,
    /// mails are in English.
    pub async fn set_language(
        &self,
        officer: &Officer,
        language: Option<Lang>,
    ) -> Result<(), CaseError> {
        let id = officer.id.clone();
        Ok(self
            .store
            .run(move |s| officers::set_language(s, &id, language.map(Lang::code)))
            .await?)
    }

    /// Records an audit event in a transaction of its own.
    pub(super) async fn record(&self, event: Event) -> Result<(), CaseError> {
        let key = self.audit.clone();
        Ok(self
            .store
            .run(move |s| audit::record(s, &key, &event, now()))
            .await?)
    }

    pub async fn sign_out(&self, officer: &Officer) -> Result<(), CaseError> {
        self.record(Event::by_officer(&officer.id, "sign_out"))
            .await
    }

    /// Whether an admin has required 2FA for everyone.
    pub async fn totp_required(&self) -> Result<bool, CaseError> {
        let value = self.store.run(|s| settings::get(s, REQUIRE_TOTP)).await?;
        Ok(value.as_deref() == Some("1"))
    }

    /// Whether this officer has enrolled an authenticator app.
    pub async fn has_totp(&self, officer: &Officer) -> Result<bool, CaseError> {
        let id = officer.id.clone();
        let creds = self
            .store
            .run(move |s| officers::credentials(s, &id))
            .await?;
        Ok(creds.is_some_and(|c| c.totp_sealed.is_some()))
    }

    /// A new authenticator secret for `totp_setup` and `confirm_totp`.
    pub fn new_totp_secret(&self) -> TotpSecret {
        TotpSecret::generate()
    }

    /// What an authenticator app needs to enrol `secret`: the otpauth URL (for the QR code)
    /// and the secret as text.
    pub fn totp_setup(
        &self,
        officer: &Officer,
        secret: &TotpSecret,
    ) -> Result<(SecretString, SecretString), CaseError> {
        Ok((
            secret.url(&self.site_name, &officer.email)?,
            secret.base32()?,
        ))
    }

    /// Enrols `secret` once the officer proves their app shows the right code. It is stored
    /// sealed to the officer's own key, readable only after their password unlocked it.
    pub async fn confirm_totp(
        &self,
        officer: &Officer,
        secret: &TotpSecret,
        code: &str,
    ) -> Result<(), CaseError> {
        let step = secret.check(code, now() as u64)?.ok_or_else(|| {
            CaseError::invalid(
                "code",
                "that code is not right: check the time on your phone",
            )
        })?;
        let sealed = seal_text(secret.base32()?.expose_secret(), &officer.key.public())?;
        let id = officer.id.clone();
        let key = self.audit.clone();
        let event = Event::by_officer(&officer.id, "totp_enrolled");
        self.store
            .run(move |s| officers::set_totp(s, &id, Some(&sealed), step, &key, &event, now()))
            .await?;
        Ok(())
    }

    /// Changes the officer's own password: the same key, sealed to the new password.
    pub async fn change_password(
        &self,
        officer: &Officer,
        current: SecretString,
        new: SecretString,
    ) -> Result<(), CaseError> {
        check_password(&new)?;
        let id = officer.id.clone();
        let creds = self
            .store
            .run(move |s| officers::credentials(s, &id))
            .await?
            .ok_or_else(|| CaseError::NotFound("no such officer".into()))?;
        let key = officer.key.clone();
        let hash_now = creds.password_hash.clone();
        let (hash, sealed) = self
            .kdf
            .run(kdf::Lane::SignIn, move || -> Result<_, CaseError> {
                if !kdf::verify_password(&current, &hash_now) {
                    return Err(CaseError::invalid(
                        "current_password",
                        "the current password is not right",
                    ));
                }
                Ok((
                    kdf::hash_password(&new)?,
                    keys::seal_officer_key(&key, &new)?,
                ))
            })
            .await??;
        let id = officer.id.clone();
        let old_key = officer.key.public();
        let audit = self.audit.clone();
        let event = Event::by_officer(&officer.id, "password_changed");
        let changed = self
            .store
            .run(move |s| {
                let old = (old_key.as_str(), creds.password_hash.as_str());
                officers::set_password(s, &id, old, &hash, &sealed, &audit, &event, now())
            })
            .await?;
        if !changed {
            return Err(CaseError::Conflict(
                "your password was reset meanwhile: sign in again".into(),
            ));
        }
        Ok(())
    }
}
