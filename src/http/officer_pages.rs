//! The officer's pages: sign-in, inbox, case, account (2FA, password), admin. Server-rendered,
//! no script. Every form that changes something carries the session's CSRF token, checked in
//! constant time, on top of the same-origin check every POST passes.

use std::sync::Arc;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::{ExposeSecret, SecretString};

use super::errors::{html, PageError, Problem};
use super::officer_views::*;
use super::sessions::Session;
use super::uploads::{self, OrMultipart, PagePost};
use super::views::Ui;
use super::{officer_sign_in, AppState, OfficerState, SignInFailure};
use crate::cases::casework::Thread;
use crate::cases::casework::{InboxQuery, StatusRequest};
use crate::cases::officers::OfficerProfile;
use crate::cases::text::MessageBody;
use crate::cases::workflow::{Outcome, Status};
use crate::cases::CaseError;
use crate::i18n::Lang;

type OfficerSession = Session<OfficerState>;

/// The signed-in officer, or a redirect to sign in. The officer's standing is read again from
/// the database (disabled, reset, admin role, 2FA duty), so no session outlives a change to
/// it. Until a required 2FA enrolment is done, only the account page is open.
pub(super) async fn signed_in(
    req: &HttpRequest,
    state: &AppState,
    enrolment_page: bool,
) -> Result<OfficerSession, PageError> {
    let mut session = state
        .officers
        .from_request(req)
        .ok_or_else(|| PageError(Problem::redirect("/officer/login")))?;
    match state.cases.refresh(&session.value.officer).await {
        Ok((officer, must_enrol)) => {
            session.value.ui = Ui::for_officer(req, officer.language);
            session.value.officer = officer;
            session.value.must_enrol = must_enrol;
        }
        Err(CaseError::SignInRejected) => {
            state.officers.end(&session.id);
            return Err(PageError(Problem::redirect("/officer/login")));
        }
        Err(e) => return Err(e.into()),
    }
    if session.value.must_enrol && !enrolment_page {
        return Err(PageError(Problem::redirect("/officer/account")));
    }
    Ok(session)
}

/// The session, for a form that changes something: the CSRF token must match.
pub(super) async fn for_change(
    req: &HttpRequest,
    state: &AppState,
    csrf: &str,
    enrolment_page: bool,
) -> Result<OfficerSession, PageError> {
    let session = signed_in(req, state, enrolment_page).await?;
    if !session.csrf_ok(csrf) {
        return Err(PageError(csrf_expired()));
    }
    Ok(session)
}

fn csrf_expired() -> Problem {
    Problem::csrf()
}

pub(super) fn chrome(session: &OfficerSession) -> Chrome {
    Chrome {
        t: session.value.ui.clone(),
        who: Some(session.value.officer.name.clone()),
        admin: session.value.officer.is_admin,
        custodian: session.value.officer.is_custodian,
        csrf: session.csrf.clone(),
        ..Chrome::default()
    }
}

/// A status as officers name it, in their language.
fn status_label(t: &Ui, status: Status) -> &'static str {
    t.get(&format!("status.{}", status.as_str()))
}

fn see_other(location: String) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

pub async fn login_form(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if state.officers.from_request(&req).is_some() {
        return see_other("/officer".into());
    }
    html(
        &mut HttpResponse::Ok(),
        LoginPage {
            chrome: Chrome {
                t: Ui::for_request(&req),
                ..Chrome::default()
            },
            email: String::new(),
            totp_needed: false,
        },
    )
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    password: SecretString,
    #[serde(default)]
    totp: String,
}

pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    if let Some(old) = state.officers.from_request(&req) {
        state.officers.end(&old.id);
    }
    match officer_sign_in(&req, &state, &form.email, form.password, Some(&form.totp)).await {
        Ok((token, must_enrol)) => {
            let next = if must_enrol {
                "/officer/account"
            } else {
                "/officer"
            };
            Ok(HttpResponse::SeeOther()
                .cookie(state.officers.cookie(token))
                .insert_header((header::LOCATION, next))
                .finish())
        }
        Err(SignInFailure::Limited(wait)) => Err(PageError(Problem::rate_limited(wait))),
        Err(SignInFailure::Refused(e)) => {
            let t = Ui::for_request(&req);
            let totp_needed = !matches!(e, CaseError::SignInRejected);
            let page = LoginPage {
                chrome: Chrome {
                    error: Some(t.problem(&Problem::from(e))),
                    t,
                    ..Chrome::default()
                },
                email: form.email,
                totp_needed,
            };
            Ok(html(&mut HttpResponse::Unauthorized(), page))
        }
        Err(SignInFailure::Failed(e)) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let session = for_change(&req, &state, &form.csrf, true).await?;
    state.officers.end(&session.id);
    state.cases.sign_out(&session.value.officer).await?;
    Ok(HttpResponse::SeeOther()
        .cookie(state.officers.removal())
        .insert_header((header::LOCATION, "/officer/login"))
        .finish())
}

#[derive(serde::Deserialize)]
pub struct InboxParams {
    channel: Option<String>,
    status: Option<String>,
    overdue: Option<String>,
    after: Option<String>,
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

pub async fn inbox(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: web::Query<InboxParams>,
) -> Result<HttpResponse, PageError> {
    let session = signed_in(&req, &state, false).await?;
    let params = params.into_inner();
    let query = InboxQuery {
        channel: non_empty(params.channel),
        status: non_empty(params.status),
        overdue: params.overdue.is_some_and(|v| !v.is_empty()),
        after: non_empty(params.after),
    };
    let page = state
        .cases
        .inbox(&session.value.officer, query.clone())
        .await?;
    let next_link = page.next.map(|next| {
        let mut link = format!("/officer?after={next}");
        if let Some(c) = &query.channel {
            link.push_str(&format!("&channel={c}"));
        }
        if let Some(s) = &query.status {
            link.push_str(&format!("&status={s}"));
        }
        if query.overdue {
            link.push_str("&overdue=1");
        }
        link
    });
    let t = &session.value.ui;
    let view = InboxPage {
        chrome: chrome(&session),
        channels: state
            .cases
            .channels()
            .all()
            .iter()
            .map(|c| {
                (
                    c.id.clone(),
                    c.title.get(t.lang).to_owned(),
                    query.channel.as_ref() == Some(&c.id),
                )
            })
            .collect(),
        statuses: Status::ALL
            .iter()
            .map(|s| {
                (
                    s.as_str(),
                    status_label(t, *s),
                    query.status.as_deref() == Some(s.as_str()),
                )
            })
            .chain([(
                crate::cases::discard::DISCARDED,
                t.get("status.discarded"),
                query.status.as_deref() == Some(crate::cases::discard::DISCARDED),
            )])
            .collect(),
        overdue: query.overdue,
        rows: page
            .items
            .into_iter()
            .map(|i| InboxLine {
                status_label: Status::parse(&i.status)
                    .map_or_else(|_| t.get("status.discarded"), |s| status_label(t, s)),
                received: t.date(i.received_at),
                due: i.due_at.map(|d| t.date(d)).unwrap_or_default(),
                handler: i.assigned_to.unwrap_or_default(),
                id: i.id,
                number: i.number,
                channel: i.channel,
                status: i.status,
                overdue: i.overdue,
                unread: i.unread,
            })
            .collect(),
        next_link,
    };
    Ok(html(&mut HttpResponse::Ok(), view))
}

pub(super) async fn case_page(
    state: &AppState,
    session: &OfficerSession,
    id: &str,
    status: StatusCode,
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    let officer = &session.value.officer;
    let t = &session.value.ui;
    let case = state.cases.open_case(officer, id, t.lang).await?;
    let history = state.cases.history(officer, id).await?;
    let current = Status::parse(&case.status)?;
    let case_id = case.id.clone();
    let sheet = CaseSheet::of(t, &case, &history, |f| {
        format!("/officer/cases/{case_id}/files/{}", f.id)
    })?;
    let page = CasePage {
        chrome: Chrome {
            error,
            ..chrome(session)
        },
        status_label: sheet.status_label,
        outcome_label: sheet.outcome_label,
        received: sheet.received,
        deadlines: sheet.deadlines,
        excluded: sheet.excluded,
        messages: sheet.messages,
        notes: sheet.notes,
        moves: current
            .next()
            .iter()
            .map(|s| (s.as_str(), status_label(t, *s)))
            .collect(),
        outcomes: Outcome::ALL
            .iter()
            .map(|o| (o.as_str(), t.get(&format!("outcome.{}", o.as_str()))))
            .collect(),
        history: sheet.history,
        identity: case
            .identity
            .as_ref()
            .map(|i| super::officer_identity::panel(t, i)),
        case,
    };
    Ok(html(&mut HttpResponse::build(status), page))
}

pub async fn case(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let session = signed_in(&req, &state, false).await?;
    case_page(&state, &session, &path, StatusCode::OK, None).await
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
        Err(e @ (CaseError::Invalid { .. } | CaseError::InvalidTransition(_))) => {
            let status = match e {
                CaseError::InvalidTransition(_) => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let message = session.value.ui.problem(&Problem::from(e));
            case_page(state, session, id, status, Some(message)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct BodyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
}

/// A reply or a note from the case page: text, files, or both.
async fn post_to(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: String,
    body: OrMultipart<web::Form<BodyForm>>,
    thread: Thread,
) -> Result<HttpResponse, PageError> {
    let session = signed_in(&req, &state, false).await?;
    let officer = &session.value.officer;
    let post = match body {
        OrMultipart::Plain(form) => {
            let form = form.into_inner();
            PagePost::from_form(form.csrf, form.body)
        }
        OrMultipart::Multipart(body) => {
            let limit = state.settings.limits.json_body_bytes;
            uploads::page_post(
                body,
                limit,
                |t| session.csrf_ok(t),
                || async { Ok(state.cases.officer_upload(officer, &id, thread).await?) },
            )
            .await
        }
    };
    let PagePost {
        csrf,
        body: text,
        upload,
        refused,
    } = post;
    if !session.csrf_ok(&csrf) {
        return Err(PageError(csrf_expired()));
    }
    if let Some(problem) = refused {
        let message = session.value.ui.problem(&problem);
        return case_page(&state, &session, &id, problem.status, Some(message)).await;
    }
    let result = match text.trim() {
        "" => Ok(None),
        _ => MessageBody::parse(&text).map(Some),
    };
    let result = match result {
        Ok(body) => state
            .cases
            .post_with_files(officer, &id, thread, body, upload)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    case_action(&state, &session, &id, result).await
}

pub async fn reply(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: OrMultipart<web::Form<BodyForm>>,
) -> Result<HttpResponse, PageError> {
    post_to(req, state, path.into_inner(), body, Thread::Messages).await
}

pub async fn note(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: OrMultipart<web::Form<BodyForm>>,
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

async fn account_page(
    state: &AppState,
    session: &OfficerSession,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    let officer = &session.value.officer;
    let enrolled = state.cases.has_totp(officer).await?;
    let (mut qr_svg, mut secret) = (String::new(), String::new());
    if !enrolled {
        // One pending secret per session, so a reload shows the same code to scan.
        let pending = match &session.value.pending_totp {
            Some(secret) => secret.clone(),
            None => {
                let fresh = Arc::new(state.cases.new_totp_secret());
                let keep = fresh.clone();
                state
                    .officers
                    .update(&session.id, move |s| s.pending_totp = Some(keep));
                fresh
            }
        };
        let (url, text) = state.cases.totp_setup(officer, &pending)?;
        qr_svg = super::qr::svg(url.expose_secret());
        secret = text.expose_secret().to_owned();
    }
    let page = AccountPage {
        chrome: Chrome {
            notice,
            error,
            ..chrome(session)
        },
        language: officer.language.map_or("", |l| l.code()),
        languages: Lang::ALL.iter().map(|l| (l.code(), l.name())).collect(),
        enrolled,
        required: state.cases.totp_required().await?,
        qr_svg,
        secret,
    };
    Ok(html(&mut HttpResponse::build(status), page))
}

pub async fn account(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let session = signed_in(&req, &state, true).await?;
    account_page(&state, &session, StatusCode::OK, None, None).await
}

#[derive(serde::Deserialize)]
pub struct TotpForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

/// Shows the account page with what an account action did, or what was wrong with it.
async fn account_result(
    state: &AppState,
    session: &OfficerSession,
    result: Result<&str, CaseError>,
) -> Result<HttpResponse, PageError> {
    let t = &session.value.ui;
    match result {
        Ok(notice) => {
            let notice = t.get(notice).to_owned();
            account_page(state, session, StatusCode::OK, Some(notice), None).await
        }
        Err(e @ (CaseError::Invalid { .. } | CaseError::Conflict(_))) => {
            let p = Problem::from(e);
            let message = t.problem(&p);
            account_page(state, session, p.status, None, Some(message)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn enrol_totp(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<TotpForm>,
) -> Result<HttpResponse, PageError> {
    let session = for_change(&req, &state, &form.csrf, true).await?;
    let Some(secret) = session.value.pending_totp.clone() else {
        let stale = Err(CaseError::Conflict(
            session.value.ui.get("account.rescan").into(),
        ));
        return account_result(&state, &session, stale).await;
    };
    let officer = &session.value.officer;
    let result = state.cases.confirm_totp(officer, &secret, &form.code).await;
    if result.is_ok() {
        state.officers.update(&session.id, |s| {
            s.pending_totp = None;
            s.must_enrol = false;
        });
    }
    account_result(&state, &session, result.map(|()| "account.totp_now_on")).await
}

#[derive(serde::Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    current_password: SecretString,
    new_password: SecretString,
}

pub async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    let session = for_change(&req, &state, &form.csrf, true).await?;
    let officer = &session.value.officer;
    let result = state
        .cases
        .change_password(officer, form.current_password, form.new_password)
        .await;
    account_result(
        &state,
        &session,
        result.map(|()| "account.password_changed"),
    )
    .await
}

#[derive(serde::Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    language: String,
}

/// The officer's language for pages and mails; empty: pages as the browser asks.
pub async fn set_language(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LanguageForm>,
) -> Result<HttpResponse, PageError> {
    let mut session = for_change(&req, &state, &form.csrf, true).await?;
    let language = Lang::parse(&form.language);
    if language.is_none() && !form.language.is_empty() {
        let refused = Err(CaseError::invalid("language", "choose en, pt-BR or de"));
        return account_result(&state, &session, refused).await;
    }
    state
        .cases
        .set_language(&session.value.officer, language)
        .await?;
    // This answer already speaks the new language.
    session.value.officer.language = language;
    session.value.ui = Ui::for_officer(&req, language);
    account_result(&state, &session, Ok("account.language_saved")).await
}

fn require_admin(session: &OfficerSession) -> Result<(), PageError> {
    if session.value.officer.is_admin {
        Ok(())
    } else {
        Err(PageError(
            Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "only an admin may do this",
            )
            .said("only_admin"),
        ))
    }
}

async fn admin_page(
    state: &AppState,
    session: &OfficerSession,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    admin_page_with(state, session, status, notice, error, None).await
}

async fn admin_page_with(
    state: &AppState,
    session: &OfficerSession,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
    enrol_link: Option<String>,
) -> Result<HttpResponse, PageError> {
    require_admin(session)?;
    let officers = state
        .cases
        .list_officers()
        .await?
        .into_iter()
        .map(|o| OfficerRow {
            channels: o.channels.map_or("all".into(), |c| c.join(",")),
            id: o.id,
            name: o.name,
            email: o.email,
            admin: o.admin,
            custodian: o.custodian,
            disabled: o.disabled,
            awaiting: o.awaiting_enrolment,
        })
        .collect();
    let page = AdminPage {
        chrome: Chrome {
            notice,
            error,
            ..chrome(session)
        },
        require_totp: state.cases.totp_required().await?,
        enrol_link,
        officers,
        channel_ids: state
            .cases
            .channels()
            .all()
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    };
    Ok(html(&mut HttpResponse::build(status), page))
}

pub async fn admin(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let session = signed_in(&req, &state, false).await?;
    admin_page(&state, &session, StatusCode::OK, None, None).await
}

/// Shows the admin page with what an admin action did, or what was wrong with it.
async fn admin_result(
    state: &AppState,
    session: &OfficerSession,
    result: Result<String, CaseError>,
) -> Result<HttpResponse, PageError> {
    match result {
        Ok(notice) => admin_page(state, session, StatusCode::OK, Some(notice), None).await,
        Err(e @ (CaseError::Invalid { .. } | CaseError::Conflict(_) | CaseError::NotFound(_))) => {
            let p = Problem::from(e);
            let message = session.value.ui.problem(&p);
            admin_page(state, session, p.status, None, Some(message)).await
        }
        Err(e) => Err(e.into()),
    }
}

fn parse_channels(text: &str) -> Option<Vec<String>> {
    let list: Vec<String> = text
        .split(',')
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect();
    (!list.is_empty() && list != ["all"]).then_some(list)
}

fn numbers(t: &Ui, list: &[i64]) -> String {
    if list.is_empty() {
        return t.get("admin.none").into();
    }
    list.iter()
        .map(|n| format!("#{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(serde::Deserialize)]
pub struct AddOfficerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    channels: String,
    admin: Option<String>,
    custodian: Option<String>,
}

/// Adds an officer and shows their enrolment link, once; it is mailed to them too.
pub async fn add_officer(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<AddOfficerForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    let session = for_change(&req, &state, &form.csrf, false).await?;
    require_admin(&session)?;
    let result = state
        .cases
        .invite_officer(
            &session.value.officer,
            OfficerProfile {
                email: form.email,
                name: form.name,
                admin: form.admin.is_some(),
                custodian: form.custodian.is_some(),
                channels: parse_channels(&form.channels),
            },
        )
        .await
        .map(|(added, link)| {
            let t = &session.value.ui;
            (
                t.fmt1("admin.added", "name", &added.name),
                link.url.expose_secret().to_owned(),
            )
        });
    admin_link_result(&state, &session, result).await
}

/// The admin page after an action that issued an enrolment link: the link is shown this once.
async fn admin_link_result(
    state: &AppState,
    session: &OfficerSession,
    result: Result<(String, String), CaseError>,
) -> Result<HttpResponse, PageError> {
    match result {
        Ok((notice, link)) => {
            admin_page_with(
                state,
                session,
                StatusCode::OK,
                Some(notice),
                None,
                Some(link),
            )
            .await
        }
        Err(e) => admin_result(state, session, Err(e)).await,
    }
}

#[derive(serde::Deserialize)]
pub struct ChannelsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    channels: String,
    confirm: Option<String>,
}

/// Sets an officer's channels. A change that takes cases away from them is confirmed first;
/// one that would leave a case nobody can open is refused (with a count).
pub async fn set_channels(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<ChannelsForm>,
) -> Result<HttpResponse, PageError> {
    let session = for_change(&req, &state, &form.csrf, false).await?;
    require_admin(&session)?;
    let admin = &session.value.officer;
    let channels = parse_channels(&form.channels);
    if form.confirm.is_none() {
        match state
            .cases
            .grants_outside(admin, &path, channels.clone())
            .await
        {
            Ok(0) => {}
            Ok(n) => {
                let t = &session.value.ui;
                let question = t.fmt1("admin.confirm_channels", "count", n);
                return confirm_page(
                    &session,
                    question,
                    format!("/officer/admin/officers/{}/channels", path.as_str()),
                    vec![("channels".into(), form.channels.clone())],
                );
            }
            Err(e) => return admin_result(&state, &session, Err(e)).await,
        }
    }
    let result = state
        .cases
        .set_officer_channels(admin, &path, channels)
        .await
        .map(|r| {
            let t = &session.value.ui;
            t.fmt2(
                "admin.channels_saved",
                "granted",
                numbers(t, &r.granted),
                "unreachable",
                r.unreachable,
            )
        });
    admin_result(&state, &session, result).await
}

/// A JS-free confirmation step: the question, and the same form again with `confirm` set.
fn confirm_page(
    session: &OfficerSession,
    question: String,
    action: String,
    fields: Vec<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let back = if action.starts_with("/officer/cases/") {
        action
            .rsplit_once('/')
            .map_or("/officer", |(case, _)| case)
            .to_owned()
    } else {
        "/officer/admin".to_owned()
    };
    let page = ConfirmPage {
        chrome: chrome(session),
        question,
        action,
        fields,
        back,
    };
    Ok(html(&mut HttpResponse::Ok(), page))
}

pub async fn grant(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let session = for_change(&req, &state, &form.csrf, false).await?;
    require_admin(&session)?;
    let result = state
        .cases
        .grant_cases(
            crate::cases::admin::Granter::Officer(&session.value.officer),
            &path,
        )
        .await
        .map(|r| {
            let t = &session.value.ui;
            t.lang.fill(
                "admin.granted",
                &[
                    ("granted", &numbers(t, &r.granted)),
                    ("unreachable", &r.unreachable),
                    ("excluded", &numbers(t, &r.excluded)),
                ],
            )
        });
    admin_result(&state, &session, result).await
}

async fn set_disabled(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: String,
    csrf: &str,
    disabled: bool,
) -> Result<HttpResponse, PageError> {
    let session = for_change(&req, &state, csrf, false).await?;
    require_admin(&session)?;
    let result = state
        .cases
        .set_officer_disabled(&session.value.officer, &id, disabled)
        .await;
    if result.is_ok() && disabled {
        state.officers.end_where(|s| s.officer.id == id);
    }
    let notice = session.value.ui.get(if disabled {
        "admin.disabled_notice"
    } else {
        "admin.enabled_notice"
    });
    admin_result(&state, &session, result.map(|()| notice.to_owned())).await
}

pub async fn disable(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    set_disabled(req, state, path.into_inner(), &form.csrf, true).await
}

pub async fn enable(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    set_disabled(req, state, path.into_inner(), &form.csrf, false).await
}

async fn set_admin(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: String,
    csrf: &str,
    admin: bool,
) -> Result<HttpResponse, PageError> {
    let session = for_change(&req, &state, csrf, false).await?;
    require_admin(&session)?;
    let result = state
        .cases
        .set_officer_admin(Some(&session.value.officer), &id, admin)
        .await;
    let notice = session.value.ui.get(if admin {
        "admin.promoted_notice"
    } else {
        "admin.demoted_notice"
    });
    admin_result(&state, &session, result.map(|()| notice.to_owned())).await
}

pub async fn promote(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    set_admin(req, state, path.into_inner(), &form.csrf, true).await
}

pub async fn demote(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    set_admin(req, state, path.into_inner(), &form.csrf, false).await
}

#[derive(serde::Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    csrf: String,
    confirm: Option<String>,
}

/// Resets an officer after a confirmation step: their password, key, 2FA and sessions end and
/// an enrolment link (shown once here, mailed to them) lets them back in. The admin never
/// learns or sets the password.
pub async fn reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, PageError> {
    let session = for_change(&req, &state, &form.csrf, false).await?;
    require_admin(&session)?;
    let admin = &session.value.officer;
    let id = path.into_inner();
    let t = &session.value.ui;
    if form.confirm.is_none() {
        return match state.cases.reset_preview(admin, &id).await {
            Ok((_, _, sole)) if sole > 0 => {
                let refused = Err(crate::cases::CaseError::Conflict(t.fmt1(
                    "admin.reset_refused",
                    "count",
                    sole,
                )));
                admin_result(&state, &session, refused).await
            }
            Ok((name, held, _)) => confirm_page(
                &session,
                t.fmt2("admin.confirm_reset", "name", name, "count", held),
                format!("/officer/admin/officers/{id}/reset"),
                Vec::new(),
            ),
            Err(e) => admin_result(&state, &session, Err(e)).await,
        };
    }
    let result = state.cases.reset_officer(admin, &id).await;
    if result.is_ok() {
        state.officers.end_where(|s| s.officer.id == id);
    }
    let result = result.map(|link| {
        (
            t.get("admin.reset_done").to_owned(),
            link.url.expose_secret().to_owned(),
        )
    });
    admin_link_result(&state, &session, result).await
}

#[derive(serde::Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    csrf: String,
    require_totp: Option<String>,
}

pub async fn settings(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<SettingsForm>,
) -> Result<HttpResponse, PageError> {
    let session = for_change(&req, &state, &form.csrf, false).await?;
    require_admin(&session)?;
    let required = form.require_totp.is_some();
    let result = state
        .cases
        .set_totp_required(&session.value.officer, required)
        .await
        .map(|()| {
            session
                .value
                .ui
                .get(if required {
                    "admin.totp_required_now"
                } else {
                    "admin.totp_optional_now"
                })
                .to_owned()
        });
    admin_result(&state, &session, result).await
}
