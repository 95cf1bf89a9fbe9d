//! actix-web: routes, sessions, limits, headers, and the mapping of errors to responses.
//! Handlers stay thin: extract, call one `cases` function, render.

pub mod api;
pub mod charts;
pub mod errors;
pub mod form_tokens;
pub mod health;
pub mod metrics;
pub mod middleware;
pub mod officer;
pub mod qr;
pub mod rate_limit;
pub mod reporter;
pub mod sessions;
pub mod site;
pub mod tls;
pub mod uploads;
pub mod views;

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer};

use crate::cases::access::Officer;
use crate::cases::access::Unlocked;
use crate::cases::signin::TotpSecret;
use crate::cases::{Actor, Cases};
use crate::config::Settings;
use middleware::{body_deadline, connections, methods, onion, request_log, security};
use rate_limit::RateLimiter;
use sessions::Sessions;

/// Shared by every request.
pub struct AppState {
    pub cases: Cases,
    pub settings: Arc<Settings>,
    /// Claim-code sign-ins: the unlocked case key.
    pub followups: Sessions<Unlocked>,
    /// Officer sign-ins (cookie or API bearer token): the unlocked officer key.
    pub officers: Sessions<OfficerState>,
    pub limiter: RateLimiter,
    /// The organisation's name, logo, colour and notices.
    pub brand: Arc<site::Branding>,
    /// Report forms sent, so a second post of one makes no second case.
    pub form_tokens: form_tokens::FormTokens,
    pub connections: connections::Connections,
}

/// What an officer session holds.
#[derive(Clone)]
pub struct OfficerState {
    pub officer: Officer,
    /// The language of this request's pages: set afresh for every request from the officer's
    /// choice (or their browser's), not kept between requests.
    pub ui: views::Ui,
    /// 2FA is required and not set up yet: only the account page is open.
    pub must_enrol: bool,
    /// A TOTP secret shown for enrolment, not confirmed yet.
    pub pending_totp: Option<Arc<TotpSecret>>,
}

/// The server, bound and ready to run. Binding happens in `build`, so a caller that asked for
/// port 0 can read the real port from `addr` before running.
pub struct Application {
    server: Server,
    addr: SocketAddr,
}

impl Application {
    pub fn build(settings: Settings, cases: Cases) -> std::io::Result<Self> {
        let worker = cases
            .mail_worker(&settings)
            .map_err(|e| std::io::Error::other(format!("{e:?}")))?;
        actix_web::rt::spawn(worker.run());
        // Unusable certificate files stop the start here, before anything listens.
        let tls = match settings.tls.files() {
            Some((cert, key)) => {
                Some(tls::Certificate::load(cert, key).map_err(tls::TlsError::into_io)?)
            }
            None => None,
        };
        let listener = TcpListener::bind(settings.listen)?;
        let addr = listener.local_addr()?;
        let s = &settings.sessions;
        let state = web::Data::new(AppState {
            followups: Sessions::new(
                "sealbox_followup",
                Duration::from_secs(s.followup_idle_s),
                Duration::from_secs(s.officer_max_s.max(s.followup_idle_s)),
                settings.secure_cookies(),
            ),
            officers: Sessions::new(
                "sealbox_officer",
                Duration::from_secs(s.officer_idle_s),
                Duration::from_secs(s.officer_max_s),
                settings.secure_cookies(),
            ),
            limiter: RateLimiter::new(&settings.limits),
            form_tokens: form_tokens::FormTokens::default(),
            brand: Arc::new(
                site::Branding::from_settings(&settings)
                    .map_err(|e| std::io::Error::other(e.to_string()))?,
            ),
            connections: connections::Connections::new(settings.limits.connections_per_client),
            settings: Arc::new(settings),
            cases,
        });
        spawn_sweeper(state.clone());
        spawn_reminders(state.clone());
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        let max_connections = state.settings.limits.max_connections;
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
                    .wrap(from_fn(body_deadline::limit))
                    .wrap(from_fn(security::same_origin))
                    .wrap(from_fn(connections::refuse_excess))
                    .wrap(from_fn(errors::localize))
                    .wrap(from_fn(onion::location))
                    .wrap(security::headers(state.settings.secure_cookies()))
                    .wrap(from_fn(request_log::log))
                    .wrap(from_fn(methods::middleware))
                    .configure(routes)
            }
        })
        .on_connect({
            let state = state.clone();
            move |conn, ext| state.connections.accepted(&state.limiter, conn, ext)
        })
        // actix counts connections per worker: the total is shared out between them.
        .workers(workers)
        .max_connections(max_connections.div_ceil(workers))
        .shutdown_timeout(10);
        tls::reload_on_hangup(tls.clone())?;
        if let Some(at) = state.settings.metrics_listen {
            let (metrics_server, bound) = metrics::serve(at, state.clone())?;
            actix_web::rt::spawn(metrics_server);
            tracing::info!("metrics on http://{bound}/metrics");
        }
        let server = match &tls {
            Some(certificate) => {
                let config = certificate
                    .server_config()
                    .map_err(tls::TlsError::into_io)?;
                server.listen_rustls_0_23(listener, config)?
            }
            None => server.listen(listener)?,
        }
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
            .route("/openapi.json", web::get().to(api::openapi::spec))
            .route("/channels", web::get().to(api::reporter::channels))
            .route("/cases", web::post().to(api::reporter::create_case))
            .route("/followup", web::get().to(api::reporter::followup))
            .route(
                "/followup/messages",
                web::post().to(api::reporter::followup_message),
            )
            .route(
                "/followup/rating",
                web::post().to(api::reporter::followup_rating),
            )
            .route(
                "/followup/contact",
                web::delete().to(api::reporter::withdraw_contact),
            )
            .route(
                "/followup/files",
                web::post().to(api::reporter::followup_files),
            )
            .route(
                "/followup/identity",
                web::post().to(api::reporter::followup_identity),
            )
            .route(
                "/followup/files/{file_id}",
                web::get().to(api::reporter::followup_file),
            )
            .route(
                "/followup/records/{id}/approve",
                web::post().to(api::records::approve),
            )
            .route(
                "/followup/records/{id}/comment",
                web::post().to(api::records::comment),
            )
            .route("/followup/meeting", web::post().to(api::records::meeting))
            .route("/followup/checkin", web::post().to(api::records::checkin))
            .route("/followup/notify", web::post().to(api::records::notify))
            .route(
                "/followup/notify",
                web::delete().to(api::records::stop_notify),
            )
            .route("/officer/login", web::post().to(api::officer::login))
            .route("/officer/logout", web::post().to(api::officer::logout))
            .route("/officer/cases", web::get().to(api::officer::cases))
            .route("/officer/cases", web::post().to(api::records::record_case))
            .route(
                "/officer/cases/{id}/triage",
                web::post().to(api::triage::triage),
            )
            .route(
                "/officer/cases/{id}/links",
                web::post().to(api::triage::link),
            )
            .route("/officer/replies", web::get().to(api::triage::replies))
            .route(
                "/officer/cases/{id}/records",
                web::post().to(api::records::write_record),
            )
            .route(
                "/officer/cases/{id}/records/{record_id}",
                web::post().to(api::records::revise_record),
            )
            .route(
                "/officer/statistics",
                web::get().to(api::officer::statistics),
            )
            .route("/officer/cases/{id}", web::get().to(api::officer::case))
            .route(
                "/officer/cases/{id}/status",
                web::post().to(api::officer::status),
            )
            .route(
                "/officer/cases/{id}/messages",
                web::post().to(api::officer::message),
            )
            .route(
                "/officer/cases/{id}/notes",
                web::post().to(api::officer::note),
            )
            .route(
                "/officer/cases/{id}/files",
                web::post().to(api::officer::add_files),
            )
            .route(
                "/officer/cases/{id}/files/{file_id}",
                web::get().to(api::officer::file),
            )
            .route(
                "/officer/cases/{id}/assign",
                web::post().to(api::officer::assign),
            )
            .route(
                "/officer/cases/{id}/discard",
                web::post().to(api::officer::discard),
            )
            .route(
                "/officer/cases/{id}/export",
                web::post().to(api::officer::export),
            )
            .route(
                "/officer/cases/{id}/disclosure",
                web::post().to(api::disclosures::request),
            )
            .route(
                "/officer/disclosures",
                web::get().to(api::disclosures::list),
            )
            .route(
                "/officer/disclosures/{id}",
                web::post().to(api::disclosures::decide),
            )
            .route("/officer/admin/officers", web::post().to(api::admin::add))
            .route(
                "/officer/admin/channels",
                web::get().to(api::admin_channels::list),
            )
            .route(
                "/officer/admin/channels/{id}",
                web::get().to(api::admin_channels::get),
            )
            .route(
                "/officer/admin/channels/{id}",
                web::put().to(api::admin_channels::put),
            )
            .route(
                "/officer/admin/officers/{id}/reset",
                web::post().to(api::admin::reset),
            )
            .default_service(web::to(methods::api_not_found)),
    )
    .route("/healthz", web::get().to(health::healthz))
    .route("/officer", web::get().to(officer::inbox::inbox))
    .route(
        "/officer/statistics",
        web::get().to(officer::statistics::page),
    )
    .route(
        "/officer/statistics.csv",
        web::get().to(officer::statistics::csv),
    )
    .route("/officer/login", web::get().to(officer::login::login_form))
    .route("/officer/login", web::post().to(officer::login::login))
    .route("/officer/logout", web::post().to(officer::login::logout))
    .route("/officer/record", web::get().to(officer::record::form))
    .route("/officer/record", web::post().to(officer::record::submit))
    .route("/officer/cases/{id}", web::get().to(officer::case::case))
    .route(
        "/officer/cases/{id}/print",
        web::get().to(officer::export::print),
    )
    .route(
        "/officer/cases/{id}/export",
        web::post().to(officer::export::bundle),
    )
    .route(
        "/officer/cases/{id}/disclosure",
        web::post().to(officer::identity::request),
    )
    .route(
        "/officer/disclosures",
        web::get().to(officer::identity::page),
    )
    .route(
        "/officer/disclosures/{id}/approve",
        web::post().to(officer::identity::approve),
    )
    .route(
        "/officer/disclosures/{id}/deny",
        web::post().to(officer::identity::deny),
    )
    .route(
        "/officer/cases/{id}/status",
        web::post().to(officer::case::status),
    )
    .route(
        "/officer/cases/{id}/messages",
        web::post().to(officer::case::reply),
    )
    .route(
        "/officer/cases/{id}/notes",
        web::post().to(officer::case::note),
    )
    .route(
        "/officer/cases/{id}/files/{file_id}",
        web::get().to(officer::case::file),
    )
    .route(
        "/officer/cases/{id}/assign",
        web::post().to(officer::case::assign),
    )
    .route(
        "/officer/cases/{id}/records",
        web::post().to(officer::case::write_record),
    )
    .route(
        "/officer/cases/{id}/triage",
        web::post().to(officer::case::triage),
    )
    .route(
        "/officer/cases/{id}/links",
        web::post().to(officer::case::link),
    )
    .route(
        "/officer/cases/{id}/records/{record_id}",
        web::post().to(officer::case::revise_record),
    )
    .route(
        "/officer/cases/{id}/discard",
        web::post().to(officer::case::discard),
    )
    .route("/officer/account", web::get().to(officer::account::account))
    .route(
        "/officer/account/key",
        web::get().to(officer::export::own_key),
    )
    .route(
        "/officer/account/totp",
        web::post().to(officer::account::enrol_totp),
    )
    .route(
        "/officer/account/password",
        web::post().to(officer::account::change_password),
    )
    .route(
        "/officer/account/language",
        web::post().to(officer::account::set_language),
    )
    .route("/officer/admin", web::get().to(officer::admin::admin))
    .route(
        "/officer/admin/channels",
        web::get().to(officer::channels::list),
    )
    .route(
        "/officer/admin/channels/{id}",
        web::get().to(officer::channels::edit),
    )
    .route(
        "/officer/admin/channels/{id}",
        web::post().to(officer::channels::post),
    )
    .route(
        "/officer/admin/settings",
        web::post().to(officer::admin::settings),
    )
    .route(
        "/officer/admin/officers",
        web::post().to(officer::admin::add_officer),
    )
    .route(
        "/officer/admin/officers/{id}/channels",
        web::post().to(officer::admin::set_channels),
    )
    .route(
        "/officer/admin/officers/{id}/grant",
        web::post().to(officer::admin::grant),
    )
    .route(
        "/officer/admin/officers/{id}/promote",
        web::post().to(officer::admin::promote),
    )
    .route(
        "/officer/admin/officers/{id}/demote",
        web::post().to(officer::admin::demote),
    )
    .route(
        "/officer/admin/officers/{id}/disable",
        web::post().to(officer::admin::disable),
    )
    .route(
        "/officer/admin/officers/{id}/enable",
        web::post().to(officer::admin::enable),
    )
    .route(
        "/officer/admin/officers/{id}/reset",
        web::post().to(officer::admin::reset),
    )
    .route(
        "/officer/enrol/{token}",
        web::get().to(officer::enrol::form),
    )
    .route(
        "/officer/enrol/{token}",
        web::post().to(officer::enrol::submit),
    )
    .route("/", web::get().to(reporter::forms::index))
    .route("/report", web::get().to(reporter::forms::report_form))
    .route("/report", web::post().to(reporter::forms::report_submit))
    .route("/complaint", web::get().to(reporter::forms::complaint_form))
    .route(
        "/complaint",
        web::post().to(reporter::forms::complaint_submit),
    )
    .route("/followup", web::get().to(reporter::followup::followup))
    .route(
        "/followup",
        web::post().to(reporter::followup::followup_sign_in),
    )
    .route(
        "/followup/messages",
        web::post().to(reporter::followup::followup_message),
    )
    .route(
        "/followup/rating",
        web::post().to(reporter::followup::followup_rating),
    )
    .route(
        "/followup/contact/withdraw",
        web::post().to(reporter::followup::withdraw_contact),
    )
    .route(
        "/followup/identity",
        web::post().to(reporter::followup::followup_identity),
    )
    .route(
        "/followup/files/{file_id}",
        web::get().to(reporter::followup::followup_file),
    )
    .route(
        "/followup/records/{id}/approve",
        web::post().to(reporter::followup::approve_record),
    )
    .route(
        "/followup/records/{id}/comment",
        web::post().to(reporter::followup::comment_record),
    )
    .route(
        "/followup/meeting",
        web::post().to(reporter::followup::request_meeting),
    )
    .route(
        "/followup/notify",
        web::post().to(reporter::followup::ask_for_news),
    )
    .route(
        "/followup/checkin",
        web::post().to(reporter::followup::check_in),
    )
    .route(
        "/followup/notify/remove",
        web::post().to(reporter::followup::stop_news),
    )
    .route(
        "/followup/logout",
        web::post().to(reporter::followup::followup_sign_out),
    )
    .route(
        "/static/sealbox.css",
        web::get().to(site::sealbox_stylesheet),
    )
    .route("/static/site.css", web::get().to(site::stylesheet))
    .route("/static/logo", web::get().to(site::logo))
    .route("/privacy", web::get().to(site::privacy))
    .default_service(web::to(methods::page_not_found));
}

/// Ends expired sessions (zeroizing their keys) and forgets old rate-limit windows every 30 s;
/// purges closed cases past retention at start and every hour.
fn spawn_sweeper(state: web::Data<AppState>) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(Duration::from_secs(30));
        let mut ticks: u64 = 0;
        loop {
            tick.tick().await;
            state.followups.sweep();
            state.officers.sweep();
            state.limiter.sweep();
            if ticks.is_multiple_of(120) {
                match state.cases.purge_expired(Actor::System).await {
                    Ok(purged) if !purged.is_empty() => {
                        tracing::info!(count = purged.len(), "closed cases purged after retention")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = ?e, "retention purge failed"),
                }
                // A blob no case names and nobody has written to for a day: a removal that
                // failed, or a crash mid-upload.
                if let Err(e) = state
                    .cases
                    .remove_stray_files(Duration::from_secs(86_400))
                    .await
                {
                    tracing::error!(error = ?e, "stray attachment sweep failed");
                }
            }
            ticks += 1;
        }
    });
}

/// Queues deadline reminders and daily digests every `mail.reminder_interval_s`.
fn spawn_reminders(state: web::Data<AppState>) {
    actix_web::rt::spawn(async move {
        let every = Duration::from_secs(state.settings.mail.reminder_interval_s.max(1));
        let mut tick = actix_web::rt::time::interval(every);
        loop {
            tick.tick().await;
            if let Err(e) = state.cases.queue_due_mail().await {
                tracing::error!(error = ?e, "deadline reminders could not be queued");
            }
        }
    });
}
