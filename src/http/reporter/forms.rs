//! The report and complaint forms, and the receipt with the claim code. They work without
//! JavaScript, load nothing from another origin, and set no cookie.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::ExposeSecret;

use super::views::*;
use crate::cases::Channel;
use crate::config::ChannelKind;
use crate::http::errors::{html, PageError, Problem};
use crate::http::form_tokens::Begin;
use crate::http::rate_limit::Bucket;
use crate::http::uploads::{self, IntakeFiles, OrMultipart};
use crate::http::views::*;
use crate::http::AppState;

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
fn pick_channel<'a>(
    state: &'a AppState,
    kind: &ChannelKind,
    requested: Option<&str>,
) -> Result<Option<&'a Channel>, PageError> {
    let missing = || {
        PageError(
            Problem::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "there is no such form on this site",
            )
            .said("no_such_form"),
        )
    };
    if let Some(id) = requested {
        return state
            .cases
            .channels()
            .get(id)
            .filter(|c| &c.kind == kind)
            .map(Some)
            .ok_or_else(missing);
    }
    let mut of_kind = state.cases.channels().of_kind(kind.clone());
    match (of_kind.next(), of_kind.next()) {
        (None, _) => Err(missing()),
        (Some(only), None) => Ok(Some(only)),
        _ => Ok(None),
    }
}

async fn channel_form(
    req: &HttpRequest,
    state: &AppState,
    kind: ChannelKind,
    requested: Option<&str>,
) -> Result<HttpResponse, PageError> {
    let t = Ui::for_request(req);
    let Some(channel) = pick_channel(state, &kind, requested)? else {
        let of_kind = state.cases.channels().of_kind(kind.clone());
        let page = ChannelsPage::new(t, &kind, of_kind, form_path(&kind));
        return Ok(html(&mut HttpResponse::Ok(), page));
    };
    let fresh = FormInput {
        clean_metadata: true,
        ..FormInput::default()
    };
    let page = form_page(t, state, channel, &fresh, None).await?;
    Ok(html(&mut HttpResponse::Ok(), page))
}

/// The form of `channel`, as `input` filled it in, with what was wrong with it.
async fn form_page(
    t: Ui,
    state: &AppState,
    channel: &Channel,
    input: &FormInput,
    error: Option<&Problem>,
) -> Result<FormPage, PageError> {
    let facts = FormFacts {
        accepting: state.cases.channel_accepts(&channel.id).await?,
        officers: state.cases.officers_to_exclude(&channel.id).await?,
        takes_identity: channel.takes_identity && state.cases.accepts_identity().await?,
    };
    Ok(FormPage::new(t, channel, input, error, facts))
}

async fn submit(
    req: &HttpRequest,
    state: &AppState,
    kind: ChannelKind,
    body: OrMultipart<Form>,
) -> Result<HttpResponse, PageError> {
    let t = Ui::for_request(req);
    let client = state.limiter.client(req);
    state
        .limiter
        .take(Bucket::CaseCreated, client)
        .map_err(|s| PageError(Problem::rate_limited(s)))?;
    let mut draft = state.cases.new_intake();
    let mut had_files = false;
    let read = match body {
        OrMultipart::Plain(form) => Ok(form.into_inner()),
        OrMultipart::Multipart(body) => {
            let mut files = IntakeFiles::new(state, &mut draft, Some(kind.clone()));
            let read = uploads::read(body, state.settings.limits.json_body_bytes, &mut files).await;
            had_files = files.started();
            read
        }
    };
    let (pairs, refused) = match read {
        Ok(pairs) => (pairs, None),
        Err(r) => (r.texts, Some(r.problem)),
    };
    let mut input = FormInput::read(pairs);
    input.had_files = had_files;
    let channel = match pick_channel(state, &kind, Some(&input.channel)) {
        Ok(Some(channel)) => channel,
        Ok(None) | Err(_) => {
            if !had_files {
                state.limiter.refund(Bucket::CaseCreated, client);
            }
            return Err(PageError(refused.unwrap_or_else(Problem::not_found)));
        }
    };
    let mut once = None;
    if refused.is_none() {
        match state.form_tokens.begin(&input.form_token).await {
            Begin::Fresh(guard) => once = Some(guard),
            // This very form went in already (a reload, a second click): its receipt again.
            Begin::Sent(code) => {
                if !had_files {
                    state.limiter.refund(Bucket::CaseCreated, client);
                }
                let page = ReceiptPage {
                    noun: noun(&t, &channel.kind),
                    code: code.expose_secret().to_owned(),
                    t,
                };
                return Ok(html(&mut HttpResponse::Ok(), page));
            }
            Begin::Busy => return Err(PageError(Problem::form_pending())),
        }
    }
    let result = match refused {
        Some(problem) => Err(problem),
        None => state
            .cases
            .submit_with(draft, input.submission(t.lang))
            .await
            .map_err(Problem::from),
    };
    // A refusal after files started to arrive keeps its place in the rate limit: the bytes
    // were received and sealed.
    if result.is_err() && !had_files {
        state.limiter.refund(Bucket::CaseCreated, client);
    }
    match result {
        Ok(receipt) => {
            let code = receipt.claim_code.grouped();
            if let Some(guard) = once {
                guard.sent(code.clone());
            }
            let page = ReceiptPage {
                noun: noun(&t, &channel.kind),
                code: code.expose_secret().to_owned(),
                t,
            };
            Ok(html(&mut HttpResponse::Ok(), page))
        }
        // What the submitter can put right: the form again, as filled in, with the message.
        Err(p) if p.status.is_client_error() || p.status == StatusCode::SERVICE_UNAVAILABLE => {
            let page = form_page(t, state, channel, &input, Some(&p)).await?;
            Ok(html(&mut HttpResponse::build(p.status), page))
        }
        Err(p) => Err(PageError(p)),
    }
}
