//! Which mails an event causes, composed here and queued by the store in the event's own
//! transaction. Officers are told that something happened and where to sign in; customers
//! who left an address and consented are told to look at their status page. Never content.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;
use tokio::sync::Notify;

use super::sealed::SealedContact;
use super::workflow::Status;
use super::{now, CaseError, Cases};
use crate::config::Settings;
use crate::i18n::Lang;
use crate::notify::templates::Template;
use crate::notify::{Draft, NotifyError, OutboxKey, Worker};
use crate::store::outbox::NewMail;

pub(super) struct MailContext {
    key: Arc<OutboxKey>,
    organisation: String,
    base_url: String,
    delay_s: u64,
    pub coalesce_s: u64,
    customer_delay_s: u64,
    /// Seconds before a deadline that a reminder goes out.
    pub remind_before_s: i64,
    pub digest_hour: Option<u8>,
    wake: Arc<Notify>,
    /// When each officer was last alerted about each case, to coalesce alerts. In memory only:
    /// a stored time would date a submitter's message; a restart costs at most one extra alert.
    alerted: Mutex<HashMap<(String, String), Instant>>,
}

/// Alert marks kept before old ones are swept.
const ALERT_MARKS_SWEEP_AT: usize = 4096;

impl MailContext {
    pub fn new(settings: &Settings) -> Result<Self, CaseError> {
        let key = OutboxKey::load_or_create(
            &settings.data_dir.join("keys").join("outbox.key"),
            &settings.mail.from,
        )?;
        crate::notify::check_sender(&settings.mail.from)?;
        Ok(MailContext {
            key: Arc::new(key),
            organisation: settings.organisation.clone(),
            base_url: settings.base_url().to_owned(),
            delay_s: settings.mail.notify_delay_s,
            coalesce_s: settings.mail.coalesce_s,
            customer_delay_s: settings.mail.customer_delay_s,
            remind_before_s: settings.mail.remind_before_h as i64 * 3600,
            digest_hour: settings.mail.daily_digest_hour.filter(|h| *h < 24),
            wake: Arc::new(Notify::new()),
            alerted: Mutex::new(HashMap::new()),
        })
    }

    /// Whether `officer_id` may be alerted about `case_id` now (not alerted within the
    /// coalescing window); if so, marks the alert.
    pub fn claim_alert(&self, officer_id: &str, case_id: &str) -> bool {
        let window = Duration::from_secs(self.coalesce_s);
        let now = Instant::now();
        let mut marks = self.alerted.lock().unwrap_or_else(|e| e.into_inner());
        let key = (officer_id.to_owned(), case_id.to_owned());
        if marks
            .get(&key)
            .is_some_and(|t| now.duration_since(*t) < window)
        {
            return false;
        }
        if marks.len() >= ALERT_MARKS_SWEEP_AT {
            marks.retain(|_, t| now.duration_since(*t) < window);
        }
        marks.insert(key, now);
        true
    }

    /// `officer_id` names the officer a mail goes to, so it can be withdrawn with them.
    #[allow(clippy::too_many_arguments)]
    pub fn draft(
        &self,
        template: Template,
        lang: Lang,
        to: &str,
        officer_id: Option<&str>,
        case_id: Option<&str>,
        vars: &[(&str, &str)],
        delay_s: u64,
    ) -> Result<NewMail, CaseError> {
        let mut all = vec![
            ("organisation", self.organisation.as_str()),
            ("link", self.base_url.as_str()),
        ];
        all.extend_from_slice(vars);
        let (subject, text) = template.render(lang, &all);
        let draft = Draft {
            kind: template.kind(),
            to: to.to_owned(),
            subject,
            text,
            case_id: case_id.map(str::to_owned),
            officer_id: officer_id.map(str::to_owned),
            delay_s,
            replaces: &[],
        };
        Ok(self.key.seal(draft, now())?)
    }

    /// An alert to an officer, after a random delay so its arrival says little about when a
    /// case came in.
    pub fn officer_alert(
        &self,
        template: Template,
        lang: Lang,
        to: &str,
        officer_id: &str,
        case_id: &str,
        channel: &str,
    ) -> Result<NewMail, CaseError> {
        let delay = rand::thread_rng().gen_range(0..=self.delay_s);
        self.draft(
            template,
            lang,
            to,
            Some(officer_id),
            Some(case_id),
            &[("channel", channel)],
            delay,
        )
    }

    /// Alerts to everyone who can open a case that its reporter did something (`template`
    /// says what, never the content): with `coalesce`, to each at most once per coalescing
    /// window; without, always (a request that waits for an answer).
    pub fn alert_holders(
        &self,
        s: &crate::store::Store,
        channels: &super::Channels,
        case: &crate::store::cases::CaseRecord,
        template: Template,
        coalesce: bool,
    ) -> Result<Vec<NewMail>, CaseError> {
        let holders = crate::store::cases::holders(s, &case.id)?;
        let channel = channels.of_case(&case.channel_id, None);
        crate::store::officers::list(s)?
            .into_iter()
            .filter(|o| holders.contains(&o.id) && !o.disabled)
            .filter(|o| !coalesce || self.claim_alert(&o.id, &case.id))
            .map(|o| {
                let lang = o.lang();
                let title = channel.map_or(case.channel_id.as_str(), |c| c.title.get(lang));
                self.officer_alert(template, lang, &o.email, &o.id, &case.id, title)
            })
            .collect()
    }

    /// The reminders of a deadline at `due_at` of a case, at `stage` (`soon` or `overdue`),
    /// one to each officer of `to`: that something is due, and when.
    pub fn reminder_mails<'a>(
        &self,
        to: impl IntoIterator<Item = &'a crate::store::officers::OfficerRow>,
        stage: &str,
        channel: Option<&super::Channel>,
        case: (&str, &str),
        due_at: i64,
    ) -> Result<Vec<NewMail>, CaseError> {
        let (case_id, channel_id) = case;
        let template = if stage == "overdue" {
            Template::OfficerOverdue
        } else {
            Template::OfficerDueSoon
        };
        to.into_iter()
            .map(|o| {
                let lang = o.lang();
                let title = channel.map_or(channel_id, |c| c.title.get(lang));
                let due = crate::i18n::date(lang, due_at);
                self.draft(
                    template,
                    lang,
                    &o.email,
                    Some(&o.id),
                    Some(case_id),
                    &[("channel", title), ("due", &due)],
                    0,
                )
            })
            .collect()
    }

    /// A mail to a customer who consented, in the language they wrote in; `status` is named
    /// as they read it on their status page.
    pub fn customer(
        &self,
        template: Template,
        lang: Lang,
        to: &str,
        case_id: &str,
        status: Status,
    ) -> Result<NewMail, CaseError> {
        let status = lang.text(&format!("submitter_status.{}", status.as_str()));
        self.draft(
            template,
            lang,
            to,
            None,
            Some(case_id),
            &[("status", status)],
            0,
        )
    }

    /// To a reporter who asked for it: an officer wrote to them. Nothing else, not even the
    /// organisation's name: others may read that mailbox. After the officers' random delay, so
    /// its time says little.
    pub fn reporter_news(&self, lang: Lang, to: &str, case_id: &str) -> Result<NewMail, CaseError> {
        let delay = rand::thread_rng().gen_range(0..=self.delay_s);
        self.draft(
            Template::ReporterNews,
            lang,
            to,
            None,
            Some(case_id),
            &[],
            delay,
        )
    }

    /// To a reporter who asked to hear of news: a question waits for them (a retaliation
    /// check-in), sent `after_s` from now. Content-free like every mail to a reporter.
    pub fn reporter_checkin(
        &self,
        lang: Lang,
        to: &str,
        case_id: &str,
        after_s: u64,
    ) -> Result<NewMail, CaseError> {
        self.draft(
            Template::ReporterCheckin,
            lang,
            to,
            None,
            Some(case_id),
            &[],
            after_s,
        )
    }

    /// Kinds of a customer's status mail: a newer one replaces a queued older one.
    const CUSTOMER_STATUS: &'static [&'static str] = &["customer_status", "customer_closed"];

    /// The mails a move to `to` sends: a customer who left an address and consented hears
    /// that there is news (closing also invites them to rate how it was handled); officers
    /// are not told of their own moves.
    pub fn status_mails(
        &self,
        contact: Option<&SealedContact>,
        case_id: &str,
        to: Status,
    ) -> Result<Vec<NewMail>, CaseError> {
        let template = match to {
            Status::Closed => Template::CustomerClosed,
            _ => Template::CustomerStatus,
        };
        let Some(c) = contact.filter(|c| c.consent) else {
            return Ok(Vec::new());
        };
        // It waits a few minutes, and replaces one still waiting: three moves in a row make
        // one mail, which names where the case stands in the end.
        let mut mail = self.customer(template, c.lang(), &c.email, case_id, to)?;
        mail.not_before += self.customer_delay_s as i64;
        mail.replaces = Self::CUSTOMER_STATUS;
        Ok(vec![mail])
    }

    /// The site's address as mails link to it, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Tells the worker there may be mail to send now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// Who hears of a deadline of a case: its handler, while they can open it; otherwise
/// everyone who can (`holders`), among `officers` not disabled.
pub(super) fn reminded<'a>(
    officers: &'a [crate::store::officers::OfficerRow],
    holders: &[String],
    handler: Option<&String>,
) -> Vec<&'a crate::store::officers::OfficerRow> {
    let able: Vec<_> = officers
        .iter()
        .filter(|o| !o.disabled && holders.contains(&o.id))
        .collect();
    match able.iter().find(|o| Some(&o.id) == handler) {
        Some(h) => vec![*h],
        None => able,
    }
}

impl Cases {
    /// The worker that sends queued mail; run it on the server's runtime.
    pub fn mail_worker(&self, settings: &Settings) -> Result<Worker, CaseError> {
        Ok(Worker::new(
            self.store.clone(),
            settings,
            self.mail.key.clone(),
            self.mail.wake.clone(),
        )?)
    }

    /// Sends a test mail straight away (not through the outbox); the error says what failed.
    pub async fn send_test_mail(&self, settings: &Settings, to: &str) -> Result<String, CaseError> {
        let (subject, text) = Template::Test.render(
            Lang::En,
            &[
                ("organisation", &self.mail.organisation),
                ("link", &self.mail.base_url),
            ],
        );
        crate::notify::send_now(settings, to, subject, text)
            .await
            .map_err(|e| match e {
                NotifyError::Recipient(_) => CaseError::invalid("to", "not an email address"),
                e => CaseError::Notify(e),
            })
    }

    /// Sets the gauges of the metrics (queue lengths, outbox size) to what they are now.
    pub async fn refresh_gauges(&self) -> Result<(), CaseError> {
        let (intake, sign_in) = self.kdf.queued();
        crate::metrics::set(
            "sealbox_kdf_queue_length",
            &[("lane", "intake")],
            intake as f64,
        );
        crate::metrics::set(
            "sealbox_kdf_queue_length",
            &[("lane", "sign-in")],
            sign_in as f64,
        );
        let outbox = self.mail_pending().await?;
        crate::metrics::set("sealbox_mail_outbox_size", &[], outbox as f64);
        Ok(())
    }

    /// How many mails wait in the outbox.
    pub async fn mail_pending(&self) -> Result<i64, CaseError> {
        Ok(self.store.run(crate::store::outbox::pending).await?)
    }
}
