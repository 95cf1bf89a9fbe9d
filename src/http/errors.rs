//! The one place errors become HTTP responses: JSON `{"error","message"}` for the API (in
//! English), the same message in HTML for pages, in the page's language where the message has
//! a translation.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use super::views::Ui;
use crate::cases::{CaseError, Reason};

/// A problem's message as a key of the translation files and its values, for pages.
#[derive(Debug, Clone)]
pub struct Said {
    pub key: String,
    pub args: Vec<(&'static str, String)>,
    /// Followed by "nothing was stored" (a refused upload).
    pub nothing_stored: bool,
}

impl Said {
    fn new(key: &str) -> Option<Box<Self>> {
        Some(Box::new(Said {
            key: key.to_owned(),
            args: Vec::new(),
            nothing_stored: false,
        }))
    }

    fn reason(reason: Option<Reason>) -> Option<Box<Self>> {
        reason.map(|r| {
            Box::new(Said {
                key: format!("invalid.{}", r.key),
                args: r.args,
                nothing_stored: false,
            })
        })
    }
}

/// An error as the client will see it.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    pub retry_after: Option<u64>,
    /// Pages answer with a redirect here instead (e.g. to the sign-in page).
    pub location: Option<&'static str>,
    /// The message in words every language can give; `None`: pages show `message` as it is.
    pub said: Option<Box<Said>>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Problem {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after: None,
            location: None,
            said: None,
        }
    }

    /// The same problem, with a translation of its message (a key under `problem.`).
    pub fn said(self, key: &str) -> Self {
        Problem {
            said: Said::new(&format!("problem.{key}")),
            ..self
        }
    }

    fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        if let Some(said) = &mut self.said {
            said.args.push((name, value.to_string()));
        }
        self
    }

    /// For pages: go to `location` instead (a signed-out officer is sent to sign in).
    pub fn redirect(location: &'static str) -> Self {
        Problem {
            location: Some(location),
            ..Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", "sign in first")
        }
    }

    pub fn too_large(limit: usize) -> Self {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the request body is larger than the limit of {limit} bytes"),
        )
        .said("too_large")
        .with("limit", limit)
    }

    pub fn rate_limited(retry_after: u64) -> Self {
        Problem {
            retry_after: Some(retry_after),
            ..Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!(
                    "too many attempts from your connection: try again in {retry_after} seconds"
                ),
            )
            .said("rate_limited")
            .with("seconds", retry_after)
        }
    }

    /// The bounded argon2id queue is full (or the wait for it ran out): nothing was done.
    pub fn busy(retry_after: u64) -> Self {
        Problem {
            retry_after: Some(retry_after),
            ..Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                format!(
                    "the server is busy right now and did nothing with this request: \
                     try again in {retry_after} seconds"
                ),
            )
            .said("busy")
            .with("seconds", retry_after)
        }
    }

    /// A form whose CSRF token does not match its session.
    pub fn csrf() -> Self {
        Problem::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "this form has expired; go back, reload the page and send it again",
        )
        .said("csrf")
    }

    pub fn claim_rejected() -> Self {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            CaseError::ClaimRejected.to_string(),
        )
        .said("claim_rejected")
    }

    /// The disk is full, read-only or failing: the request was fine, nothing was stored.
    pub fn storage() -> Self {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage_unavailable",
            "the server cannot store anything right now (its disk may be full or read-only); \
             nothing you sent was stored, please try again later",
        )
        .said("storage")
    }

    /// The same request is being handled already and takes long: try again in a moment.
    pub fn form_pending() -> Self {
        let mut p = Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "form_pending",
            "this form is still being sent; wait a moment and reload the page",
        )
        .said("form_pending");
        p.retry_after = Some(10);
        p
    }

    /// A known path asked with a method it does not take (`Allow` is added on the way out).
    pub fn method_not_allowed() -> Self {
        Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "this address does not take this method",
        )
        .said("method_not_allowed")
    }

    /// A request body that had not arrived whole by its deadline (`[limits] body_timeout_s`).
    pub fn body_timeout() -> Self {
        Problem::new(
            StatusCode::REQUEST_TIMEOUT,
            "body_timeout",
            "what you sent did not arrive in time, so it was cut off; nothing was stored, \
             please send it again",
        )
        .said("body_timeout")
    }

    /// Storing this would leave the disk below its free-space reserve (`[limits]
    /// min_free_bytes`).
    pub fn insufficient_storage() -> Self {
        Problem::new(
            StatusCode::INSUFFICIENT_STORAGE,
            "insufficient_storage",
            "the server is running out of storage space, so it cannot take this now; \
             nothing you sent was stored, please try again later",
        )
        .said("insufficient_storage")
    }

    pub fn not_found() -> Self {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "there is nothing at this address",
        )
        .said("not_found")
    }
}

impl From<CaseError> for Problem {
    fn from(e: CaseError) -> Self {
        match e {
            CaseError::Invalid {
                field,
                message,
                reason,
            } => Problem {
                field: Some(field),
                said: Said::reason(reason),
                ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", message)
            },
            CaseError::ClaimRejected => Problem::claim_rejected(),
            e @ CaseError::SignInRejected => {
                Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", e.to_string())
                    .said("sign_in_rejected")
            }
            e @ CaseError::TotpRequired => {
                Problem::new(StatusCode::UNAUTHORIZED, "totp_required", e.to_string())
                    .said("totp_required")
            }
            e @ CaseError::TotpRejected => {
                Problem::new(StatusCode::UNAUTHORIZED, "totp_rejected", e.to_string())
                    .said("totp_rejected")
            }
            e @ CaseError::TotpLocked {
                minutes,
                retry_after,
            } => Problem {
                retry_after: Some(retry_after),
                ..Problem::new(StatusCode::TOO_MANY_REQUESTS, "locked", e.to_string())
                    .said("totp_locked")
                    .with("minutes", minutes)
            },
            CaseError::Busy { retry_after } => Problem::busy(retry_after),
            CaseError::Forbidden(m) => Problem::new(StatusCode::FORBIDDEN, "forbidden", m),
            CaseError::InvalidTransition(m) => Problem::new(StatusCode::CONFLICT, "conflict", m),
            CaseError::Conflict(m) => Problem::new(StatusCode::CONFLICT, "conflict", m),
            CaseError::Stale(m) => Problem::new(StatusCode::PRECONDITION_FAILED, "changed", m),
            CaseError::NotFound(m) => Problem::new(StatusCode::NOT_FOUND, "not_found", m),
            CaseError::Unavailable(m) => {
                Problem::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", m)
            }
            CaseError::TooLarge { message, reason } => Problem {
                said: Said::reason(reason).map(|mut s| {
                    s.nothing_stored = true;
                    s
                }),
                ..Problem::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    format!("{message}; nothing was stored"),
                )
            },
            CaseError::InsufficientStorage => {
                tracing::warn!("refused: the data directory's disk is down to its reserve");
                Problem::insufficient_storage()
            }
            CaseError::Store(e) if e.is_storage_fault() => {
                tracing::error!(error = %e, "nothing stored: the data directory refused the write");
                Problem::storage()
            }
            other => {
                tracing::error!(error = ?other, "request failed");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "something went wrong on our side; nothing you sent was stored, please try again",
                )
                .said("internal")
            }
        }
    }
}

/// An error answered as JSON (the API).
#[derive(Debug)]
pub struct ApiError(pub Problem);

impl<E: Into<Problem>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status
    }

    fn error_response(&self) -> HttpResponse {
        let p = &self.0;
        let mut body = serde_json::json!({ "error": p.code, "message": p.message });
        if let Some(field) = &p.field {
            body["field"] = field.clone().into();
        }
        let mut res = HttpResponse::build(p.status);
        decorate(&mut res, p);
        if p.status == StatusCode::UNAUTHORIZED {
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        res.json(body)
    }
}

/// An error answered as an HTML page.
#[derive(Debug)]
pub struct PageError(pub Problem);

impl<E: Into<Problem>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.message)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: &'a Ui,
    heading: &'static str,
    message: String,
}

/// The same, inside the officer area: its frame, navigation and language.
#[derive(Template)]
#[template(path = "officer_error.html")]
struct OfficerErrorPage {
    chrome: super::officer::views::Chrome,
    heading: &'static str,
    message: String,
}

impl PageError {
    /// The error page, in the language of `ui`.
    pub fn render(&self, ui: &Ui) -> HttpResponse {
        let p = &self.0;
        if let Some(location) = p.location {
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, location))
                .finish();
        }
        let mut res = HttpResponse::build(p.status);
        decorate(&mut res, p);
        html(
            &mut res,
            ErrorPage {
                t: ui,
                heading: ui.get(heading_key(p.status)),
                message: ui.problem(p),
            },
        )
    }

    /// The error page inside the officer area, in `chrome`'s frame and language.
    fn render_for_officer(&self, chrome: super::officer::views::Chrome) -> HttpResponse {
        let p = &self.0;
        let mut res = HttpResponse::build(p.status);
        decorate(&mut res, p);
        let (heading, message) = (chrome.t.get(heading_key(p.status)), chrome.t.problem(p));
        html(
            &mut res,
            OfficerErrorPage {
                chrome,
                heading,
                message,
            },
        )
    }
}

/// The heading of an error page, as a translation key.
fn heading_key(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "error_page.not_found",
        StatusCode::FORBIDDEN => "error_page.forbidden",
        StatusCode::CONFLICT => "error_page.conflict",
        StatusCode::TOO_MANY_REQUESTS => "error_page.too_many",
        StatusCode::PAYLOAD_TOO_LARGE => "error_page.too_large",
        StatusCode::SERVICE_UNAVAILABLE => "error_page.unavailable",
        s if s.is_server_error() => "error_page.server",
        _ => "error_page.other",
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.0.status
    }

    /// In English; [`localize`] answers in the page's language.
    fn error_response(&self) -> HttpResponse {
        self.render(&Ui::default())
    }
}

/// Error pages in the reader's language: a handler's or extractor's `PageError` is drawn
/// again for the language its request asks for (`?lang=`, an officer's choice, or
/// `Accept-Language`).
pub async fn localize(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let res = next.call(req).await?;
    let error = res
        .response()
        .error()
        .and_then(|e| e.as_error::<PageError>())
        .filter(|e| e.0.location.is_none());
    let Some(error) = error else {
        return Ok(res.map_into_left_body());
    };
    let req = res.request();
    let page = if req.path().starts_with("/officer") {
        error.render_for_officer(officer_chrome(req))
    } else {
        error.render(&Ui::for_any(req))
    };
    Ok(res.into_response(page).map_into_right_body())
}

/// The officer frame for an error page: the signed-in officer's, or a signed-out one.
fn officer_chrome(req: &actix_web::HttpRequest) -> super::officer::views::Chrome {
    let session = req
        .app_data::<actix_web::web::Data<super::AppState>>()
        .and_then(|s| s.officers.from_request(req));
    // The session keeps no language between requests: this request's, as every page does.
    let t = Ui::for_any(req);
    match session {
        Some(session) => super::officer::views::Chrome {
            t,
            ..super::officer::views::chrome(&session)
        },
        None => super::officer::views::Chrome {
            t,
            ..Default::default()
        },
    }
}

fn decorate(res: &mut actix_web::HttpResponseBuilder, p: &Problem) {
    if let Some(s) = p.retry_after {
        res.insert_header((header::RETRY_AFTER, s.to_string()));
    }
}

/// Renders a template into the response; a template that fails to render is a 500, logged.
pub fn html(res: &mut actix_web::HttpResponseBuilder, page: impl Template) -> HttpResponse {
    match page.render() {
        Ok(body) => res.content_type("text/html; charset=utf-8").body(body),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body("something went wrong on our side")
        }
    }
}

/// JSON bodies: too large → 413; not JSON → 400 or 415; JSON of the wrong shape → 422.
pub fn json_error(
    err: actix_web::error::JsonPayloadError,
    req: &actix_web::HttpRequest,
) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    let limit = limit_of(req);
    let problem = match &err {
        E::Overflow { .. } | E::OverflowKnownLength { .. } => Problem::too_large(limit),
        E::Payload(e) if super::body_deadline::timed_out(e) => Problem::body_timeout(),
        E::ContentType => Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as application/json",
        ),
        E::Deserialize(e) if e.is_data() => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            format!("the JSON does not have the expected shape: {e}"),
        ),
        E::Deserialize(e) => Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed",
            format!("the body is not valid JSON: {e}"),
        ),
        other => Problem::new(StatusCode::BAD_REQUEST, "malformed", other.to_string()),
    };
    ApiError(problem).into()
}

/// JSON inside a multipart part: not JSON → 400, the wrong shape → 422.
pub fn json_part_problem(part: &str, e: &serde_json::Error) -> Problem {
    if e.is_data() {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            format!("the {part} part does not have the expected shape: {e}"),
        )
    } else {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed",
            format!("the {part} part is not valid JSON: {e}"),
        )
    }
}

/// Form bodies: too large → 413; anything unreadable → 400; shown as a page.
pub fn form_error(
    err: actix_web::error::UrlencodedError,
    req: &actix_web::HttpRequest,
) -> actix_web::Error {
    use actix_web::error::UrlencodedError as E;
    let problem = match &err {
        E::Overflow { .. } => Problem::too_large(limit_of(req)),
        E::Payload(e) if super::body_deadline::timed_out(e) => Problem::body_timeout(),
        E::ContentType => Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the form as application/x-www-form-urlencoded",
        ),
        _ => Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed",
            "the form could not be read; please go back and send it again",
        )
        .said("malformed_form"),
    };
    PageError(problem).into()
}

fn limit_of(req: &actix_web::HttpRequest) -> usize {
    req.app_data::<actix_web::web::Data<super::AppState>>()
        .map_or(0, |s| s.settings.limits.json_body_bytes)
}

/// Query strings that cannot be read → 400: as JSON under `/api/`, as a page elsewhere.
pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    req: &actix_web::HttpRequest,
) -> actix_web::Error {
    let problem = Problem::new(
        StatusCode::BAD_REQUEST,
        "malformed",
        format!("the address could not be read: {err}"),
    );
    if req.path().starts_with("/api/") {
        ApiError(problem).into()
    } else {
        PageError(problem).into()
    }
}
