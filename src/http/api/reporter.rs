//! The reporter's side of the JSON API: a new case, then its follow-up with the claim code as
//! bearer token. Same rules and limits as the pages.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::ExposeSecret;
use serde::Serialize;

use crate::cases::access::Unlocked;
use crate::cases::files::FileView;
use crate::cases::intake::{OfficerRef, Submission};
use crate::cases::text::MessageBody;
use crate::cases::CaseError;
use crate::http::errors::{json_part_problem, ApiError, Problem};
use crate::http::rate_limit::Bucket;
use crate::http::uploads::{self, IntakeFiles, OrMultipart, Texts, ThreadPost};
use crate::http::views::{rfc3339, Ui};
use crate::http::AppState;
use crate::i18n::Lang;

#[derive(Serialize)]
struct ChannelsOut {
    channels: Vec<ChannelOut>,
}

#[derive(Serialize)]
struct ChannelOut {
    id: String,
    kind: &'static str,
    title: String,
    description: String,
    fields: Vec<FieldOut>,
    officers: Vec<OfficerRef>,
    takes_contact: bool,
    /// False while nobody could read a case of this channel (no officer, no recovery key).
    accepting: bool,
}

#[derive(Serialize)]
struct FieldOut {
    id: String,
    label: String,
    #[serde(rename = "type")]
    kind: &'static str,
    required: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    options: Vec<String>,
    max_length: usize,
}

/// The channels and their forms; titles and labels in the language of `?lang=` or
/// `Accept-Language`. Options are the values to send, whatever the language.
pub async fn channels(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let lang = Ui::for_request(&req).lang;
    let mut out = Vec::new();
    for c in state.cases.channels().all() {
        let officers = state.cases.officers_to_exclude(&c.id).await?;
        out.push(ChannelOut {
            id: c.id.clone(),
            kind: c.kind.as_str(),
            title: c.title.get(lang).to_owned(),
            description: c.description.get(lang).to_owned(),
            fields: c
                .fields
                .iter()
                .map(|f| FieldOut {
                    id: f.id.clone(),
                    label: f.label.get(lang).to_owned(),
                    kind: f.kind.as_str(),
                    required: f.required,
                    options: f.options.iter().map(|o| o.canonical().to_owned()).collect(),
                    max_length: f.max_length,
                })
                .collect(),
            accepting: state.cases.channel_accepts(&c.id).await?,
            officers,
            takes_contact: c.takes_contact(),
        });
    }
    Ok(HttpResponse::Ok().json(ChannelsOut { channels: out }))
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

#[derive(Serialize)]
struct Created<'a> {
    claim_code: &'a str,
}

/// A new case: JSON, or `multipart/form-data` with the JSON in a part named `case` followed by
/// parts named `file` (and `clean_metadata=true` before them to clean photos).
pub async fn create_case(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: OrMultipart<web::Json<Submission>>,
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
async fn bearer(req: &HttpRequest, state: &AppState) -> Result<Unlocked, ApiError> {
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

#[derive(Serialize)]
struct FollowupOut<'a> {
    number: i64,
    channel: &'a str,
    status: &'a str,
    outcome: Option<&'a str>,
    /// The day (UTC midnight, RFC 3339), as kept in clear.
    received_at: String,
    /// The exact time, from the sealed submission (absent in cases from before it was sealed).
    #[serde(skip_serializing_if = "Option::is_none")]
    received_at_exact: Option<String>,
    fields: &'a std::collections::BTreeMap<String, serde_json::Value>,
    contact: Option<ContactOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    satisfaction: Option<i64>,
    messages: Vec<MessageOut<'a>>,
    files: Vec<FileOut<'a>>,
    /// `null` when the channel takes no identity.
    identity: Option<IdentityOut>,
}

#[derive(Serialize)]
struct IdentityOut {
    given_at: Option<String>,
    disclosed: Vec<DisclosedOut>,
}

#[derive(Serialize)]
struct DisclosedOut {
    at: String,
    to: &'static str,
}

/// A file of a case as the API lists it, with where to download it.
#[derive(Serialize)]
pub struct FileOut<'a> {
    pub id: &'a str,
    pub name: &'a str,
    #[serde(rename = "type")]
    pub media_type: &'a str,
    pub size: u64,
    pub cleaned: bool,
    pub author: &'a str,
    /// The day it was sent (UTC midnight), as kept in clear.
    pub at: String,
    /// The exact time, from its sealed facts, when they hold one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_exact: Option<String>,
    pub url: String,
    /// Officers only: sealed with the staff key, and who sent it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub officer: Option<Option<&'a str>>,
}

impl<'a> FileOut<'a> {
    pub fn new(f: &'a FileView, url: String) -> Self {
        FileOut {
            id: &f.id,
            name: &f.name,
            media_type: &f.media_type,
            size: f.size,
            cleaned: f.cleaned,
            author: &f.author,
            at: rfc3339(f.at),
            at_exact: f.exact_at.map(rfc3339),
            url,
            internal: None,
            officer: None,
        }
    }

    /// With what only officers see.
    pub fn for_officers(f: &'a FileView, url: String) -> Self {
        FileOut {
            internal: Some(f.internal),
            officer: Some(f.officer.as_deref()),
            ..FileOut::new(f, url)
        }
    }
}

#[derive(Serialize)]
struct ContactOut<'a> {
    email: &'a str,
}

#[derive(Serialize)]
struct MessageOut<'a> {
    author: &'a str,
    body: &'a str,
    /// The day it was written (UTC midnight), as kept in clear.
    at: String,
    /// The exact time sealed with it, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    at_exact: Option<String>,
}

pub async fn followup(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let unlocked = bearer(&req, &state).await?;
    let case = state.cases.view(&unlocked, Lang::En).await?;
    Ok(HttpResponse::Ok().json(FollowupOut {
        number: case.number,
        channel: &case.channel,
        status: &case.status,
        outcome: case.outcome.as_deref(),
        received_at: rfc3339(case.received_at),
        received_at_exact: case.received_exact.map(rfc3339),
        fields: &case.fields,
        contact: case
            .contact_email
            .as_deref()
            .map(|email| ContactOut { email }),
        summary: case.summary.as_deref(),
        satisfaction: case.satisfaction,
        messages: case
            .messages
            .iter()
            .map(|m| MessageOut {
                author: &m.author,
                body: &m.body,
                at: rfc3339(m.at),
                at_exact: m.exact_at.map(rfc3339),
            })
            .collect(),
        files: case
            .files
            .iter()
            .map(|f| FileOut::new(f, format!("/api/v1/followup/files/{}", f.id)))
            .collect(),
        identity: case.identity.as_ref().map(|i| IdentityOut {
            given_at: i.given_at.map(rfc3339),
            disclosed: i
                .disclosed
                .iter()
                .map(|d| DisclosedOut {
                    at: rfc3339(d.at),
                    to: d.to,
                })
                .collect(),
        }),
    }))
}

/// `POST /api/v1/followup/identity` `{"name","contact"?}`: the reporter gives their identity,
/// sealed for the identity custodians.
pub async fn followup_identity(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<crate::cases::identity::IdentityInput>,
) -> Result<HttpResponse, ApiError> {
    let unlocked = bearer(&req, &state).await?;
    state
        .cases
        .give_identity(&unlocked, body.into_inner())
        .await?;
    Ok(HttpResponse::Created().json(serde_json::json!({})))
}

#[derive(Serialize)]
struct FilesCreated {
    files: Vec<IdOut>,
}

#[derive(Serialize)]
struct IdOut {
    id: String,
}

/// Files (parts named `file`), with an optional message (`body`), added to the case of the
/// bearer claim code. `clean_metadata=true`, before the files, cleans photos.
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
    Ok(HttpResponse::Created().json(FilesCreated {
        files: ids.into_iter().map(|id| IdOut { id }).collect(),
    }))
}

/// A file of the bearer claim code's case.
pub async fn followup_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let unlocked = bearer(&req, &state).await?;
    let file = state.cases.submitter_download(&unlocked, &path).await?;
    Ok(uploads::download(file))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageIn {
    body: String,
}

pub async fn followup_message(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<MessageIn>,
) -> Result<HttpResponse, ApiError> {
    let unlocked = bearer(&req, &state).await?;
    let body = MessageBody::parse(&body.body)?;
    state.cases.add_submitter_message(&unlocked, body).await?;
    Ok(HttpResponse::Created().json(serde_json::json!({})))
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

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingIn {
    score: i64,
    comment: Option<String>,
}

/// `DELETE /api/v1/followup/contact`: the customer's address leaves the case; no more mail.
pub async fn withdraw_contact(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let unlocked = bearer(&req, &state).await?;
    state.cases.withdraw_contact(&unlocked).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn followup_rating(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<RatingIn>,
) -> Result<HttpResponse, ApiError> {
    let unlocked = bearer(&req, &state).await?;
    let comment = match body.comment.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(MessageBody::parse(text)?),
    };
    state.cases.rate(&unlocked, body.score, comment).await?;
    Ok(HttpResponse::Created().json(serde_json::json!({})))
}
