//! The inbox: the cases this officer may open, filtered and paged.

use actix_web::{web, HttpRequest, HttpResponse};

use super::views::*;
use super::{chrome, non_empty, signed_in, status_label};
use crate::cases::casework::InboxQuery;
use crate::cases::workflow::Status;
use crate::http::errors::{html, PageError};
use crate::http::AppState;

#[derive(serde::Deserialize)]
pub struct InboxParams {
    channel: Option<String>,
    status: Option<String>,
    overdue: Option<String>,
    after: Option<String>,
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
