//! View models of the reporter pages: the forms, the receipt, the follow-up pages.

use std::collections::{BTreeMap, HashSet};

use askama::Template;

use crate::cases::channels::{Field, RawValue};
use crate::cases::files::human_size;
use crate::cases::followup::CaseView;
use crate::cases::identity::IdentityInput;
use crate::cases::intake::{ContactInput, OfficerRef, Submission};
use crate::cases::workflow::Status;
use crate::cases::Channel;
use crate::config::{ChannelKind, FieldKind};
use crate::http::errors::Problem;
use crate::http::views::{paragraphs, thread, MeetingLine, RecordLine, ThreadLine, Ui};

/// Where the form of a kind of channel is.
pub fn form_path(kind: &ChannelKind) -> &'static str {
    match kind {
        ChannelKind::Whistleblowing => "/report",
        ChannelKind::Complaint => "/complaint",
    }
}

/// A form as the submitter filled it in, kept to show it again with an error.
#[derive(Default)]
pub struct FormInput {
    pub channel: String,
    /// Every value sent under each field's name: one, or several for checkboxes.
    pub fields: BTreeMap<String, Vec<String>>,
    pub exclude: HashSet<String>,
    pub contact_email: String,
    pub contact_consent: bool,
    pub identity_name: String,
    pub identity_contact: String,
    pub clean_metadata: bool,
    /// Files came with it (and, refused, were not kept).
    pub had_files: bool,
    pub form_token: String,
    /// A step-by-step form: the page it was sent from (0: a one-page form)…
    pub page: u32,
    /// …and where the reporter asked to go: `next`, `back`, `page-N`, or `send`.
    pub go: String,
}

impl FormInput {
    pub fn read(pairs: Vec<(String, String)>) -> Self {
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
                "page" => input.page = value.parse().unwrap_or(0),
                "go" => input.go = value,
                _ => {
                    if let Some(id) = key.strip_prefix("f_") {
                        input.fields.entry(id.to_owned()).or_default().push(value);
                    }
                }
            }
        }
        input
    }

    /// The answers as the form sent them: one value as text, several as a list.
    pub fn answers(&self) -> BTreeMap<String, RawValue> {
        self.fields
            .iter()
            .map(|(k, values)| match values.as_slice() {
                [one] => (k.clone(), RawValue::Text(one.clone())),
                _ => (k.clone(), RawValue::List(values.clone())),
            })
            .collect()
    }

    pub fn submission(&self, language: crate::i18n::Lang) -> Submission {
        Submission {
            language,
            channel: self.channel.clone(),
            fields: self.answers(),
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

#[derive(Template)]
#[template(path = "index.html")]
pub struct IndexPage {
    pub t: Ui,
}

#[derive(Template)]
#[template(path = "channels.html")]
pub struct ChannelsPage {
    pub t: Ui,
    pub heading: &'static str,
    /// (id, title, description, link)
    pub channels: Vec<(String, String, String, String)>,
}

impl ChannelsPage {
    /// The channels of `kind` to choose from, each linking to its form at `path`.
    pub fn new<'a>(
        t: Ui,
        kind: &ChannelKind,
        channels: impl Iterator<Item = &'a Channel>,
        path: &str,
    ) -> Self {
        let lang = t.lang;
        ChannelsPage {
            heading: match kind {
                ChannelKind::Whistleblowing => t.get("channels.heading_report"),
                ChannelKind::Complaint => t.get("channels.heading_complaint"),
            },
            channels: channels
                .map(|c| {
                    (
                        c.id.clone(),
                        c.title.get(lang).to_owned(),
                        c.description.get(lang).to_owned(),
                        format!("{path}?channel={}", c.id),
                    )
                })
                .collect(),
            t,
        }
    }
}

#[derive(Clone)]
pub struct FieldInput {
    pub name: String,
    pub label: String,
    pub help: String,
    pub kind: &'static str,
    pub required: bool,
    pub max_length: usize,
    pub value: String,
    pub checked: bool,
    /// (value, shown, selected)
    pub options: Vec<(String, String, bool)>,
    pub error: Option<String>,
    /// A number field's bounds, as the input's attributes (empty: none).
    pub min: String,
    pub max: String,
    /// When it is asked only after an answer on the same page: which (empty otherwise).
    pub only_if: String,
}

#[derive(Template)]
#[template(path = "form.html")]
pub struct FormPage {
    pub t: Ui,
    pub title: String,
    pub description: String,
    pub noun: &'static str,
    pub action: &'static str,
    pub channel: String,
    pub fields: Vec<FieldInput>,
    /// (id, name, excluded)
    pub officers: Vec<(String, String, bool)>,
    pub takes_contact: bool,
    /// False while nobody could read a case of this channel: the form is not shown.
    pub accepting: bool,
    pub contact_email: String,
    pub contact_consent: bool,
    pub takes_identity: bool,
    pub identity_name: String,
    pub identity_contact: String,
    pub identity_error: Option<String>,
    pub error: Option<String>,
    pub exclude_error: Option<String>,
    pub contact_error: Option<String>,
    pub file_error: Option<String>,
    pub clean_metadata: bool,
    /// Files were sent with a submission that was refused: they must be chosen again.
    pub files_again: bool,
    /// What files may come, and how many.
    pub files_help: String,
    /// The one-time token of this filling-in (see `form_tokens`).
    pub form_token: String,
    /// Whistleblowing forms: the word on reporting to the authorities (configured paragraphs;
    /// empty: the built-in sentence). `None` on complaint forms.
    pub external: Option<Vec<String>>,
    /// A step-by-step form: this page (1-based; `pages + 1` is the review) and its pages of
    /// questions. 0 and 0: a one-page form.
    pub page: u32,
    pub pages: u32,
    /// Answers given on other pages, carried in the form itself: (name, value).
    pub carried: Vec<(String, String)>,
    /// The review: each page's answers as (page, [(question, answer)]).
    pub review: Vec<(u32, Vec<(String, String)>)>,
    /// Questions answered with files: asked at the end, beside the attachments, since a
    /// form's files must come after everything that decides where they go.
    pub file_questions: Vec<FieldInput>,
}

/// What a form shows besides the channel's own settings, asked of `cases` for the page.
pub struct FormFacts {
    /// Somebody could read a case of this channel now.
    pub accepting: bool,
    /// Officers the submitter may keep away from the case.
    pub officers: Vec<OfficerRef>,
    pub takes_identity: bool,
}

impl FieldInput {
    /// The attributes that tie the field to its help and its error, for screen readers:
    /// ` aria-describedby="…"` and, when refused, ` aria-invalid="true"`. Made of field ids
    /// (a-z, 0-9, - and _ only), so safe to write as they are.
    /// Only ` aria-describedby="…"`: for a group of checkboxes (a fieldset takes no
    /// `aria-invalid`).
    pub fn described(&self) -> String {
        let aria = self.aria();
        match aria.find(" aria-invalid") {
            Some(at) => aria[..at].to_owned(),
            None => aria,
        }
    }

    pub fn aria(&self) -> String {
        let mut ids = Vec::new();
        if !self.help.is_empty() || !self.only_if.is_empty() {
            ids.push(format!("{}_help", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("{}_error", self.name));
        }
        let mut out = String::new();
        if !ids.is_empty() {
            out.push_str(&format!(" aria-describedby=\"{}\"", ids.join(" ")));
        }
        if self.error.is_some() {
            out.push_str(" aria-invalid=\"true\"");
        }
        out
    }

    fn new(t: &Ui, f: &Field, input: &FormInput, error: Option<String>) -> Self {
        let lang = t.lang;
        let sent = input
            .fields
            .get(&f.id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let value = sent.last().cloned().unwrap_or_default();
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
                    let selected = sent.iter().any(|v| v == canonical);
                    (canonical.to_owned(), o.get(lang).to_owned(), selected)
                })
                .collect(),
            min: f.min.map(|m| m.to_string()).unwrap_or_default(),
            max: f.max.map(|m| m.to_string()).unwrap_or_default(),
            only_if: String::new(),
            error,
            value,
        }
    }

    /// Says which earlier answer the question depends on, when that is asked on the same page
    /// (`one_page`: the whole form is one page).
    fn only_if(mut self, t: &Ui, channel: &Channel, f: &Field, one_page: bool) -> Self {
        let (Some(cond), Some(on)) = (&f.show_if, channel.condition_on(f)) else {
            return self;
        };
        if !one_page && !channel.condition_on_same_step(f) {
            return self;
        }
        let answer = match on.kind {
            FieldKind::Checkbox => t
                .get(if cond.equals == "true" {
                    "case.yes"
                } else {
                    "case.no"
                })
                .to_owned(),
            _ => crate::cases::sealed::shown(
                Some(on),
                &serde_json::Value::String(cond.equals.clone()),
                t.lang,
            ),
        };
        self.only_if = t.lang.fill(
            "form.only_if",
            &[("answer", &answer), ("question", &on.label.get(t.lang))],
        );
        self
    }

    /// Whether the browser may insist on an answer: not for a question asked only after an
    /// answer on the same page, which the browser cannot judge (the server does).
    pub fn browser_required(&self) -> bool {
        self.required && self.only_if.is_empty()
    }
}

impl FormPage {
    /// The form of `channel` as `input` filled it in, on one page; with `error`, the message
    /// goes next to the field it is about (or on top).
    pub fn new(
        t: Ui,
        channel: &Channel,
        input: &FormInput,
        error: Option<&Problem>,
        facts: FormFacts,
    ) -> Self {
        FormPage::at_page(t, channel, input, error, facts, 0)
    }

    /// One page of a step-by-step form (`page` from 1; one past the last is the review), or
    /// with `page` 0 the whole form on one page.
    pub fn at_page(
        t: Ui,
        channel: &Channel,
        input: &FormInput,
        error: Option<&Problem>,
        facts: FormFacts,
        page: u32,
    ) -> Self {
        let error_for = |name: &str| match error {
            Some(e) if e.field.as_deref() == Some(name) => Some(t.problem_in(e, Some(channel))),
            _ => None,
        };
        let (page, pages) = match page {
            0 => (0, 0),
            page => (page.clamp(1, channel.pages() + 1), channel.pages()),
        };
        let answers = input.answers();
        let unasked = channel.unasked(&answers);
        // A question is on this page when its step is, and asked given the answers of earlier
        // pages (one whose condition is on this page is shown, saying so).
        let here = |f: &Field| {
            (page == 0 || f.page_in(channel) == page)
                && (!unasked.contains(&f.id)
                    || (f.show_if.is_some() && (page == 0 || channel.condition_on_same_step(f))))
        };
        let input_of = |f: &Field| {
            FieldInput::new(&t, f, input, error_for(&format!("fields.{}", f.id))).only_if(
                &t,
                channel,
                f,
                page == 0,
            )
        };
        let fields = channel
            .fields
            .iter()
            .filter(|f| f.kind != FieldKind::Files && here(f))
            .map(input_of)
            .collect();
        let reviewing = pages > 0 && page > pages;
        let file_questions = channel
            .fields
            .iter()
            .filter(|f| f.kind == FieldKind::Files && !unasked.contains(&f.id))
            .filter(|_| page == 0 || reviewing)
            .map(input_of)
            .collect();
        let mut carried: Vec<(String, String)> = input
            .fields
            .iter()
            .filter(|(id, _)| {
                channel
                    .fields
                    .iter()
                    .find(|f| &f.id == *id)
                    .is_some_and(|f| !here(f))
            })
            .flat_map(|(id, values)| values.iter().map(move |v| (format!("f_{id}"), v.clone())))
            .collect();
        if pages > 0 && !reviewing {
            // What the last page asks (who may read it, an address, a name) is kept too, for
            // a reporter who went back from it.
            carried.extend(
                input
                    .exclude
                    .iter()
                    .map(|o| ("exclude".to_owned(), o.clone())),
            );
            for (name, value) in [
                ("contact_email", &input.contact_email),
                ("identity_name", &input.identity_name),
                ("identity_contact", &input.identity_contact),
            ] {
                if !value.is_empty() {
                    carried.push((name.to_owned(), value.clone()));
                }
            }
            for (name, on) in [
                ("contact_consent", input.contact_consent),
                ("clean_metadata", input.clean_metadata),
            ] {
                if on {
                    carried.push((name.to_owned(), "on".to_owned()));
                }
            }
        }
        let review = if reviewing {
            let mut asked = answers;
            asked.retain(|id, _| !unasked.contains(id));
            review(&t, channel, &asked)
        } else {
            Vec::new()
        };
        FormPage {
            page,
            pages,
            carried,
            review,
            file_questions,
            contact_error: error_for("contact.email").or_else(|| error_for("contact.consent")),
            identity_error: error_for("identity.name")
                .or_else(|| error_for("identity.contact"))
                .or_else(|| error_for("identity")),
            error: error.map(|e| t.problem_in(e, Some(channel))),
            exclude_error: error_for("exclude_officers"),
            file_error: error_for("file"),
            fields,
            officers: officer_choices(facts.officers, input),
            accepting: facts.accepting,
            takes_identity: facts.takes_identity,
            // The page is shown again only when no case was made: files sent are not kept.
            files_again: input.had_files,
            ..FormPage::plain(t, channel, input)
        }
    }

    /// The form without its errors and the facts from `cases`.
    fn plain(t: Ui, channel: &Channel, input: &FormInput) -> Self {
        let lang = t.lang;
        let noun = noun(&t, &channel.kind);
        FormPage {
            title: channel.title.get(lang).to_owned(),
            description: channel.description.get(lang).to_owned(),
            noun,
            action: form_path(&channel.kind),
            channel: channel.id.clone(),
            fields: Vec::new(),
            officers: Vec::new(),
            takes_contact: channel.takes_contact(),
            accepting: false,
            contact_email: input.contact_email.clone(),
            contact_consent: input.contact_consent,
            takes_identity: false,
            identity_name: input.identity_name.clone(),
            identity_contact: input.identity_contact.clone(),
            identity_error: None,
            error: None,
            exclude_error: None,
            file_error: None,
            contact_error: None,
            clean_metadata: input.clean_metadata,
            files_again: false,
            external: external_reporting(&t, &channel.kind),
            form_token: form_token(input),
            files_help: files_help(&t, channel, noun),
            page: 0,
            pages: 0,
            carried: Vec::new(),
            review: Vec::new(),
            file_questions: Vec::new(),
            t,
        }
    }

    /// The review page of a step-by-step form.
    pub fn reviewing(&self) -> bool {
        self.pages > 0 && self.page > self.pages
    }

    /// Whether this page ends the form: who may read it, files, and the send button.
    pub fn last(&self) -> bool {
        self.pages == 0 || self.reviewing()
    }
}

/// A channel's form as a reporter sees it, every question shown (one asked only after an
/// answer says so), for an admin's preview: each page's questions (page 0: a one-page form).
pub fn preview_pages(t: &Ui, channel: &Channel) -> Vec<(u32, Vec<FieldInput>)> {
    let input = FormInput::default();
    let mut out: Vec<(u32, Vec<FieldInput>)> = Vec::new();
    for f in &channel.fields {
        let page = if channel.is_stepped() {
            f.page_in(channel)
        } else {
            0
        };
        let field = FieldInput::new(t, f, &input, None).only_if(t, channel, f, true);
        match out.last_mut() {
            Some((p, fields)) if *p == page => fields.push(field),
            _ => out.push((page, vec![field])),
        }
    }
    out
}

/// Each page's answers, as the reporter gave them, to check before sending.
fn review(
    t: &Ui,
    channel: &Channel,
    answers: &BTreeMap<String, RawValue>,
) -> Vec<(u32, Vec<(String, String)>)> {
    let checked = channel
        .validate(answers, None)
        .unwrap_or_else(|_| channel.loose(answers));
    let mut out: Vec<(u32, Vec<(String, String)>)> = Vec::new();
    for f in &channel.fields {
        let Some(value) = checked.get(&f.id) else {
            continue;
        };
        let shown = crate::cases::sealed::shown(Some(f), value, t.lang);
        let page = f.page_in(channel);
        match out.last_mut() {
            Some((p, answers)) if *p == page => {
                answers.push((f.label.get(t.lang).to_owned(), shown))
            }
            _ => out.push((page, vec![(f.label.get(t.lang).to_owned(), shown)])),
        }
    }
    // Every page has its "change" button, even with nothing answered on it.
    for p in 1..=channel.pages() {
        if !out.iter().any(|(q, _)| *q == p) {
            let at = out.iter().position(|(q, _)| *q > p).unwrap_or(out.len());
            out.insert(at, (p, Vec::new()));
        }
    }
    out
}

/// The officers the submitter may keep away from the case: (id, name, excluded).
fn officer_choices(officers: Vec<OfficerRef>, input: &FormInput) -> Vec<(String, String, bool)> {
    officers
        .into_iter()
        .map(|o| {
            let excluded = input.exclude.contains(&o.id);
            (o.id, o.name, excluded)
        })
        .collect()
}

/// Whistleblowing forms: the word on reporting to the authorities.
fn external_reporting(t: &Ui, kind: &ChannelKind) -> Option<Vec<String>> {
    (kind == &ChannelKind::Whistleblowing).then(|| {
        t.brand
            .external_reporting
            .as_ref()
            .map(|text| paragraphs(text.get(t.lang)))
            .unwrap_or_default()
    })
}

/// A refused form keeps its token: nothing was made with it, and it may come again.
fn form_token(input: &FormInput) -> String {
    if input.form_token.is_empty() {
        crate::crypto::random::token()
    } else {
        input.form_token.clone()
    }
}

fn files_help(t: &Ui, channel: &Channel, noun: &str) -> String {
    t.lang.fill(
        "form.files_help",
        &[
            ("noun", &noun),
            ("count", &channel.files.files),
            ("size", &human_size(channel.files.per_file)),
            ("total", &human_size(channel.files.total)),
        ],
    )
}

#[derive(Template)]
#[template(path = "receipt.html")]
pub struct ReceiptPage {
    pub t: Ui,
    pub noun: &'static str,
    pub code: String,
}

impl ReceiptPage {
    /// The receipt of a new case (or of a form sent again): its claim code, shown this once.
    pub fn new(t: Ui, kind: &ChannelKind, code: secrecy::SecretString) -> Self {
        ReceiptPage {
            noun: noun(&t, kind),
            code: secrecy::ExposeSecret::expose_secret(&code).to_owned(),
            t,
        }
    }
}

impl Drop for ReceiptPage {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.code);
    }
}

#[derive(Template)]
#[template(path = "followup_login.html")]
pub struct FollowupLoginPage {
    pub t: Ui,
    pub error: Option<String>,
}

impl FollowupLoginPage {
    /// The sign-in form again: the claim code did not open a case.
    pub fn rejected(t: Ui) -> Self {
        FollowupLoginPage {
            error: Some(t.get("problem.claim_rejected").into()),
            t,
        }
    }
}

#[derive(Template)]
#[template(path = "followup_case.html")]
pub struct FollowupCasePage {
    pub t: Ui,
    pub noun: &'static str,
    pub case: CaseView,
    pub received: String,
    pub status: &'static str,
    pub status_help: &'static str,
    pub messages: Vec<ThreadLine>,
    pub csrf: String,
    pub error: Option<String>,
    pub draft: String,
    pub max_file: String,
    /// The channel takes an identity.
    pub identity: Option<IdentityBox>,
    pub records: Vec<RecordLine>,
    pub meetings: Vec<MeetingLine>,
}

/// The identity part of the follow-up page.
pub struct IdentityBox {
    /// When it was given.
    pub given: Option<String>,
    /// When it was disclosed to a handler.
    pub disclosed: Vec<String>,
    /// Someone could read an identity given now: only then is the form shown.
    pub can_give: bool,
    /// What was typed, and what was wrong with it, when it was refused.
    pub name: String,
    pub contact: String,
    pub error: Option<String>,
}

impl FollowupCasePage {
    /// The page again after an identity was refused: the message beside the form, the input
    /// kept.
    pub fn with_identity_refused(mut self, name: String, contact: String, error: String) -> Self {
        if let Some(identity) = &mut self.identity {
            identity.name = name;
            identity.contact = contact;
            identity.error = Some(error);
        }
        self
    }
}

impl FollowupCasePage {
    /// The case as its submitter sees it; `error` and the `draft` kept when a post was refused.
    pub fn new(
        t: Ui,
        case: CaseView,
        max_file: u64,
        csrf: String,
        error: Option<String>,
        draft: String,
    ) -> Self {
        let (status, status_help) = status_text(&t, case.status);
        let identity = case.identity.as_ref().map(|i| IdentityBox {
            given: i.given_at.map(|at| t.date(at)),
            disclosed: i.disclosed.iter().map(|d| t.date_time(d.at)).collect(),
            can_give: i.can_give,
            name: String::new(),
            contact: String::new(),
            error: None,
        });
        FollowupCasePage {
            records: case
                .records
                .iter()
                .map(|r| RecordLine::new(&t, r, false))
                .collect(),
            meetings: case
                .meetings
                .iter()
                .map(|m| MeetingLine::new(&t, m))
                .collect(),
            identity,
            max_file: human_size(max_file),
            noun: noun(&t, &case.kind),
            received: t.when(case.received_at, case.received_exact),
            status,
            status_help,
            messages: submitter_thread(&t, &case),
            csrf,
            error,
            draft,
            case,
            t,
        }
    }
}

/// Messages and files of a case, as its submitter reads them.
fn submitter_thread(t: &Ui, case: &CaseView) -> Vec<ThreadLine> {
    let who = |author: &str| {
        if author == "submitter" {
            t.get("thread.you").to_owned()
        } else {
            t.get("thread.case_handler").to_owned()
        }
    };
    thread(
        case.messages.iter().map(|m| {
            ThreadLine::message(t, &m.author, who(&m.author), (m.at, m.exact_at), &m.body)
        }),
        case.files.iter().map(|f| {
            let note = match (f.cleaned, f.author.as_str()) {
                (true, _) => t.get("files.cleaned"),
                (false, "submitter") => t.get("files.as_sent"),
                (false, _) => "",
            };
            let url = format!("/followup/files/{}", f.id);
            ThreadLine::file(t, who(&f.author), f, url, note)
        }),
    )
}

impl Drop for FollowupCasePage {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.draft);
    }
}

/// What a case of this kind is called, in running text: "report", "Meldung", "denúncia".
pub fn noun(ui: &Ui, kind: &ChannelKind) -> &'static str {
    noun_of(ui, kind.as_str())
}

pub fn noun_of(ui: &Ui, kind: &str) -> &'static str {
    if kind == "complaint" {
        ui.get("kind.complaint")
    } else {
        ui.get("kind.report")
    }
}

/// A status as the submitter reads it, with what it means for them.
pub fn status_text(ui: &Ui, status: Status) -> (&'static str, &'static str) {
    (
        ui.get(&format!("submitter_status.{status}")),
        ui.get(&format!("submitter_status.{status}_help")),
    )
}
