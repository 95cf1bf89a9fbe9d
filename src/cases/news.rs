//! "Tell me when there is news": any reporter may leave an address to hear, in a mail that
//! says nothing else, that an officer wrote to them. The address is sealed to the case key, so
//! the server reads it only while an officer who holds the case is writing (their session
//! holds the key then). Officer pages, the API and exports never show it.

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::access::Unlocked;
use super::mail::MailContext;
use super::text::Email;
use super::{now, CaseError, Cases};
use crate::audit::{Actor, Event};
use crate::crypto::{seal, SecretKey};
use crate::i18n::Lang;
use crate::store::cases::{self, CaseRecord};
use crate::store::outbox::NewMail;

/// The sealed address, as `age -d` prints it.
#[derive(Serialize, Deserialize)]
struct SealedNotify {
    email: String,
    /// The language of the mail: the page's when it was left.
    language: String,
}

/// Opens the address a case holds, if any.
pub(super) fn notify_address(
    case: &CaseRecord,
    case_key: &SecretKey,
) -> Result<Option<(String, Lang)>, CaseError> {
    let Some(sealed) = &case.sealed_notify else {
        return Ok(None);
    };
    let plain = seal::open(sealed, case_key)?;
    let notify: SealedNotify =
        serde_json::from_slice(&plain).map_err(|source| CaseError::Document {
            what: "sealed address",
            source,
        })?;
    let lang = Lang::parse(&notify.language).unwrap_or_default();
    Ok(Some((notify.email, lang)))
}

/// The "there is news" mail for a case an officer is writing to, when its reporter asked for
/// one.
pub(super) fn news_mail(
    mail: &MailContext,
    case: &CaseRecord,
    case_key: &SecretKey,
) -> Result<Option<NewMail>, CaseError> {
    match notify_address(case, case_key)? {
        Some((email, lang)) => Ok(Some(mail.reporter_news(lang, &email, &case.id)?)),
        None => Ok(None),
    }
}

impl Cases {
    /// The reporter leaves an address to hear of news (replacing any earlier one).
    pub async fn ask_for_news(
        &self,
        unlocked: &Unlocked,
        email: &str,
        lang: Lang,
    ) -> Result<(), CaseError> {
        let email = Email::parse("email", email)?;
        let case_id = unlocked.case_id.clone();
        let audit = self.audit.clone();
        self.store
            .run(move |s| {
                let case = super::access::existing(s, &case_id)?;
                let json = Zeroizing::new(
                    serde_json::to_vec(&SealedNotify {
                        email: email.as_str().to_owned(),
                        language: lang.code().to_owned(),
                    })
                    .map_err(|source| CaseError::Document {
                        what: "sealed address",
                        source,
                    })?,
                );
                let sealed = seal::seal_padded(&json, &[&case.case_public_key])?;
                let event = Event::new(Actor::Submitter, "news_requested").case(&case_id);
                cases::set_notify(s, &case_id, Some(&sealed), &audit, &event, now())?;
                Ok(())
            })
            .await
    }

    /// The reporter removes their address: no news mail goes out afterwards, and any still
    /// queued is withdrawn. Removing none changes nothing.
    pub async fn stop_news(&self, unlocked: &Unlocked) -> Result<(), CaseError> {
        let case_id = unlocked.case_id.clone();
        let audit = self.audit.clone();
        self.store
            .run(move |s| {
                let case = super::access::existing(s, &case_id)?;
                if case.sealed_notify.is_none() {
                    return Ok(());
                }
                let event = Event::new(Actor::Submitter, "news_stopped").case(&case_id);
                cases::set_notify(s, &case_id, None, &audit, &event, now())?;
                Ok(())
            })
            .await
    }
}
