//! The metrics port (`metrics_listen`): Prometheus text at `/metrics`, on an address of its
//! own so that it is never reachable where reporters are. Counts only (see `crate::metrics`).

use std::net::SocketAddr;

use actix_web::dev::Server;
use actix_web::{web, App, HttpResponse, HttpServer};

use super::AppState;

/// `GET /metrics`.
async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    if let Err(e) = state.cases.refresh_gauges().await {
        tracing::warn!(error = ?e, "metrics: the gauges could not be read");
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(crate::metrics::render())
}

/// Binds the metrics port; the server runs once spawned.
pub fn serve(
    addr: SocketAddr,
    state: web::Data<AppState>,
) -> std::io::Result<(Server, SocketAddr)> {
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/metrics", web::get().to(metrics))
    })
    .workers(1)
    .disable_signals()
    .bind(addr)?;
    let bound = server.addrs().first().copied().unwrap_or(addr);
    Ok((server.run(), bound))
}
