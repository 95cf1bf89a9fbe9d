//! The officer's own account: 2FA enrolment, password, language.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::{ExposeSecret, SecretString};

use super::views::*;
use super::{for_change, signed_in, OfficerSession};
use crate::cases::CaseError;
use crate::http::errors::{html, PageError, Problem};
use crate::http::views::Ui;
use crate::http::AppState;
use crate::i18n::Lang;

async fn account_page(
    state: &AppState,
    session: &OfficerSession,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    let officer = &session.value.officer;
    let enrolled = state.cases.has_totp(officer).await?;
    let (qr_svg, secret) = if enrolled {
        (String::new(), String::new())
    } else {
        totp_to_scan(state, session)?
    };
    let page = AccountPage {
        chrome: chrome_with(session, notice, error),
        language: officer.language.map_or("", |l| l.code()),
        languages: Lang::ALL.iter().map(|l| (l.code(), l.name())).collect(),
        enrolled,
        required: state.cases.totp_required().await?,
        qr_svg,
        secret,
    };
    Ok(html(&mut HttpResponse::build(status), page))
}

/// The 2FA secret to enrol, as a QR code and as text. One pending secret per session, so a
/// reload shows the same code to scan.
fn totp_to_scan(state: &AppState, session: &OfficerSession) -> Result<(String, String), PageError> {
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
    let (url, text) = state.cases.totp_setup(&session.value.officer, &pending)?;
    let qr_svg = crate::http::qr::svg(url.expose_secret());
    Ok((qr_svg, text.expose_secret().to_owned()))
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
