//! The channel editor's form, without JavaScript: a channel's definition as flat form inputs
//! (texts per language, options one per line, limits as numbers), read back exactly as typed
//! so a refused draft is shown again unchanged, and turned into a `[[channels]]` entry only to
//! preview or publish it. Moving and removing questions are buttons that post the whole draft.

use std::collections::BTreeMap;

use crate::config::{ChannelConfig, ChannelKind, Condition, FieldConfig, FieldKind, Text};

/// The languages texts are edited in, the first being the one stored for options.
pub const LANGS: [&str; 3] = ["en", "de", "pt-BR"];

const MIB: f64 = 1_048_576.0;

/// A text in each of [`LANGS`].
pub type Texts = [String; 3];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldDraft {
    pub id: String,
    pub kind: String,
    pub required: bool,
    pub step: String,
    pub label: Texts,
    pub help: Texts,
    /// One option per line, per language, lines matched by position.
    pub options: Texts,
    pub max_length: String,
    pub min: String,
    pub max: String,
    pub show_if_field: String,
    pub show_if_equals: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Draft {
    pub id: String,
    pub kind: String,
    pub title: Texts,
    pub description: Texts,
    pub acknowledge_days: String,
    pub resolve_days: String,
    pub retention_days: String,
    pub meeting_days: String,
    pub max_files: String,
    pub max_file_mib: String,
    pub max_total_mib: String,
    /// `default`, `yes` or `no`.
    pub identity: String,
    /// One per line.
    pub categories: String,
    /// Comma-separated days; empty: the default; `none`: none.
    pub checkin_days: String,
    pub fields: Vec<FieldDraft>,
}

/// What a draft cannot be published as: the input it is about (its form name) and why.
#[derive(Debug, PartialEq)]
pub struct Wrong {
    pub input: String,
    pub message: String,
}

fn texts(text: &Text) -> Texts {
    match text {
        Text::Plain(t) => [t.clone(), String::new(), String::new()],
        Text::ByLang(map) => {
            let mut out = Texts::default();
            // Keys as the configuration may write them (`pt`, `de-DE`), by the language meant.
            for (key, value) in map {
                let code = crate::i18n::Lang::parse(key).map(|l| l.code());
                if let Some(i) = LANGS.iter().position(|l| Some(*l) == code) {
                    if out[i].is_empty() {
                        out[i] = value.clone();
                    }
                }
            }
            if out[0].is_empty() {
                // A text given only in other languages: English shows its first.
                out[0] = text.canonical().to_owned();
            }
            out
        }
    }
}

fn text(texts: &Texts) -> Text {
    let given: BTreeMap<String, String> = LANGS
        .iter()
        .zip(texts)
        .filter(|(_, t)| !t.trim().is_empty())
        .map(|(l, t)| (l.to_string(), t.trim().to_owned()))
        .collect();
    match given.len() {
        0 => Text::default(),
        1 if given.contains_key("en") => Text::Plain(given["en"].clone()),
        _ => Text::ByLang(given),
    }
}

fn number<T: ToString>(n: Option<T>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

impl Draft {
    /// A draft of a new channel: one question to start from.
    pub fn new_channel(id: &str, kind: ChannelKind) -> Self {
        Draft {
            id: id.to_owned(),
            kind: kind.as_str().to_owned(),
            identity: "default".into(),
            fields: vec![FieldDraft {
                id: "what".into(),
                kind: "textarea".into(),
                required: true,
                step: "1".into(),
                label: ["What happened?".into(), String::new(), String::new()],
                ..FieldDraft::default()
            }],
            ..Draft::default()
        }
    }

    pub fn from_config(c: &ChannelConfig) -> Self {
        Draft {
            id: c.id.clone(),
            kind: c.kind.as_str().to_owned(),
            title: texts(&c.title),
            description: texts(&c.description),
            acknowledge_days: number(c.acknowledge_days),
            resolve_days: number(c.resolve_days),
            retention_days: number(c.retention_days),
            meeting_days: number(c.meeting_days),
            max_files: number(c.max_files),
            max_file_mib: number(c.max_file_bytes.map(|b| b as f64 / MIB)),
            max_total_mib: number(c.max_total_bytes.map(|b| b as f64 / MIB)),
            identity: match c.identity {
                None => "default",
                Some(true) => "yes",
                Some(false) => "no",
            }
            .into(),
            categories: c.categories.join("\n"),
            checkin_days: match &c.checkin_days {
                None => String::new(),
                Some(days) if days.is_empty() => "none".into(),
                Some(days) => days
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            fields: c
                .fields
                .iter()
                .map(|f| FieldDraft {
                    id: f.id.clone(),
                    kind: f.kind.as_str().to_owned(),
                    required: f.required,
                    step: number(f.step),
                    label: texts(&f.label),
                    help: texts(&f.help),
                    options: {
                        let each: Vec<Texts> = f.options.iter().map(texts).collect();
                        std::array::from_fn(|i| {
                            each.iter()
                                .map(|o| o[i].as_str())
                                .collect::<Vec<_>>()
                                .join("\n")
                        })
                    },
                    max_length: number(f.max_length),
                    min: number(f.min),
                    max: number(f.max),
                    show_if_field: f
                        .show_if
                        .as_ref()
                        .map(|c| c.field.clone())
                        .unwrap_or_default(),
                    show_if_equals: f
                        .show_if
                        .as_ref()
                        .map(|c| c.equals.clone())
                        .unwrap_or_default(),
                })
                .collect(),
        }
    }

    /// The draft as the editor posted it (inputs named `title.en`, `f3.label.de`, …).
    pub fn from_form(pairs: &[(String, String)]) -> Self {
        let mut d = Draft::default();
        let set_text = |texts: &mut Texts, lang: &str, value: &str| {
            if let Some(i) = LANGS.iter().position(|l| *l == lang) {
                texts[i] = value.to_owned();
            }
        };
        for (name, value) in pairs {
            let value = value.replace("\r\n", "\n");
            if let Some(rest) = name.strip_prefix('f') {
                let Some((index, key)) = rest.split_once('.') else {
                    continue;
                };
                let Ok(index) = index.parse::<usize>() else {
                    continue;
                };
                if index >= 200 {
                    continue;
                }
                while d.fields.len() <= index {
                    d.fields.push(FieldDraft::default());
                }
                let f = &mut d.fields[index];
                match key.split_once('.') {
                    Some(("label", lang)) => set_text(&mut f.label, lang, &value),
                    Some(("help", lang)) => set_text(&mut f.help, lang, &value),
                    Some(("options", lang)) => set_text(&mut f.options, lang, &value),
                    Some(("show_if", "field")) => f.show_if_field = value,
                    Some(("show_if", "equals")) => f.show_if_equals = value,
                    _ => match key {
                        "id" => f.id = value,
                        "type" => f.kind = value,
                        "required" => f.required = !value.is_empty(),
                        "step" => f.step = value,
                        "max_length" => f.max_length = value,
                        "min" => f.min = value,
                        "max" => f.max = value,
                        _ => {}
                    },
                }
                continue;
            }
            match name.split_once('.') {
                Some(("title", lang)) => set_text(&mut d.title, lang, &value),
                Some(("description", lang)) => set_text(&mut d.description, lang, &value),
                _ => match name.as_str() {
                    "id" => d.id = value,
                    "kind" => d.kind = value,
                    "acknowledge_days" => d.acknowledge_days = value,
                    "resolve_days" => d.resolve_days = value,
                    "retention_days" => d.retention_days = value,
                    "meeting_days" => d.meeting_days = value,
                    "max_files" => d.max_files = value,
                    "max_file_mib" => d.max_file_mib = value,
                    "max_total_mib" => d.max_total_mib = value,
                    "identity" => d.identity = value,
                    "categories" => d.categories = value,
                    "checkin_days" => d.checkin_days = value,
                    _ => {}
                },
            }
        }
        d
    }

    /// Applies an editing button: `add`, `up:N`, `down:N`, `remove:N`. Anything else leaves
    /// the draft as it is.
    pub fn apply(&mut self, action: &str) {
        let (verb, index) = action.split_once(':').unwrap_or((action, ""));
        let index: Option<usize> = index.parse().ok().filter(|i| *i < self.fields.len());
        match (verb, index) {
            ("add", _) => {
                let taken = |id: &str| self.fields.iter().any(|f| f.id == id);
                let id = (self.fields.len() + 1..)
                    .map(|n| format!("question_{n}"))
                    .find(|id| !taken(id))
                    .unwrap_or_default();
                let step = self
                    .fields
                    .last()
                    .map_or_else(|| "1".to_owned(), |f| f.step.clone());
                self.fields.push(FieldDraft {
                    id,
                    kind: "text".into(),
                    step,
                    ..FieldDraft::default()
                });
            }
            ("up", Some(i)) if i > 0 => self.fields.swap(i, i - 1),
            ("down", Some(i)) if i + 1 < self.fields.len() => self.fields.swap(i, i + 1),
            ("remove", Some(i)) => {
                self.fields.remove(i);
            }
            _ => {}
        }
    }

    /// The `[[channels]]` entry the draft stands for; what cannot be read names its input.
    /// (The entry is then checked like the configuration file.)
    pub fn to_config(&self) -> Result<ChannelConfig, Wrong> {
        let kind = match self.kind.as_str() {
            "whistleblowing" => ChannelKind::Whistleblowing,
            "complaint" => ChannelKind::Complaint,
            _ => return Err(wrong("kind", "choose whistleblowing or complaint")),
        };
        let fields = self
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| f.to_config(i))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ChannelConfig {
            id: self.id.trim().to_owned(),
            kind,
            title: text(&self.title),
            description: text(&self.description),
            fields,
            acknowledge_days: whole("acknowledge_days", &self.acknowledge_days)?,
            resolve_days: whole("resolve_days", &self.resolve_days)?,
            retention_days: whole("retention_days", &self.retention_days)?,
            max_file_bytes: mib("max_file_mib", &self.max_file_mib)?,
            max_files: whole("max_files", &self.max_files)?,
            max_total_bytes: mib("max_total_mib", &self.max_total_mib)?,
            identity: match self.identity.as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
            meeting_days: whole("meeting_days", &self.meeting_days)?,
            categories: self
                .categories
                .lines()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
            checkin_days: match self.checkin_days.trim() {
                "" => None,
                "none" => Some(Vec::new()),
                days => Some(
                    days.split(',')
                        .map(|d| {
                            whole::<u32>("checkin_days", d)?.ok_or_else(|| {
                                wrong("checkin_days", "give days separated by commas")
                            })
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                ),
            },
        })
    }
}

impl FieldDraft {
    fn to_config(&self, i: usize) -> Result<FieldConfig, Wrong> {
        let name = |key: &str| format!("f{i}.{key}");
        let kind: FieldKind = serde_json::from_value(serde_json::Value::String(self.kind.clone()))
            .map_err(|_| wrong(&name("type"), "choose one of the types offered"))?;
        let lines: Vec<Vec<&str>> = self.options.iter().map(|t| t.lines().collect()).collect();
        let options = lines[0]
            .iter()
            .enumerate()
            .filter(|(_, en)| !en.trim().is_empty())
            .map(|(n, _)| {
                let each: Texts =
                    std::array::from_fn(|l| lines[l].get(n).copied().unwrap_or("").to_owned());
                text(&each)
            })
            .collect();
        let show_if = match self.show_if_field.trim() {
            "" => None,
            field => Some(Condition {
                field: field.to_owned(),
                equals: self.show_if_equals.trim().to_owned(),
            }),
        };
        Ok(FieldConfig {
            id: self.id.trim().to_owned(),
            label: text(&self.label),
            kind,
            required: self.required,
            options,
            max_length: whole(&name("max_length"), &self.max_length)?,
            help: text(&self.help),
            min: decimal(&name("min"), &self.min)?,
            max: decimal(&name("max"), &self.max)?,
            step: whole(&name("step"), &self.step)?,
            show_if,
        })
    }
}

fn wrong(input: &str, message: &str) -> Wrong {
    Wrong {
        input: input.to_owned(),
        message: format!("{input}: {message}"),
    }
}

fn whole<T: std::str::FromStr>(input: &str, value: &str) -> Result<Option<T>, Wrong> {
    match value.trim() {
        "" => Ok(None),
        v => v.parse().map(Some).map_err(|_| {
            wrong(
                input,
                "give a whole number, or leave it empty for the default",
            )
        }),
    }
}

fn decimal(input: &str, value: &str) -> Result<Option<f64>, Wrong> {
    match value.trim() {
        "" => Ok(None),
        v => v
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(Some)
            .ok_or_else(|| wrong(input, "give a number, or leave it empty")),
    }
}

fn mib(input: &str, value: &str) -> Result<Option<u64>, Wrong> {
    match decimal(input, value)? {
        Some(n) if !(0.0..=(u64::MAX as f64 / MIB)).contains(&n) => {
            Err(wrong(input, "give a size of 0 or more, or leave it empty"))
        }
        n => Ok(n.map(|n| (n * MIB).round() as u64)),
    }
}

#[cfg(test)]
impl Draft {
    /// The inputs the editor page writes for this draft, as a browser would send them back.
    fn write(&self, out: &mut Vec<(String, String)>) {
        let mut put = |k: String, v: &str| out.push((k, v.to_owned()));
        put("id".into(), &self.id);
        put("kind".into(), &self.kind);
        for (i, lang) in LANGS.iter().enumerate() {
            put(format!("title.{lang}"), &self.title[i]);
            put(format!("description.{lang}"), &self.description[i]);
        }
        for (k, v) in [
            ("acknowledge_days", &self.acknowledge_days),
            ("resolve_days", &self.resolve_days),
            ("retention_days", &self.retention_days),
            ("meeting_days", &self.meeting_days),
            ("max_files", &self.max_files),
            ("max_file_mib", &self.max_file_mib),
            ("max_total_mib", &self.max_total_mib),
            ("identity", &self.identity),
            ("categories", &self.categories),
            ("checkin_days", &self.checkin_days),
        ] {
            put(k.into(), v);
        }
        for (n, f) in self.fields.iter().enumerate() {
            put(format!("f{n}.id"), &f.id);
            put(format!("f{n}.type"), &f.kind);
            if f.required {
                put(format!("f{n}.required"), "on");
            }
            for (k, v) in [
                ("step", &f.step),
                ("max_length", &f.max_length),
                ("min", &f.min),
                ("max", &f.max),
                ("show_if.field", &f.show_if_field),
                ("show_if.equals", &f.show_if_equals),
            ] {
                put(format!("f{n}.{k}"), v);
            }
            for (i, lang) in LANGS.iter().enumerate() {
                put(format!("f{n}.label.{lang}"), &f.label[i]);
                put(format!("f{n}.help.{lang}"), &f.help[i]);
                put(format!("f{n}.options.{lang}"), &f.options[i]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_channel_comes_back_from_the_form_unchanged() {
        for channel in crate::cases::channels::builtin() {
            let draft = Draft::from_config(&channel);
            let mut pairs = Vec::new();
            draft.write(&mut pairs);
            let back = Draft::from_form(&pairs);
            assert_eq!(back, draft);
            let config = back.to_config().unwrap();
            assert_eq!(
                serde_json::to_value(&config).unwrap(),
                serde_json::to_value(&channel).unwrap()
            );
        }
    }

    #[test]
    fn buttons_add_move_and_remove_questions() {
        let mut d = Draft::new_channel("x", ChannelKind::Complaint);
        d.apply("add");
        d.apply("add");
        assert_eq!(d.fields.len(), 3);
        d.apply("up:2");
        assert_eq!(d.fields[1].id, "question_3");
        d.apply("remove:0");
        d.apply("down:9");
        assert_eq!(d.fields.len(), 2);
        assert_eq!(d.fields[0].id, "question_3");
    }

    #[test]
    fn numbers_that_cannot_be_read_name_their_input() {
        let mut d = Draft::new_channel("x", ChannelKind::Complaint);
        d.fields[0].step = "two".into();
        assert_eq!(d.to_config().unwrap_err().input, "f0.step");
        d.fields[0].step = "2".into();
        d.max_file_mib = "1.5".into();
        assert_eq!(d.to_config().unwrap().max_file_bytes, Some(1_572_864));
    }
}
