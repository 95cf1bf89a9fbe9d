//! `Onion-Location` on HTML pages when the site also runs as an onion service, so Tor Browser
//! offers the onion address (no exit node, end-to-end inside Tor).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;

use crate::http::AppState;

pub async fn location(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let onion = req
        .app_data::<web::Data<AppState>>()
        .and_then(|s| s.settings.onion_base().map(str::to_owned));
    // The same page there: path and query (a page's query holds only its language or filters).
    let target = onion.map(|base| {
        let uri = req.uri();
        format!(
            "{base}{}",
            uri.path_and_query().map_or(uri.path(), |pq| pq.as_str())
        )
    });
    let mut res = next.call(req).await?;
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if let (true, Some(target)) = (html, target) {
        if let Ok(value) = HeaderValue::from_str(&target) {
            res.headers_mut()
                .insert(HeaderName::from_static("onion-location"), value);
        }
    }
    Ok(res)
}
