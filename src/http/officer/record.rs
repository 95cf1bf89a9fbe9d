//! Taking a report down for someone who called, came by or wrote a letter: the channel's form,
//! filled in by an officer (with a recording the reporter agreed to), then a slip with the
//! claim code to read out or hand over, shown once.

use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::ExposeSecret;

use super::views::*;
use super::{signed_in, OfficerSession};
use crate::cases::intake::RecordedReport;
use crate::cases::records::Source;
use crate::cases::CaseError;
use crate::http::errors::{html, PageError, Problem};
use crate::http::form_tokens::Begin;
use crate::http::reporter::views::{FormFacts, FormInput, FormPage};
use crate::http::uploads::{self, IntakeFiles, OrMultipart};
use crate::http::AppState;

#[derive(serde::Deserialize)]
pub struct RecordQuery {
    channel: Option<String>,
}

pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<RecordQuery>,
) -> Result<HttpResponse, PageError> {
    let session = signed_in(&req, &state, false).await?;
    let chosen = query.channel.as_deref();
    let page = record_page(&state, &session, chosen, &FormInput::default(), None, "").await?;
    Ok(html(&mut HttpResponse::Ok(), page))
}

/// The page: the channels to choose from and, once one is chosen, its form as `input` filled
/// it in, with what was wrong (`error`).
async fn record_page(
    state: &AppState,
    session: &OfficerSession,
    chosen: Option<&str>,
    input: &FormInput,
    error: Option<&Problem>,
    source: &str,
) -> Result<RecordPage, PageError> {
    let t = session.value.ui.clone();
    let channels = state
        .cases
        .channels()
        .all()
        .iter()
        .map(|c| {
            let selected = Some(c.id.as_str()) == chosen;
            (c.id.clone(), c.title.get(t.lang).to_owned(), selected)
        })
        .collect();
    let all = state.cases.channels();
    let form = match chosen.and_then(|id| all.get(id)) {
        Some(channel) => {
            let facts = FormFacts {
                accepting: true,
                officers: state.cases.officers_to_exclude(&channel.id).await?,
                takes_identity: channel.takes_identity && state.cases.accepts_identity().await?,
            };
            Some(FormPage::new(t, channel, input, error, facts))
        }
        None => None,
    };
    Ok(RecordPage::new(chrome(session), channels, form, source))
}

/// The form sent: the case is sealed and the slip shown, or the form again with what to fix.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: OrMultipart<web::Form<Vec<(String, String)>>>,
) -> Result<HttpResponse, PageError> {
    let session = signed_in(&req, &state, false).await?;
    let officer = &session.value.officer;
    let mut draft = state.cases.new_recorded_intake(officer);
    let (read, had_files) = match body {
        OrMultipart::Plain(form) => (Ok(form.into_inner()), false),
        OrMultipart::Multipart(body) => {
            let limit = state.settings.limits.json_body_bytes;
            let mut files = IntakeFiles::on_officer_form(&state, &mut draft);
            let read = uploads::read(body, limit, &mut files).await;
            (read, files.started())
        }
    };
    let (pairs, refused) = match read {
        Ok(pairs) => (pairs, None),
        Err(r) => (r.texts, Some(r.problem)),
    };
    let text = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str())
            .to_owned()
    };
    if !session.csrf_ok(&text("csrf")) {
        return Err(PageError(super::csrf_expired()));
    }
    let (source, consent) = (text("source"), !text("recording_consent").is_empty());
    let mut input = FormInput::read(pairs);
    input.had_files = had_files;
    let result = match refused {
        Some(problem) => Err(problem),
        None => take_down(&state, &session, draft, &input, &source, consent).await,
    };
    match result {
        Ok(code) => {
            let followup = format!("{}/followup", state.settings.base_url());
            let page = SlipPage::new(chrome(&session), code, followup);
            Ok(html(&mut HttpResponse::Created(), page))
        }
        Err(p) if p.status.is_client_error() => {
            let chosen = Some(input.channel.as_str());
            let page = record_page(&state, &session, chosen, &input, Some(&p), &source).await?;
            Ok(html(&mut HttpResponse::build(p.status), page))
        }
        Err(p) => Err(PageError(p)),
    }
}

/// Seals the report; the claim code, grouped for reading out.
async fn take_down(
    state: &AppState,
    session: &OfficerSession,
    draft: crate::cases::intake::IntakeDraft,
    input: &FormInput,
    source: &str,
    recording_consent: bool,
) -> Result<String, Problem> {
    let source = Source::from_word(source)
        .filter(|s| *s != Source::Web)
        .ok_or_else(|| CaseError::invalid("source", "choose phone, meeting or letter"))?;
    let submission = input.submission(session.value.ui.lang);
    let report = RecordedReport {
        channel: submission.channel,
        fields: submission.fields,
        source,
        exclude_officers: submission.exclude_officers,
        contact: submission.contact,
        identity: submission.identity,
        recording_consent,
        language: submission.language,
    };
    // A reload of the sent form shows the same slip again rather than making a second case.
    let once = match state.form_tokens.begin(&input.form_token).await {
        Begin::Fresh(guard) => guard,
        Begin::Sent(code) => return Ok(code.expose_secret().to_owned()),
        Begin::Busy => return Err(Problem::form_pending()),
    };
    let officer = &session.value.officer;
    let receipt = state.cases.record_report(officer, draft, report).await?;
    let code = receipt.claim_code.grouped();
    once.sent(code.clone());
    Ok(code.expose_secret().to_owned())
}
