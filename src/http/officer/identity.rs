//! Sealed identity disclosure for officers: a handler's request on the case page, and the
//! custodians' page (and API) to approve or deny requests.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};

use super::case::case_page;
use super::views::chrome_with;
use super::{for_change, signed_in};
use crate::cases::CaseError;
use crate::http::errors::{html, PageError};
use crate::http::officer::views::{DisclosuresPage, RequestLine};
use crate::http::AppState;

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
    session: &crate::http::sessions::Session<crate::http::OfficerState>,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    let requests = state
        .cases
        .disclosure_requests(&session.value.officer)
        .await?;
    let chrome = chrome_with(session, notice, error);
    let page = DisclosuresPage {
        requests: requests
            .iter()
            .map(|r| RequestLine::new(&chrome.t, r))
            .collect(),
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
    let decided = state
        .cases
        .decide_disclosure(&session.value.officer, id, approve)
        .await;
    let (status, notice, error) = match decided {
        Ok(()) => {
            let notice = session.value.ui.get(if approve {
                "identity.approved_notice"
            } else {
                "identity.denied_notice"
            });
            (StatusCode::OK, Some(notice.into()), None)
        }
        Err(e @ CaseError::Conflict(_)) => (StatusCode::CONFLICT, None, Some(e.to_string())),
        Err(e) => return Err(e.into()),
    };
    list_page(&state, &session, status, notice, error).await
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
