//! Administration (admins only): officers, their channels and roles, resets, settings.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::ExposeSecret;

use super::views::*;
use super::{confirm_page, for_change, require_admin, signed_in, CsrfForm, OfficerSession};
use crate::cases::admin::GrantReport;
use crate::cases::officers::OfficerProfile;
use crate::cases::CaseError;
use crate::http::errors::{html, PageError, Problem};
use crate::http::views::Ui;
use crate::http::AppState;

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
    let officers = state.cases.list_officers().await?;
    let page = AdminPage::new(
        chrome_with(session, notice, error),
        state.cases.totp_required().await?,
        enrol_link,
        officers,
        state.cases.channels().all(),
    );
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
        if let Some(answer) = ask_before_channels(&state, &session, &path, &form).await? {
            return Ok(answer);
        }
    }
    let result = state
        .cases
        .set_officer_channels(admin, &path, channels)
        .await
        .map(|r| channels_saved(&session.value.ui, &r));
    admin_result(&state, &session, result).await
}

/// Before cases are taken from an officer with their channels: the question, or the admin
/// page saying why not; `None` when the change takes nothing away.
async fn ask_before_channels(
    state: &AppState,
    session: &OfficerSession,
    id: &str,
    form: &ChannelsForm,
) -> Result<Option<HttpResponse>, PageError> {
    let channels = parse_channels(&form.channels);
    match state
        .cases
        .grants_outside(&session.value.officer, id, channels)
        .await
    {
        Ok(0) => Ok(None),
        Ok(n) => confirm_page(
            session,
            session.value.ui.fmt1("admin.confirm_channels", "count", n),
            format!("/officer/admin/officers/{id}/channels"),
            vec![("channels".into(), form.channels.clone())],
        )
        .map(Some),
        Err(e) => admin_result(state, session, Err(e)).await.map(Some),
    }
}

fn channels_saved(t: &Ui, r: &GrantReport) -> String {
    t.fmt2(
        "admin.channels_saved",
        "granted",
        numbers(t, &r.granted),
        "unreachable",
        r.unreachable,
    )
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
        return ask_before_reset(&state, &session, &id).await;
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

/// Before a reset: the question, or the admin page saying why not (the officer's key is the
/// only way left to open some case).
async fn ask_before_reset(
    state: &AppState,
    session: &OfficerSession,
    id: &str,
) -> Result<HttpResponse, PageError> {
    let t = &session.value.ui;
    match state.cases.reset_preview(&session.value.officer, id).await {
        Ok((_, _, sole)) if sole > 0 => {
            let refused = CaseError::Conflict(t.fmt1("admin.reset_refused", "count", sole));
            admin_result(state, session, Err(refused)).await
        }
        Ok((name, held, _)) => confirm_page(
            session,
            t.fmt2("admin.confirm_reset", "name", name, "count", held),
            format!("/officer/admin/officers/{id}/reset"),
            Vec::new(),
        ),
        Err(e) => admin_result(state, session, Err(e)).await,
    }
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
