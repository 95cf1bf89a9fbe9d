//! The reporter's side of the JSON API: a new case, then its follow-up with the claim code as
//! bearer token. Same rules and limits as the pages.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::ExposeSecret;
use serde::Serialize;

use super::views::{ChannelOut, ChannelsOut, FollowupOut};
use crate::cases::access::Unlocked;
use crate::cases::intake::Submission;
use crate::cases::text::MessageBody;
use crate::cases::CaseError;
use crate::http::errors::{json_part_problem, ApiError, Problem};
use crate::http::rate_limit::Bucket;
use crate::http::uploads::{self, IntakeFiles, OrMultipart, Texts, ThreadPost};
use crate::http::views::Ui;
use crate::http::AppState;
use crate::i18n::Lang;

/// The channels and their forms; titles and labels in the language of `?lang=` or
/// `Accept-Language`. Options are the values to send, whatever the language.
#[utoipa::path(get, path = "/api/v1/channels", tag = "reporter",
    params(("lang" = Option<String>, Query, description = "The language of titles and labels")),
    responses((status = 200, body = ChannelsOut)))]
pub async fn channels(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let lang = Ui::for_request(&req).lang;
    let mut channels = Vec::new();
    for c in state.cases.channels().all() {
        let officers = state.cases.officers_to_exclude(&c.id).await?;
        let accepting = state.cases.channel_accepts(&c.id).await?;
        channels.push(ChannelOut::new(c, lang, officers, accepting));
    }
    Ok(HttpResponse::Ok().json(ChannelsOut { channels }))
}

/// A multipart submission; also says whether files started to arrive (a refusal after that
/// keeps its place in the rate limit: the bytes were received and sealed).
async fn submit_multipart(
    state: &AppState,
    body: uploads::Body,
    lang: Lang,
) -> (Result<crate::cases::intake::Receipt, Problem>, bool) {
    let mut draft = state.cases.new_intake();
    let mut files = IntakeFiles::new(state, &mut draft, None);
    let read = uploads::read(body, state.settings.limits.json_body_bytes, &mut files).await;
    let started = files.started();
    let texts = match read {
        Ok(texts) => texts,
        Err(r) => return (Err(r.problem), started),
    };
    let result = async {
        let case = uploads::text(&texts, "case").ok_or_else(|| {
            Problem::from(CaseError::invalid(
                "case",
                "send the case as JSON in a part named \"case\"",
            ))
        })?;
        let mut submission: Submission =
            serde_json::from_str(case).map_err(|e| json_part_problem("case", &e))?;
        submission.language = lang;
        Ok(state.cases.submit_with(draft, submission).await?)
    }
    .await;
    (result, started)
}

#[derive(Serialize, utoipa::ToSchema)]
struct Created<'a> {
    claim_code: &'a str,
}

/// A new case: JSON, or `multipart/form-data` with the JSON in a part named `case` followed by
/// parts named `file` (and `clean_metadata=true` before them to clean photos).
#[utoipa::path(post, path = "/api/v1/cases", tag = "reporter",
    request_body(content(
        (crate::cases::intake::Submission = "application/json"),
        (super::openapi::CaseForm = "multipart/form-data"),
    )),
    responses(
        (status = 201, description = "The case is in; keep the claim code", body = Created),
        (status = 404, description = "No such channel", body = super::openapi::ProblemOut),
        (status = 409, description = "The channel takes no cases now", body = super::openapi::ProblemOut),
        (status = 507, description = "No room for the files", body = super::openapi::ProblemOut),
    ))]
pub async fn create_case(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: OrMultipart<super::Object<Submission>>,
) -> Result<HttpResponse, ApiError> {
    let attempt = state
        .limiter
        .attempt(&req, Bucket::CaseCreated)
        .map_err(Problem::rate_limited)?;
    // A customer's mails go out in the language of their request.
    let lang = Ui::for_request(&req).lang;
    let (result, files_started) = match body {
        OrMultipart::Plain(json) => {
            let mut submission = json.into_inner();
            submission.language = lang;
            (
                state.cases.submit(submission).await.map_err(Problem::from),
                false,
            )
        }
        OrMultipart::Multipart(body) => submit_multipart(&state, body, lang).await,
    };
    attempt.keep_if(result.is_ok() || files_started);
    let code = result?.claim_code.grouped();
    Ok(HttpResponse::Created().json(Created {
        claim_code: code.expose_secret(),
    }))
}

/// Unlocks the case named by `Authorization: Bearer <claim code>`. Every attempt is taken from
/// the client's claim-code allowance before the work and given back only if it succeeds.
pub(super) async fn bearer(req: &HttpRequest, state: &AppState) -> Result<Unlocked, ApiError> {
    let attempt = state
        .limiter
        .attempt(req, Bucket::ClaimFailure)
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
    let unlocked = state.cases.unlock(code).await;
    attempt.keep_if(unlocked.is_err());
    Ok(unlocked?)
}

#[utoipa::path(get, path = "/api/v1/followup", tag = "reporter",
    security(("claim_code" = [])),
    responses((status = 200, description = "The case as its submitter sees it", body = FollowupOut)))]
pub async fn followup(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let unlocked = bearer(&req, &state).await?;
    let case = state.cases.view(&unlocked, Lang::En).await?;
    Ok(HttpResponse::Ok().json(FollowupOut::new(&case)))
}

/// `POST /api/v1/followup/identity` `{"name","contact"?}`: the reporter gives their identity,
/// sealed for the identity custodians.
#[utoipa::path(post, path = "/api/v1/followup/identity", tag = "reporter",
    security(("claim_code" = [])),
    request_body = crate::cases::identity::IdentityInput,
    responses(
        (status = 201, description = "Sealed for the identity custodians", body = super::openapi::EmptyOut),
        (status = 403, description = "The channel takes no identity", body = super::openapi::ProblemOut),
        (status = 409, description = "The identity was given already", body = super::openapi::ProblemOut),
    ))]
pub async fn followup_identity(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: super::Object<crate::cases::identity::IdentityInput>,
) -> Result<HttpResponse, ApiError> {
    let unlocked = bearer(&req, &state).await?;
    state
        .cases
        .give_identity(&unlocked, body.into_inner())
        .await?;
    Ok(HttpResponse::Created().json(super::openapi::EmptyOut {}))
}

/// The ids of the files added.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct FilesCreated {
    files: Vec<IdOut>,
}

impl FilesCreated {
    pub(super) fn new(ids: Vec<String>) -> Self {
        FilesCreated {
            files: ids.into_iter().map(|id| IdOut { id }).collect(),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct IdOut {
    pub(super) id: String,
}

/// Files (parts named `file`), with an optional message (`body`), added to the case of the
/// bearer claim code. `clean_metadata=true`, before the files, cleans photos.
#[utoipa::path(post, path = "/api/v1/followup/files", tag = "reporter",
    security(("claim_code" = [])),
    request_body(content = super::openapi::FilesForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = FilesCreated),
        (status = 403, description = "The case takes no more files", body = super::openapi::ProblemOut),
        (status = 409, description = "The case is closed", body = super::openapi::ProblemOut),
        (status = 507, description = "No room for the files", body = super::openapi::ProblemOut),
    ))]
pub async fn followup_files(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: uploads::MultipartBody,
) -> Result<HttpResponse, ApiError> {
    let unlocked = bearer(&req, &state).await?;
    let limit = state.settings.limits.json_body_bytes;
    let open = |_: &Texts| async { Ok(state.cases.submitter_upload(&unlocked).await?) };
    let (message, upload) = ThreadPost::read(body.0, limit, open).await.into_parts()?;
    let ids = state
        .cases
        .add_submitter_post(&unlocked, message, upload)
        .await?;
    Ok(HttpResponse::Created().json(FilesCreated::new(ids)))
}

/// A file of the bearer claim code's case.
#[utoipa::path(get, path = "/api/v1/followup/files/{file_id}", tag = "reporter",
    security(("claim_code" = [])),
    params(("file_id" = String, Path)),
    responses(
        (status = 200, description = "The file (`Content-Disposition: attachment`)", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, body = super::openapi::ProblemOut),
    ))]
pub async fn followup_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let unlocked = bearer(&req, &state).await?;
    let file = state.cases.submitter_download(&unlocked, &path).await?;
    Ok(uploads::download(file))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageIn {
    #[schema(min_length = 1)]
    body: String,
}

#[utoipa::path(post, path = "/api/v1/followup/messages", tag = "reporter",
    security(("claim_code" = [])),
    request_body = MessageIn,
    responses(
        (status = 201, body = super::openapi::EmptyOut),
        (status = 409, description = "The case is closed", body = super::openapi::ProblemOut),
    ))]
pub async fn followup_message(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: super::Object<MessageIn>,
) -> Result<HttpResponse, ApiError> {
    let unlocked = bearer(&req, &state).await?;
    let body = MessageBody::parse(&body.body)?;
    state.cases.add_submitter_message(&unlocked, body).await?;
    Ok(HttpResponse::Created().json(super::openapi::EmptyOut {}))
}

pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError(
        if crate::http::middleware::methods::wrong_method(req.path()) {
            Problem::method_not_allowed()
        } else {
            Problem::not_found()
        },
    ))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingIn {
    #[schema(minimum = 1, maximum = 5)]
    score: i64,
    comment: Option<String>,
}

/// `DELETE /api/v1/followup/contact`: the customer's address leaves the case; no more mail.
#[utoipa::path(delete, path = "/api/v1/followup/contact", tag = "reporter",
    security(("claim_code" = [])),
    responses((status = 204, description = "The address is gone")))]
pub async fn withdraw_contact(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let unlocked = bearer(&req, &state).await?;
    state.cases.withdraw_contact(&unlocked).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/api/v1/followup/rating", tag = "reporter",
    security(("claim_code" = [])),
    request_body = RatingIn,
    responses(
        (status = 201, body = super::openapi::EmptyOut),
        (status = 409, description = "Not closed yet, or rated already", body = super::openapi::ProblemOut),
    ))]
pub async fn followup_rating(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: super::Object<RatingIn>,
) -> Result<HttpResponse, ApiError> {
    let unlocked = bearer(&req, &state).await?;
    let comment = match body.comment.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(MessageBody::parse(text)?),
    };
    state.cases.rate(&unlocked, body.score, comment).await?;
    Ok(HttpResponse::Created().json(super::openapi::EmptyOut {}))
}
