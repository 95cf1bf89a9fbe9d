//! Headers on every response, and the same-origin check on every state-changing request.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::ResponseError;

use crate::http::errors::{ApiError, PageError, Problem};

/// No script at all, nothing from another origin, no framing, no referrer, nothing cached
/// unless a route says otherwise (only the stylesheet does).
pub fn headers(https: bool) -> DefaultHeaders {
    let mut h = DefaultHeaders::new()
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        .add(("Cross-Origin-Resource-Policy", "same-origin"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        ))
        .add((header::CACHE_CONTROL, "no-store"));
    if https {
        h = h.add((header::STRICT_TRANSPORT_SECURITY, "max-age=31536000"));
    }
    h
}

/// Whether a request's `Origin` (when a browser sent one) is this site: `public_url`'s origin.
/// Never the `Host` header: a client sets that as it likes, so comparing with it would let a
/// forged `Host` carry a cross-site post through.
pub fn origin_allowed(origin: &str, public_url: &str) -> bool {
    let public_origin = match public_url.split_once("://") {
        Some((scheme, rest)) => {
            let authority = rest.split('/').next().unwrap_or_default();
            format!("{scheme}://{authority}")
        }
        None => return false,
    };
    origin.eq_ignore_ascii_case(&public_origin)
}

/// Refuses a state-changing request that a browser says came from another site: an `Origin`
/// that is not this site (including the opaque `null` that redirects and sandboxes produce,
/// unless `Sec-Fetch-Site` says the request is this site's own), or `Sec-Fetch-Site:
/// cross-site`. API clients send neither and are not affected. Before a
/// claim-code sign-in there is no session to bind a CSRF token to, so this is what stops
/// another site from signing a visitor into the attacker's case.
pub async fn same_origin(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    let refused = !safe && {
        let public_url = req
            .app_data::<actix_web::web::Data<crate::http::AppState>>()
            .map_or("", |s| s.settings.public_url.as_str());
        let fetch_site = header(header::HeaderName::from_static("sec-fetch-site"));
        // Every page here has the referrer policy `no-referrer`, and under it a browser sends
        // `Origin: null` with the page's own forms too (Fetch standard, "append a request
        // `Origin` header"), so `null` alone cannot tell them from a cross-site redirect's.
        // `Sec-Fetch-Site`, which no page can set, does: `null` passes only as `same-origin`.
        let own_form = |o: &str| o == "null" && fetch_site == Some("same-origin");
        let foreign_origin =
            header(header::ORIGIN).is_some_and(|o| !origin_allowed(o, public_url) && !own_form(o));
        foreign_origin || fetch_site == Some("cross-site")
    };
    if refused {
        let problem = Problem::new(
            StatusCode::FORBIDDEN,
            "cross_site",
            "this form was sent from another site, so it was refused",
        )
        .said("cross_site");
        let res = if req.path().starts_with("/api/") {
            ApiError(problem).error_response()
        } else {
            // Carried as the error, so the page is drawn again in the reader's language.
            actix_web::HttpResponse::from_error(PageError(problem))
        };
        return Ok(req.into_response(res).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

#[cfg(test)]
mod tests {
    use super::origin_allowed;

    #[test]
    fn origins_match_the_public_url_only() {
        let public = "https://ethics.example.org/";
        assert!(origin_allowed("https://ethics.example.org", public));
        assert!(origin_allowed(
            "https://ethics.example.org",
            "https://ethics.example.org/intake"
        ));
        // The host the request was sent to does not count: `Host` is the client's to forge.
        assert!(!origin_allowed("http://127.0.0.1:8080", public));
        assert!(!origin_allowed("https://evil.example", public));
        assert!(!origin_allowed(
            "https://ethics.example.org.evil.example",
            public
        ));
        assert!(!origin_allowed("http://ethics.example.org", public));
        assert!(!origin_allowed("garbage", public));
        assert!(!origin_allowed("null", public));
        assert!(!origin_allowed("https://evil.example", "not a url"));
    }
}
