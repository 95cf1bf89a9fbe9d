//! Officer administration in the API (admins only): adding an officer and resetting one both
//! answer with a one-time enrolment link; nobody but its holder ever sets the password.

use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::ExposeSecret;
use serde::Serialize;

use crate::cases::officers::OfficerProfile;
use crate::http::api::officer::officer;
use crate::http::errors::ApiError;
use crate::http::AppState;

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOfficerIn {
    email: String,
    name: String,
    /// Channel ids; absent: every channel.
    channels: Option<Vec<String>>,
    #[serde(default)]
    admin: bool,
    #[serde(default)]
    custodian: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
struct AddedOut {
    id: String,
    enrol_url: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct LinkOut {
    enrol_url: String,
}

/// `POST /api/v1/officer/admin/officers` → `201 {"id","enrol_url"}`.
#[utoipa::path(post, path = "/api/v1/officer/admin/officers", tag = "officer", security(("officer_token" = [])),
    request_body = NewOfficerIn,
    responses(
        (status = 201, description = "Added; the one-time link is for the new officer", body = AddedOut),
        (status = 403, description = "Admins only", body = super::openapi::ProblemOut),
        (status = 409, description = "The address is taken", body = super::openapi::ProblemOut),
    ))]
pub async fn add(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: super::Object<NewOfficerIn>,
) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let body = body.into_inner();
    let (added, link) = state
        .cases
        .invite_officer(
            &session.value.officer,
            OfficerProfile {
                email: body.email,
                name: body.name,
                admin: body.admin,
                custodian: body.custodian,
                channels: body.channels,
            },
        )
        .await?;
    Ok(HttpResponse::Created().json(AddedOut {
        id: added.id,
        enrol_url: link.url.expose_secret().to_owned(),
    }))
}

/// `POST /api/v1/officer/admin/officers/{id}/reset` → `{"enrol_url"}`. The call is the
/// confirmation: it is refused (409, with a count) while the officer's key is the last way
/// to open a case.
#[utoipa::path(post, path = "/api/v1/officer/admin/officers/{id}/reset", tag = "officer", security(("officer_token" = [])),
    params(("id" = String, Path, description = "The officer id")),
    responses(
        (status = 200, body = LinkOut),
        (status = 403, description = "Admins only", body = super::openapi::ProblemOut),
        (status = 404, body = super::openapi::ProblemOut),
        (status = 409, description = "The officer's key is the last way to open some cases", body = super::openapi::ProblemOut),
    ))]
pub async fn reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let id = path.into_inner();
    let link = state
        .cases
        .reset_officer(&session.value.officer, &id)
        .await?;
    state.officers.end_where(|s| s.officer.id == id);
    Ok(HttpResponse::Ok().json(LinkOut {
        enrol_url: link.url.expose_secret().to_owned(),
    }))
}
