//! Methods: every page answers `HEAD` as it answers `GET` (uptime monitors and link checkers
//! use it), and a known path asked with a method it does not take gets `405` with `Allow`.
//!
//! Which methods a path takes is read from the route table in `src/http/mod.rs`, the one the
//! server registers, so the two cannot drift apart.

use std::sync::OnceLock;

use actix_web::body::MessageBody;
use actix_web::dev::{ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, ALLOW};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse};

use crate::http::errors::{ApiError, PageError, Problem};

struct Known {
    path: ResourceDef,
    method: &'static str,
}

/// Each `.route("path", web::method()…)` of `fn routes`, `/api/v1` in front of those of the
/// API scope.
fn table() -> &'static [Known] {
    static TABLE: OnceLock<Vec<Known>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let source = include_str!("../mod.rs");
        let start = source.find("fn routes(").unwrap_or(0);
        let body = &source[start..];
        let body = &body[..body.find("\n}\n").unwrap_or(body.len())];
        let scope = body.find("web::scope(\"/api/v1\")").unwrap_or(body.len());
        let scope_end = body[scope..]
            .find(".default_service(")
            .map_or(body.len(), |e| scope + e);
        body.match_indices(".route(")
            .filter_map(|(at, _)| {
                let rest = &body[at..];
                let path = rest.split('"').nth(1)?;
                let method = match rest.split("web::").nth(1)?.split("()").next()? {
                    "get" => "GET",
                    "post" => "POST",
                    "put" => "PUT",
                    "delete" => "DELETE",
                    _ => return None,
                };
                let prefix = if (scope..scope_end).contains(&at) {
                    "/api/v1"
                } else {
                    ""
                };
                Some(Known {
                    path: ResourceDef::new(format!("{prefix}{path}")),
                    method,
                })
            })
            .collect()
    })
}

/// The methods `path` takes, `HEAD` with `GET`; empty for an unknown path.
pub fn allowed(path: &str) -> Vec<&'static str> {
    let mut methods: Vec<&'static str> = table()
        .iter()
        .filter(|k| k.path.is_match(path))
        .map(|k| k.method)
        .collect();
    if methods.contains(&"GET") {
        methods.push("HEAD");
    }
    methods.sort_unstable();
    methods.dedup();
    methods
}

/// Whether a request that reached no route did so only for its method.
pub fn wrong_method(path: &str) -> bool {
    !allowed(path).is_empty()
}

/// What a page path that reached no route gets: 405 for a known path, else 404.
pub async fn page_not_found(req: HttpRequest) -> Result<HttpResponse, PageError> {
    Err(PageError(unrouted(req.path())))
}

/// The same under `/api/v1`, as JSON.
pub async fn api_not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError(unrouted(req.path())))
}

fn unrouted(path: &str) -> Problem {
    if wrong_method(path) {
        Problem::method_not_allowed()
    } else {
        Problem::not_found()
    }
}

/// `HEAD` is routed as `GET`; the connection layer sends the headers (the length included)
/// and leaves the body out. A `405` gets its `Allow` header here, the one place that knows.
pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    let path = req.path().to_owned();
    let mut res = next.call(req).await?;
    if res.status() == actix_web::http::StatusCode::METHOD_NOT_ALLOWED {
        if let Ok(value) = HeaderValue::from_str(&allowed(&path).join(", ")) {
            res.headers_mut().insert(ALLOW, value);
        }
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::allowed;

    #[test]
    fn the_route_table_is_read() {
        assert!(table_size() > 60);
        assert_eq!(allowed("/report"), ["GET", "HEAD", "POST"]);
        assert_eq!(allowed("/api/v1/cases"), ["POST"]);
        assert_eq!(allowed("/api/v1/officer/cases/abc"), ["GET", "HEAD"]);
        assert!(allowed("/no/such/page").is_empty());
    }

    fn table_size() -> usize {
        super::table().len()
    }
}
