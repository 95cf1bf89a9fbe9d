//! Channels (where a case comes in) and their forms: definitions, built-ins, and validation of
//! what a submitter sends.

use std::collections::{BTreeMap, HashSet};

use crate::config::{ChannelConfig, ChannelKind, Condition, FieldConfig, FieldKind};
use crate::i18n::Text;

use super::{CaseError, Reason};

const TEXT_MAX: usize = 500;
const TEXTAREA_MAX: usize = 20_000;
/// Characters in a whole submission, across fields, so a case stays a reasonable size.
const SUBMISSION_MAX: usize = 100_000;

#[derive(Debug, Clone)]
pub struct Channel {
    pub id: String,
    pub kind: ChannelKind,
    /// In every language the configuration gives (`title.get(lang)`).
    pub title: Text,
    pub description: Text,
    pub fields: Vec<Field>,
    pub acknowledge_days: u32,
    pub resolve_days: u32,
    pub retention_days: u32,
    pub files: FileLimits,
    /// A reporter may give their identity, sealed for the identity custodians.
    pub takes_identity: bool,
    /// Days to answer a reporter's request to talk.
    pub meeting_days: u32,
    /// What officers may file its cases under.
    pub categories: Vec<String>,
    /// Days after closing that the reporter is asked about retaliation, soonest first.
    pub checkin_days: Vec<u32>,
    /// Which published version of the channel this is (0: not stored).
    pub version: u32,
}

/// How much a submitter may attach to a case of a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileLimits {
    pub per_file: u64,
    pub files: u32,
    pub total: u64,
}

const GIB: u64 = 1 << 30;

impl Default for FileLimits {
    fn default() -> Self {
        FileLimits {
            per_file: GIB,
            files: 20,
            total: 2 * GIB,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Field {
    pub id: String,
    pub label: Text,
    pub kind: FieldKind,
    pub required: bool,
    /// A select's options: the value stored is `canonical()`, the one shown `get(lang)`.
    pub options: Vec<Text>,
    pub max_length: usize,
    pub help: Text,
    /// A number field's bounds.
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The step it is asked on (1 on a one-page form).
    pub step: u32,
    pub show_if: Option<Condition>,
}

/// A value as a client sent it, before validation: text (every kind takes it), true/false
/// (a checkbox), a number (a number field) or a list of options (checkboxes).
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum RawValue {
    Text(String),
    Bool(bool),
    Number(f64),
    List(Vec<String>),
}

/// The channels of this installation: those that take cases now, and every version stored,
/// to show a case as it was asked.
#[derive(Debug, Clone)]
pub struct Channels {
    active: Vec<Channel>,
    history: Vec<Channel>,
}

/// Why the configured channels cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ChannelsError {
    #[error("channel id {0:?} is used twice")]
    IdTwice(String),
    #[error("channel id {0:?}: use 1-64 of a-z, 0-9, '-' and '_'")]
    BadId(String),
    #[error("channel {0:?} has no fields")]
    NoFields(String),
    #[error("channel {channel:?}: {tag:?} is not a language sealbox speaks (en, pt-BR, de)")]
    Language { channel: String, tag: String },
    #[error("channel {channel:?}: field id {field:?} is not allowed")]
    FieldIdNotAllowed { channel: String, field: String },
    #[error("channel {channel:?}: field id {field:?} is used twice")]
    FieldIdTwice { channel: String, field: String },
    #[error("channel {channel:?}: field {field:?} needs options (select, checkboxes)")]
    SelectWithoutOptions { channel: String, field: String },
    #[error(
        "channel {channel:?}: field {field:?}: min and max are for number fields, min at most max"
    )]
    BadBounds { channel: String, field: String },
    #[error("channel {channel:?}: category {category:?} is empty, longer than 64 characters or given twice")]
    BadCategory { channel: String, category: String },
    #[error("channel {channel:?}: field {field:?}: step must be 1 to {STEPS_MAX}")]
    BadStep { channel: String, field: String },
    #[error("channel {channel:?}: field {field:?}: show_if names {on:?}, which is not a field asked before it")]
    ConditionNotEarlier {
        channel: String,
        field: String,
        on: String,
    },
    #[error("channel {channel:?}: field {field:?}: show_if equals {equals:?}, which {on:?} cannot answer ({why})")]
    ConditionValue {
        channel: String,
        field: String,
        on: String,
        equals: String,
        why: &'static str,
    },
}

/// The most steps a form may have.
pub const STEPS_MAX: u32 = 20;

impl Channels {
    /// The configured channels, or the two built-in ones when none are configured.
    pub fn from_config(configured: &[ChannelConfig]) -> Result<Self, ChannelsError> {
        let source = if configured.is_empty() {
            builtin()
        } else {
            configured.to_vec()
        };
        let mut ids = HashSet::new();
        let channels = source
            .into_iter()
            .map(|c| {
                if !ids.insert(c.id.clone()) {
                    return Err(ChannelsError::IdTwice(c.id.clone()));
                }
                Channel::from_config(c)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Channels {
            active: channels,
            history: Vec::new(),
        })
    }

    /// Channels as published: `active` take cases; `history` holds every stored version.
    pub fn published(active: Vec<Channel>, history: Vec<Channel>) -> Self {
        Channels { active, history }
    }

    /// The channel a case of `id` was submitted under (its `version`), as near as is known:
    /// that version, else the channel as it is now, else its last version.
    pub fn of_case(&self, id: &str, version: Option<u32>) -> Option<&Channel> {
        version
            .and_then(|v| self.history.iter().find(|c| c.id == id && c.version == v))
            .or_else(|| self.get(id))
            .or_else(|| self.history.iter().rev().find(|c| c.id == id))
    }

    /// Every stored version of a channel, oldest first.
    pub fn versions(&self, id: &str) -> impl Iterator<Item = &Channel> {
        let id = id.to_owned();
        self.history.iter().filter(move |c| c.id == id)
    }

    pub fn all(&self) -> &[Channel] {
        &self.active
    }

    pub fn get(&self, id: &str) -> Option<&Channel> {
        self.active.iter().find(|c| c.id == id)
    }

    /// The most any channel lets a submitter attach to one case: no body with files may be
    /// longer (plus its text).
    pub fn largest_total(&self) -> u64 {
        self.all().iter().map(|c| c.files.total).max().unwrap_or(0)
    }

    pub fn of_kind(&self, kind: ChannelKind) -> impl Iterator<Item = &Channel> {
        self.active.iter().filter(move |c| c.kind == kind)
    }
}

/// An id as channels and fields may have: 1-64 of a-z, 0-9, `-` and `_`.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

impl Channel {
    /// Checks a definition as the configuration file, the API and the editor give it: the one
    /// check every channel passes before it is used.
    pub fn from_config(c: ChannelConfig) -> Result<Self, ChannelsError> {
        if !valid_id(&c.id) {
            return Err(ChannelsError::BadId(c.id));
        }
        if c.fields.is_empty() {
            return Err(ChannelsError::NoFields(c.id));
        }
        let texts = [&c.title, &c.description].into_iter().chain(
            c.fields
                .iter()
                .flat_map(|f| [&f.label, &f.help].into_iter().chain(&f.options)),
        );
        for text in texts {
            if let Some(tag) = text.unknown_languages().first() {
                return Err(ChannelsError::Language {
                    channel: c.id.clone(),
                    tag: tag.to_string(),
                });
            }
        }
        let mut named = HashSet::new();
        for category in &c.categories {
            let text = category.trim();
            if text.is_empty() || text.chars().count() > 64 || !named.insert(text) {
                return Err(ChannelsError::BadCategory {
                    channel: c.id.clone(),
                    category: category.clone(),
                });
            }
        }
        let mut seen = HashSet::new();
        let fields = c
            .fields
            .into_iter()
            .map(|f| {
                if !valid_id(&f.id) || matches!(f.id.as_str(), "channel" | "contact" | "csrf") {
                    return Err(ChannelsError::FieldIdNotAllowed {
                        channel: c.id.clone(),
                        field: f.id,
                    });
                }
                if !seen.insert(f.id.clone()) {
                    return Err(ChannelsError::FieldIdTwice {
                        channel: c.id.clone(),
                        field: f.id,
                    });
                }
                let bounded = f.min.is_some() || f.max.is_some();
                let bounds_ok = match (f.min, f.max) {
                    (Some(min), Some(max)) => min <= max && min.is_finite() && max.is_finite(),
                    (Some(b), None) | (None, Some(b)) => b.is_finite(),
                    (None, None) => true,
                };
                if (bounded && f.kind != FieldKind::Number) || !bounds_ok {
                    return Err(ChannelsError::BadBounds {
                        channel: c.id.clone(),
                        field: f.id,
                    });
                }
                if matches!(f.kind, FieldKind::Select | FieldKind::Checkboxes)
                    && f.options.is_empty()
                {
                    return Err(ChannelsError::SelectWithoutOptions {
                        channel: c.id.clone(),
                        field: f.id,
                    });
                }
                let default_max = match f.kind {
                    FieldKind::Textarea => TEXTAREA_MAX,
                    _ => TEXT_MAX,
                };
                let step = f.step.unwrap_or(1);
                if !(1..=STEPS_MAX).contains(&step) {
                    return Err(ChannelsError::BadStep {
                        channel: c.id.clone(),
                        field: f.id,
                    });
                }
                Ok(Field {
                    max_length: f
                        .max_length
                        .unwrap_or(default_max)
                        .clamp(1, TEXTAREA_MAX * 5),
                    id: f.id,
                    label: f.label,
                    kind: f.kind,
                    required: f.required,
                    options: f.options,
                    help: f.help,
                    min: f.min,
                    max: f.max,
                    step,
                    show_if: f.show_if,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        // Asked step by step, in the order given within a step.
        let mut fields = fields;
        fields.sort_by_key(|f| f.step);
        check_conditions(&c.id, &fields)?;
        let defaults = FileLimits::default();
        let (ack, resolve) = match c.kind {
            ChannelKind::Whistleblowing => (7, 90),
            ChannelKind::Complaint => (1, 30),
        };
        let takes_identity = c.identity.unwrap_or(c.kind == ChannelKind::Whistleblowing);
        let kind = c.kind.clone();
        Ok(Channel {
            takes_identity,
            id: c.id,
            kind: c.kind,
            title: c.title,
            description: c.description,
            fields,
            acknowledge_days: c.acknowledge_days.unwrap_or(ack),
            resolve_days: c.resolve_days.unwrap_or(resolve),
            retention_days: c.retention_days.unwrap_or(365),
            meeting_days: c.meeting_days.unwrap_or(14),
            categories: c.categories.iter().map(|c| c.trim().to_owned()).collect(),
            checkin_days: {
                let mut days = c.checkin_days.clone().unwrap_or_else(|| match kind {
                    ChannelKind::Whistleblowing => vec![90, 180],
                    ChannelKind::Complaint => Vec::new(),
                });
                days.sort_unstable();
                days.dedup();
                days
            },
            files: FileLimits {
                per_file: c.max_file_bytes.unwrap_or(defaults.per_file),
                files: c.max_files.unwrap_or(defaults.files),
                total: c.max_total_bytes.unwrap_or(defaults.total),
            },
            version: 0,
        })
    }

    /// The steps of its form, in order (one for a one-page form).
    pub fn steps(&self) -> Vec<u32> {
        let mut steps: Vec<u32> = self.fields.iter().map(|f| f.step).collect();
        steps.dedup();
        steps
    }

    /// How many pages of questions its form has (one per step); a review page follows them
    /// when there are two or more.
    pub fn pages(&self) -> u32 {
        self.steps().len() as u32
    }

    /// The question `field`'s condition names, if it has one.
    pub fn condition_on(&self, field: &Field) -> Option<&Field> {
        let cond = field.show_if.as_ref()?;
        self.fields.iter().find(|f| f.id == cond.field)
    }

    /// Whether `field`'s condition names a question of its own step: a page asking both cannot
    /// hide it, so shows it, saying so.
    pub fn condition_on_same_step(&self, field: &Field) -> bool {
        self.condition_on(field)
            .is_some_and(|on| on.step == field.step)
    }

    /// Whether its form is asked one step at a time, then reviewed.
    pub fn is_stepped(&self) -> bool {
        self.pages() > 1
    }

    /// Whether this channel takes a contact address for updates (complaints only: a
    /// whistleblower's address would undo their anonymity).
    pub fn takes_contact(&self) -> bool {
        self.kind == ChannelKind::Complaint
    }

    /// Whether a submitter may keep named officers out of their case (whistleblowing only: a
    /// customer's complaint is not about the staff who handle it, and listing them would
    /// publish every handler's name to anyone).
    pub fn takes_exclusions(&self) -> bool {
        self.kind == ChannelKind::Whistleblowing
    }

    /// Checks every field against its definition; returns the values to seal, by field id.
    /// `files` names the files attached to each `files` question (`None`: not checked, as
    /// for a report an officer takes down). Errors name the field, so a form can show the
    /// message beside it.
    pub fn validate(
        &self,
        raw: &BTreeMap<String, RawValue>,
        files: Option<&BTreeMap<String, Vec<String>>>,
    ) -> Result<BTreeMap<String, serde_json::Value>, CaseError> {
        self.check(raw, files, None)
    }

    /// Checks the answers of the steps up to `step` (a step-by-step form's page), leaving the
    /// later ones and the files for later.
    pub fn validate_through(
        &self,
        raw: &BTreeMap<String, RawValue>,
        step: u32,
    ) -> Result<BTreeMap<String, serde_json::Value>, CaseError> {
        self.check(raw, None, Some(step))
    }

    /// Whether `field` is asked, given the answers (validated) of the fields before it.
    pub fn asked(field: &Field, answered: &BTreeMap<String, serde_json::Value>) -> bool {
        field
            .show_if
            .as_ref()
            .is_none_or(|c| answers(answered.get(&c.field), &c.equals))
    }

    /// The answers without those to questions that the other answers leave unasked: a
    /// step-by-step form keeps every answer while the reporter goes back and forth, and sends
    /// only these.
    pub fn without_unasked(&self, raw: &BTreeMap<String, RawValue>) -> BTreeMap<String, RawValue> {
        let unasked = self.unasked(raw);
        let mut kept = raw.clone();
        kept.retain(|id, _| !unasked.contains(id));
        kept
    }

    /// The answers as sent, read well enough to show them (for a review whose answers do not
    /// all pass their checks).
    pub fn loose(&self, raw: &BTreeMap<String, RawValue>) -> BTreeMap<String, serde_json::Value> {
        self.fields
            .iter()
            .filter_map(|f| raw.get(&f.id).map(|v| (f.id.clone(), f.loose(v))))
            .collect()
    }

    /// The fields that the answers sent leave unasked.
    pub fn unasked(&self, raw: &BTreeMap<String, RawValue>) -> HashSet<String> {
        let mut answered = BTreeMap::new();
        let mut unasked = HashSet::new();
        for field in &self.fields {
            if !Self::asked(field, &answered) {
                unasked.insert(field.id.clone());
            } else if let Some(value) = raw.get(&field.id) {
                answered.insert(field.id.clone(), field.loose(value));
            } else if field.kind == FieldKind::Checkbox {
                // A box left unticked is not sent, and answers "false" (as `check` reads it).
                answered.insert(field.id.clone(), serde_json::Value::Bool(false));
            }
        }
        unasked
    }

    fn check(
        &self,
        raw: &BTreeMap<String, RawValue>,
        files: Option<&BTreeMap<String, Vec<String>>>,
        through: Option<u32>,
    ) -> Result<BTreeMap<String, serde_json::Value>, CaseError> {
        let field_of = |id: &str| self.fields.iter().find(|f| f.id == id);
        if let Some(unknown) = raw.keys().find(|k| field_of(k).is_none()) {
            return Err(CaseError::invalid_because(
                &format!("fields.{unknown}"),
                Reason::new("no_such_field"),
            ));
        }
        let no_files = BTreeMap::new();
        let attached = files.unwrap_or(&no_files);
        for (id, names) in attached {
            match field_of(id) {
                Some(f) if f.kind == FieldKind::Files => {}
                _ if names.is_empty() => {}
                Some(f) => {
                    return Err(CaseError::invalid_because(
                        &format!("fields.{id}"),
                        f.reason("no_files_here"),
                    ))
                }
                None => {
                    return Err(CaseError::invalid_because(
                        &format!("fields.{id}"),
                        Reason::new("no_such_field"),
                    ))
                }
            }
        }
        let mut out = BTreeMap::new();
        let mut total = 0;
        for field in &self.fields {
            if through.is_some_and(|step| field.step > step) {
                continue;
            }
            let name = format!("fields.{}", field.id);
            let given = raw.get(&field.id);
            let names = attached.get(&field.id).filter(|n| !n.is_empty());
            if !Self::asked(field, &out) {
                if given.is_some_and(|v| !blank(v)) || names.is_some() {
                    return Err(CaseError::invalid_because(&name, field.reason("not_asked")));
                }
                continue;
            }
            let value = match (field.kind, given) {
                (FieldKind::Files, Some(v)) if !blank(v) => {
                    return Err(CaseError::invalid_because(
                        &name,
                        field.reason("files_as_parts"),
                    ))
                }
                (FieldKind::Files, _) if files.is_none() => continue,
                (FieldKind::Files, _) => serde_json::Value::Array(
                    names
                        .into_iter()
                        .flatten()
                        .map(|n| serde_json::Value::String(n.clone()))
                        .collect(),
                ),
                (FieldKind::Checkboxes, given) => field.chosen(&name, given)?,
                (FieldKind::Number, given) => field.number(&name, given)?,
                (_, Some(RawValue::Number(_) | RawValue::List(_))) => {
                    return Err(CaseError::invalid(&name, "expected text"))
                }
                (FieldKind::Checkbox, None) => serde_json::Value::Bool(false),
                (FieldKind::Checkbox, Some(RawValue::Bool(b))) => serde_json::Value::Bool(*b),
                (FieldKind::Checkbox, Some(RawValue::Text(t))) => {
                    serde_json::Value::Bool(ticked(t))
                }
                (_, Some(RawValue::Bool(_))) => {
                    return Err(CaseError::invalid(&name, "expected text"))
                }
                (_, None) => serde_json::Value::String(String::new()),
                (_, Some(RawValue::Text(t))) => {
                    let text = field.text(&name, t)?;
                    total += text.chars().count();
                    serde_json::Value::String(text)
                }
            };
            let empty = match &value {
                serde_json::Value::String(s) => s.is_empty(),
                serde_json::Value::Array(items) => items.is_empty(),
                serde_json::Value::Bool(b) => !b,
                serde_json::Value::Null => true,
                _ => false,
            };
            if empty {
                if field.required {
                    return Err(CaseError::invalid_because(&name, field.reason("required")));
                }
            } else if let serde_json::Value::String(text) = &value {
                self.check_choice(field, &name, text)?;
            }
            out.insert(field.id.clone(), value);
        }
        if total > SUBMISSION_MAX {
            return Err(CaseError::invalid_because(
                "fields",
                Reason::new("submission_too_long").with("max", SUBMISSION_MAX),
            ));
        }
        Ok(out)
    }

    fn check_choice(&self, field: &Field, name: &str, text: &str) -> Result<(), CaseError> {
        match field.kind {
            FieldKind::Select if !field.options.iter().any(|o| o.canonical() == text) => Err(
                CaseError::invalid_because(name, field.reason("not_an_option")),
            ),
            FieldKind::Date => {
                let format = time::macros::format_description!("[year]-[month]-[day]");
                time::Date::parse(text, format)
                    .map(|_| ())
                    .map_err(|_| CaseError::invalid_because(name, field.reason("date_format")))
            }
            _ => Ok(()),
        }
    }
}

/// Each condition names a field asked before the one it guards (an earlier step, or earlier
/// on the same step), with an answer that field can give.
fn check_conditions(channel: &str, fields: &[Field]) -> Result<(), ChannelsError> {
    for (at, field) in fields.iter().enumerate() {
        let Some(cond) = &field.show_if else { continue };
        let Some(on) = fields[..at].iter().find(|f| f.id == cond.field) else {
            return Err(ChannelsError::ConditionNotEarlier {
                channel: channel.to_owned(),
                field: field.id.clone(),
                on: cond.field.clone(),
            });
        };
        let why = match on.kind {
            FieldKind::Select | FieldKind::Checkboxes
                if !on.options.iter().any(|o| o.canonical() == cond.equals) =>
            {
                Some("not one of its options")
            }
            FieldKind::Checkbox if !matches!(cond.equals.as_str(), "true" | "false") => {
                Some("a checkbox answers \"true\" or \"false\"")
            }
            FieldKind::Number if cond.equals.trim().parse::<f64>().is_err() => Some("not a number"),
            FieldKind::Files => Some("a files question has no answer to compare"),
            _ if cond.equals.trim().is_empty() => Some("an empty answer is no answer"),
            _ => None,
        };
        if let Some(why) = why {
            return Err(ChannelsError::ConditionValue {
                channel: channel.to_owned(),
                field: field.id.clone(),
                on: on.id.clone(),
                equals: cond.equals.clone(),
                why,
            });
        }
    }
    Ok(())
}

/// Whether an answer (as validated) meets a condition's `equals`.
fn answers(value: Option<&serde_json::Value>, equals: &str) -> bool {
    match value {
        Some(serde_json::Value::String(s)) => s == equals,
        Some(serde_json::Value::Array(items)) => items.iter().any(|i| i.as_str() == Some(equals)),
        Some(serde_json::Value::Bool(b)) => equals == if *b { "true" } else { "false" },
        Some(serde_json::Value::Number(n)) => {
            n.as_f64().is_some() && equals.trim().parse::<f64>().ok() == n.as_f64()
        }
        _ => false,
    }
}

/// Whether a checkbox's value says it was ticked (a form sends `on`; an API client may write
/// `true`, `yes` or `1`).
fn ticked(text: &str) -> bool {
    matches!(text, "on" | "true" | "yes" | "1")
}

/// Whether a value sent is no answer at all (an empty text, no option, an unticked box).
fn blank(value: &RawValue) -> bool {
    match value {
        RawValue::Text(t) => t.trim().is_empty(),
        RawValue::Bool(b) => !b,
        RawValue::Number(_) => false,
        RawValue::List(items) => items.iter().all(|i| i.trim().is_empty()),
    }
}

impl Field {
    /// An answer as sent, read well enough to test a condition on it (unchecked).
    fn loose(&self, value: &RawValue) -> serde_json::Value {
        match (self.kind, value) {
            (FieldKind::Checkbox, RawValue::Text(t)) => serde_json::Value::Bool(ticked(t)),
            (FieldKind::Checkbox, RawValue::Bool(b)) => serde_json::Value::Bool(*b),
            (FieldKind::Checkboxes, RawValue::Text(t)) => serde_json::json!([t.trim()]),
            (FieldKind::Number, RawValue::Text(t)) => t
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            (_, RawValue::Text(t)) => serde_json::Value::String(t.trim().to_owned()),
            (_, RawValue::List(items)) => serde_json::json!(items),
            (_, RawValue::Number(n)) => serde_json::json!(n),
            (_, RawValue::Bool(b)) => serde_json::Value::Bool(*b),
        }
    }

    /// The step of this field as a page of its channel's form (1-based).
    pub fn page_in(&self, channel: &Channel) -> u32 {
        channel
            .steps()
            .iter()
            .position(|s| *s == self.step)
            .map_or(1, |i| i as u32 + 1)
    }

    /// A line or a text as sent: line endings made `\n`, trimmed, within its length, without
    /// control characters, one line unless a textarea.
    fn text(&self, name: &str, sent: &str) -> Result<String, CaseError> {
        let text = sent.replace("\r\n", "\n");
        let text = text.trim();
        let chars = text.chars().count();
        if chars > self.max_length {
            return Err(CaseError::invalid_because(
                name,
                self.reason("too_long")
                    .with("chars", chars)
                    .with("max", self.max_length),
            ));
        }
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(CaseError::invalid_because(
                name,
                Reason::new("control_chars"),
            ));
        }
        if self.kind != FieldKind::Textarea && text.contains('\n') {
            return Err(CaseError::invalid_because(name, Reason::new("single_line")));
        }
        Ok(text.to_owned())
    }

    /// A reason about this field, naming it by its (English) label; pages put in the label
    /// of their language.
    fn reason(&self, key: &'static str) -> Reason {
        Reason::new(key).with("label", self.label.canonical())
    }

    /// The options chosen of a checkboxes field, in the form's order: one option as text, or
    /// a list; each must be one of the field's.
    fn chosen(&self, name: &str, given: Option<&RawValue>) -> Result<serde_json::Value, CaseError> {
        let picked: Vec<&str> = match given {
            None => Vec::new(),
            Some(RawValue::Text(t)) if t.trim().is_empty() => Vec::new(),
            Some(RawValue::Text(t)) => vec![t.trim()],
            Some(RawValue::List(items)) => items.iter().map(|i| i.trim()).collect(),
            Some(_) => return Err(CaseError::invalid(name, "expected a list of options")),
        };
        if let Some(_unknown) = picked
            .iter()
            .find(|p| !self.options.iter().any(|o| o.canonical() == **p))
        {
            return Err(CaseError::invalid_because(
                name,
                self.reason("not_an_option"),
            ));
        }
        Ok(serde_json::Value::Array(
            self.options
                .iter()
                .map(|o| o.canonical())
                .filter(|o| picked.contains(o))
                .map(|o| serde_json::Value::String(o.to_owned()))
                .collect(),
        ))
    }

    /// A number field's value: a number, or text that is one; within its bounds. Unanswered:
    /// `null`.
    fn number(&self, name: &str, given: Option<&RawValue>) -> Result<serde_json::Value, CaseError> {
        let n = match given {
            None => return Ok(serde_json::Value::Null),
            Some(RawValue::Text(t)) if t.trim().is_empty() => return Ok(serde_json::Value::Null),
            Some(RawValue::Text(t)) => t
                .trim()
                .parse::<f64>()
                .map_err(|_| CaseError::invalid_because(name, self.reason("number")))?,
            Some(RawValue::Number(n)) => *n,
            Some(_) => return Err(CaseError::invalid_because(name, self.reason("number"))),
        };
        if !n.is_finite() {
            return Err(CaseError::invalid_because(name, self.reason("number")));
        }
        if self.min.is_some_and(|min| n < min) || self.max.is_some_and(|max| n > max) {
            let reason = match (self.min, self.max) {
                (Some(min), Some(max)) => self
                    .reason("number_range")
                    .with("min", min)
                    .with("max", max),
                (Some(min), None) => self.reason("number_min").with("min", min),
                (_, max) => self
                    .reason("number_max")
                    .with("max", max.unwrap_or_default()),
            };
            return Err(CaseError::invalid_because(name, reason));
        }
        // Whole numbers stay whole in the sealed document.
        let value = if n.fract() == 0.0 && n.abs() < 9.0e15 {
            serde_json::Value::from(n as i64)
        } else {
            serde_json::Number::from_f64(n)
                .map_or(serde_json::Value::Null, serde_json::Value::Number)
        };
        Ok(value)
    }
}

fn field(id: &str, label: Text, kind: FieldKind, required: bool, help: Text) -> FieldConfig {
    FieldConfig {
        id: id.into(),
        label,
        kind,
        required,
        options: Vec::new(),
        max_length: None,
        help,
        min: None,
        max: None,
        step: None,
        show_if: None,
    }
}

/// The two channels a fresh installation has, in every language sealbox speaks.
pub fn builtin() -> Vec<ChannelConfig> {
    use FieldKind::{Text as Line, Textarea};
    vec![
        ChannelConfig {
            id: "report".into(),
            kind: ChannelKind::Whistleblowing,
            title: Text::tr(
                "Report misconduct",
                "Denunciar irregularidade",
                "Fehlverhalten melden",
            ),
            description: Text::tr(
                "For employees and others who work with us: report fraud, corruption, \
                 harassment, safety or legal breaches. You do not have to give your name.",
                "Para colaboradores e outras pessoas que trabalham conosco: denuncie fraude, \
                 corrupção, assédio, violações de segurança ou da lei. Você não precisa se \
                 identificar.",
                "Für Beschäftigte und alle, die mit uns arbeiten: Melden Sie Betrug, Korruption, \
                 Belästigung, Verstöße gegen Sicherheitsvorschriften oder Gesetze. Sie müssen \
                 Ihren Namen nicht nennen.",
            ),
            fields: vec![
                field(
                    "what",
                    Text::tr("What happened?", "O que aconteceu?", "Was ist passiert?"),
                    Textarea,
                    true,
                    Text::tr(
                        "Describe what you saw or know, in your own words.",
                        "Descreva com suas palavras o que você viu ou sabe.",
                        "Beschreiben Sie in eigenen Worten, was Sie gesehen haben oder wissen.",
                    ),
                ),
                field(
                    "when",
                    Text::tr(
                        "When did it happen?",
                        "Quando aconteceu?",
                        "Wann ist es passiert?",
                    ),
                    Line,
                    false,
                    Text::tr(
                        "A date, a period, or \"ongoing\".",
                        "Uma data, um período ou \"ainda acontece\".",
                        "Ein Datum, ein Zeitraum oder „dauert an“.",
                    ),
                ),
                field(
                    "where",
                    Text::tr(
                        "Where did it happen?",
                        "Onde aconteceu?",
                        "Wo ist es passiert?",
                    ),
                    Line,
                    false,
                    Text::tr(
                        "Site, department, team or system.",
                        "Local, departamento, equipe ou sistema.",
                        "Standort, Abteilung, Team oder System.",
                    ),
                ),
                field(
                    "who",
                    Text::tr(
                        "Who is involved?",
                        "Quem está envolvido?",
                        "Wer ist beteiligt?",
                    ),
                    Textarea,
                    false,
                    Text::tr(
                        "Names or roles of the people involved, if you know them.",
                        "Nomes ou funções das pessoas envolvidas, se você souber.",
                        "Namen oder Funktionen der beteiligten Personen, falls Sie sie kennen.",
                    ),
                ),
                field(
                    "how_known",
                    Text::tr(
                        "How do you know about it?",
                        "Como você ficou sabendo?",
                        "Woher wissen Sie davon?",
                    ),
                    Textarea,
                    false,
                    Text::tr(
                        "For example: you saw it, were told, or found documents.",
                        "Por exemplo: você viu, alguém contou ou você encontrou documentos.",
                        "Zum Beispiel: Sie haben es gesehen, davon gehört oder Dokumente gefunden.",
                    ),
                ),
            ],
            acknowledge_days: None,
            resolve_days: None,
            retention_days: None,
            max_file_bytes: None,
            max_files: None,
            max_total_bytes: None,
            identity: None,
            meeting_days: None,
            categories: Vec::new(),
            checkin_days: None,
        },
        ChannelConfig {
            id: "complaint".into(),
            kind: ChannelKind::Complaint,
            title: Text::tr(
                "Make a complaint",
                "Fazer uma reclamação",
                "Beschwerde einreichen",
            ),
            description: Text::tr(
                "For customers: tell us what went wrong and what would put it right.",
                "Para clientes: conte o que deu errado e o que resolveria a situação.",
                "Für Kundinnen und Kunden: Sagen Sie uns, was schiefgelaufen ist und was es \
                 wieder in Ordnung bringen würde.",
            ),
            fields: vec![
                field(
                    "subject",
                    Text::tr("Subject", "Assunto", "Betreff"),
                    Line,
                    true,
                    Text::tr(
                        "A few words on what it is about.",
                        "Algumas palavras sobre o assunto.",
                        "Ein paar Worte dazu, worum es geht.",
                    ),
                ),
                field(
                    "description",
                    Text::tr(
                        "What went wrong?",
                        "O que deu errado?",
                        "Was ist schiefgelaufen?",
                    ),
                    Textarea,
                    true,
                    Text::default(),
                ),
                field(
                    "reference",
                    Text::tr(
                        "Order or reference number",
                        "Número do pedido ou de referência",
                        "Bestell- oder Referenznummer",
                    ),
                    Line,
                    false,
                    Text::tr(
                        "If you have one, it helps us find your case.",
                        "Se você tiver, ele nos ajuda a encontrar seu caso.",
                        "Falls vorhanden, hilft sie uns, Ihren Fall zu finden.",
                    ),
                ),
                field(
                    "desired_resolution",
                    Text::tr(
                        "What would resolve this for you?",
                        "O que resolveria isso para você?",
                        "Was würde das Problem für Sie lösen?",
                    ),
                    Textarea,
                    false,
                    Text::default(),
                ),
            ],
            acknowledge_days: None,
            resolve_days: None,
            retention_days: None,
            max_file_bytes: None,
            max_files: None,
            max_total_bytes: None,
            identity: None,
            meeting_days: None,
            categories: Vec::new(),
            checkin_days: None,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Channel {
        Channels::from_config(&[])
            .unwrap()
            .get("report")
            .unwrap()
            .clone()
    }

    fn raw(pairs: &[(&str, &str)]) -> BTreeMap<String, RawValue> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), RawValue::Text(v.to_string())))
            .collect()
    }

    #[test]
    fn builtins_are_one_of_each_kind() {
        let c = Channels::from_config(&[]).unwrap();
        assert_eq!(c.of_kind(ChannelKind::Whistleblowing).count(), 1);
        assert_eq!(c.of_kind(ChannelKind::Complaint).count(), 1);
    }

    #[test]
    fn required_field_missing_names_the_field() {
        let err = report()
            .validate(&raw(&[("when", "May")]), None)
            .unwrap_err();
        assert_eq!(err.field(), Some("fields.what"));
    }

    #[test]
    fn too_long_and_unknown_fields_are_refused() {
        let long = "x".repeat(501);
        let err = report()
            .validate(&raw(&[("what", "a"), ("when", &long)]), None)
            .unwrap_err();
        assert_eq!(err.field(), Some("fields.when"));
        let err = report()
            .validate(&raw(&[("what", "a"), ("nope", "b")]), None)
            .unwrap_err();
        assert_eq!(err.field(), Some("fields.nope"));
    }

    #[test]
    fn values_are_trimmed_and_line_endings_normalised() {
        let v = report()
            .validate(&raw(&[("what", "  line one\r\nline two  ")]), None)
            .unwrap();
        assert_eq!(v["what"], "line one\nline two");
        assert_eq!(v["when"], "");
    }

    #[test]
    fn configured_channels_check_selects_dates_and_checkboxes() {
        let cfg: ChannelConfig = toml_channel(
            r#"
id = "hr"
kind = "whistleblowing"
title = "HR"
[[fields]]
id = "area"
label = "Area"
type = "select"
options = ["pay", "safety"]
required = true
[[fields]]
id = "day"
label = "Day"
type = "date"
[[fields]]
id = "ok"
label = "I confirm"
type = "checkbox"
required = true
"#,
        );
        let channels = Channels::from_config(&[cfg]).unwrap();
        let hr = channels.get("hr").unwrap();
        assert!(hr
            .validate(&raw(&[("area", "pay"), ("ok", "on")]), None)
            .is_ok());
        let e = hr
            .validate(&raw(&[("area", "other"), ("ok", "on")]), None)
            .unwrap_err();
        assert_eq!(e.field(), Some("fields.area"));
        let e = hr
            .validate(
                &raw(&[("area", "pay"), ("day", "32/13/2020"), ("ok", "on")]),
                None,
            )
            .unwrap_err();
        assert_eq!(e.field(), Some("fields.day"));
        let e = hr.validate(&raw(&[("area", "pay")]), None).unwrap_err();
        assert_eq!(e.field(), Some("fields.ok"));
    }

    #[test]
    fn bad_channel_definitions_are_refused() {
        let mut c = builtin().remove(0);
        c.id = "Bad Id".into();
        assert!(Channels::from_config(&[c]).is_err());
        let twice = vec![builtin().remove(0), builtin().remove(0)];
        assert!(Channels::from_config(&twice).is_err());
    }

    const STEPPED: &str = r#"
id = "steps"
kind = "whistleblowing"
title = "Steps"
[[fields]]
id = "hurt"
label = "Was anyone hurt?"
type = "select"
options = ["yes", "no"]
required = true
step = 1
[[fields]]
id = "injuries"
label = "What injuries?"
type = "textarea"
required = true
step = 2
show_if = { field = "hurt", equals = "yes" }
[[fields]]
id = "photos"
label = "Photos"
type = "files"
step = 2
"#;

    #[test]
    fn a_condition_makes_a_field_asked_required_or_refused() {
        let channels = Channels::from_config(&[toml_channel(STEPPED)]).unwrap();
        let c = channels.get("steps").unwrap();
        assert_eq!(c.steps(), vec![1, 2]);
        // Asked and required when "yes"…
        let e = c.validate(&raw(&[("hurt", "yes")]), None).unwrap_err();
        assert_eq!(e.field(), Some("fields.injuries"));
        // …not asked when "no": not required, and a value for it is refused.
        let v = c.validate(&raw(&[("hurt", "no")]), None).unwrap();
        assert!(!v.contains_key("injuries"));
        let e = c
            .validate(&raw(&[("hurt", "no"), ("injuries", "a cut")]), None)
            .unwrap_err();
        assert_eq!(e.field(), Some("fields.injuries"));
        // The first step alone is checked without the second.
        assert!(c.validate_through(&raw(&[("hurt", "yes")]), 1).is_ok());
        // Files come as files, never as a value.
        let files = BTreeMap::from([("photos".to_owned(), vec!["a.jpg".to_owned()])]);
        let v = c
            .validate(
                &raw(&[("hurt", "yes"), ("injuries", "a cut")]),
                Some(&files),
            )
            .unwrap();
        assert_eq!(v["photos"], serde_json::json!(["a.jpg"]));
        let e = c
            .validate(
                &raw(&[("hurt", "yes"), ("injuries", "a"), ("photos", "x")]),
                None,
            )
            .unwrap_err();
        assert_eq!(e.field(), Some("fields.photos"));
        // A required files question needs a file: checked when files are, not before.
        let required = STEPPED.replace("type = \"files\"", "type = \"files\"\nrequired = true");
        let channels = Channels::from_config(&[toml_channel(&required)]).unwrap();
        let c = channels.get("steps").unwrap();
        let answers = raw(&[("hurt", "no")]);
        assert!(c.validate(&answers, None).is_ok());
        let e = c.validate(&answers, Some(&BTreeMap::new())).unwrap_err();
        assert_eq!(e.field(), Some("fields.photos"));
    }

    #[test]
    fn a_box_left_unticked_answers_false_for_pages_and_checks_alike() {
        let text = STEPPED
            .replace(
                r#"type = "select"
options = ["yes", "no"]"#,
                r#"type = "checkbox""#,
            )
            .replace(r#"equals = "yes""#, r#"equals = "false""#)
            .replace("required = true\nstep = 1", "step = 1");
        let channels = Channels::from_config(&[toml_channel(&text)]).unwrap();
        let c = channels.get("steps").unwrap();
        // Not sent (a browser sends no unticked box): the injuries are asked, and required.
        let sent = raw(&[]);
        assert!(!c.unasked(&sent).contains("injuries"));
        let e = c.validate(&sent, None).unwrap_err();
        assert_eq!(e.field(), Some("fields.injuries"));
        // Ticked: not asked.
        let ticked = raw(&[("hurt", "on")]);
        assert!(c.unasked(&ticked).contains("injuries"));
        assert!(c.validate(&ticked, None).is_ok());
    }

    #[test]
    fn conditions_on_later_fields_themselves_or_impossible_answers_are_refused() {
        let bad = |from: &str, to: &str| {
            let text = STEPPED.replace(from, to);
            Channels::from_config(&[toml_channel(&text)])
                .unwrap_err()
                .to_string()
        };
        let on_self = bad(r#"field = "hurt""#, r#"field = "injuries""#);
        assert!(on_self.contains("not a field asked before it"), "{on_self}");
        let later = bad("step = 1", "step = 3");
        assert!(later.contains("not a field asked before it"), "{later}");
        let option = bad(r#"equals = "yes""#, r#"equals = "maybe""#);
        assert!(option.contains("not one of its options"), "{option}");
        let step = bad("step = 1", "step = 0");
        assert!(step.contains("step must be"), "{step}");
    }

    fn toml_channel(text: &str) -> ChannelConfig {
        use figment::providers::{Format, Toml};
        figment::Figment::from(Toml::string(text))
            .extract()
            .unwrap()
    }
}
