//! The request log, and the request counter of the metrics: route pattern, method, status and
//! time. Never the client's address, user
//! agent, referrer, query string or raw path (a mistyped URL could hold a claim code).
//!
//! Only officer routes are logged at the default level. A line for a submitter's request, even
//! without any detail, would date a report or a follow-up to the second for anyone who reads
//! the log; those lines are at `debug`, for a developer who turns it on.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;

/// Whether a route pattern is one only officers use (their pages and their API).
fn is_officer_route(route: &str) -> bool {
    route.starts_with("/officer") || route.starts_with("/api/v1/officer")
}

pub async fn log(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req.match_pattern().unwrap_or_else(|| "(no route)".into());
    let res = next.call(req).await?;
    let status = res.status().as_u16();
    let ms = started.elapsed().as_millis() as u64;
    // Standard methods only: a made-up method must not make a new series per request.
    let known = matches!(
        method,
        Method::GET | Method::HEAD | Method::POST | Method::PUT | Method::DELETE | Method::OPTIONS
    );
    crate::metrics::count(
        "sealbox_http_requests_total",
        &[
            ("route", &route),
            ("method", if known { method.as_str() } else { "other" }),
            ("status", res.status().as_str()),
        ],
    );
    if is_officer_route(&route) {
        tracing::info!(%method, route, status, ms, "request");
    } else {
        tracing::debug!(%method, route, status, ms, "request");
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::is_officer_route;

    #[test]
    fn only_officer_routes_are_officer_routes() {
        for route in ["/officer", "/officer/cases/{id}", "/api/v1/officer/cases"] {
            assert!(is_officer_route(route), "{route}");
        }
        for route in [
            "/",
            "/report",
            "/complaint",
            "/followup",
            "/api/v1/cases",
            "/api/v1/followup/messages",
            "(no route)",
        ] {
            assert!(!is_officer_route(route), "{route}");
        }
    }
}
