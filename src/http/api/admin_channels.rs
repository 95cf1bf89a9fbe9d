//! Channels edited through the API (admins only): `GET` a channel's `[[channels]]` entry as
//! JSON, `PUT` a new one. Each response carries the version as its `ETag`; a `PUT` with
//! `If-Match` is refused (412) when someone published in between.

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::cases::published::{Definition, Published};
use crate::config::ChannelConfig;
use crate::http::api::officer::officer;
use crate::http::errors::{ApiError, Problem};
use crate::http::AppState;

/// One channel in the list.
#[derive(Serialize, utoipa::ToSchema)]
struct ChannelSummaryOut {
    id: String,
    version: u32,
    /// `file` (sealbox.toml or the built-in channels) or `browser`.
    source: String,
    published_at: String,
    /// It takes new cases.
    active: bool,
}

/// `GET /api/v1/officer/admin/channels`.
#[derive(Serialize, utoipa::ToSchema)]
struct ChannelListOut {
    channels: Vec<ChannelSummaryOut>,
}

fn etag(d: &Definition) -> header::EntityTag {
    header::EntityTag::new_strong(d.version.to_string())
}

fn definition(status: StatusCode, d: Definition) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(header::ETag(etag(&d)))
        .json(d.config)
}

/// Every channel stored, with its current version.
#[utoipa::path(get, path = "/api/v1/officer/admin/channels", tag = "officer", security(("officer_token" = [])),
    responses(
        (status = 200, body = ChannelListOut),
        (status = 403, description = "Admins only", body = super::openapi::ProblemOut),
    ))]
pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let all = state
        .cases
        .channel_definitions(&session.value.officer)
        .await?;
    Ok(HttpResponse::Ok().json(ChannelListOut {
        channels: all
            .into_iter()
            .map(|d| ChannelSummaryOut {
                id: d.config.id.clone(),
                version: d.version,
                source: d.source.clone(),
                published_at: crate::http::views::rfc3339(d.published_at),
                active: d.active,
            })
            .collect(),
    }))
}

/// A channel's current definition, the shape of a `[[channels]]` entry in sealbox.toml.
#[utoipa::path(get, path = "/api/v1/officer/admin/channels/{id}", tag = "officer", security(("officer_token" = [])),
    params(("id" = String, Path, description = "The channel id")),
    responses(
        (status = 200, description = "The `[[channels]]` entry as JSON; its version is the ETag", body = Object),
        (status = 403, description = "Admins only", body = super::openapi::ProblemOut),
        (status = 404, body = super::openapi::ProblemOut),
    ))]
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let d = state
        .cases
        .channel_definition(&session.value.officer, &id)
        .await?;
    Ok(definition(StatusCode::OK, d))
}

/// Publishes a channel: checked like sealbox.toml, stored as its next version (a case keeps
/// the version it came in under), audited, and used from the next request on.
#[utoipa::path(put, path = "/api/v1/officer/admin/channels/{id}", tag = "officer", security(("officer_token" = [])),
    params(("id" = String, Path, description = "The channel id")),
    request_body(content = Object, description = "A `[[channels]]` entry as JSON (`id`, `kind`, `title`, `fields`, …)"),
    responses(
        (status = 200, description = "Published (or the same as before); the new version is the ETag", body = Object),
        (status = 201, description = "A new channel", body = Object),
        (status = 403, description = "Admins only", body = super::openapi::ProblemOut),
        (status = 412, description = "If-Match names a version that is no longer the current one", body = super::openapi::ProblemOut),
        (status = 422, description = "The definition cannot be used: the message names the problem", body = super::openapi::ProblemOut),
    ))]
pub async fn put(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: super::Object<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let by = &session.value.officer;
    // Who may publish is answered before what was sent.
    crate::cases::Cases::require_admin(by)?;
    let config: ChannelConfig = serde_json::from_value(body.into_inner()).map_err(|e| {
        ApiError(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            format!("the JSON is not a [[channels]] entry: {e}"),
        ))
    })?;
    // `If-Match: "N"`: publish only over version N (checked with the publication itself).
    let expected = match req.get_header::<header::IfMatch>() {
        Some(header::IfMatch::Items(tags)) => Some(
            tags.iter()
                .find_map(|t| t.tag().parse::<u32>().ok())
                .unwrap_or(0),
        ),
        _ => None,
    };
    let published = state
        .cases
        .publish_channel(by, &id, config, expected)
        .await?;
    Ok(match published {
        Published::Created(d) => definition(StatusCode::CREATED, d),
        Published::Changed(d) | Published::Unchanged(d) => definition(StatusCode::OK, d),
    })
}
