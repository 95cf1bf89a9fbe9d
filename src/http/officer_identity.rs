//! Sealed identity disclosure for officers: a handler's request on the case page, and the
//! custodians' page (and API) to approve or deny requests.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};

use super::errors::{html, ApiError, PageError};
use super::officer_api::officer;
use super::officer_pages::{case_page, chrome, for_change, signed_in};
use super::officer_views::{DisclosuresPage, IdentityPanel, RequestLine};
use super::views::{rfc3339, Ui};
use super::AppState;
use crate::cases::identity::{OfficerIdentity, RequestView};
use crate::cases::CaseError;

fn line(t: &Ui, r: &RequestView) -> RequestLine {
    let state = t.get(&format!("identity.{}", r.state));
    let decision = match r.decided_at {
        Some(at) => t.lang.fill(
            "identity.decided",
            &[
                ("state", &state),
                ("who", &r.decided_by.as_deref().unwrap_or("—")),
                ("date", &t.date_time(at)),
            ],
        ),
        None => t.get("identity.waiting").into(),
    };
    RequestLine {
        id: r.id.clone(),
        case_id: r.case_id.clone(),
        number: r.number,
        requester: r.requester.clone(),
        reason: r
            .reason
            .clone()
            .unwrap_or_else(|| t.get("identity.sealed_reason").into()),
        requested: t.date_time(r.requested_at),
        state: r.state.clone(),
        decision,
        decidable: r.decidable,
    }
}

/// The identity section of the case page.
pub fn panel(t: &Ui, identity: &OfficerIdentity) -> IdentityPanel {
    IdentityPanel {
        given: identity.given_at.map(|at| t.when(at, identity.given_exact)),
        name: identity.name.clone(),
        contact: identity.contact.clone(),
        may_request: identity.may_request,
        requests: identity.requests.iter().map(|r| line(t, r)).collect(),
    }
}

fn request_json(r: &RequestView) -> serde_json::Value {
    serde_json::json!({
        "id": r.id,
        "case_id": r.case_id,
        "number": r.number,
        "requester": r.requester,
        "reason": r.reason,
        "requested_at": rfc3339(r.requested_at),
        "state": r.state,
        "decided_by": r.decided_by,
        "decided_at": r.decided_at.map(rfc3339),
    })
}

/// The `identity` of the officer API's case: the identity only for a holder of its key.
pub fn identity_json(identity: &OfficerIdentity) -> serde_json::Value {
    serde_json::json!({
        "given_at": identity.given_at.map(rfc3339),
        "name": identity.name,
        "contact": identity.contact,
        "may_request": identity.may_request,
        "requests": identity.requests.iter().map(request_json).collect::<Vec<_>>(),
    })
}

#[derive(serde::Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// `POST /officer/cases/{id}/disclosure`: a handler asks for the reporter's identity.
pub async fn request(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<RequestForm>,
) -> Result<HttpResponse, PageError> {
    let session = for_change(&req, &state, &form.csrf, false).await?;
    let result = state
        .cases
        .request_disclosure(&session.value.officer, &path, &form.reason)
        .await;
    match result {
        Ok(_) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/officer/cases/{path}")))
            .finish()),
        Err(e @ (CaseError::Invalid { .. } | CaseError::Conflict(_))) => {
            let status = match e {
                CaseError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::CONFLICT,
            };
            case_page(&state, &session, &path, status, Some(e.to_string())).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn list_page(
    state: &AppState,
    session: &super::sessions::Session<super::OfficerState>,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    let requests = state
        .cases
        .disclosure_requests(&session.value.officer)
        .await?;
    let mut chrome = chrome(session);
    chrome.notice = notice;
    chrome.error = error;
    let page = DisclosuresPage {
        requests: requests.iter().map(|r| line(&chrome.t, r)).collect(),
        chrome,
    };
    Ok(html(&mut HttpResponse::build(status), page))
}

/// `GET /officer/disclosures`: requests waiting for a custodian, and the latest decisions.
pub async fn page(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let session = signed_in(&req, &state, false).await?;
    list_page(&state, &session, StatusCode::OK, None, None).await
}

#[derive(serde::Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    csrf: String,
}

async fn decide_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: &str,
    csrf: &str,
    approve: bool,
) -> Result<HttpResponse, PageError> {
    let session = for_change(&req, &state, csrf, false).await?;
    match state
        .cases
        .decide_disclosure(&session.value.officer, id, approve)
        .await
    {
        Ok(()) => {
            let notice = session.value.ui.get(if approve {
                "identity.approved_notice"
            } else {
                "identity.denied_notice"
            });
            list_page(&state, &session, StatusCode::OK, Some(notice.into()), None).await
        }
        Err(e @ CaseError::Conflict(_)) => {
            list_page(
                &state,
                &session,
                StatusCode::CONFLICT,
                None,
                Some(e.to_string()),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /officer/disclosures/{id}/approve`
pub async fn approve(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<DecideForm>,
) -> Result<HttpResponse, PageError> {
    decide_page(req, state, &path, &form.csrf, true).await
}

/// `POST /officer/disclosures/{id}/deny`
pub async fn deny(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<DecideForm>,
) -> Result<HttpResponse, PageError> {
    decide_page(req, state, &path, &form.csrf, false).await
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestIn {
    reason: String,
}

/// `POST /api/v1/officer/cases/{id}/disclosure` `{"reason"}` → `201 {"id"}`
pub async fn api_request(
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
pub async fn api_list(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let requests = state
        .cases
        .disclosure_requests(&session.value.officer)
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "disclosures": requests.iter().map(request_json).collect::<Vec<_>>(),
    })))
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
pub async fn api_decide(
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
