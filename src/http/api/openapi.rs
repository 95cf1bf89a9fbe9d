//! `GET /api/v1/openapi.json`: an OpenAPI 3.1 description of the whole API, generated from the
//! handlers' `#[utoipa::path]` and the request and answer types, so it cannot drift from them
//! (and `tests/api/openapi.rs` checks every route of `fn routes` is in it).

use actix_web::HttpResponse;
use serde::Serialize;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Spec, RefOr};
use utoipa::{Modify, OpenApi, ToSchema};

use super::{admin, admin_channels, disclosures, officer, records, reporter, triage};

/// Every error of the API: `{"error","message"}`, with `field` when one field is at fault.
#[derive(Serialize, ToSchema)]
pub struct ProblemOut {
    /// A stable code: `not_found`, `unauthorized`, `invalid`, `rate_limited`, …
    error: String,
    /// In English, for people.
    message: String,
    /// The field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
}

/// An answer with nothing more to say: `{}`.
#[derive(Serialize, ToSchema)]
pub struct EmptyOut {}

/// A file's bytes in a `multipart/form-data` part.
pub struct FilePart;

impl utoipa::PartialSchema for FilePart {
    fn schema() -> RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Binary,
            )))
            .into()
    }
}

impl ToSchema for FilePart {}

/// `POST /api/v1/cases` as `multipart/form-data`: the case as JSON, then its files.
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct CaseForm {
    /// The case, as the JSON body would be ([`Submission`](crate::cases::intake::Submission)).
    case: String,
    /// `true` (before the files): photos are cleaned of their metadata.
    clean_metadata: Option<bool>,
    file: Vec<FilePart>,
}

/// Files for a case's thread, with an optional message.
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct FilesForm {
    /// A message sent with the files.
    body: Option<String>,
    /// `true` (before the files): photos are cleaned of their metadata.
    clean_metadata: Option<bool>,
    /// Officers only, `true` (before the files): with the notes, for officers only.
    internal: Option<bool>,
    file: Vec<FilePart>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "sealbox",
        description = "Intake of whistleblowing reports and customer complaints. Reporters \
                       follow their case with its claim code as bearer token; officers with \
                       the token of `POST /api/v1/officer/login`. Prose: docs/api.md."
    ),
    paths(
        spec,
        reporter::channels,
        reporter::create_case,
        reporter::followup,
        reporter::followup_message,
        reporter::followup_rating,
        reporter::withdraw_contact,
        reporter::followup_files,
        reporter::followup_identity,
        reporter::followup_file,
        officer::login,
        officer::logout,
        officer::cases,
        officer::statistics,
        officer::case,
        officer::status,
        officer::message,
        officer::note,
        officer::add_files,
        officer::file,
        officer::assign,
        officer::discard,
        officer::export,
        disclosures::request,
        disclosures::list,
        disclosures::decide,
        admin::add,
        admin::reset,
        admin_channels::list,
        admin_channels::get,
        admin_channels::put,
        records::record_case,
        records::write_record,
        records::revise_record,
        records::approve,
        records::comment,
        records::meeting,
        records::notify,
        records::stop_notify,
        records::checkin,
        triage::triage,
        triage::link,
        triage::replies,
    ),
    modifiers(&Common),
    tags(
        (name = "reporter", description = "A new case, then its follow-up with the claim code"),
        (name = "officer", description = "Casework with an officer's bearer token"),
    )
)]
pub struct ApiDoc;

/// What every operation shares: the bearer schemes, and the refusals any request can meet
/// before its handler (a malformed request, a body too slow or too large, the rate limit, a
/// full argon2 queue).
struct Common;

impl Modify for Common {
    fn modify(&self, spec: &mut Spec) {
        let components = spec.components.get_or_insert_with(Default::default);
        for (name, what) in [
            (
                "claim_code",
                "The case's claim code, as given by `POST /api/v1/cases`",
            ),
            ("officer_token", "The token of `POST /api/v1/officer/login`"),
        ] {
            components.add_security_scheme(
                name,
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some(what))
                        .build(),
                ),
            );
        }
        let problem = |what: &str| {
            ResponseBuilder::new()
                .description(what)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                            "ProblemOut",
                        ))))
                        .build(),
                )
                .build()
        };
        for item in spec.paths.paths.values_mut() {
            let operations: [(&mut Option<Operation>, bool); 4] = [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.put, true),
                (&mut item.delete, true),
            ];
            for (op, changes) in operations {
                let Some(op) = op else { continue };
                let mut common = vec![
                    ("400", "A malformed request"),
                    ("408", "The request body came too slowly"),
                    ("413", "The request body is larger than the limit"),
                    (
                        "429",
                        "Too many requests from this client (see `Retry-After`)",
                    ),
                    ("503", "The server is busy (see `Retry-After`)"),
                ];
                if op.request_body.is_some() {
                    common.push(("415", "The body is not of a type this operation takes"));
                    common.push(("422", "The body is not of the expected shape"));
                }
                if changes {
                    common.push((
                        "403",
                        "A request another site made (`Origin`, `Sec-Fetch-Site`)",
                    ));
                }
                if op.security.is_some() {
                    common.push(("401", "No valid bearer token or claim code"));
                }
                for (status, what) in common {
                    op.responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| problem(what).into());
                }
            }
        }
    }
}

/// `GET /api/v1/openapi.json`
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "reporter",
    responses((status = 200, description = "This description, OpenAPI 3.1", content_type = "application/json"))
)]
pub async fn spec() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
