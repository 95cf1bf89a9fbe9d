//! Officers: the people who read and work cases. Each has an age key sealed to their password.

use secrecy::{ExposeSecret, SecretString};

use super::access::Officer;
use super::text::Email;
use super::{now, CaseError, Cases};
use crate::audit::{Actor, Event};
use crate::crypto::{kdf, keys, random};
use crate::store::officers::{self, NewOfficer};
use crate::store::StoreError;

pub const PASSWORD_MIN: usize = 12;

/// The most common bases of long passwords in breach lists. A password is refused if, lower
/// case and with digits and symbols around it removed, it is one of these, or nothing is left.
const COMMON_BASES: &[&str] = &[
    "password",
    "passw0rd",
    "passwort",
    "senha",
    "qwerty",
    "qwertyuiop",
    "qwertz",
    "azerty",
    "asdfgh",
    "asdfghjkl",
    "zxcvbnm",
    "abcdef",
    "abcdefgh",
    "abcdefghijkl",
    "letmein",
    "welcome",
    "admin",
    "administrator",
    "iloveyou",
    "monkey",
    "dragon",
    "football",
    "baseball",
    "soccer",
    "sunshine",
    "princess",
    "trustno",
    "changeme",
    "secret",
    "login",
    "master",
    "hello",
    "freedom",
    "whatever",
    "shadow",
    "superman",
    "batman",
    "starwars",
    "pokemon",
    "computer",
    "internet",
    "summer",
    "winter",
    "spring",
    "autumn",
    "january",
    "december",
    "company",
    "sealbox",
    "ethics",
    "whistleblower",
    "complaint",
    "test",
    "testing",
    "default",
    "guest",
];

/// Who an officer is and what they handle, as an admin or the operator gives it.
pub struct OfficerProfile {
    pub email: String,
    pub name: String,
    pub admin: bool,
    /// Holds reporters' identities and decides disclosure requests.
    pub custodian: bool,
    /// `None`: every channel.
    pub channels: Option<Vec<String>>,
}

/// An officer added at the command line, with the password the operator gives.
pub struct NewOfficerInput {
    pub email: String,
    pub name: String,
    pub admin: bool,
    /// Holds reporters' identities and decides disclosure requests.
    pub custodian: bool,
    /// `None`: every channel.
    pub channels: Option<Vec<String>>,
    pub password: SecretString,
}

/// A profile that passed every check.
pub(super) struct Checked {
    pub email: String,
    pub name: String,
    pub admin: bool,
    pub custodian: bool,
    pub channels: Option<Vec<String>>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct OfficerSummary {
    pub id: String,
    pub email: String,
    pub name: String,
    pub admin: bool,
    pub custodian: bool,
    /// `None`: every channel.
    pub channels: Option<Vec<String>>,
    pub disabled: bool,
    pub created_at: i64,
    /// Added or reset, and the enrolment link not used yet.
    pub awaiting_enrolment: bool,
}

impl OfficerSummary {
    pub(super) fn of_new(officer: &NewOfficer) -> Self {
        OfficerSummary {
            id: officer.id.clone(),
            email: officer.email.clone(),
            name: officer.name.clone(),
            admin: officer.is_admin,
            custodian: officer.is_custodian,
            channels: officer.channels.clone(),
            disabled: false,
            created_at: officer.created_at,
            awaiting_enrolment: officer.password_hash.is_empty(),
        }
    }
}

/// Refuses passwords that are short, made of very few distinct characters, or built on one of
/// the most common bases (`Password1234!`, `qwertyuiop2024`).
pub fn check_password(password: &SecretString) -> Result<(), CaseError> {
    let pw = password.expose_secret();
    if pw.chars().count() < PASSWORD_MIN {
        return Err(CaseError::invalid(
            "password",
            &format!("the password must have at least {PASSWORD_MIN} characters"),
        ));
    }
    let distinct: std::collections::HashSet<char> = pw.chars().collect();
    let lowered = zeroize::Zeroizing::new(pw.to_lowercase());
    let base = lowered.trim_matches(|c: char| !c.is_alphabetic());
    if distinct.len() < 5 || base.is_empty() || COMMON_BASES.contains(&base) {
        return Err(CaseError::invalid(
            "password",
            "this password is too easy to guess (it is common, or repeats a few characters): \
             choose a longer phrase of unrelated words",
        ));
    }
    Ok(())
}

impl Cases {
    /// Checks a new officer's profile: who may add whom, the address, the name, the channels.
    pub(super) fn check_new_officer(
        &self,
        input: OfficerProfile,
        by: Option<&Officer>,
    ) -> Result<Checked, CaseError> {
        if by.is_some_and(|o| !o.is_admin) {
            return Err(CaseError::Forbidden(
                "only an admin may add officers".into(),
            ));
        }
        if input.custodian && by.is_some_and(|o| !o.is_custodian) {
            // Otherwise any admin could make an account they control that every reporter's
            // identity is sealed to from then on.
            return Err(CaseError::Forbidden(
                "only an identity custodian, or the operator at the command line, may add a \
                 custodian"
                    .into(),
            ));
        }
        let email = Email::parse("email", &input.email)?;
        let name = input.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(CaseError::invalid(
                "name",
                "give a name of 1 to 200 characters",
            ));
        }
        let mut channels = input.channels;
        if let Some(list) = &mut channels {
            list.retain(|c| !c.is_empty());
            list.sort();
            list.dedup();
        }
        if let Some(list) = &channels {
            if list.is_empty() {
                return Err(CaseError::invalid("channels", "name at least one channel"));
            }
            if let Some(unknown) = list.iter().find(|c| self.channels().get(c).is_none()) {
                return Err(CaseError::invalid(
                    "channels",
                    &format!("there is no channel {unknown:?}"),
                ));
            }
        }
        Ok(Checked {
            email: email.as_str().to_owned(),
            name,
            admin: input.admin,
            custodian: input.custodian,
            channels,
        })
    }

    /// Creates an officer with a new age key sealed to their password. `by` is the admin who
    /// did it, or `None` at the command line.
    pub async fn add_officer(
        &self,
        input: NewOfficerInput,
        by: Option<&Officer>,
    ) -> Result<OfficerSummary, CaseError> {
        let profile = OfficerProfile {
            email: input.email,
            name: input.name,
            admin: input.admin,
            custodian: input.custodian,
            channels: input.channels,
        };
        let mut checked = self.check_new_officer(profile, by)?;
        check_password(&input.password)?;
        // Someone must be able to manage officers: the first one of an installation is an admin.
        if !self.store.run(officers::any).await? {
            checked.admin = true;
        }
        let password = input.password;
        let input = checked;
        let (hash, wrapped) = self
            .kdf
            .run(kdf::Lane::SignIn, move || {
                Ok::<_, CaseError>((
                    kdf::hash_password(&password)?,
                    keys::new_officer_key(&password)?,
                ))
            })
            .await??;
        let officer = NewOfficer {
            id: random::id(),
            email: input.email,
            name: input.name,
            is_admin: input.admin,
            is_custodian: input.custodian,
            channels: input.channels,
            password_hash: hash,
            public_key: wrapped.public,
            sealed_key: wrapped.sealed,
            created_at: now(),
        };
        let summary = OfficerSummary::of_new(&officer);
        let event = match by {
            Some(admin) => Event::by_officer(&admin.id, "officer_added"),
            None => Event::new(Actor::Operator, "officer_added"),
        }
        .detail(format!(
            "{} ({}{})",
            officer.id,
            if officer.is_admin { "admin" } else { "officer" },
            if officer.is_custodian {
                ", custodian"
            } else {
                ""
            }
        ));
        let audit = self.audit.clone();
        self.store
            .run(move |s| officers::insert(s, &officer, &audit, &event))
            .await
            .map_err(|e| match e {
                StoreError::Conflict(what) => CaseError::Conflict(format!("{what} already exists")),
                other => other.into(),
            })?;
        Ok(summary)
    }

    pub async fn list_officers(&self) -> Result<Vec<OfficerSummary>, CaseError> {
        let rows = self.store.run(officers::list).await?;
        Ok(rows
            .into_iter()
            .map(|o| OfficerSummary {
                id: o.id,
                email: o.email,
                name: o.name,
                admin: o.is_admin,
                custodian: o.is_custodian,
                channels: o.channels,
                disabled: o.disabled,
                created_at: o.created_at,
                awaiting_enrolment: o.awaiting_enrolment,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_common_passwords_are_refused() {
        let s = |p: &str| SecretString::from(p.to_owned());
        assert!(check_password(&s("short")).is_err());
        for weak in [
            "Password1234",
            "password123456",
            "Password1234!",
            "qwertyuiop2024",
            "aaaaaaaaaaaaa",
            "            ",
            "123412341234",
            "abababababab",
        ] {
            assert!(check_password(&s(weak)).is_err(), "{weak}");
        }
        assert!(check_password(&s("a quiet river at dawn")).is_ok());
        assert!(check_password(&s("Tangerine-Lamp-47")).is_ok());
    }
}
