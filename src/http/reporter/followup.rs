//! The follow-up pages: sign-in with the claim code, the case as the submitter sees it, and
//! what they can do there (write, send files, rate, withdraw their address, give their
//! identity). The claim-code sign-in sets the one cookie a submitter ever gets.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::ExposeSecret;

use super::views::*;
use crate::cases::access::Unlocked;
use crate::cases::checkins::{CheckinAnswer, Retaliation};
use crate::cases::identity::IdentityInput;
use crate::cases::records::MeetingKind;
use crate::cases::text::MessageBody;
use crate::cases::CaseError;
use crate::http::errors::{html, PageError, Problem};
use crate::http::rate_limit::Bucket;
use crate::http::sessions::Session;
use crate::http::uploads::{self, OrMultipart, PostForm, ThreadPost};
use crate::http::views::*;
use crate::http::AppState;

fn session(req: &HttpRequest, state: &AppState) -> Option<Session<Unlocked>> {
    state.followups.from_request(req)
}

pub async fn followup(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let t = Ui::for_request(&req);
    match session(&req, &state) {
        Some(s) => case_page(t, &state, &s, StatusCode::OK, None, String::new()).await,
        None => Ok(html(
            &mut HttpResponse::Ok(),
            FollowupLoginPage { t, error: None },
        )),
    }
}

async fn case_page(
    t: Ui,
    state: &AppState,
    session: &Session<Unlocked>,
    status: StatusCode,
    error: Option<String>,
    draft: String,
) -> Result<HttpResponse, PageError> {
    let page = followup_page(t, state, session, error, draft).await?;
    Ok(html(&mut HttpResponse::build(status), page))
}

/// The submitter's case page; `error` and the `draft` kept when a post was refused.
async fn followup_page(
    t: Ui,
    state: &AppState,
    session: &Session<Unlocked>,
    error: Option<String>,
    draft: String,
) -> Result<FollowupCasePage, PageError> {
    let case = state.cases.view(&session.value, t.lang).await?;
    let max_file = state
        .cases
        .channels()
        .get(&case.channel)
        .map(|c| c.files)
        .unwrap_or_default()
        .per_file;
    Ok(FollowupCasePage::new(
        t,
        case,
        max_file,
        session.csrf.clone(),
        error,
        draft,
    ))
}

#[derive(serde::Deserialize)]
pub struct SignIn {
    code: secrecy::SecretString,
}

pub async fn followup_sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<SignIn>,
) -> Result<HttpResponse, PageError> {
    let t = Ui::for_request(&req);
    let attempt = state
        .limiter
        .attempt(&req, Bucket::ClaimFailure)
        .map_err(|s| PageError(Problem::rate_limited(s)))?;
    let unlocked = state.cases.unlock(form.code.expose_secret()).await;
    // Only a failed claim code counts against the allowance.
    attempt.keep_if(unlocked.is_err());
    match unlocked {
        Ok(unlocked) => Ok(start_session(&req, &state, &t, unlocked)),
        Err(CaseError::ClaimRejected) => {
            let page = FollowupLoginPage::rejected(t);
            Ok(html(&mut HttpResponse::Unauthorized(), page))
        }
        Err(e) => Err(e.into()),
    }
}

/// The follow-up session of the case the claim code opened (ending one the browser had), and
/// on to its page.
fn start_session(req: &HttpRequest, state: &AppState, t: &Ui, unlocked: Unlocked) -> HttpResponse {
    if let Some(old) = session(req, state) {
        state.followups.end(&old.id);
    }
    let cookie = state.followups.cookie(state.followups.create(unlocked));
    HttpResponse::SeeOther()
        .cookie(cookie)
        .insert_header((header::LOCATION, t.link("/followup")))
        .finish()
}

/// A form that changes something and carries nothing but the session's CSRF token.
#[derive(serde::Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

fn session_or_expired(req: &HttpRequest, state: &AppState) -> Result<Session<Unlocked>, PageError> {
    session(req, state).ok_or_else(|| {
        PageError(
            Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "your session has ended; sign in again with your claim code",
            )
            .said("session_ended"),
        )
    })
}

/// The language and the session, for a form that changes the case: its CSRF token must
/// match the session's.
fn for_change(
    req: &HttpRequest,
    state: &AppState,
    csrf: &str,
) -> Result<(Ui, Session<Unlocked>), PageError> {
    let session = session_or_expired(req, state)?;
    if !session.csrf_ok(csrf) {
        return Err(csrf_failed());
    }
    Ok((Ui::for_request(req), session))
}

fn csrf_failed() -> PageError {
    PageError(Problem::csrf())
}

/// A message, files, or both, from the follow-up page.
pub async fn followup_message(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: OrMultipart<web::Form<PostForm>>,
) -> Result<HttpResponse, PageError> {
    let t = Ui::for_request(&req);
    let session = session_or_expired(&req, &state)?;
    let limit = state.settings.limits.json_body_bytes;
    let open = || async { Ok(state.cases.submitter_upload(&session.value).await?) };
    let post = ThreadPost::from_page(body, limit, |c| session.csrf_ok(c), open).await;
    if !session.csrf_ok(post.text("csrf")) {
        return Err(csrf_failed());
    }
    let draft = post.text("body").to_owned();
    let result = add_post(&state, &session, post).await;
    match result {
        Ok(_) => Ok(see_followup(&t)),
        // What the submitter can put right: the page again, their text kept.
        Err(p) if p.status.is_client_error() && p.status != StatusCode::UNAUTHORIZED => {
            let message = t.problem(&p);
            case_page(t, &state, &session, p.status, Some(message), draft).await
        }
        Err(p) => Err(PageError(p)),
    }
}

/// The message and files of a post to the case; or why they are refused.
async fn add_post(
    state: &AppState,
    session: &Session<Unlocked>,
    post: ThreadPost,
) -> Result<(), Problem> {
    let (message, upload) = post.into_parts()?;
    state
        .cases
        .add_submitter_post(&session.value, message, upload)
        .await?;
    Ok(())
}

/// Back to the follow-up page.
fn see_followup(t: &Ui) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, t.link("/followup")))
        .finish()
}

/// A file of the signed-in case, as a download.
pub async fn followup_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let session = session_or_expired(&req, &state)?;
    let file = state
        .cases
        .submitter_download(&session.value, &path)
        .await?;
    Ok(uploads::download(file))
}

#[derive(serde::Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    score: String,
    #[serde(default)]
    comment: String,
}

pub async fn followup_rating(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<RatingForm>,
) -> Result<HttpResponse, PageError> {
    let (t, session) = for_change(&req, &state, &form.csrf)?;
    let score = form.score.parse().unwrap_or(0);
    let comment = match form.comment.trim() {
        "" => Ok(None),
        text => MessageBody::parse(text).map(Some),
    };
    let result = match comment {
        Ok(comment) => state.cases.rate(&session.value, score, comment).await,
        Err(e) => Err(e),
    };
    back_to_case(t, &state, &session, result).await
}

/// The customer takes back their address (and with it their consent to mail).
pub async fn withdraw_contact(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let (t, session) = for_change(&req, &state, &form.csrf)?;
    let result = state.cases.withdraw_contact(&session.value).await;
    back_to_case(t, &state, &session, result).await
}

#[derive(serde::Deserialize)]
pub struct IdentityForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    identity_name: String,
    #[serde(default)]
    identity_contact: String,
}

/// The reporter gives their identity from the follow-up page.
pub async fn followup_identity(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<IdentityForm>,
) -> Result<HttpResponse, PageError> {
    let (t, session) = for_change(&req, &state, &form.csrf)?;
    let form = form.into_inner();
    let input = IdentityInput {
        name: form.identity_name.clone(),
        contact: form.identity_contact.clone(),
    };
    match state.cases.give_identity(&session.value, input).await {
        Err(e @ (CaseError::Invalid { .. } | CaseError::Conflict(_))) => {
            identity_refused(t, &state, &session, e, form).await
        }
        result => back_to_case(t, &state, &session, result).await,
    }
}

/// The page again with the refusal beside the identity form and what was typed kept.
async fn identity_refused(
    t: Ui,
    state: &AppState,
    session: &Session<Unlocked>,
    e: CaseError,
    form: IdentityForm,
) -> Result<HttpResponse, PageError> {
    let p = Problem::from(e);
    let message = t.problem(&p);
    let page = followup_page(t, state, session, None, String::new())
        .await?
        .with_identity_refused(form.identity_name, form.identity_contact, message);
    Ok(html(&mut HttpResponse::build(p.status), page))
}

/// After a follow-up form: back to the case page, or the page again with what was wrong.
async fn back_to_case(
    t: Ui,
    state: &AppState,
    session: &Session<Unlocked>,
    result: Result<(), CaseError>,
) -> Result<HttpResponse, PageError> {
    match result {
        Ok(()) => Ok(see_followup(&t)),
        Err(e @ (CaseError::Invalid { .. } | CaseError::Conflict(_))) => {
            let p = Problem::from(e);
            let message = t.problem(&p);
            case_page(t, state, session, p.status, Some(message), String::new()).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn followup_sign_out(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    if let Some(session) = session(&req, &state) {
        if !session.csrf_ok(&form.csrf) {
            return Err(csrf_failed());
        }
        state.followups.end(&session.id);
    }
    Ok(HttpResponse::SeeOther()
        .cookie(state.followups.removal())
        .insert_header((header::LOCATION, Ui::for_request(&req).link("/")))
        .finish())
}

#[derive(serde::Deserialize)]
pub struct RecordCommentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
}

/// The reporter approves the latest version of a record.
pub async fn approve_record(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let (t, session) = for_change(&req, &state, &form.csrf)?;
    let result = state.cases.approve_record(&session.value, &path).await;
    back_to_case(t, &state, &session, result.map(|_| ())).await
}

/// The reporter asks for corrections to a record.
pub async fn comment_record(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<RecordCommentForm>,
) -> Result<HttpResponse, PageError> {
    let (t, session) = for_change(&req, &state, &form.csrf)?;
    let result = match MessageBody::parse(&form.body) {
        Ok(body) => {
            state
                .cases
                .comment_record(&session.value, &path, body)
                .await
        }
        Err(e) => Err(e),
    };
    back_to_case(t, &state, &session, result).await
}

#[derive(serde::Deserialize)]
pub struct MeetingForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    availability: String,
}

/// The reporter asks for a call or a meeting.
pub async fn request_meeting(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<MeetingForm>,
) -> Result<HttpResponse, PageError> {
    let (t, session) = for_change(&req, &state, &form.csrf)?;
    let result = match MeetingKind::from_word(&form.kind) {
        Some(kind) => {
            state
                .cases
                .request_meeting(&session.value, kind, &form.availability)
                .await
        }
        None => Err(CaseError::invalid("kind", "choose a call or a meeting")),
    };
    back_to_case(t, &state, &session, result).await
}

#[derive(serde::Deserialize)]
pub struct NotifyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

/// The reporter leaves an address to hear of news.
pub async fn ask_for_news(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<NotifyForm>,
) -> Result<HttpResponse, PageError> {
    let (t, session) = for_change(&req, &state, &form.csrf)?;
    let result = state
        .cases
        .ask_for_news(&session.value, &form.email, t.lang)
        .await;
    back_to_case(t, &state, &session, result).await
}

/// The reporter removes that address.
pub async fn stop_news(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let (t, session) = for_change(&req, &state, &form.csrf)?;
    let result = state.cases.stop_news(&session.value).await;
    back_to_case(t, &state, &session, result).await
}

#[derive(serde::Deserialize)]
pub struct CheckinForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    retaliation: String,
    #[serde(default)]
    comment: String,
}

/// The reporter answers the retaliation check-in.
pub async fn check_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CheckinForm>,
) -> Result<HttpResponse, PageError> {
    let (t, session) = for_change(&req, &state, &form.csrf)?;
    let retaliation = match form.retaliation.as_str() {
        "none" => Some(Retaliation::None),
        "some" => Some(Retaliation::Some),
        _ => None,
    };
    let result = match retaliation {
        Some(retaliation) => {
            let answer = CheckinAnswer {
                retaliation,
                comment: Some(form.comment.clone()),
            };
            state.cases.check_in(&session.value, answer).await
        }
        None => Err(CaseError::invalid("retaliation", "choose an answer")),
    };
    back_to_case(t, &state, &session, result).await
}
