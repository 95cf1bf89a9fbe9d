//! The officer's pages: sign-in, inbox, case, account (2FA, password), admin, and what they
//! share: the signed-in session, the CSRF check, the confirmation step. Server-rendered, no
//! script. Every form that changes something carries the session's CSRF token, checked in
//! constant time, on top of the same-origin check every POST passes.

pub mod account;
pub mod admin;
pub mod case;
pub mod channel_editor;
pub mod channels;
pub mod enrol;
pub mod export;
pub mod identity;
pub mod inbox;
pub mod login;
pub mod record;
pub mod statistics;
pub mod views;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};

use crate::cases::CaseError;
use crate::http::errors::{html, PageError, Problem};
use crate::http::sessions::Session;
use crate::http::views::Ui;
use crate::http::{AppState, OfficerState};
use views::*;

pub(crate) type OfficerSession = Session<OfficerState>;

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

pub(super) fn csrf_expired() -> Problem {
    Problem::csrf()
}

pub(super) fn see_other(location: String) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

#[derive(serde::Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub(super) fn require_admin(session: &OfficerSession) -> Result<(), PageError> {
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

/// A JS-free confirmation step: the question, and the same form again with `confirm` set.
pub(super) fn confirm_page(
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

/// A form field left empty is no value.
pub(super) fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}
