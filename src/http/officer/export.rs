//! Case export over HTTP: the printable page, and the sealed bundle from the case page and the
//! API. The bundle's own page is rendered here too, for the command line as well.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::case::case_page;
use super::{for_change, signed_in, OfficerSession};
use crate::cases::export::{Exporter, Render};
use crate::cases::files::Download;
use crate::cases::{now, CaseError};
use crate::http::errors::{html, PageError};
use crate::http::officer::views::{CaseSheet, PrintPage};
use crate::http::uploads;
use crate::http::views::Ui;
use crate::http::AppState;

/// The page inside a bundle: self-contained (styles inline, no links), each file named by its
/// place in the tar.
pub fn bundle_page(lang: crate::i18n::Lang) -> Render {
    Box::new(move |case, history, entries, exported_by| {
        let t = Ui::in_lang(lang);
        let page = CaseSheet::of(&t, case, history, |f| {
            case.files
                .iter()
                .position(|x| x.id == f.id)
                .and_then(|i| entries.get(i).cloned())
                .unwrap_or_default()
        })
        .and_then(|sheet| {
            PrintPage {
                exported: t.date_time(now()),
                t,
                case,
                sheet,
                standalone: true,
                exported_by: exported_by.to_owned(),
            }
            .render()
            .map_err(|e| CaseError::Render(Box::new(e)))
        });
        page
    })
}

/// `GET /officer/cases/{id}/print`: the whole case on one page, for printing (audit-logged).
pub async fn print(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let session = signed_in(&req, &state, false).await?;
    let officer = &session.value.officer;
    let t = session.value.ui.clone();
    let opened = state.cases.printable(officer, &path).await?;
    let page = PrintPage {
        sheet: CaseSheet::of(&t, &opened.case, &opened.history, |f| {
            format!("/officer/cases/{}/files/{}", opened.case.id, f.id)
        })?,
        exported: t.date_time(now()),
        t,
        case: &opened.case,
        standalone: false,
        exported_by: officer.name.clone(),
    };
    Ok(html(&mut HttpResponse::Ok(), page))
}

#[derive(serde::Deserialize)]
pub struct ExportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    recipient: String,
}

/// The officer's own public key when they name no recipient.
fn recipient_or_own(given: Option<&str>, own: String) -> String {
    match given.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => r.to_owned(),
        None => own,
    }
}

/// `POST /officer/cases/{id}/export`: the bundle as a download; a recipient that is not an
/// age public key brings the case page back with the message.
pub async fn bundle(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<ExportForm>,
) -> Result<HttpResponse, PageError> {
    let session = for_change(&req, &state, &form.csrf, false).await?;
    match sealed_bundle(&state, &session, &path, Some(&form.recipient)).await {
        Ok(file) => Ok(uploads::download(file)),
        Err(e @ CaseError::Invalid { .. }) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            case_page(&state, &session, &path, status, Some(e.to_string())).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The case `id` as a sealed bundle, for the page and the API alike: sealed to `recipient`,
/// or to the officer's own key when they name none; its page in the officer's language.
pub(crate) async fn sealed_bundle(
    state: &AppState,
    session: &OfficerSession,
    id: &str,
    recipient: Option<&str>,
) -> Result<Download, CaseError> {
    let officer = session.value.officer.clone();
    let to = recipient_or_own(recipient, officer.public_key());
    let page = bundle_page(session.value.ui.lang);
    state
        .cases
        .export_bundle(Exporter::Officer(officer), id, &to, page)
        .await
}

/// `GET /officer/account/key`: the officer's identity sealed with their password, for opening
/// bundles sealed to them with the reference `age` tool.
pub async fn own_key(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let session = signed_in(&req, &state, false).await?;
    let sealed = state.cases.sealed_own_key(&session.value.officer).await?;
    Ok(uploads::download(Download {
        name: "sealbox-identity.age".into(),
        media_type: "application/octet-stream".into(),
        size: sealed.len() as u64,
        reader: Box::new(std::io::Cursor::new(sealed)),
    }))
}
