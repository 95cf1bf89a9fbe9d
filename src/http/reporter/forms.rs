//! The report and complaint forms, and the receipt with the claim code. They work without
//! JavaScript, load nothing from another origin, and set no cookie.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::SecretString;

use super::views::*;
use crate::cases::intake::IntakeDraft;
use crate::cases::Channel;
use crate::config::ChannelKind;
use crate::http::errors::{html, PageError, Problem};
use crate::http::form_tokens::Begin;
use crate::http::rate_limit::Bucket;
use crate::http::uploads::{self, IntakeFiles, OrMultipart};
use crate::http::views::*;
use crate::http::AppState;
use crate::i18n::Lang;

type Form = web::Form<Vec<(String, String)>>;

pub async fn index(req: HttpRequest) -> HttpResponse {
    html(
        &mut HttpResponse::Ok(),
        IndexPage {
            t: Ui::for_request(&req),
        },
    )
}

#[derive(serde::Deserialize)]
pub struct ChannelQuery {
    channel: Option<String>,
}

pub async fn report_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ChannelQuery>,
) -> Result<HttpResponse, PageError> {
    channel_form(
        &req,
        &state,
        ChannelKind::Whistleblowing,
        query.channel.as_deref(),
    )
    .await
}

pub async fn complaint_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ChannelQuery>,
) -> Result<HttpResponse, PageError> {
    channel_form(
        &req,
        &state,
        ChannelKind::Complaint,
        query.channel.as_deref(),
    )
    .await
}

pub async fn report_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: OrMultipart<Form>,
) -> Result<HttpResponse, PageError> {
    submit(&req, &state, ChannelKind::Whistleblowing, body).await
}

pub async fn complaint_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: OrMultipart<Form>,
) -> Result<HttpResponse, PageError> {
    submit(&req, &state, ChannelKind::Complaint, body).await
}

/// The channel a page is about: the one asked for, or the only one of its kind. `Ok(None)`
/// when there are several to choose from.
fn pick_channel(
    state: &AppState,
    kind: &ChannelKind,
    requested: Option<&str>,
) -> Result<Option<Channel>, PageError> {
    let channels = state.cases.channels();
    if let Some(id) = requested {
        return channels
            .get(id)
            .filter(|c| &c.kind == kind)
            .map(|c| Some(c.clone()))
            .ok_or_else(no_such_form);
    }
    let mut of_kind = channels.of_kind(kind.clone());
    match (of_kind.next(), of_kind.next()) {
        (None, _) => Err(no_such_form()),
        (Some(only), None) => Ok(Some(only.clone())),
        _ => Ok(None),
    }
}

fn no_such_form() -> PageError {
    PageError(
        Problem::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "there is no such form on this site",
        )
        .said("no_such_form"),
    )
}

async fn channel_form(
    req: &HttpRequest,
    state: &AppState,
    kind: ChannelKind,
    requested: Option<&str>,
) -> Result<HttpResponse, PageError> {
    let t = Ui::for_request(req);
    let Some(channel) = pick_channel(state, &kind, requested)? else {
        let channels = state.cases.channels();
        let page = ChannelsPage::new(t, &kind, channels.of_kind(kind.clone()), form_path(&kind));
        return Ok(html(&mut HttpResponse::Ok(), page));
    };
    let fresh = FormInput {
        clean_metadata: true,
        ..FormInput::default()
    };
    let first = if channel.is_stepped() { 1 } else { 0 };
    let page = form_page(t, state, &channel, &fresh, None, first).await?;
    Ok(html(&mut HttpResponse::Ok(), page))
}

/// The form of `channel`, as `input` filled it in, with what was wrong with it: on one page
/// (`page` 0), or one page of a step-by-step form.
async fn form_page(
    t: Ui,
    state: &AppState,
    channel: &Channel,
    input: &FormInput,
    error: Option<&Problem>,
    page: u32,
) -> Result<FormPage, PageError> {
    let facts = FormFacts {
        accepting: state.cases.channel_accepts(&channel.id).await?,
        officers: state.cases.officers_to_exclude(&channel.id).await?,
        takes_identity: channel.takes_identity && state.cases.accepts_identity().await?,
    };
    Ok(FormPage::at_page(t, channel, input, error, facts, page))
}

/// The page of a step-by-step form that asks the question a problem names: its step's, or
/// the review for a files question; `None` when it names no question.
fn question_page(channel: &Channel, problem: &Problem) -> Option<u32> {
    let id = problem.field.as_deref()?.strip_prefix("fields.")?;
    let field = channel.fields.iter().find(|f| f.id == id)?;
    Some(match field.kind {
        crate::config::FieldKind::Files => channel.pages() + 1,
        _ => field.page_in(channel),
    })
}

/// A move between the pages of a step-by-step form: forward once this page's answers are
/// right (checked here, on the server), back or to a page at once. Nothing is stored: the
/// answers travel in the form.
async fn step(
    t: Ui,
    state: &AppState,
    channel: &Channel,
    input: &FormInput,
    refused: Option<Problem>,
) -> Result<HttpResponse, PageError> {
    let steps = channel.steps();
    let review = channel.pages() + 1;
    let from = input.page.clamp(1, review);
    let (to, problem) = match (refused, input.go.as_str()) {
        (Some(p), _) => (from, Some(p)),
        (None, "back") => (from.saturating_sub(1).max(1), None),
        (None, go) if go.starts_with("page-") => {
            (go[5..].parse().unwrap_or(1).clamp(1, review), None)
        }
        (None, _) => {
            let step = steps[(from as usize - 1).min(steps.len() - 1)];
            let answers = channel.without_unasked(&input.answers());
            match channel.validate_through(&answers, step) {
                Ok(_) => ((from + 1).min(review), None),
                Err(e) => {
                    let p = Problem::from(e);
                    // A problem with no question of its own is shown where it was found.
                    (question_page(channel, &p).unwrap_or(from), Some(p))
                }
            }
        }
    };
    let page = form_page(t, state, channel, input, problem.as_ref(), to).await?;
    let status = problem.as_ref().map_or(StatusCode::OK, |p| p.status);
    Ok(html(&mut HttpResponse::build(status), page))
}

/// A report or complaint sent from its form. The attempt is taken from the client's
/// allowance of new cases first and given back when no case was made, unless files had
/// started to arrive (the bytes were received and sealed).
async fn submit(
    req: &HttpRequest,
    state: &AppState,
    kind: ChannelKind,
    body: OrMultipart<Form>,
) -> Result<HttpResponse, PageError> {
    let t = Ui::for_request(req);
    let attempt = state
        .limiter
        .attempt(req, Bucket::CaseCreated)
        .map_err(|s| PageError(Problem::rate_limited(s)))?;
    let mut draft = state.cases.new_intake();
    let (mut input, refused) = read_form(state, &kind, &mut draft, body).await;
    let Ok(Some(channel)) = pick_channel(state, &kind, Some(&input.channel)) else {
        attempt.keep_if(input.had_files);
        return Err(PageError(refused.unwrap_or_else(Problem::not_found)));
    };
    if channel.is_stepped() {
        if input.go != "send" {
            attempt.keep_if(input.had_files);
            return step(t, state, &channel, &input, refused).await;
        }
        // Answers to questions the other answers leave unasked stayed in the form while the
        // reporter went back and forth; they are not sent.
        let unasked = channel.unasked(&input.answers());
        input.fields.retain(|id, _| !unasked.contains(id));
    }
    let sent = send_once(state, &input, refused, draft, t.lang).await;
    attempt.keep_if(sent.counts() || input.had_files);
    answer(t, state, &channel, &input, sent).await
}

/// The receipt; or the form again, as filled in, with what the submitter can put right.
async fn answer(
    t: Ui,
    state: &AppState,
    channel: &Channel,
    input: &FormInput,
    sent: Sent,
) -> Result<HttpResponse, PageError> {
    match sent {
        Sent::Made(code) | Sent::Again(code) => {
            let page = ReceiptPage::new(t, &channel.kind, code);
            Ok(html(&mut HttpResponse::Ok(), page))
        }
        Sent::Busy => Err(PageError(Problem::form_pending())),
        Sent::Refused(p)
            if p.status.is_client_error() || p.status == StatusCode::SERVICE_UNAVAILABLE =>
        {
            // On a step-by-step form, the page of the question it names, else the review.
            let page = match channel.is_stepped() {
                true => question_page(channel, &p).unwrap_or(channel.pages() + 1),
                false => 0,
            };
            let page = form_page(t, state, channel, input, Some(&p), page).await?;
            Ok(html(&mut HttpResponse::build(p.status), page))
        }
        Sent::Refused(p) => Err(PageError(p)),
    }
}

/// The form's fields as sent, and why its body was refused part way (its files then not kept).
async fn read_form(
    state: &AppState,
    kind: &ChannelKind,
    draft: &mut IntakeDraft,
    body: OrMultipart<Form>,
) -> (FormInput, Option<Problem>) {
    let (read, had_files) = match body {
        OrMultipart::Plain(form) => (Ok(form.into_inner()), false),
        OrMultipart::Multipart(body) => {
            let limit = state.settings.limits.json_body_bytes;
            let mut files = IntakeFiles::new(state, draft, Some(kind.clone()));
            let read = uploads::read(body, limit, &mut files).await;
            (read, files.started())
        }
    };
    let (pairs, refused) = match read {
        Ok(pairs) => (pairs, None),
        Err(r) => (r.texts, Some(r.problem)),
    };
    let mut input = FormInput::read(pairs);
    input.had_files = had_files;
    (input, refused)
}

/// How a form's post went.
enum Sent {
    /// A case was made: its claim code.
    Made(SecretString),
    /// This very form went in already (a reload, a second click): its claim code again.
    Again(SecretString),
    /// Its first post is still being handled.
    Busy,
    Refused(Problem),
}

impl Sent {
    /// Whether the post keeps its place in the client's allowance of new cases.
    fn counts(&self) -> bool {
        matches!(self, Sent::Made(_) | Sent::Busy)
    }
}

/// Makes the case, once per form: a form token seen before gives its claim code again.
async fn send_once(
    state: &AppState,
    input: &FormInput,
    refused: Option<Problem>,
    draft: IntakeDraft,
    lang: Lang,
) -> Sent {
    if let Some(problem) = refused {
        return Sent::Refused(problem);
    }
    let once = match state.form_tokens.begin(&input.form_token).await {
        Begin::Fresh(guard) => guard,
        Begin::Sent(code) => return Sent::Again(code),
        Begin::Busy => return Sent::Busy,
    };
    match state.cases.submit_with(draft, input.submission(lang)).await {
        Ok(receipt) => {
            let code = receipt.claim_code.grouped();
            once.sent(code.clone());
            Sent::Made(code)
        }
        Err(e) => Sent::Refused(e.into()),
    }
}
