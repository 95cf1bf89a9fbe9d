//! What the fuzz targets share: one sealbox installation in a scratch directory, an actix
//! runtime to drive its extractors and handlers, and the request an input describes.
//!
//! The installation has the two built-in channels plus one with every kind of field and small
//! file limits, no officer and no recovery recipient. So a submission is read, validated and
//! refused with 503 ("nobody could open it") at the very end: the whole intake path runs for
//! every input, but nothing is stored and no argon2id derivation happens.

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::header::{HeaderValue, ACCEPT_LANGUAGE, CONTENT_TYPE};
use actix_web::test::TestRequest;
use actix_web::{web, HttpRequest};

use sealbox::cases::Cases;
use sealbox::config::{ChannelConfig, Settings};
use sealbox::http::rate_limit::RateLimiter;
use sealbox::http::sessions::Sessions;
use sealbox::http::{errors, AppState};

/// Bodies larger than this are refused (413), as `limits.json_body_bytes` does; small, so the
/// fuzzer's inputs can reach the limit.
pub const BODY_LIMIT: usize = 2048;

/// A channel with every field type, so validation of each is reachable.
const EXTRA_CHANNEL: &str = r#"{
  "id": "kinds", "kind": "complaint", "title": {"en": "Every kind", "de": "Jede Art"},
  "identity": true, "max_file_bytes": 4096, "max_files": 2, "max_total_bytes": 6000,
  "fields": [
    {"id": "subject", "label": "Subject", "type": "text", "required": true, "max_length": 80},
    {"id": "details", "label": "Details", "type": "textarea", "max_length": 1000},
    {"id": "area", "label": "Area", "type": "select",
     "options": ["Billing", {"en": "Delivery", "de": "Lieferung", "pt-BR": "Entrega"}]},
    {"id": "when", "label": "When", "type": "date"},
    {"id": "agree", "label": "I agree", "type": "checkbox"}
  ]
}"#;

pub struct Harness {
    runner: actix_web::rt::SystemRunner,
    pub state: web::Data<AppState>,
}

thread_local! {
    static HARNESS: RefCell<Option<Harness>> = const { RefCell::new(None) };
}

static DATA_DIR: OnceLock<PathBuf> = OnceLock::new();

extern "C" fn remove_data_dir() {
    if let Some(dir) = DATA_DIR.get() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Removes the scratch directories of runs that ended without `exit()` (a crash, a timeout,
/// a kill): they are named after their process, which is gone.
fn remove_stale_dirs(base: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("sealbox-fuzz-"))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Runs `f` with the installation, set up on first use.
pub fn with<R>(f: impl FnOnce(&Harness) -> R) -> R {
    HARNESS.with(|cell| {
        let mut slot = cell.borrow_mut();
        let harness = slot.get_or_insert_with(Harness::new);
        f(harness)
    })
}

impl Harness {
    fn new() -> Self {
        // tmpfs when there is one: attachments are written and synced for real.
        let base = std::path::Path::new("/dev/shm");
        let base = if base.is_dir() {
            base.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        remove_stale_dirs(&base);
        let dir = tempfile::Builder::new()
            .prefix(&format!("sealbox-fuzz-{}-", std::process::id()))
            .tempdir_in(&base)
            .expect("a scratch directory")
            .keep();
        DATA_DIR.set(dir.clone()).expect("one installation");
        // libFuzzer ends with exit(): remove the directory then.
        unsafe { libc::atexit(remove_data_dir) };

        let mut settings = Settings::for_data_dir(&dir).expect("settings");
        settings.limits.cases_per_hour_per_client = 0;
        settings.limits.claim_failures_per_minute_per_client = 0;
        settings.limits.login_failures_per_minute_per_client = 0;
        settings.limits.json_body_bytes = BODY_LIMIT;
        settings.limits.kdf_workers = 1;
        let extra: ChannelConfig = serde_json::from_str(EXTRA_CHANNEL).expect("channel");
        settings.channels = sealbox::cases::channels::builtin();
        settings.channels.push(extra);

        let runner = actix_web::rt::System::new();
        let state = runner.block_on(async {
            let cases = Cases::open(&settings).expect("an installation");
            let s = &settings.sessions;
            web::Data::new(AppState {
                followups: Sessions::new(
                    "sealbox_followup",
                    Duration::from_secs(s.followup_idle_s),
                    Duration::from_secs(s.officer_max_s),
                    false,
                ),
                officers: Sessions::new(
                    "sealbox_officer",
                    Duration::from_secs(s.officer_idle_s),
                    Duration::from_secs(s.officer_max_s),
                    false,
                ),
                limiter: RateLimiter::new(&settings.limits),
                settings: Arc::new(settings),
                cases,
            })
        });
        Harness { runner, state }
    }

    pub fn block_on<F: std::future::Future>(&self, fut: F) -> F::Output {
        self.runner.block_on(fut)
    }

    /// A POST to `path` with this content type, language and body, carrying the app's state
    /// and its JSON and form configuration (limits and error handlers). `None` when a header
    /// could not be sent over HTTP at all.
    pub fn request(&self, path: &str, input: &Input) -> Option<(HttpRequest, Payload)> {
        // A target that cannot be written in a request line never reaches a handler.
        actix_web::http::Uri::try_from(path).ok()?;
        let content_type = HeaderValue::from_bytes(input.content_type).ok()?;
        let language = HeaderValue::from_bytes(input.language).ok()?;
        let mut req = TestRequest::post()
            .uri(path)
            .insert_header((CONTENT_TYPE, content_type))
            .app_data(self.state.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(BODY_LIMIT)
                    .error_handler(errors::json_error),
            )
            .app_data(
                web::FormConfig::default()
                    .limit(BODY_LIMIT)
                    .error_handler(errors::form_error),
            )
            .set_payload(input.body.to_vec());
        if !input.language.is_empty() {
            req = req.insert_header((ACCEPT_LANGUAGE, language));
        }
        Some(req.to_http_parts())
    }
}

/// A fuzz input for a request: `[mode byte] content-type \n accept-language \n body`.
pub struct Input<'a> {
    pub mode: u8,
    pub content_type: &'a [u8],
    pub language: &'a [u8],
    pub body: &'a [u8],
}

impl<'a> Input<'a> {
    pub fn split(data: &'a [u8]) -> Option<Self> {
        let (&mode, rest) = data.split_first()?;
        let (content_type, rest) = line(rest)?;
        let (language, body) = line(rest)?;
        Some(Input {
            mode,
            content_type,
            language,
            body,
        })
    }

    /// The form `split` reads, for writing seeds.
    pub fn join(mode: u8, content_type: &str, language: &str, body: &[u8]) -> Vec<u8> {
        let mut out = vec![mode];
        out.extend_from_slice(content_type.as_bytes());
        out.push(b'\n');
        out.extend_from_slice(language.as_bytes());
        out.push(b'\n');
        out.extend_from_slice(body);
        out
    }
}

fn line(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let end = data.iter().position(|&b| b == b'\n')?;
    Some((&data[..end], &data[end + 1..]))
}

/// Turns a handler's result into the response a client would get (error pages rendered).
pub fn respond<E: actix_web::ResponseError>(
    result: Result<actix_web::HttpResponse, E>,
) -> actix_web::HttpResponse {
    match result {
        Ok(response) => response,
        Err(e) => e.error_response(),
    }
}

/// The response an extractor's refusal becomes.
pub fn refusal(e: actix_web::Error) -> actix_web::HttpResponse {
    e.error_response()
}
