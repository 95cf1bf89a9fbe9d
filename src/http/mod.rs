//! actix-web: routes, sessions, limits, headers, and the mapping of errors to responses.
//! Handlers stay thin: extract, call one `cases` function, render.

pub mod api;
pub mod errors;
pub mod pages;
pub mod rate_limit;
pub mod request_log;
pub mod security;
pub mod sessions;
pub mod views;

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer};

use crate::cases::Cases;
use crate::config::Settings;
use rate_limit::RateLimiter;
use sessions::FollowupSessions;

/// Shared by every request.
pub struct AppState {
    pub cases: Cases,
    pub settings: Arc<Settings>,
    pub sessions: FollowupSessions,
    pub limiter: RateLimiter,
}

/// The server, bound and ready to run. Binding happens in `build`, so a caller that asked for
/// port 0 can read the real port from `addr` before running.
pub struct Application {
    server: Server,
    addr: SocketAddr,
}

impl Application {
    pub fn build(settings: Settings, cases: Cases) -> std::io::Result<Self> {
        let listener = TcpListener::bind(settings.listen)?;
        let addr = listener.local_addr()?;
        let state = web::Data::new(AppState {
            sessions: FollowupSessions::new(
                Duration::from_secs(settings.sessions.followup_idle_s),
                settings.secure_cookies(),
            ),
            limiter: RateLimiter::new(&settings.limits),
            settings: Arc::new(settings),
            cases,
        });
        spawn_sweeper(state.clone());
        let server = HttpServer::new({
            let state = state.clone();
            move || {
                let limit = state.settings.limits.json_body_bytes;
                App::new()
                    .app_data(state.clone())
                    .app_data(
                        web::JsonConfig::default()
                            .limit(limit)
                            .error_handler(errors::json_error),
                    )
                    .app_data(
                        web::FormConfig::default()
                            .limit(limit)
                            .error_handler(errors::form_error),
                    )
                    .app_data(web::QueryConfig::default().error_handler(errors::query_error))
                    // Outermost last: every response, refusals included, gets the headers.
                    .wrap(from_fn(security::same_origin))
                    .wrap(security::headers(state.settings.secure_cookies()))
                    .wrap(from_fn(request_log::log))
                    .configure(routes)
            }
        })
        .shutdown_timeout(10)
        .listen(listener)?
        .run();
        Ok(Application { server, addr })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until the process is told to stop (SIGINT/SIGTERM), then drains requests.
    pub async fn run(self) -> std::io::Result<()> {
        self.server.await
    }
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .route("/channels", web::get().to(api::channels))
            .route("/cases", web::post().to(api::create_case))
            .route("/followup", web::get().to(api::followup))
            .route("/followup/messages", web::post().to(api::followup_message))
            .default_service(web::to(api::not_found)),
    )
    .route("/", web::get().to(pages::index))
    .route("/report", web::get().to(pages::report_form))
    .route("/report", web::post().to(pages::report_submit))
    .route("/complaint", web::get().to(pages::complaint_form))
    .route("/complaint", web::post().to(pages::complaint_submit))
    .route("/followup", web::get().to(pages::followup))
    .route("/followup", web::post().to(pages::followup_sign_in))
    .route(
        "/followup/messages",
        web::post().to(pages::followup_message),
    )
    .route("/followup/logout", web::post().to(pages::followup_sign_out))
    .route("/static/sealbox.css", web::get().to(pages::stylesheet))
    .default_service(web::to(pages::not_found));
}

/// Ends idle follow-up sessions (zeroizing their keys) and forgets old rate-limit windows.
fn spawn_sweeper(state: web::Data<AppState>) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(Duration::from_secs(30));
        loop {
            tick.tick().await;
            state.sessions.sweep();
            state.limiter.sweep();
        }
    });
}
