//! `/officer/enrol/{token}`: the page of a one-time enrolment link, where its holder sets their
//! password (and a new key is made). No session, no script; the link itself is the credential,
//! so it is checked before any password work is done, and it works once.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::SecretString;

use crate::cases::CaseError;
use crate::http::errors::{html, PageError, Problem};
use crate::http::officer::views::EnrolPage;
use crate::http::views::Ui;
use crate::http::AppState;

fn gone() -> PageError {
    PageError(
        Problem::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "this enrolment link does not work: it was used already, replaced by a newer one, \
             or is older than 72 hours. Ask an admin for a new one.",
        )
        .said("enrol_gone"),
    )
}

async fn page(
    req: &HttpRequest,
    state: &AppState,
    token: &str,
    status: StatusCode,
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    let view = match state.cases.enrolment(token).await {
        Ok(view) => view,
        Err(CaseError::NotFound(_)) => return Err(gone()),
        Err(e) => return Err(e.into()),
    };
    let page = EnrolPage::new(Ui::for_request(req), token, view, error);
    Ok(html(&mut HttpResponse::build(status), page))
}

pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    page(&req, &state, &token, StatusCode::OK, None).await
}

#[derive(serde::Deserialize)]
pub struct EnrolForm {
    password: SecretString,
    repeat_password: SecretString,
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<EnrolForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    match state
        .cases
        .enrol(&token, form.password, form.repeat_password)
        .await
    {
        Ok(officer_id) => {
            // Sessions of the key this one replaces cannot outlive it.
            state.officers.end_where(|s| s.officer.id == officer_id);
            let page = EnrolPage::done(Ui::for_request(&req));
            Ok(html(&mut HttpResponse::Ok(), page))
        }
        Err(CaseError::NotFound(_)) => Err(gone()),
        Err(e @ CaseError::Invalid { .. }) => {
            let p = Problem::from(e);
            let message = Ui::for_request(&req).problem(&p);
            page(&req, &state, &token, p.status, Some(message)).await
        }
        Err(e) => Err(e.into()),
    }
}
