//! Channels edited in the browser (admins only): the list, and one channel's editor — its
//! questions (added, moved, removed), steps, conditions, texts per language, deadlines,
//! categories, retention and limits — with a preview of the form as a reporter sees it, and
//! publishing, which stores a new version (a case keeps the version it came in under).

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::channel_editor::{Draft, FieldDraft, LANGS};
use super::views::{chrome, chrome_with, Chrome};
use super::{for_change, require_admin, signed_in};
use crate::cases::channels::valid_id;
use crate::cases::published::{Definition, Published};
use crate::cases::CaseError;
use crate::config::{ChannelKind, FieldKind};
use crate::http::errors::{html, PageError, Problem};
use crate::http::reporter::views::{preview_pages, FieldInput};
use crate::http::AppState;
use crate::i18n::Lang;

#[derive(Template)]
#[template(path = "officer_channels.html")]
pub struct ChannelListPage {
    pub chrome: Chrome,
    /// (id, title, kind, version, source, published day, takes cases)
    pub channels: Vec<(String, String, &'static str, u32, String, String, bool)>,
}

#[derive(Template)]
#[template(path = "officer_channel.html")]
pub struct ChannelEditPage {
    pub chrome: Chrome,
    pub draft: Draft,
    /// It is stored already (its kind is then fixed).
    pub existing: bool,
    pub version: Option<u32>,
    /// The form as a reporter would see it: each page's questions (page 0: one page).
    pub preview: Option<Vec<(u32, Vec<FieldInput>)>>,
    /// The input a refusal is about, to mark it.
    pub wrong: Option<String>,
    pub langs: [(&'static str, &'static str); 3],
    pub kinds: Vec<String>,
}

impl ChannelEditPage {
    /// The channel's numbers: (input name, value as typed).
    pub fn rules(&self) -> Vec<(&'static str, String)> {
        let d = &self.draft;
        vec![
            ("acknowledge_days", d.acknowledge_days.clone()),
            ("resolve_days", d.resolve_days.clone()),
            ("retention_days", d.retention_days.clone()),
            ("meeting_days", d.meeting_days.clone()),
            ("max_files", d.max_files.clone()),
            ("max_file_mib", d.max_file_mib.clone()),
            ("max_total_mib", d.max_total_mib.clone()),
        ]
    }

    /// The i18n key of the channel's kind.
    pub fn kind_key(&self) -> String {
        format!("channels_admin.kind_{}", self.draft.kind)
    }

    pub fn identity_choices(&self) -> Vec<String> {
        ["default", "yes", "no"].map(String::from).to_vec()
    }

    pub fn invalid(&self, name: &str) -> bool {
        self.wrong.as_deref() == Some(name)
    }

    /// The ids a condition may name: the other questions, and the one it names now even if
    /// no question has that id any more (so a post keeps it, to be refused with a reason
    /// rather than dropped).
    pub fn others(&self, me: &FieldDraft) -> Vec<String> {
        let mut ids: Vec<String> = self
            .draft
            .fields
            .iter()
            .filter(|f| f.id != me.id && !f.id.is_empty())
            .map(|f| f.id.clone())
            .collect();
        let named = me.show_if_field.trim();
        if !named.is_empty() && !ids.iter().any(|id| id == named) {
            ids.push(named.to_owned());
        }
        ids
    }
}

/// The channel's current definition; `None` for one not published yet.
async fn current(
    state: &AppState,
    session: &super::OfficerSession,
    id: &str,
) -> Result<Option<Definition>, PageError> {
    match state
        .cases
        .channel_definition(&session.value.officer, id)
        .await
    {
        Ok(d) => Ok(Some(d)),
        Err(CaseError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn no_such_channel() -> PageError {
    PageError(Problem::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "there is no such channel",
    ))
}

#[derive(serde::Deserialize)]
pub struct ListQuery {
    /// A new channel to start: its id and kind.
    new: Option<String>,
    kind: Option<String>,
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let session = signed_in(&req, &state, false).await?;
    require_admin(&session)?;
    if let Some(id) = query
        .new
        .as_deref()
        .map(str::trim)
        .filter(|id| valid_id(id))
    {
        let kind = match query.kind.as_deref() {
            Some("complaint") => "complaint",
            _ => "whistleblowing",
        };
        return Ok(HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                format!("/officer/admin/channels/{id}?kind={kind}"),
            ))
            .finish());
    }
    let t = session.value.ui.clone();
    let all = state
        .cases
        .channel_definitions(&session.value.officer)
        .await?;
    let page = ChannelListPage {
        channels: all
            .into_iter()
            .map(|d| {
                (
                    d.config.id.clone(),
                    d.config.title.get(t.lang).to_owned(),
                    d.config.kind.as_str(),
                    d.version,
                    d.source.clone(),
                    crate::http::views::rfc3339(d.published_at)
                        .get(..10)
                        .unwrap_or_default()
                        .to_owned(),
                    d.active,
                )
            })
            .collect(),
        chrome: chrome(&session),
    };
    Ok(html(&mut HttpResponse::Ok(), page))
}

#[derive(serde::Deserialize)]
pub struct EditQuery {
    /// A new channel's kind.
    kind: Option<String>,
    /// The version just published, to say so.
    published: Option<u32>,
}

pub async fn edit(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<EditQuery>,
) -> Result<HttpResponse, PageError> {
    let session = signed_in(&req, &state, false).await?;
    require_admin(&session)?;
    let id = path.into_inner();
    if !valid_id(&id) {
        return Err(no_such_channel());
    }
    let current = current(&state, &session, &id).await?;
    let t = &session.value.ui;
    let notice = query
        .published
        .map(|v| t.fmt1("channels_admin.published", "version", v));
    let draft = match &current {
        Some(d) => Draft::from_config(&d.config),
        None => {
            let kind = match query.kind.as_deref() {
                Some("complaint") => ChannelKind::Complaint,
                _ => ChannelKind::Whistleblowing,
            };
            Draft::new_channel(&id, kind)
        }
    };
    let made_from = (current.is_some(), current.as_ref().map(|d| d.version));
    let page = editor(chrome_with(&session, notice, None), draft, made_from, None);
    Ok(html(&mut HttpResponse::Ok(), page))
}

/// The editor of `draft`, made from `version` of a channel (`existing`) or of a new one.
fn editor(
    chrome: Chrome,
    draft: Draft,
    (existing, version): (bool, Option<u32>),
    preview: Option<Vec<(u32, Vec<FieldInput>)>>,
) -> ChannelEditPage {
    ChannelEditPage {
        chrome,
        draft,
        existing,
        version,
        preview,
        wrong: None,
        langs: LANGS.map(|code| (code, Lang::parse(code).map_or(code, Lang::name))),
        kinds: FieldKind::ALL
            .iter()
            .map(|k| k.as_str().to_owned())
            .collect(),
    }
}

/// The editor's buttons: a question added, moved or removed; a preview; publishing.
pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let pairs = form.into_inner();
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let session = for_change(&req, &state, value("csrf"), false).await?;
    require_admin(&session)?;
    let id = path.into_inner();
    if !valid_id(&id) {
        return Err(no_such_channel());
    }
    let action = value("action").to_owned();
    // The version the draft was made from: publishing over another one is refused.
    let expected = value("version").parse::<u32>().ok();
    let mut draft = Draft::from_form(&pairs);
    // The address names the channel; a draft cannot publish another.
    draft.id = id.clone();
    let current = current(&state, &session, &id).await?;
    // A draft keeps the version it was made from, whatever was published since.
    let made_from = (current.is_some(), expected);
    let t = session.value.ui.clone();
    // The draft again, as posted, with what is wrong with it.
    let refused = |draft: Draft, wrong: Option<String>, message: String, status: StatusCode| {
        let mut page = editor(
            chrome_with(&session, None, Some(message)),
            draft,
            made_from,
            None,
        );
        page.wrong = wrong;
        html(&mut HttpResponse::build(status), page)
    };
    let refused_for = |draft: Draft, e: CaseError| {
        let p = Problem::from(e);
        refused(draft, p.field.clone(), t.problem(&p), p.status)
    };
    match action.as_str() {
        "publish" | "preview" => {
            let config = match draft.to_config() {
                Ok(c) => c,
                Err(w) => {
                    let status = StatusCode::UNPROCESSABLE_ENTITY;
                    return Ok(refused(draft, Some(w.input), w.message, status));
                }
            };
            if action == "preview" {
                return match state
                    .cases
                    .check_channel(&session.value.officer, &id, config)
                {
                    Ok(channel) => {
                        let preview = preview_pages(&t, &channel);
                        let page = editor(chrome(&session), draft, made_from, Some(preview));
                        Ok(html(&mut HttpResponse::Ok(), page))
                    }
                    Err(e @ CaseError::Invalid { .. }) => Ok(refused_for(draft, e)),
                    Err(e) => Err(e.into()),
                };
            }
            match state
                .cases
                .publish_channel(&session.value.officer, &id, config, expected)
                .await
            {
                Ok(Published::Created(d) | Published::Changed(d) | Published::Unchanged(d)) => {
                    Ok(HttpResponse::SeeOther()
                        .insert_header((
                            header::LOCATION,
                            format!("/officer/admin/channels/{id}?published={}", d.version),
                        ))
                        .finish())
                }
                Err(e @ (CaseError::Invalid { .. } | CaseError::Stale(_))) => {
                    Ok(refused_for(draft, e))
                }
                Err(e) => Err(e.into()),
            }
        }
        other => {
            draft.apply(other);
            let page = editor(chrome(&session), draft, made_from, None);
            Ok(html(&mut HttpResponse::Ok(), page))
        }
    }
}
