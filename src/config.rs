//! One `Settings` struct, layered: built-in defaults < `sealbox.toml` < `SEALBOX_*` env < flags.
//!
//! Every key is optional. Nested keys use `__` in the environment (`SEALBOX_MAIL__SMTP_URL`), and
//! a secret may instead come from a file named by `<KEY>_FILE` (never both).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

pub use crate::i18n::Text;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Invalid(String),
    #[error("configuration could not be read: {0}")]
    Figment(#[from] Box<figment::Error>),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// Base of links in mails and of the cookie `Secure` decision.
    pub public_url: String,
    /// Organisation recovery key (public half, `age1…`); its identity is kept offline.
    pub recovery_recipient: Option<String>,
    pub mail: MailSettings,
    pub limits: Limits,
    /// Replaces the two built-in channels when non-empty.
    pub channels: Vec<ChannelConfig>,
    pub sessions: SessionSettings,
    /// The organisation's name: on every page, in mails and in authenticator apps.
    pub organisation: String,
    /// The site's onion service address (`http://….onion`): every page then sends
    /// `Onion-Location`, so Tor Browser offers to switch to it.
    pub onion_url: Option<String>,
    /// Litestream replicates the database: sealbox leaves WAL checkpoints to it.
    #[serde(default)]
    pub litestream: bool,
    /// Days a discarded (junk) case is kept before the retention sweep purges it.
    pub discard_grace_days: u32,
    /// How the reporter pages carry the organisation: logo, colour, notices.
    #[serde(default)]
    pub site: SiteSettings,
    /// HTTPS served directly.
    #[serde(default)]
    pub tls: TlsSettings,
    /// Where Prometheus text is served at `/metrics` (counts only); off when absent. Keep it
    /// on a loopback or internal address.
    #[serde(default)]
    pub metrics_listen: Option<SocketAddr>,
    /// Canned replies offered on the case page and by the API.
    #[serde(default)]
    pub replies: Vec<ReplyConfig>,
}

/// `[tls]`: serve HTTPS directly from PEM files (a certificate chain and its private key),
/// read again on SIGHUP. Both or neither; without them sealbox speaks plain HTTP, for a
/// reverse proxy in front.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSettings {
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
}

impl TlsSettings {
    /// The certificate and key files, when HTTPS is on.
    pub fn files(&self) -> Option<(&Path, &Path)> {
        self.cert.as_deref().zip(self.key.as_deref())
    }
}

/// `[site]`: the organisation's logo and colour, and the texts the law asks a reporting
/// channel to show. Each text is one string or a table by language, like channel texts.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSettings {
    /// A PNG or SVG file of at most 256 KiB, read at start and served by sealbox itself.
    pub logo: Option<PathBuf>,
    /// The organisation's colour, `#rrggbb`, for buttons and links in light mode: white text
    /// on it must stay readable (contrast 4.5:1 or more), or start-up stops.
    pub accent: Option<String>,
    /// The privacy notice (GDPR art. 13), shown at `/privacy`.
    pub privacy_notice: Option<Text>,
    /// Who else a reporter may turn to (EU Directive 2019/1937 art. 9(1)(g)): the competent
    /// authorities, shown on the report form.
    pub external_reporting: Option<Text>,
    /// The imprint (legal notice), shown at `/privacy`.
    pub imprint: Option<Text>,
}

/// The largest logo accepted.
pub const LOGO_MAX_BYTES: u64 = 256 * 1024;

/// A logo file: its bytes and content type, or why it cannot be used (naming the file).
pub fn read_logo(path: &Path) -> Result<(Vec<u8>, &'static str), ConfigError> {
    let bad = |why: &str| ConfigError::Invalid(format!("site.logo {}: {why}", path.display()));
    let size = std::fs::metadata(path)
        .map_err(|e| bad(&e.to_string()))?
        .len();
    if size > LOGO_MAX_BYTES {
        return Err(bad(&format!(
            "{size} bytes; a logo may have at most {LOGO_MAX_BYTES}"
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| bad(&e.to_string()))?;
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok((bytes, "image/png"));
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    if head.contains("<svg") {
        // Shown through <img> and served under the site's strict CSP, an SVG cannot run
        // scripts; a file that tries is refused all the same.
        if String::from_utf8_lossy(&bytes)
            .to_ascii_lowercase()
            .contains("<script")
        {
            return Err(bad("an SVG logo may not contain scripts"));
        }
        return Ok((bytes, "image/svg+xml"));
    }
    Err(bad("not a PNG or SVG file"))
}

/// Parses `#rrggbb`.
pub fn parse_colour(text: &str) -> Option<[u8; 3]> {
    let hex = text.strip_prefix('#')?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// WCAG 2.x contrast ratio of two sRGB colours.
pub fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let luminance = |c: [u8; 3]| {
        let lin = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.039_28 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
    };
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    /// lettre URL form; absent = .eml files in `DATA/mail/`.
    pub smtp_url: Option<SecretString>,
    pub smtp_url_file: Option<PathBuf>,
    pub from: String,
    /// Officer alerts wait a random 0..N seconds so arrival cannot be matched to a submission.
    pub notify_delay_s: u64,
    /// At most one alert per officer per case within this many seconds.
    pub coalesce_s: u64,
    /// A customer's status mail waits this many seconds; a newer one for the same case
    /// replaces it meanwhile, so several moves in a row make one mail.
    pub customer_delay_s: u64,
    /// Give up on one SMTP attempt after this many seconds (the mail stays queued).
    pub timeout_s: u64,
    /// Remind officers this many hours before a deadline (and again once it has passed).
    pub remind_before_h: u64,
    /// How often to look for reminders and digests to send.
    pub reminder_interval_s: u64,
    /// Send each officer a digest of their open and overdue cases daily at this UTC hour
    /// (0–23); absent: no digest.
    pub daily_digest_hour: Option<u8>,
}

/// In-memory, per client address, never stored; 0 turns a limit off.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub cases_per_hour_per_client: u32,
    pub claim_failures_per_minute_per_client: u32,
    pub login_failures_per_minute_per_client: u32,
    /// Larger JSON or form bodies are refused with 413.
    pub json_body_bytes: usize,
    /// Argon2id jobs that may run at once (0 = one per core). Bounds memory at ~19 MiB a job.
    pub kdf_workers: usize,
    /// A request body must have arrived within this many seconds (plus one second per
    /// [`BODY_GRACE_BYTES`] received, so large uploads on slow links still finish); beyond it
    /// the request is cut off with 408. Never 0.
    /// Argon2id jobs that may wait for a worker, per lane (new reports have a lane of their
    /// own); beyond it a request gets 503 with Retry-After.
    pub kdf_queue: usize,
    /// Seconds a job may wait for a worker before it is answered 503 unrun (at least 1).
    pub kdf_wait_s: u64,
    #[serde(default = "default_body_timeout_s")]
    pub body_timeout_s: u64,
    /// Connections open at once, across all clients; more wait in the listen queue.
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
    /// Connections one client address may hold open at once; more are answered 503 and closed.
    #[serde(default = "default_connections_per_client")]
    pub connections_per_client: u32,
    /// New cases, messages and uploads are refused (507) when the data directory's disk would
    /// keep less than this many bytes free.
    #[serde(default = "default_min_free_bytes")]
    pub min_free_bytes: u64,
}

/// A body earns one more second of [`Limits::body_timeout_s`] for each this many bytes that
/// arrive (8 KiB/s: a slow Tor circuit still uploads; a trickle of a few bytes does not).
pub const BODY_GRACE_BYTES: u64 = 8 * 1024;

fn default_body_timeout_s() -> u64 {
    60
}

fn default_max_connections() -> usize {
    4096
}

fn default_connections_per_client() -> u32 {
    64
}

fn default_min_free_bytes() -> u64 {
    256 << 20
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionSettings {
    /// A follow-up session (claim code sign-in) ends after this many idle seconds.
    pub followup_idle_s: u64,
    /// An officer session ends after this many idle seconds…
    pub officer_idle_s: u64,
    /// …and in any case this many seconds after sign-in.
    pub officer_max_s: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    Whistleblowing,
    Complaint,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelConfig {
    pub id: String,
    pub kind: ChannelKind,
    /// A string, or one per language: `{ en = "…", de = "…", pt-BR = "…" }`.
    pub title: Text,
    #[serde(default)]
    pub description: Text,
    #[serde(default)]
    pub fields: Vec<FieldConfig>,
    /// Days to acknowledge a new case (default: 7 whistleblowing, 1 complaint).
    pub acknowledge_days: Option<u32>,
    /// Days to give feedback after acknowledgement (whistleblowing, default 90) or to resolve a
    /// complaint after receipt (default 30).
    pub resolve_days: Option<u32>,
    /// Days a closed case is kept before it is purged (default 365).
    pub retention_days: Option<u32>,
    /// Largest attachment, in bytes (default 1 GiB).
    pub max_file_bytes: Option<u64>,
    /// Attachments a submitter may add to one case (default 20).
    pub max_files: Option<u32>,
    /// All of a submitter's attachments to one case together, in bytes (default 2 GiB).
    pub max_total_bytes: Option<u64>,
    /// Whether a reporter may give their identity, sealed for the identity custodians
    /// (default: yes for whistleblowing, no for complaints).
    pub identity: Option<bool>,
    /// Days to answer a reporter's request for a call or a meeting (default 14).
    pub meeting_days: Option<u32>,
    /// What officers may file a case of this channel under (triage); none by default.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Days after closing that the reporter is asked whether they suffered retaliation
    /// (default: 90 and 180 for whistleblowing, none for complaints).
    pub checkin_days: Option<Vec<u32>>,
}

/// `[[replies]]`: a canned reply officers may start from, its texts one string or one per
/// language.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyConfig {
    pub id: String,
    pub title: Text,
    pub body: Text,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldConfig {
    pub id: String,
    /// A string, or one per language, like every text a submitter reads.
    pub label: Text,
    #[serde(rename = "type")]
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
    /// What a select offers. An option given per language is stored as its English text (or
    /// its first), whatever language the submitter chose it in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Text>,
    /// Characters; defaults by type (text 500, textarea 20 000).
    pub max_length: Option<usize>,
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub help: Text,
    /// The smallest and largest value of a `number` field, when bounded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// The page of a step-by-step form it is asked on (1 when absent); the form has as many
    /// pages as distinct steps, in their order, and then a review page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<u32>,
    /// Asked only when an earlier field was answered so: `{ field = "id", equals = "option" }`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<Condition>,
}

/// `show_if`: the field is asked only when `field` (an earlier one) has the answer `equals`:
/// an option of a select or of checkboxes (one of those ticked), `"true"` or `"false"` for a
/// checkbox, the text or number itself otherwise.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub field: String,
    pub equals: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Textarea,
    Select,
    Date,
    Checkbox,
    /// Several of its options; the value is a list.
    Checkboxes,
    Number,
    /// Attachments that belong to this question; they are sent as files, not as a value.
    Files,
}

impl FieldKind {
    /// Every type, in the order an editor offers them.
    pub const ALL: [FieldKind; 8] = [
        FieldKind::Text,
        FieldKind::Textarea,
        FieldKind::Select,
        FieldKind::Checkboxes,
        FieldKind::Checkbox,
        FieldKind::Date,
        FieldKind::Number,
        FieldKind::Files,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Textarea => "textarea",
            FieldKind::Select => "select",
            FieldKind::Date => "date",
            FieldKind::Checkbox => "checkbox",
            FieldKind::Checkboxes => "checkboxes",
            FieldKind::Number => "number",
            FieldKind::Files => "files",
        }
    }
}

/// Values given on the command line; they win over every other layer.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub data_dir: Option<PathBuf>,
    pub listen: Option<SocketAddr>,
}

#[derive(Serialize)]
struct Defaults {
    listen: &'static str,
    data_dir: &'static str,
    public_url: &'static str,
    mail: DefaultMail,
    limits: Limits,
    channels: Vec<ChannelConfig>,
    sessions: SessionSettings,
    organisation: &'static str,
    discard_grace_days: u32,
}

#[derive(Serialize)]
struct DefaultMail {
    from: &'static str,
    notify_delay_s: u64,
    coalesce_s: u64,
    customer_delay_s: u64,
    timeout_s: u64,
    remind_before_h: u64,
    reminder_interval_s: u64,
}

fn defaults() -> Defaults {
    Defaults {
        listen: "127.0.0.1:8080",
        data_dir: "./data",
        public_url: "http://127.0.0.1:8080",
        mail: DefaultMail {
            from: "Ethics line <ethics@localhost>",
            notify_delay_s: 300,
            coalesce_s: 3600,
            customer_delay_s: 300,
            timeout_s: 30,
            remind_before_h: 48,
            reminder_interval_s: 300,
        },
        limits: Limits {
            cases_per_hour_per_client: 20,
            claim_failures_per_minute_per_client: 10,
            login_failures_per_minute_per_client: 10,
            json_body_bytes: 1024 * 1024,
            kdf_workers: 0,
            body_timeout_s: default_body_timeout_s(),
            max_connections: default_max_connections(),
            connections_per_client: default_connections_per_client(),
            min_free_bytes: default_min_free_bytes(),
            kdf_queue: 256,
            kdf_wait_s: 10,
        },
        channels: Vec::new(),
        sessions: SessionSettings {
            followup_idle_s: 15 * 60,
            officer_idle_s: 30 * 60,
            officer_max_s: 12 * 60 * 60,
        },
        organisation: "sealbox",
        discard_grace_days: 30,
    }
}

impl Settings {
    /// Loads settings. `config_file` defaults to `sealbox.toml` in the working directory and may
    /// be absent; a file named explicitly must exist.
    pub fn load(config_file: Option<&Path>, overrides: &Overrides) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(defaults()));
        match config_file {
            Some(path) if !path.exists() => {
                return Err(ConfigError::Invalid(format!(
                    "config file {} does not exist",
                    path.display()
                )))
            }
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None if Path::new("sealbox.toml").exists() => {
                figment = figment.merge(Toml::file_exact("sealbox.toml"))
            }
            None => {}
        }
        // SEALBOX_LOG is the log filter, read before settings exist.
        figment = figment.merge(
            Env::prefixed("SEALBOX_")
                .filter(|key| key != "log")
                .split("__"),
        );
        if let Some(dir) = &overrides.data_dir {
            figment = figment.merge(Serialized::default("data_dir", dir));
        }
        if let Some(listen) = overrides.listen {
            figment = figment.merge(Serialized::default("listen", listen.to_string()));
        }
        let mut settings: Settings = figment.extract().map_err(Box::new)?;
        settings.resolve_secret_files()?;
        settings.check()?;
        Ok(settings)
    }

    /// Settings for a data directory with every other key at its default (tests, tools).
    pub fn for_data_dir(data_dir: &Path) -> Result<Self, ConfigError> {
        let settings: Settings = Figment::from(Serialized::defaults(defaults()))
            .merge(Serialized::default("data_dir", data_dir))
            .extract()
            .map_err(Box::new)?;
        settings.check()?;
        Ok(settings)
    }

    fn resolve_secret_files(&mut self) -> Result<(), ConfigError> {
        if let Some(path) = self.mail.smtp_url_file.take() {
            if self.mail.smtp_url.is_some() {
                return Err(ConfigError::Invalid(
                    "set mail.smtp_url or mail.smtp_url_file, not both".into(),
                ));
            }
            let text = std::fs::read_to_string(&path).map_err(|e| {
                ConfigError::Invalid(format!("mail.smtp_url_file {}: {e}", path.display()))
            })?;
            self.mail.smtp_url = Some(SecretString::from(text.trim().to_owned()));
        }
        Ok(())
    }

    fn check(&self) -> Result<(), ConfigError> {
        if let Some(accent) = &self.site.accent {
            let colour = parse_colour(accent).ok_or_else(|| {
                ConfigError::Invalid(format!("site.accent must be #rrggbb, got {accent:?}"))
            })?;
            // Buttons put white text on it, links put it on the page's light grey.
            let ratio = contrast(colour, [0xf7, 0xf8, 0xfa]);
            if ratio < 4.5 {
                return Err(ConfigError::Invalid(format!(
                    "site.accent {accent} is too light: white text on it has a contrast of \
                     {ratio:.1}:1, and 4.5:1 is needed to be readable; choose a darker shade"
                )));
            }
        }
        if let Some(logo) = &self.site.logo {
            read_logo(logo)?;
        }
        if self.organisation.trim().is_empty() || self.organisation.chars().count() > 120 {
            return Err(ConfigError::Invalid(
                "organisation must be a name of 1 to 120 characters".into(),
            ));
        }
        if !(self.public_url.starts_with("http://") || self.public_url.starts_with("https://")) {
            return Err(ConfigError::Invalid(format!(
                "public_url must start with http:// or https://, got {:?}",
                self.public_url
            )));
        }
        let mut reply_ids = std::collections::HashSet::new();
        for reply in &self.replies {
            let id_ok = !reply.id.is_empty()
                && reply.id.len() <= 64
                && reply
                    .id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
            if !id_ok || !reply_ids.insert(reply.id.as_str()) {
                return Err(ConfigError::Invalid(format!(
                    "replies: id {:?} must be 1-64 of a-z, 0-9, '-' and '_', and used once",
                    reply.id
                )));
            }
            if reply.title.is_empty() || reply.body.is_empty() {
                return Err(ConfigError::Invalid(format!(
                    "replies: {:?} needs a title and a body",
                    reply.id
                )));
            }
        }
        if self.limits.json_body_bytes < 1024 {
            return Err(ConfigError::Invalid(
                "limits.json_body_bytes must be at least 1024".into(),
            ));
        }
        if self.limits.body_timeout_s == 0 || self.limits.max_connections == 0 {
            return Err(ConfigError::Invalid(
                "limits.body_timeout_s and limits.max_connections must be above 0".into(),
            ));
        }
        if self.limits.kdf_queue == 0 || self.limits.kdf_wait_s == 0 {
            return Err(ConfigError::Invalid(
                "limits.kdf_queue and limits.kdf_wait_s must be at least 1".into(),
            ));
        }
        if let Some(onion) = &self.onion_url {
            let host = onion
                .strip_prefix("http://")
                .or_else(|| onion.strip_prefix("https://"))
                .map(|rest| rest.split('/').next().unwrap_or_default());
            if !host.is_some_and(|h| h.ends_with(".onion") && h.len() > ".onion".len()) {
                return Err(ConfigError::Invalid(format!(
                    "onion_url must be http://….onion (or https://), got {onion:?}"
                )));
            }
        }
        if self.tls.cert.is_some() != self.tls.key.is_some() {
            return Err(ConfigError::Invalid(
                "tls.cert and tls.key go together: set both, or neither".into(),
            ));
        }
        let s = &self.sessions;
        if s.followup_idle_s == 0 || s.officer_idle_s == 0 || s.officer_max_s == 0 {
            return Err(ConfigError::Invalid(
                "sessions.*_s must all be above 0".into(),
            ));
        }
        Ok(())
    }

    /// `onion_url` without a trailing slash, for `Onion-Location`.
    pub fn onion_base(&self) -> Option<&str> {
        self.onion_url.as_deref().map(|u| u.trim_end_matches('/'))
    }

    /// The site's address without a trailing slash, for links in mails.
    pub fn base_url(&self) -> &str {
        self.public_url.trim_end_matches('/')
    }

    /// Cookies get `Secure` (and responses HSTS) when the site is reached over TLS: its own,
    /// or a proxy's in front of an `https://` public URL.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://") || self.tls.files().is_some()
    }

    /// The argon2id pool's size and bounds.
    pub fn kdf_bounds(&self) -> crate::crypto::kdf::Bounds {
        crate::crypto::kdf::Bounds {
            workers: self.kdf_workers(),
            queue: self.limits.kdf_queue,
            max_wait: std::time::Duration::from_secs(self.limits.kdf_wait_s),
        }
    }

    pub fn kdf_workers(&self) -> usize {
        match self.limits.kdf_workers {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_need_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let s = Settings::for_data_dir(dir.path()).unwrap();
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(s.limits.json_body_bytes, 1_048_576);
        assert_eq!(s.limits.body_timeout_s, 60);
        assert_eq!(s.limits.max_connections, 4096);
        assert_eq!(s.limits.connections_per_client, 64);
        assert_eq!(s.limits.min_free_bytes, 256 << 20);
        assert!(s.channels.is_empty());
        assert!(!s.secure_cookies());
    }

    #[test]
    fn toml_and_channels_parse() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sealbox.toml");
        std::fs::write(
            &file,
            r#"
public_url = "https://ethics.example.org"
[limits]
json_body_bytes = 4096
[[channels]]
id = "hr"
kind = "whistleblowing"
title = "HR issues"
[[channels.fields]]
id = "what"
label = "What happened?"
type = "textarea"
required = true
max_length = 100
"#,
        )
        .unwrap();
        let s = Settings::load(Some(&file), &Overrides::default()).unwrap();
        assert!(s.secure_cookies());
        assert_eq!(s.limits.json_body_bytes, 4096);
        assert_eq!(s.channels[0].fields[0].kind, FieldKind::Textarea);
        assert_eq!(s.channels[0].fields[0].max_length, Some(100));
    }

    #[test]
    fn onion_url_must_be_an_onion_address() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sealbox.toml");
        std::fs::write(&file, "onion_url = \"http://example.org\"\n").unwrap();
        let err = Settings::load(Some(&file), &Overrides::default()).unwrap_err();
        assert!(err.to_string().contains("onion_url"), "{err}");
        std::fs::write(
            &file,
            "onion_url = \"http://abc.onion/\"\nlitestream = true\n",
        )
        .unwrap();
        let s = Settings::load(Some(&file), &Overrides::default()).unwrap();
        assert_eq!(s.onion_base(), Some("http://abc.onion"));
        assert!(s.litestream);
    }

    #[test]
    fn unknown_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sealbox.toml");
        std::fs::write(&file, "listne = \"127.0.0.1:1\"\n").unwrap();
        let err = Settings::load(Some(&file), &Overrides::default()).unwrap_err();
        assert!(err.to_string().contains("listne"), "{err}");
    }
}
