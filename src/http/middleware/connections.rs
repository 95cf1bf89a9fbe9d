//! Open connections per client (`[limits] connections_per_client`). A connection is counted
//! from accept to close under the same in-memory keyed hash the rate limiter uses: the address
//! itself is never kept, stored or logged. A connection over the limit gets one 503 and is
//! closed, before anything of its request is read.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Extensions, ServiceRequest, ServiceResponse};
use actix_web::http::{ConnectionType, StatusCode};
use actix_web::middleware::Next;
use actix_web::ResponseError;

use crate::http::errors::{ApiError, PageError, Problem};
use crate::http::rate_limit::{Client, RateLimiter};

/// Connections each client holds open.
#[derive(Clone, Default)]
pub struct Connections {
    per_client: u32,
    open: Arc<Mutex<HashMap<Client, u32>>>,
}

/// One accepted connection, kept in its extensions: closing the connection drops it.
pub struct Held {
    connections: Connections,
    client: Client,
    over: bool,
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut open = self.connections.lock();
        if let Some(n) = open.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.client);
            }
        }
    }
}

impl Connections {
    /// `per_client` 0: no limit (behind a proxy every client has the proxy's address).
    pub fn new(per_client: u32) -> Self {
        Connections {
            per_client,
            open: Arc::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Client, u32>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts a connection that was just accepted (`HttpServer::on_connect`).
    pub fn accepted(&self, limiter: &RateLimiter, conn: &dyn Any, ext: &mut Extensions) {
        if self.per_client == 0 {
            return;
        }
        let Some(peer) = conn
            .downcast_ref::<actix_web::rt::net::TcpStream>()
            .and_then(|s| s.peer_addr().ok())
        else {
            return;
        };
        let client = limiter.client_of(peer.ip());
        let over = {
            let mut open = self.lock();
            let n = open.entry(client).or_insert(0);
            *n += 1;
            *n > self.per_client
        };
        ext.insert(Held {
            connections: self.clone(),
            client,
            over,
        });
    }

    /// Connections open now, across clients (for tests and diagnostics).
    pub fn total(&self) -> u32 {
        self.lock().values().sum()
    }
}

/// Answers a request on a connection over its client's limit with 503, and closes it.
pub async fn refuse_excess(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if !req.conn_data::<Held>().is_some_and(|h| h.over) {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let problem = Problem {
        retry_after: Some(5),
        ..Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "too_many_connections",
            "too many connections from your address are open at once; close some and try again",
        )
        .said("too_many_connections")
    };
    let mut res = if req.path().starts_with("/api/") {
        ApiError(problem).error_response()
    } else {
        actix_web::HttpResponse::from_error(PageError(problem))
    };
    res.head_mut().set_connection_type(ConnectionType::Close);
    Ok(req.into_response(res).map_into_right_body())
}
