//! The report and complaint forms, and the receipt with the claim code. They work without
//! JavaScript, load nothing from another origin, and set no cookie.

use std::collections::{BTreeMap, HashSet};

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::ExposeSecret;

use super::views::*;
use crate::cases::channels::RawValue;
use crate::cases::files::human_size;
use crate::cases::identity::IdentityInput;
use crate::cases::intake::{ContactInput, Submission};
use crate::cases::Channel;
use crate::config::{ChannelKind, FieldKind};
use crate::http::errors::{html, PageError, Problem};
use crate::http::form_tokens::Begin;
use crate::http::rate_limit::Bucket;
use crate::http::uploads::{self, IntakeFiles, OrMultipart};
use crate::http::views::*;
use crate::http::AppState;

type Form = web::Form<Vec<(String, String)>>;

pub async fn index(req: HttpRequest) -> HttpResponse {
    html(
        &mut HttpResponse::Ok(),
        IndexPage {
            t: Ui::for_request(&req),
        },
    )
}

#[derive(serde::Deserialize)]
pub struct ChannelQuery {
    channel: Option<String>,
}

pub async fn report_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ChannelQuery>,
) -> Result<HttpResponse, PageError> {
    channel_form(
        &req,
        &state,
        ChannelKind::Whistleblowing,
        query.channel.as_deref(),
    )
    .await
}

pub async fn complaint_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ChannelQuery>,
) -> Result<HttpResponse, PageError> {
    channel_form(
        &req,
        &state,
        ChannelKind::Complaint,
        query.channel.as_deref(),
    )
    .await
}

pub async fn report_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: OrMultipart<Form>,
) -> Result<HttpResponse, PageError> {
    submit(&req, &state, ChannelKind::Whistleblowing, body).await
}

pub async fn complaint_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: OrMultipart<Form>,
) -> Result<HttpResponse, PageError> {
    submit(&req, &state, ChannelKind::Complaint, body).await
}

fn path_of(kind: &ChannelKind) -> &'static str {
    match kind {
        ChannelKind::Whistleblowing => "/report",
        ChannelKind::Complaint => "/complaint",
    }
}

/// The channel a page is about: the one asked for, or the only one of its kind. `Ok(None)`
/// when there are several to choose from.
fn pick_channel<'a>(
    state: &'a AppState,
    kind: &ChannelKind,
    requested: Option<&str>,
) -> Result<Option<&'a Channel>, PageError> {
    let missing = || {
        PageError(
            Problem::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "there is no such form on this site",
            )
            .said("no_such_form"),
        )
    };
    if let Some(id) = requested {
        return state
            .cases
            .channels()
            .get(id)
            .filter(|c| &c.kind == kind)
            .map(Some)
            .ok_or_else(missing);
    }
    let mut of_kind = state.cases.channels().of_kind(kind.clone());
    match (of_kind.next(), of_kind.next()) {
        (None, _) => Err(missing()),
        (Some(only), None) => Ok(Some(only)),
        _ => Ok(None),
    }
}

async fn channel_form(
    req: &HttpRequest,
    state: &AppState,
    kind: ChannelKind,
    requested: Option<&str>,
) -> Result<HttpResponse, PageError> {
    let t = Ui::for_request(req);
    let Some(channel) = pick_channel(state, &kind, requested)? else {
        let lang = t.lang;
        let page = ChannelsPage {
            heading: match kind {
                ChannelKind::Whistleblowing => t.get("channels.heading_report"),
                ChannelKind::Complaint => t.get("channels.heading_complaint"),
            },
            channels: state
                .cases
                .channels()
                .of_kind(kind.clone())
                .map(|c| {
                    (
                        c.id.clone(),
                        c.title.get(lang).to_owned(),
                        c.description.get(lang).to_owned(),
                        format!("{}?channel={}", path_of(&kind), c.id),
                    )
                })
                .collect(),
            t,
        };
        return Ok(html(&mut HttpResponse::Ok(), page));
    };
    let fresh = FormInput {
        clean_metadata: true,
        ..FormInput::default()
    };
    let page = form_page(t, state, channel, &fresh, None).await?;
    Ok(html(&mut HttpResponse::Ok(), page))
}

/// A form as the submitter filled it in, kept to show it again with an error.
#[derive(Default)]
struct FormInput {
    channel: String,
    fields: BTreeMap<String, String>,
    exclude: HashSet<String>,
    contact_email: String,
    contact_consent: bool,
    identity_name: String,
    identity_contact: String,
    clean_metadata: bool,
    /// Files came with it (and, refused, were not kept).
    had_files: bool,
    form_token: String,
}

impl FormInput {
    fn read(pairs: Vec<(String, String)>) -> Self {
        let mut input = FormInput::default();
        for (key, value) in pairs {
            match key.as_str() {
                "channel" => input.channel = value,
                "exclude" => {
                    input.exclude.insert(value);
                }
                "contact_email" => input.contact_email = value,
                "contact_consent" => input.contact_consent = !value.is_empty(),
                "identity_name" => input.identity_name = value,
                "identity_contact" => input.identity_contact = value,
                "clean_metadata" => input.clean_metadata = !value.is_empty(),
                "form_token" => input.form_token = value,
                _ => {
                    if let Some(id) = key.strip_prefix("f_") {
                        input.fields.insert(id.to_owned(), value);
                    }
                }
            }
        }
        input
    }

    fn submission(&self, language: crate::i18n::Lang) -> Submission {
        Submission {
            language,
            channel: self.channel.clone(),
            fields: self
                .fields
                .iter()
                .map(|(k, v)| (k.clone(), RawValue::Text(v.clone())))
                .collect(),
            exclude_officers: self.exclude.iter().cloned().collect(),
            contact: Some(ContactInput {
                email: self.contact_email.clone(),
                consent: self.contact_consent,
            }),
            identity: Some(IdentityInput {
                name: self.identity_name.clone(),
                contact: self.identity_contact.clone(),
            }),
        }
    }
}

async fn form_page(
    t: Ui,
    state: &AppState,
    channel: &Channel,
    input: &FormInput,
    error: Option<&Problem>,
) -> Result<FormPage, PageError> {
    let lang = t.lang;
    let error_for = |name: &str| match error {
        Some(e) if e.field.as_deref() == Some(name) => Some(t.problem_in(e, Some(channel))),
        _ => None,
    };
    let fields = channel
        .fields
        .iter()
        .map(|f| {
            let value = input.fields.get(&f.id).cloned().unwrap_or_default();
            FieldInput {
                name: format!("f_{}", f.id),
                label: f.label.get(lang).to_owned(),
                help: f.help.get(lang).to_owned(),
                kind: f.kind.as_str(),
                required: f.required,
                max_length: f.max_length,
                checked: f.kind == FieldKind::Checkbox && !value.is_empty(),
                options: f
                    .options
                    .iter()
                    .map(|o| {
                        let canonical = o.canonical();
                        (
                            canonical.to_owned(),
                            o.get(lang).to_owned(),
                            canonical == value,
                        )
                    })
                    .collect(),
                error: error_for(&format!("fields.{}", f.id)),
                value,
            }
        })
        .collect();
    let accepting = state.cases.channel_accepts(&channel.id).await?;
    let officers = state
        .cases
        .officers_to_exclude(&channel.id)
        .await?
        .into_iter()
        .map(|o| {
            let excluded = input.exclude.contains(&o.id);
            (o.id, o.name, excluded)
        })
        .collect();
    let contact_error = error_for("contact.email").or_else(|| error_for("contact.consent"));
    let noun = noun(&t, &channel.kind);
    Ok(FormPage {
        title: channel.title.get(lang).to_owned(),
        description: channel.description.get(lang).to_owned(),
        noun,
        action: path_of(&channel.kind),
        channel: channel.id.clone(),
        fields,
        officers,
        takes_contact: channel.takes_contact(),
        accepting,
        contact_email: input.contact_email.clone(),
        contact_consent: input.contact_consent,
        takes_identity: channel.takes_identity && state.cases.accepts_identity().await?,
        identity_name: input.identity_name.clone(),
        identity_contact: input.identity_contact.clone(),
        identity_error: error_for("identity.name")
            .or_else(|| error_for("identity.contact"))
            .or_else(|| error_for("identity")),
        error: error.map(|e| t.problem_in(e, Some(channel))),
        exclude_error: error_for("exclude_officers"),
        file_error: error_for("file"),
        contact_error,
        clean_metadata: input.clean_metadata,
        files_again: input.had_files && error.is_some(),
        external: (channel.kind == ChannelKind::Whistleblowing).then(|| {
            t.brand
                .external_reporting
                .as_ref()
                .map(|text| paragraphs(text.get(lang)))
                .unwrap_or_default()
        }),
        // A refused form keeps its token: nothing was made with it, and it may come again.
        form_token: if input.form_token.is_empty() {
            crate::crypto::random::token()
        } else {
            input.form_token.clone()
        },
        files_help: lang.fill(
            "form.files_help",
            &[
                ("noun", &noun),
                ("count", &channel.files.files),
                ("size", &human_size(channel.files.per_file)),
                ("total", &human_size(channel.files.total)),
            ],
        ),
        t,
    })
}

async fn submit(
    req: &HttpRequest,
    state: &AppState,
    kind: ChannelKind,
    body: OrMultipart<Form>,
) -> Result<HttpResponse, PageError> {
    let t = Ui::for_request(req);
    let client = state.limiter.client(req);
    state
        .limiter
        .take(Bucket::CaseCreated, client)
        .map_err(|s| PageError(Problem::rate_limited(s)))?;
    let mut draft = state.cases.new_intake();
    let mut had_files = false;
    let read = match body {
        OrMultipart::Plain(form) => Ok(form.into_inner()),
        OrMultipart::Multipart(body) => {
            let mut files = IntakeFiles::new(state, &mut draft, Some(kind.clone()));
            let read = uploads::read(body, state.settings.limits.json_body_bytes, &mut files).await;
            had_files = files.started();
            read
        }
    };
    let (pairs, refused) = match read {
        Ok(pairs) => (pairs, None),
        Err(r) => (r.texts, Some(r.problem)),
    };
    let mut input = FormInput::read(pairs);
    input.had_files = had_files;
    let channel = match pick_channel(state, &kind, Some(&input.channel)) {
        Ok(Some(channel)) => channel,
        Ok(None) | Err(_) => {
            if !had_files {
                state.limiter.refund(Bucket::CaseCreated, client);
            }
            return Err(PageError(refused.unwrap_or_else(Problem::not_found)));
        }
    };
    let mut once = None;
    if refused.is_none() {
        match state.form_tokens.begin(&input.form_token).await {
            Begin::Fresh(guard) => once = Some(guard),
            // This very form went in already (a reload, a second click): its receipt again.
            Begin::Sent(code) => {
                if !had_files {
                    state.limiter.refund(Bucket::CaseCreated, client);
                }
                let page = ReceiptPage {
                    noun: noun(&t, &channel.kind),
                    code: code.expose_secret().to_owned(),
                    t,
                };
                return Ok(html(&mut HttpResponse::Ok(), page));
            }
            Begin::Busy => return Err(PageError(Problem::form_pending())),
        }
    }
    let result = match refused {
        Some(problem) => Err(problem),
        None => state
            .cases
            .submit_with(draft, input.submission(t.lang))
            .await
            .map_err(Problem::from),
    };
    // A refusal after files started to arrive keeps its place in the rate limit: the bytes
    // were received and sealed.
    if result.is_err() && !had_files {
        state.limiter.refund(Bucket::CaseCreated, client);
    }
    match result {
        Ok(receipt) => {
            let code = receipt.claim_code.grouped();
            if let Some(guard) = once {
                guard.sent(code.clone());
            }
            let page = ReceiptPage {
                noun: noun(&t, &channel.kind),
                code: code.expose_secret().to_owned(),
                t,
            };
            Ok(html(&mut HttpResponse::Ok(), page))
        }
        // What the submitter can put right: the form again, as filled in, with the message.
        Err(p) if p.status.is_client_error() || p.status == StatusCode::SERVICE_UNAVAILABLE => {
            let page = form_page(t, state, channel, &input, Some(&p)).await?;
            Ok(html(&mut HttpResponse::build(p.status), page))
        }
        Err(p) => Err(PageError(p)),
    }
}
