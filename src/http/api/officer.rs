//! The officer API under `/api/v1/officer`: `POST …/login` gives a bearer token with the same
//! rules as the pages (password, TOTP, rate limit, idle and maximum age).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::SecretString;
use serde::Serialize;

use super::reporter::FilesCreated;
use super::views::{CaseOut, CasesOut};
use crate::cases::casework::Thread;
use crate::cases::casework::{InboxQuery, StatusRequest};
use crate::cases::text::MessageBody;
use crate::cases::CaseError;
use crate::http::errors::{ApiError, Problem};
use crate::http::officer::export::sealed_bundle;
use crate::http::officer::login::{sign_in, SignInFailure};
use crate::http::officer::statistics::{months, Params};
use crate::http::sessions::Session;
use crate::http::uploads::{self, Texts, ThreadPost};
use crate::http::{AppState, OfficerState};

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginIn {
    email: String,
    #[schema(value_type = String, format = Password)]
    password: SecretString,
    totp: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct TokenOut {
    token: String,
}

#[utoipa::path(post, path = "/api/v1/officer/login", tag = "officer",
    request_body = LoginIn,
    responses(
        (status = 200, description = "Signed in: send the token as `Authorization: Bearer`", body = TokenOut),
        (status = 401, description = "Wrong email, password or TOTP code", body = super::openapi::ProblemOut),
    ))]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: super::Object<LoginIn>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    match sign_in(
        &req,
        &state,
        &body.email,
        body.password,
        body.totp.as_deref(),
    )
    .await
    {
        Ok((token, _)) => Ok(HttpResponse::Ok().json(TokenOut { token })),
        Err(SignInFailure::Limited(wait)) => Err(Problem::rate_limited(wait).into()),
        Err(SignInFailure::Refused(e) | SignInFailure::Failed(e)) => Err(e.into()),
    }
}

/// The officer behind `Authorization: Bearer <token>`, their standing read again from the
/// database. Until a required 2FA enrolment is done, only sign-out is open.
pub(super) async fn officer(
    req: &HttpRequest,
    state: &AppState,
) -> Result<Session<OfficerState>, ApiError> {
    let session = signed_in(req, state).await?;
    if session.value.must_enrol {
        return Err(CaseError::Forbidden(
            "two-factor sign-in is required: set it up on your account page first".into(),
        )
        .into());
    }
    Ok(session)
}

async fn signed_in(req: &HttpRequest, state: &AppState) -> Result<Session<OfficerState>, ApiError> {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let unauthorized = || {
        ApiError(Problem::new(
            actix_web::http::StatusCode::UNAUTHORIZED,
            "unauthorized",
            "sign in first: POST /api/v1/officer/login",
        ))
    };
    let mut session = state.officers.get(token).ok_or_else(unauthorized)?;
    match state.cases.refresh(&session.value.officer).await {
        Ok((officer, must_enrol)) => {
            session.value.officer = officer;
            session.value.must_enrol = must_enrol;
            Ok(session)
        }
        Err(CaseError::SignInRejected) => {
            state.officers.end(&session.id);
            Err(unauthorized())
        }
        Err(e) => Err(e.into()),
    }
}

#[utoipa::path(post, path = "/api/v1/officer/logout", tag = "officer", security(("officer_token" = [])),
    responses((status = 204, description = "The token is ended")))]
pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let session = signed_in(&req, &state).await?;
    state.officers.end(&session.id);
    state.cases.sign_out(&session.value.officer).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    status: Option<String>,
    channel: Option<String>,
    overdue: Option<bool>,
    next: Option<String>,
    /// One of the channel's categories.
    category: Option<String>,
    /// `low`, `normal`, `high` or `critical`.
    priority: Option<String>,
    /// Words the cases must contain (fields, messages, notes, records, file names); at most 8.
    q: Option<String>,
}

impl From<ListParams> for InboxQuery {
    fn from(params: ListParams) -> Self {
        InboxQuery {
            channel: params.channel,
            status: params.status,
            overdue: params.overdue.unwrap_or(false),
            after: params.next,
            category: params.category.filter(|c| !c.is_empty()),
            priority: params.priority.filter(|p| !p.is_empty()),
            q: params.q.filter(|q| !q.trim().is_empty()),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/officer/cases", tag = "officer", security(("officer_token" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "One page of the inbox; `next` asks for the one after", body = CasesOut),
        (status = 403, body = super::openapi::ProblemOut),
        (status = 422, description = "An unknown status or channel, or a page marker that is not one", body = super::openapi::ProblemOut),
    ))]
pub async fn cases(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let query = InboxQuery::from(params.into_inner());
    let page = state.cases.inbox(&session.value.officer, query).await?;
    state.cases.warm_search(&session.value.officer);
    Ok(HttpResponse::Ok().json(CasesOut::from(page)))
}

#[utoipa::path(get, path = "/api/v1/officer/cases/{id}", tag = "officer", security(("officer_token" = [])), params(("id" = String, Path, description = "The case id")),
    responses(
        (status = 200, body = CaseOut),
        (status = 403, body = super::openapi::ProblemOut),
        (status = 404, body = super::openapi::ProblemOut),
    ))]
pub async fn case(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let c = state
        .cases
        .open_case(&session.value.officer, &path, crate::i18n::Lang::En)
        .await?;
    let history = state.cases.history(&session.value.officer, &path).await?;
    Ok(HttpResponse::Ok().json(CaseOut::new(&c, &history)))
}

/// Files (parts named `file`) from the officer to a case, with an optional message (`body`):
/// for the submitter, or with `internal=true` (before the files) for officers only, sealed
/// with the staff key. `clean_metadata=true` cleans photos.
#[utoipa::path(post, path = "/api/v1/officer/cases/{id}/files", tag = "officer", security(("officer_token" = [])), params(("id" = String, Path, description = "The case id")),
    request_body(content = super::openapi::FilesForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = super::reporter::FilesCreated),
        (status = 403, body = super::openapi::ProblemOut),
        (status = 404, body = super::openapi::ProblemOut),
        (status = 409, description = "The case is closed", body = super::openapi::ProblemOut),
        (status = 507, description = "No room for the files", body = super::openapi::ProblemOut),
    ))]
pub async fn add_files(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: uploads::MultipartBody,
) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let officer = &session.value.officer;
    let (cases, id) = (&state.cases, path.as_str());
    let open = |texts: &Texts| {
        let thread = thread_of(uploads::ticked(texts, "internal"));
        async move { Ok(cases.officer_upload(officer, id, thread).await?) }
    };
    let limit = state.settings.limits.json_body_bytes;
    let post = ThreadPost::read(body.0, limit, open).await;
    let thread = thread_of(post.ticked("internal"));
    let (message, upload) = post.into_parts()?;
    let ids = cases
        .post_with_files(officer, id, thread, message, upload)
        .await?;
    Ok(HttpResponse::Created().json(FilesCreated::new(ids)))
}

/// Files marked `internal` go with the notes, sealed with the staff key.
fn thread_of(internal: bool) -> Thread {
    if internal {
        Thread::Notes
    } else {
        Thread::Messages
    }
}

/// A file of a case the officer may open, as a download (audit-logged).
#[utoipa::path(get, path = "/api/v1/officer/cases/{id}/files/{file_id}", tag = "officer", security(("officer_token" = [])),
    params(("id" = String, Path, description = "The case id"), ("file_id" = String, Path)),
    responses(
        (status = 200, description = "The file (`Content-Disposition: attachment`)", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 403, body = super::openapi::ProblemOut),
        (status = 404, body = super::openapi::ProblemOut),
    ))]
pub async fn file(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let (case_id, file_id) = path.into_inner();
    let file = state
        .cases
        .officer_download(&session.value.officer, &case_id, &file_id)
        .await?;
    Ok(uploads::download(file))
}

#[utoipa::path(post, path = "/api/v1/officer/cases/{id}/status", tag = "officer", security(("officer_token" = [])), params(("id" = String, Path, description = "The case id")),
    request_body = StatusRequest,
    responses(
        (status = 200, body = StatusOut),
        (status = 403, body = super::openapi::ProblemOut),
        (status = 404, body = super::openapi::ProblemOut),
        (status = 409, description = "Not a move the case can make now", body = super::openapi::ProblemOut),
    ))]
pub async fn status(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: super::Object<StatusRequest>,
) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let status = state
        .cases
        .change_status(&session.value.officer, &path, body.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(StatusOut { status }))
}

/// A case's status after a change.
#[derive(Serialize, utoipa::ToSchema)]
struct StatusOut {
    status: String,
}

/// Who the case is assigned to now (`null`: nobody).
#[derive(Serialize, utoipa::ToSchema)]
struct AssignedOut {
    assigned_to: Option<String>,
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscardIn {
    #[serde(default)]
    reason: String,
}

/// `POST /api/v1/officer/cases/{id}/discard` `{"reason"}`: a junk case leaves the inbox and is
/// purged after the grace period.
#[utoipa::path(post, path = "/api/v1/officer/cases/{id}/discard", tag = "officer", security(("officer_token" = [])), params(("id" = String, Path, description = "The case id")),
    request_body = DiscardIn,
    responses(
        (status = 200, description = "`{\"status\": \"discarded\"}`", body = StatusOut),
        (status = 403, body = super::openapi::ProblemOut),
        (status = 404, body = super::openapi::ProblemOut),
        (status = 409, body = super::openapi::ProblemOut),
    ))]
pub async fn discard(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: super::Object<DiscardIn>,
) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    state
        .cases
        .discard(&session.value.officer, &path, &body.reason)
        .await?;
    Ok(HttpResponse::Ok().json(StatusOut {
        status: "discarded".into(),
    }))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BodyIn {
    #[schema(min_length = 1)]
    body: String,
}

async fn post_to(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: &str,
    body: &str,
    thread: Thread,
) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let body = MessageBody::parse(body)?;
    state
        .cases
        .post(&session.value.officer, id, thread, body)
        .await?;
    Ok(HttpResponse::Created().json(super::openapi::EmptyOut {}))
}

#[utoipa::path(post, path = "/api/v1/officer/cases/{id}/messages", tag = "officer", security(("officer_token" = [])), params(("id" = String, Path, description = "The case id")),
    request_body = BodyIn,
    responses(
        (status = 201, description = "A message to the submitter", body = super::openapi::EmptyOut),
        (status = 403, body = super::openapi::ProblemOut),
        (status = 404, body = super::openapi::ProblemOut),
        (status = 409, description = "The case is closed", body = super::openapi::ProblemOut),
    ))]
pub async fn message(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: super::Object<BodyIn>,
) -> Result<HttpResponse, ApiError> {
    post_to(req, state, &path, &body.body, Thread::Messages).await
}

#[utoipa::path(post, path = "/api/v1/officer/cases/{id}/notes", tag = "officer", security(("officer_token" = [])), params(("id" = String, Path, description = "The case id")),
    request_body = BodyIn,
    responses(
        (status = 201, description = "A note for officers only", body = super::openapi::EmptyOut),
        (status = 403, body = super::openapi::ProblemOut),
        (status = 404, body = super::openapi::ProblemOut),
        (status = 409, description = "The case is closed", body = super::openapi::ProblemOut),
    ))]
pub async fn note(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: super::Object<BodyIn>,
) -> Result<HttpResponse, ApiError> {
    post_to(req, state, &path, &body.body, Thread::Notes).await
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignIn {
    officer_id: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/officer/cases/{id}/assign", tag = "officer", security(("officer_token" = [])), params(("id" = String, Path, description = "The case id")),
    request_body = AssignIn,
    responses(
        (status = 200, body = AssignedOut),
        (status = 403, body = super::openapi::ProblemOut),
        (status = 404, body = super::openapi::ProblemOut),
        (status = 409, body = super::openapi::ProblemOut),
    ))]
pub async fn assign(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: super::Object<AssignIn>,
) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    state
        .cases
        .assign(&session.value.officer, &path, body.officer_id.as_deref())
        .await?;
    Ok(HttpResponse::Ok().json(AssignedOut {
        assigned_to: body.into_inner().officer_id,
    }))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportIn {
    recipient: Option<String>,
}

/// `POST /api/v1/officer/cases/{id}/export` `{"recipient"?}`: the bundle (`application/x-tar`
/// body); without a recipient, sealed to the officer's own key.
#[utoipa::path(post, path = "/api/v1/officer/cases/{id}/export", tag = "officer", security(("officer_token" = [])), params(("id" = String, Path, description = "The case id")),
    request_body = ExportIn,
    responses(
        (status = 200, description = "The case as a tar bundle sealed with age (`Content-Disposition: attachment`)", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 403, body = super::openapi::ProblemOut),
        (status = 404, body = super::openapi::ProblemOut),
    ))]
pub async fn export(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: super::Object<ExportIn>,
) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let file = sealed_bundle(&state, &session, &path, body.recipient.as_deref()).await?;
    Ok(uploads::download(file))
}

/// `GET /api/v1/officer/statistics`: the figures of the statistics page, as JSON.
#[utoipa::path(get, path = "/api/v1/officer/statistics", tag = "officer", security(("officer_token" = [])),
    params(crate::http::officer::statistics::Params),
    responses(
        (status = 200, description = "Counts under 5 are given as \"<5\"", body = crate::cases::statistics::Statistics),
        (status = 403, body = super::openapi::ProblemOut),
    ))]
pub async fn statistics(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: web::Query<Params>,
) -> Result<HttpResponse, ApiError> {
    let session = officer(&req, &state).await?;
    let stats = state
        .cases
        .statistics(&session.value.officer, months(&params))
        .await?;
    Ok(HttpResponse::Ok().json(stats))
}
