//! Sealed identity disclosure in the officer API: a handler's request, and the custodians'
//! list and decisions.

use actix_web::{web, HttpRequest, HttpResponse};

use super::officer::officer;
use super::views::DisclosuresOut;
use crate::http::errors::ApiError;
use crate::http::AppState;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestIn {
    reason: String,
}

/// `POST /api/v1/officer/cases/{id}/disclosure` `{"reason"}` → `201 {"id"}`
pub async fn request(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<RequestIn>,
) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let id = state
        .cases
        .request_disclosure(&session.value.officer, &path, &body.reason)
        .await?;
    Ok(HttpResponse::Created().json(serde_json::json!({ "id": id })))
}

/// `GET /api/v1/officer/disclosures` (custodians) → `{"disclosures":[…]}`
pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let requests = state
        .cases
        .disclosure_requests(&session.value.officer)
        .await?;
    Ok(HttpResponse::Ok().json(DisclosuresOut::new(&requests)))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Deny,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    decision: Decision,
}

/// `POST /api/v1/officer/disclosures/{id}` `{"decision": "approve"|"deny"}`
pub async fn decide(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<DecisionIn>,
) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let approve = matches!(body.decision, Decision::Approve);
    state
        .cases
        .decide_disclosure(&session.value.officer, &path, approve)
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "state": if approve { "approved" } else { "denied" },
    })))
}
