//! Sealed identity disclosure in the officer API: a handler's request, and the custodians'
//! list and decisions.

use actix_web::{web, HttpRequest, HttpResponse};

use super::officer::officer;
use super::views::DisclosuresOut;
use crate::http::errors::ApiError;
use crate::http::AppState;

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestIn {
    reason: String,
}

/// `POST /api/v1/officer/cases/{id}/disclosure` `{"reason"}` → `201 {"id"}`
#[utoipa::path(post, path = "/api/v1/officer/cases/{id}/disclosure", tag = "officer", security(("officer_token" = [])), params(("id" = String, Path, description = "The case id")),
    request_body = RequestIn,
    responses(
        (status = 201, description = "The request, for the custodians to decide", body = super::reporter::IdOut),
        (status = 403, body = super::openapi::ProblemOut),
        (status = 404, body = super::openapi::ProblemOut),
        (status = 409, description = "Requested already, or no identity to disclose", body = super::openapi::ProblemOut),
    ))]
pub async fn request(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: super::Object<RequestIn>,
) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let id = state
        .cases
        .request_disclosure(&session.value.officer, &path, &body.reason)
        .await?;
    Ok(HttpResponse::Created().json(super::reporter::IdOut { id }))
}

/// `GET /api/v1/officer/disclosures` (custodians) → `{"disclosures":[…]}`
#[utoipa::path(get, path = "/api/v1/officer/disclosures", tag = "officer", security(("officer_token" = [])),
    responses(
        (status = 200, body = DisclosuresOut),
        (status = 403, description = "Custodians only", body = super::openapi::ProblemOut),
    ))]
pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let requests = state
        .cases
        .disclosure_requests(&session.value.officer)
        .await?;
    Ok(HttpResponse::Ok().json(DisclosuresOut::new(&requests)))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Deny,
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    decision: Decision,
}

/// A request's state after a decision.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct StateOut {
    state: Decided,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decided {
    Approved,
    Denied,
}

/// `POST /api/v1/officer/disclosures/{id}` `{"decision": "approve"|"deny"}`
#[utoipa::path(post, path = "/api/v1/officer/disclosures/{id}", tag = "officer", security(("officer_token" = [])),
    params(("id" = String, Path, description = "The request id")),
    request_body = DecisionIn,
    responses(
        (status = 200, body = StateOut),
        (status = 403, description = "Custodians only", body = super::openapi::ProblemOut),
        (status = 404, body = super::openapi::ProblemOut),
        (status = 409, description = "Decided already", body = super::openapi::ProblemOut),
    ))]
pub async fn decide(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: super::Object<DecisionIn>,
) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let approve = matches!(body.decision, Decision::Approve);
    state
        .cases
        .decide_disclosure(&session.value.officer, &path, approve)
        .await?;
    Ok(HttpResponse::Ok().json(StateOut {
        state: if approve {
            Decided::Approved
        } else {
            Decided::Denied
        },
    }))
}
