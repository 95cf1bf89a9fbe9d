//! Signing in and out of the officer pages.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::SecretString;

use super::views::*;
use super::{for_change, see_other, CsrfForm};
use crate::cases::CaseError;
use crate::http::errors::{html, PageError, Problem};
use crate::http::rate_limit::Bucket;
use crate::http::views::Ui;
use crate::http::{AppState, OfficerState};

pub async fn login_form(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if state.officers.from_request(&req).is_some() {
        return see_other("/officer".into());
    }
    html(
        &mut HttpResponse::Ok(),
        LoginPage::new(Ui::for_request(&req)),
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
    match sign_in(&req, &state, &form.email, form.password, Some(&form.totp)).await {
        Ok((token, must_enrol)) => Ok(session_started(&state, token, must_enrol)),
        Err(SignInFailure::Limited(wait)) => Err(PageError(Problem::rate_limited(wait))),
        Err(SignInFailure::Refused(e)) => {
            let page = LoginPage::refused(Ui::for_request(&req), form.email, e);
            Ok(html(&mut HttpResponse::Unauthorized(), page))
        }
        Err(SignInFailure::Failed(e)) => Err(e.into()),
    }
}

/// The new session's cookie, and on to the inbox, or to the account page when 2FA
/// enrolment is due first.
fn session_started(state: &AppState, token: String, must_enrol: bool) -> HttpResponse {
    let next = if must_enrol {
        "/officer/account"
    } else {
        "/officer"
    };
    HttpResponse::SeeOther()
        .cookie(state.officers.cookie(token))
        .insert_header((header::LOCATION, next))
        .finish()
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

/// Why an officer sign-in did not start a session.
pub enum SignInFailure {
    /// Too many failures from this client: wait this many seconds.
    Limited(u64),
    /// Wrong credentials, or a TOTP code is needed or was wrong.
    Refused(CaseError),
    Failed(CaseError),
}

/// Signs an officer in, for the page and the API alike: the attempt is taken from the client's
/// failure allowance first and given back when the password was right; on success a session
/// starts. Returns its token and whether 2FA enrolment is due before anything else.
pub async fn sign_in(
    req: &actix_web::HttpRequest,
    state: &AppState,
    email: &str,
    password: secrecy::SecretString,
    totp: Option<&str>,
) -> Result<(String, bool), SignInFailure> {
    let attempt = state
        .limiter
        .attempt(req, Bucket::LoginFailure)
        .map_err(SignInFailure::Limited)?;
    let result = state.cases.sign_in(email, password, totp).await;
    // A right password counts as no failure, even when the TOTP code is still to come.
    attempt.keep_if(!matches!(result, Ok(_) | Err(CaseError::TotpRequired)));
    match result {
        Ok(signed_in) => {
            let token = state.officers.create(OfficerState {
                ui: Ui::default(),
                officer: signed_in.officer,
                must_enrol: signed_in.must_enrol_totp,
                pending_totp: None,
            });
            Ok((token, signed_in.must_enrol_totp))
        }
        Err(
            e @ (CaseError::TotpRequired | CaseError::SignInRejected | CaseError::TotpRejected),
        ) => Err(SignInFailure::Refused(e)),
        Err(e) => Err(SignInFailure::Failed(e)),
    }
}
