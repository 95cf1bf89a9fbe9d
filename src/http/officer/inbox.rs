//! The inbox: the cases this officer may open, filtered and paged.

use actix_web::{web, HttpRequest, HttpResponse};

use super::views::*;
use super::{non_empty, signed_in};
use crate::cases::casework::InboxQuery;
use crate::http::errors::{html, PageError};
use crate::http::AppState;

#[derive(serde::Deserialize)]
pub struct InboxParams {
    channel: Option<String>,
    status: Option<String>,
    overdue: Option<String>,
    after: Option<String>,
    category: Option<String>,
    priority: Option<String>,
    q: Option<String>,
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
        category: non_empty(params.category),
        priority: non_empty(params.priority),
        q: non_empty(params.q),
    };
    let page = state
        .cases
        .inbox(&session.value.officer, query.clone())
        .await?;
    state.cases.warm_search(&session.value.officer);
    let channels = state.cases.channels();
    let view = InboxPage::new(chrome(&session), &query, page, channels.all());
    Ok(html(&mut HttpResponse::Ok(), view))
}
