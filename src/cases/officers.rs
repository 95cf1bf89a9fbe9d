//! Officers: the people who read and work cases. Each has an age key sealed to their password.

use secrecy::{ExposeSecret, SecretString};

use super::signin::Officer;
use super::text::Email;
use super::{now, CaseError, Cases};
use crate::audit::{Actor, Event};
use crate::crypto::{kdf, keys, random};
use crate::store::officers::{self, NewOfficer};
use crate::store::StoreError;

pub const PASSWORD_MIN: usize = 12;

/// Passwords refused whatever their length: the most common long ones in breach lists.
const COMMON_PASSWORDS: &[&str] = &[
    "123456789012",
    "1234567890123",
    "12345678901234",
    "qwertyuiop123",
    "password1234",
    "password12345",
    "passwordpassword",
    "qwertyqwerty",
    "iloveyou1234",
    "adminadmin123",
    "administrator",
    "welcome12345",
    "letmein12345",
    "changeme1234",
    "111111111111",
    "000000000000",
    "aaaaaaaaaaaa",
    "abcdefghijkl",
    "abc123456789",
    "qwerty123456",
    "1q2w3e4r5t6y",
    "zaq12wsxcde3",
    "trustno1trustno1",
    "sunshine1234",
    "football1234",
    "monkey123456",
    "dragon123456",
    "baseball1234",
    "superman1234",
    "princess1234",
];

pub struct NewOfficerInput {
    pub email: String,
    pub name: String,
    pub admin: bool,
    /// `None`: every channel.
    pub channels: Option<Vec<String>>,
    pub password: SecretString,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct OfficerSummary {
    pub id: String,
    pub email: String,
    pub name: String,
    pub admin: bool,
    /// `None`: every channel.
    pub channels: Option<Vec<String>>,
    pub disabled: bool,
    pub created_at: i64,
}

/// Refuses passwords that are short or among the most common.
pub fn check_password(password: &SecretString) -> Result<(), CaseError> {
    let pw = password.expose_secret();
    if pw.chars().count() < PASSWORD_MIN {
        return Err(CaseError::invalid(
            "password",
            &format!("the password must have at least {PASSWORD_MIN} characters"),
        ));
    }
    let lowered = zeroize::Zeroizing::new(pw.to_lowercase());
    if COMMON_PASSWORDS.contains(&lowered.as_str()) {
        return Err(CaseError::invalid(
            "password",
            "this password is among the most common ones: choose another",
        ));
    }
    Ok(())
}

impl Cases {
    /// Creates an officer with a new age key sealed to their password. `by` is the admin who
    /// did it, or `None` at the command line.
    pub async fn add_officer(
        &self,
        input: NewOfficerInput,
        by: Option<&Officer>,
    ) -> Result<OfficerSummary, CaseError> {
        if by.is_some_and(|o| !o.is_admin) {
            return Err(CaseError::Forbidden(
                "only an admin may add officers".into(),
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
        if let Some(list) = &input.channels {
            if list.is_empty() {
                return Err(CaseError::invalid("channels", "name at least one channel"));
            }
            if let Some(unknown) = list.iter().find(|c| self.channels.get(c).is_none()) {
                return Err(CaseError::invalid(
                    "channels",
                    &format!("there is no channel {unknown:?}"),
                ));
            }
        }
        check_password(&input.password)?;
        let password = input.password;
        let (hash, wrapped) = self
            .kdf
            .run(move || {
                Ok::<_, CaseError>((
                    kdf::hash_password(&password)?,
                    keys::new_officer_key(&password)?,
                ))
            })
            .await??;
        let officer = NewOfficer {
            id: random::id(),
            email: email.as_str().to_owned(),
            name,
            is_admin: input.admin,
            channels: input.channels,
            password_hash: hash,
            public_key: wrapped.public,
            sealed_key: wrapped.sealed,
            created_at: now(),
        };
        let summary = OfficerSummary {
            id: officer.id.clone(),
            email: officer.email.clone(),
            name: officer.name.clone(),
            admin: officer.is_admin,
            channels: officer.channels.clone(),
            disabled: false,
            created_at: officer.created_at,
        };
        let event = match by {
            Some(admin) => Event::by_officer(&admin.id, "officer_added"),
            None => Event::new(Actor::Operator, "officer_added"),
        }
        .detail(format!(
            "{} ({})",
            officer.id,
            if officer.is_admin { "admin" } else { "officer" }
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
                channels: o.channels,
                disabled: o.disabled,
                created_at: o.created_at,
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
        assert!(check_password(&s("Password1234")).is_err());
        assert!(check_password(&s("a quiet river at dawn")).is_ok());
    }
}
