//! `/healthz` for load balancers and service managers: up or not, nothing about cases.

use actix_web::{web, HttpResponse};

use super::AppState;

/// `200 {"status":"ok"}` when the database answers, the data directory takes writes and its
/// disk is above the free-space reserve, else `503 {"status":"unavailable"}`. Not logged at the default level (it is not an officer route).
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    if state.cases.live().await {
        HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
    } else {
        HttpResponse::ServiceUnavailable().json(serde_json::json!({ "status": "unavailable" }))
    }
}
