//! The case page and what is done from it: replies, notes, files, status, assignment, discarding.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::views::*;
use super::{
    confirm_page, csrf_expired, for_change, non_empty, see_other, signed_in, OfficerSession,
};
use crate::cases::casework::StatusRequest;
use crate::cases::casework::Thread;
use crate::cases::records::RecordKind;
use crate::cases::triage::TriageRequest;
use crate::cases::CaseError;
use crate::http::errors::{html, PageError, Problem};
use crate::http::uploads::{self, OrMultipart, PostForm, ThreadPost};
use crate::http::AppState;

pub(super) async fn case_page(
    state: &AppState,
    session: &OfficerSession,
    id: &str,
    status: StatusCode,
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    case_page_at(state, session, id, status, error, 1, None).await
}

/// The case page with page `history_page` of its history (1: the newest entries).
async fn case_page_at(
    state: &AppState,
    session: &OfficerSession,
    id: &str,
    status: StatusCode,
    error: Option<String>,
    history_page: usize,
    reply: Option<&str>,
) -> Result<HttpResponse, PageError> {
    let officer = &session.value.officer;
    let t = &session.value.ui;
    let case = state.cases.open_case(officer, id, t.lang).await?;
    let history = state.cases.history(officer, id).await?;
    let chrome = Chrome {
        error,
        ..chrome(session)
    };
    let replies = state.cases.replies(t.lang);
    let mut page = CasePage::new(chrome, case, &history, history_page)?;
    page.offer_replies(&replies, reply);
    Ok(html(&mut HttpResponse::build(status), page))
}

#[derive(serde::Deserialize)]
pub struct CaseQuery {
    /// The page of the history (1: the newest entries).
    history: Option<usize>,
    /// A canned reply to start the answer from.
    reply: Option<String>,
}

pub async fn case(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<CaseQuery>,
) -> Result<HttpResponse, PageError> {
    let session = signed_in(&req, &state, false).await?;
    let page = query.history.unwrap_or(1).max(1);
    let reply = query.reply.as_deref();
    case_page_at(&state, &session, &path, StatusCode::OK, None, page, reply).await
}

/// Runs a case action; on success back to the case page, on a rule broken the case page again
/// with the message.
async fn case_action(
    state: &AppState,
    session: &OfficerSession,
    id: &str,
    result: Result<(), CaseError>,
) -> Result<HttpResponse, PageError> {
    match result {
        Ok(()) => Ok(see_other(format!("/officer/cases/{id}"))),
        Err(
            e @ (CaseError::Invalid { .. }
            | CaseError::InvalidTransition(_)
            | CaseError::Conflict(_)),
        ) => {
            let status = match e {
                CaseError::InvalidTransition(_) | CaseError::Conflict(_) => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let message = session.value.ui.problem(&Problem::from(e));
            case_page(state, session, id, status, Some(message)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A reply or a note from the case page: text, files, or both.
async fn post_to(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: String,
    body: OrMultipart<web::Form<PostForm>>,
    thread: Thread,
) -> Result<HttpResponse, PageError> {
    let session = signed_in(&req, &state, false).await?;
    let officer = &session.value.officer;
    let limit = state.settings.limits.json_body_bytes;
    let open = || async { Ok(state.cases.officer_upload(officer, &id, thread).await?) };
    let post = ThreadPost::from_page(body, limit, |t| session.csrf_ok(t), open).await;
    if !session.csrf_ok(post.text("csrf")) {
        return Err(PageError(csrf_expired()));
    }
    let (message, upload) = match post.into_parts() {
        Ok(parts) => parts,
        Err(problem) => {
            let message = session.value.ui.problem(&problem);
            return case_page(&state, &session, &id, problem.status, Some(message)).await;
        }
    };
    let result = state
        .cases
        .post_with_files(officer, &id, thread, message, upload)
        .await;
    case_action(&state, &session, &id, result.map(|_| ())).await
}

pub async fn reply(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: OrMultipart<web::Form<PostForm>>,
) -> Result<HttpResponse, PageError> {
    post_to(req, state, path.into_inner(), body, Thread::Messages).await
}

pub async fn note(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: OrMultipart<web::Form<PostForm>>,
) -> Result<HttpResponse, PageError> {
    post_to(req, state, path.into_inner(), body, Thread::Notes).await
}

/// A file of a case, as a download (audit-logged).
pub async fn file(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let session = signed_in(&req, &state, false).await?;
    let (case_id, file_id) = path.into_inner();
    let file = state
        .cases
        .officer_download(&session.value.officer, &case_id, &file_id)
        .await?;
    Ok(uploads::download(file))
}

#[derive(serde::Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    status: String,
    outcome: Option<String>,
    summary: Option<String>,
}

pub async fn status(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<StatusForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    let session = for_change(&req, &state, &form.csrf, false).await?;
    let request = StatusRequest {
        status: form.status,
        outcome: non_empty(form.outcome),
        summary: non_empty(form.summary),
    };
    let result = state
        .cases
        .change_status(&session.value.officer, &path, request)
        .await
        .map(|_| ());
    case_action(&state, &session, &path, result).await
}

#[derive(serde::Deserialize)]
pub struct DiscardForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirm: Option<String>,
}

/// Discards a junk case: the case page's form asks for a reason, a confirmation step follows
/// (no script needed), then the case leaves the inbox.
pub async fn discard(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<DiscardForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    let session = for_change(&req, &state, &form.csrf, false).await?;
    if form.reason.trim().is_empty() || form.confirm.is_none() {
        if form.reason.trim().is_empty() {
            let missing = state.cases.discard(&session.value.officer, &path, "").await;
            return case_action(&state, &session, &path, missing).await;
        }
        let t = &session.value.ui;
        return confirm_page(
            &session,
            t.get("discard.question").to_owned(),
            format!("/officer/cases/{}/discard", path.as_str()),
            vec![("reason".into(), form.reason)],
        );
    }
    match state
        .cases
        .discard(&session.value.officer, &path, &form.reason)
        .await
    {
        Ok(()) => Ok(see_other("/officer".into())),
        Err(e) => case_action(&state, &session, &path, Err(e)).await,
    }
}

#[derive(serde::Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    officer_id: String,
}

pub async fn assign(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<AssignForm>,
) -> Result<HttpResponse, PageError> {
    let session = for_change(&req, &state, &form.csrf, false).await?;
    let result = state
        .cases
        .assign(&session.value.officer, &path, Some(&form.officer_id))
        .await;
    case_action(&state, &session, &path, result).await
}

#[derive(serde::Deserialize)]
pub struct RecordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    body: String,
}

/// A new record (minutes, a transcript) from the case page.
pub async fn write_record(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<RecordForm>,
) -> Result<HttpResponse, PageError> {
    let session = for_change(&req, &state, &form.csrf, false).await?;
    let result = match RecordKind::from_word(&form.kind) {
        Some(kind) => state
            .cases
            .write_record(&session.value.officer, &path, kind, &form.body)
            .await
            .map(|_| ()),
        None => Err(CaseError::invalid("kind", "choose minutes or a transcript")),
    };
    case_action(&state, &session, &path, result).await
}

/// A new version of a record, from the case page.
pub async fn revise_record(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: web::Form<RecordForm>,
) -> Result<HttpResponse, PageError> {
    let session = for_change(&req, &state, &form.csrf, false).await?;
    let (case_id, record_id) = path.into_inner();
    let result = state
        .cases
        .revise_record(&session.value.officer, &case_id, &record_id, &form.body)
        .await
        .map(|_| ());
    case_action(&state, &session, &case_id, result).await
}

#[derive(serde::Deserialize)]
pub struct TriageForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    priority: String,
}

/// Category and priority, from the case page.
pub async fn triage(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<TriageForm>,
) -> Result<HttpResponse, PageError> {
    let session = for_change(&req, &state, &form.csrf, false).await?;
    let result = match crate::cases::triage::parse_priority(&form.priority) {
        Ok(priority) => {
            let request = TriageRequest {
                category: Some(form.category.clone()),
                priority: Some(priority),
            };
            let officer = &session.value.officer;
            state
                .cases
                .triage(officer, &path, request)
                .await
                .map(|_| ())
        }
        Err(e) => Err(e),
    };
    case_action(&state, &session, &path, result).await
}

#[derive(serde::Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    case: String,
}

/// A link to another case (by its number), from the case page.
pub async fn link(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<LinkForm>,
) -> Result<HttpResponse, PageError> {
    let session = for_change(&req, &state, &form.csrf, false).await?;
    let result = state
        .cases
        .link(&session.value.officer, &path, &form.case)
        .await
        .map(|_| ());
    case_action(&state, &session, &path, result).await
}
