//! Oral reports in the JSON API: a report an officer takes down, records (minutes,
//! transcripts) and their versions, and the reporter's side: approving, asking for
//! corrections, asking to talk.

use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::ExposeSecret;
use serde::Serialize;

use super::officer::officer;
use super::reporter::bearer;
use crate::cases::intake::RecordedReport;
use crate::cases::records::{MeetingRequest, NewRecord};
use crate::cases::text::MessageBody;
use crate::http::errors::ApiError;
use crate::http::views::Ui;
use crate::http::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct RecordedOut<'a> {
    id: &'a str,
    number: i64,
    /// Shown once, to read out or hand over; never stored.
    claim_code: &'a str,
}

/// `POST /api/v1/officer/cases`: a report taken down for a reporter (by phone, in a meeting,
/// from a letter), sealed like one from the web.
#[utoipa::path(post, path = "/api/v1/officer/cases", tag = "officer", security(("officer_token" = [])),
    request_body = RecordedReport,
    responses(
        (status = 201, description = "The case, and its claim code to hand over", body = RecordedOut),
        (status = 403, description = "Not an officer of this channel", body = super::openapi::ProblemOut),
    ))]
pub async fn record_case(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: super::Object<RecordedReport>,
) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let officer = &session.value.officer;
    let mut report = body.into_inner();
    report.language = Ui::for_request(&req).lang;
    let draft = state.cases.new_recorded_intake(officer);
    let receipt = state.cases.record_report(officer, draft, report).await?;
    let code = receipt.claim_code.grouped();
    Ok(HttpResponse::Created().json(RecordedOut {
        id: &receipt.case_id,
        number: receipt.number,
        claim_code: code.expose_secret(),
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct RecordWritten {
    id: String,
    version: i64,
}

/// `POST /api/v1/officer/cases/{id}/records`: minutes or a transcript, for the reporter to
/// approve.
#[utoipa::path(post, path = "/api/v1/officer/cases/{id}/records", tag = "officer", security(("officer_token" = [])),
    params(("id" = String, Path, description = "The case id")),
    request_body = NewRecord,
    responses(
        (status = 201, body = RecordWritten),
        (status = 403, body = super::openapi::ProblemOut),
        (status = 404, body = super::openapi::ProblemOut),
    ))]
pub async fn write_record(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: super::Object<NewRecord>,
) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let id = state
        .cases
        .write_record(&session.value.officer, &path, body.kind, &body.body)
        .await?;
    Ok(HttpResponse::Created().json(RecordWritten { id, version: 1 }))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionIn {
    #[schema(min_length = 1)]
    body: String,
}

/// `POST /api/v1/officer/cases/{id}/records/{record_id}`: a new version, after the reporter's
/// corrections; `409` once approved.
#[utoipa::path(post, path = "/api/v1/officer/cases/{id}/records/{record_id}", tag = "officer", security(("officer_token" = [])),
    params(("id" = String, Path, description = "The case id"), ("record_id" = String, Path, description = "The record id")),
    request_body = VersionIn,
    responses(
        (status = 201, body = RecordWritten),
        (status = 403, body = super::openapi::ProblemOut),
        (status = 404, body = super::openapi::ProblemOut),
        (status = 409, description = "The record was approved", body = super::openapi::ProblemOut),
    ))]
pub async fn revise_record(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: super::Object<VersionIn>,
) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let (case_id, record_id) = path.into_inner();
    let version = state
        .cases
        .revise_record(&session.value.officer, &case_id, &record_id, &body.body)
        .await?;
    Ok(HttpResponse::Created().json(RecordWritten {
        id: record_id,
        version,
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct ApprovedOut {
    /// SHA-256 (hex) of the approved text, UTF-8.
    approved_sha256: String,
}

/// `POST /api/v1/followup/records/{id}/approve`: the reporter approves the latest version.
#[utoipa::path(post, path = "/api/v1/followup/records/{id}/approve", tag = "reporter",
    security(("claim_code" = [])),
    params(("id" = String, Path, description = "The record id")),
    responses(
        (status = 200, body = ApprovedOut),
        (status = 404, body = super::openapi::ProblemOut),
        (status = 409, description = "Approved already", body = super::openapi::ProblemOut),
    ))]
pub async fn approve(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let unlocked = bearer(&req, &state).await?;
    let approved_sha256 = state.cases.approve_record(&unlocked, &path).await?;
    Ok(HttpResponse::Ok().json(ApprovedOut { approved_sha256 }))
}

/// `POST /api/v1/followup/records/{id}/comment`: the reporter asks for corrections.
#[utoipa::path(post, path = "/api/v1/followup/records/{id}/comment", tag = "reporter",
    security(("claim_code" = [])),
    params(("id" = String, Path, description = "The record id")),
    request_body = VersionIn,
    responses(
        (status = 201, body = super::openapi::EmptyOut),
        (status = 404, body = super::openapi::ProblemOut),
        (status = 409, description = "Approved already", body = super::openapi::ProblemOut),
    ))]
pub async fn comment(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: super::Object<VersionIn>,
) -> Result<HttpResponse, ApiError> {
    let unlocked = bearer(&req, &state).await?;
    let body = MessageBody::parse(&body.body)?;
    state.cases.comment_record(&unlocked, &path, body).await?;
    Ok(HttpResponse::Created().json(super::openapi::EmptyOut {}))
}

/// `POST /api/v1/followup/meeting`: the reporter asks for a call or a meeting.
#[utoipa::path(post, path = "/api/v1/followup/meeting", tag = "reporter",
    security(("claim_code" = [])),
    request_body = MeetingRequest,
    responses(
        (status = 201, body = super::openapi::EmptyOut),
        (status = 409, description = "The case is closed", body = super::openapi::ProblemOut),
    ))]
pub async fn meeting(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: super::Object<MeetingRequest>,
) -> Result<HttpResponse, ApiError> {
    let unlocked = bearer(&req, &state).await?;
    state
        .cases
        .request_meeting(&unlocked, body.kind, &body.availability)
        .await?;
    Ok(HttpResponse::Created().json(super::openapi::EmptyOut {}))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotifyIn {
    /// Where to hear that an officer wrote; sealed to the case key.
    email: String,
}

/// `POST /api/v1/followup/notify`: a content-free mail when an officer writes to the reporter.
#[utoipa::path(post, path = "/api/v1/followup/notify", tag = "reporter",
    security(("claim_code" = [])),
    request_body = NotifyIn,
    responses((status = 201, body = super::openapi::EmptyOut)))]
pub async fn notify(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: super::Object<NotifyIn>,
) -> Result<HttpResponse, ApiError> {
    let unlocked = bearer(&req, &state).await?;
    let lang = Ui::for_request(&req).lang;
    state
        .cases
        .ask_for_news(&unlocked, &body.email, lang)
        .await?;
    Ok(HttpResponse::Created().json(super::openapi::EmptyOut {}))
}

/// `DELETE /api/v1/followup/notify`: no more news mail; the address is gone.
#[utoipa::path(delete, path = "/api/v1/followup/notify", tag = "reporter",
    security(("claim_code" = [])),
    responses((status = 204, description = "The address is gone")))]
pub async fn stop_notify(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let unlocked = bearer(&req, &state).await?;
    state.cases.stop_news(&unlocked).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /api/v1/followup/checkin`: the reporter answers the retaliation check-in asked now.
#[utoipa::path(post, path = "/api/v1/followup/checkin", tag = "reporter",
    security(("claim_code" = [])),
    request_body = crate::cases::checkins::CheckinAnswer,
    responses(
        (status = 201, body = super::openapi::EmptyOut),
        (status = 409, description = "No check-in is asked now", body = super::openapi::ProblemOut),
    ))]
pub async fn checkin(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: super::Object<crate::cases::checkins::CheckinAnswer>,
) -> Result<HttpResponse, ApiError> {
    let unlocked = bearer(&req, &state).await?;
    state.cases.check_in(&unlocked, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(super::openapi::EmptyOut {}))
}
