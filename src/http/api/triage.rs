//! Triage, links between cases and canned replies in the officer API.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use super::officer::officer;
use crate::cases::triage::{Priority, Reply, TriageRequest};
use crate::http::errors::ApiError;
use crate::http::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct TriageOut {
    category: Option<String>,
    priority: Priority,
}

/// `POST /api/v1/officer/cases/{id}/triage`: a category of the channel (empty: none) and a
/// priority; what is left out stays.
#[utoipa::path(post, path = "/api/v1/officer/cases/{id}/triage", tag = "officer", security(("officer_token" = [])),
    params(("id" = String, Path, description = "The case id")),
    request_body = TriageRequest,
    responses(
        (status = 200, body = TriageOut),
        (status = 403, body = super::openapi::ProblemOut),
        (status = 404, body = super::openapi::ProblemOut),
    ))]
pub async fn triage(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: super::Object<TriageRequest>,
) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let request = body.into_inner();
    let (category, priority) = state
        .cases
        .triage(&session.value.officer, &path, request)
        .await?;
    Ok(HttpResponse::Ok().json(TriageOut { category, priority }))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkIn {
    /// The other case: its id or number.
    case: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct LinkedOut {
    number: i64,
}

/// `POST /api/v1/officer/cases/{id}/links`: relates two cases the officer can both open.
#[utoipa::path(post, path = "/api/v1/officer/cases/{id}/links", tag = "officer", security(("officer_token" = [])),
    params(("id" = String, Path, description = "The case id")),
    request_body = LinkIn,
    responses(
        (status = 201, body = LinkedOut),
        (status = 403, body = super::openapi::ProblemOut),
        (status = 404, body = super::openapi::ProblemOut),
        (status = 409, description = "Linked already", body = super::openapi::ProblemOut),
    ))]
pub async fn link(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: super::Object<LinkIn>,
) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let number = state
        .cases
        .link(&session.value.officer, &path, &body.case)
        .await?;
    Ok(HttpResponse::Created().json(LinkedOut { number }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct RepliesOut {
    replies: Vec<Reply>,
}

/// `GET /api/v1/officer/replies`: the canned replies, in the officer's language.
#[utoipa::path(get, path = "/api/v1/officer/replies", tag = "officer", security(("officer_token" = [])),
    params(("lang" = Option<String>, Query, description = "The language of the texts (default: the officer's)")),
    responses((status = 200, body = RepliesOut)))]
pub async fn replies(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let lang = crate::http::views::Ui::for_officer(&req, session.value.officer.language).lang;
    Ok(HttpResponse::Ok().json(RepliesOut {
        replies: state.cases.replies(lang),
    }))
}
