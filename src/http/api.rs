//! The JSON API under `/api/v1`: same rules and limits as the pages.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::ExposeSecret;
use serde::Serialize;

use super::errors::{ApiError, Problem};
use super::rate_limit::Bucket;
use super::views::rfc3339;
use super::AppState;
use crate::cases::followup::Unlocked;
use crate::cases::intake::{OfficerRef, Submission};
use crate::cases::text::MessageBody;
use crate::cases::CaseError;

#[derive(Serialize)]
struct ChannelsOut {
    channels: Vec<ChannelOut>,
}

#[derive(Serialize)]
struct ChannelOut {
    id: String,
    kind: &'static str,
    title: String,
    description: String,
    fields: Vec<FieldOut>,
    officers: Vec<OfficerRef>,
    takes_contact: bool,
}

#[derive(Serialize)]
struct FieldOut {
    id: String,
    label: String,
    #[serde(rename = "type")]
    kind: &'static str,
    required: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    options: Vec<String>,
    max_length: usize,
}

pub async fn channels(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut out = Vec::new();
    for c in state.cases.channels().all() {
        out.push(ChannelOut {
            id: c.id.clone(),
            kind: c.kind.as_str(),
            title: c.title.clone(),
            description: c.description.clone(),
            fields: c
                .fields
                .iter()
                .map(|f| FieldOut {
                    id: f.id.clone(),
                    label: f.label.clone(),
                    kind: f.kind.as_str(),
                    required: f.required,
                    options: f.options.clone(),
                    max_length: f.max_length,
                })
                .collect(),
            officers: state.cases.excludable_officers(&c.id).await?,
            takes_contact: c.takes_contact(),
        });
    }
    Ok(HttpResponse::Ok().json(ChannelsOut { channels: out }))
}

pub async fn create_case(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Submission>,
) -> Result<HttpResponse, ApiError> {
    let client = state.limiter.client(&req);
    state
        .limiter
        .check(Bucket::CaseCreated, client)
        .map_err(Problem::rate_limited)?;
    let receipt = state.cases.submit(body.into_inner()).await?;
    state.limiter.hit(Bucket::CaseCreated, client);
    Ok(HttpResponse::Created().json(serde_json::json!({
        "claim_code": receipt.claim_code.grouped().expose_secret(),
    })))
}

/// Unlocks the case named by `Authorization: Bearer <claim code>`, counting failures against
/// the client's claim-code limit.
async fn bearer(req: &HttpRequest, state: &AppState) -> Result<Unlocked, ApiError> {
    let client = state.limiter.client(req);
    state
        .limiter
        .check(Bucket::ClaimFailure, client)
        .map_err(Problem::rate_limited)?;
    let code = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .unwrap_or("");
    match state.cases.unlock(code).await {
        Err(CaseError::ClaimRejected) => {
            state.limiter.hit(Bucket::ClaimFailure, client);
            Err(Problem::claim_rejected().into())
        }
        other => Ok(other?),
    }
}

#[derive(Serialize)]
struct FollowupOut {
    number: i64,
    channel: String,
    status: String,
    outcome: Option<String>,
    received_at: String,
    fields: std::collections::BTreeMap<String, serde_json::Value>,
    contact: Option<serde_json::Value>,
    messages: Vec<MessageOut>,
}

#[derive(Serialize)]
struct MessageOut {
    author: String,
    body: String,
    at: String,
}

pub async fn followup(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let unlocked = bearer(&req, &state).await?;
    let case = state.cases.view(&unlocked).await?;
    Ok(HttpResponse::Ok().json(FollowupOut {
        number: case.number,
        channel: case.channel,
        status: case.status,
        outcome: case.outcome,
        received_at: rfc3339(case.received_at),
        fields: case.fields,
        contact: case
            .contact_email
            .map(|email| serde_json::json!({ "email": email })),
        messages: case
            .messages
            .into_iter()
            .map(|m| MessageOut {
                author: m.author,
                body: m.body,
                at: rfc3339(m.at),
            })
            .collect(),
    }))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageIn {
    body: String,
}

pub async fn followup_message(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<MessageIn>,
) -> Result<HttpResponse, ApiError> {
    let unlocked = bearer(&req, &state).await?;
    let body = MessageBody::parse(&body.body)?;
    state.cases.add_submitter_message(&unlocked, body).await?;
    Ok(HttpResponse::Created().json(serde_json::json!({})))
}

pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError(Problem::not_found()))
}
