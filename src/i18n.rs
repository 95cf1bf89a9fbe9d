//! Languages: which one a reader gets, and the texts of pages and mails in it.
//!
//! The texts live in `web/i18n/<code>.toml`, one file per language, compiled into the binary.
//! Sections flatten to dotted keys (`[index] title = …` is `index.title`); `{name}` marks a
//! placeholder. A key missing from a language falls back to English. Keys ending in `_html`
//! hold markup and are the only ones a template may print unescaped.
//!
//! This module sits beside `config`: every layer may use it, it uses none of them.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Display;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// A language sealbox speaks. English is the default and the fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub enum Lang {
    #[default]
    En,
    PtBr,
    De,
}

const SOURCES: [(Lang, &str); 3] = [
    (Lang::En, include_str!("../web/i18n/en.toml")),
    (Lang::PtBr, include_str!("../web/i18n/pt-BR.toml")),
    (Lang::De, include_str!("../web/i18n/de.toml")),
];

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::PtBr, Lang::De];

    /// The BCP 47 tag: in `?lang=`, `<html lang>`, the config and the database.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::PtBr => "pt-BR",
            Lang::De => "de",
        }
    }

    /// The language's name in itself, for the language switcher.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::PtBr => "Português (Brasil)",
            Lang::De => "Deutsch",
        }
    }

    /// A language tag as a person or a browser writes it: `de`, `de-AT`, `pt`, `pt-BR`,
    /// `PT_br`… Only the primary subtag decides (Portuguese of any region gets Brazilian
    /// Portuguese, the only one there is). `None` for a language sealbox does not speak.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        match primary.to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "pt" => Some(Lang::PtBr),
            "de" => Some(Lang::De),
            _ => None,
        }
    }

    /// The best language for an `Accept-Language` header: the highest q-value sealbox speaks,
    /// the earlier one on a tie; English when none (or no header).
    pub fn negotiate(accept_language: Option<&str>) -> Lang {
        let mut best: Option<(u16, Lang)> = None;
        // A header is short; a long one is read no further than a browser would write.
        for item in accept_language.unwrap_or_default().split(',').take(32) {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Lang::parse) else {
                continue;
            };
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .next()
                .map_or(1000, quality);
            if q > 0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map_or(Lang::En, |(_, lang)| lang)
    }

    /// The text under `key`, in this language or else in English. An unknown key gives an
    /// empty text (and a warning): the tests make sure every key used exists.
    pub fn text(self, key: &str) -> &'static str {
        let catalog = catalog();
        catalog[self as usize]
            .get(key)
            .or_else(|| catalog[Lang::En as usize].get(key))
            .map(String::as_str)
            .unwrap_or_else(|| {
                tracing::warn!(key, "no such text");
                ""
            })
    }

    /// The text under `key`, if there is one (in this language or English).
    pub fn try_text(self, key: &str) -> Option<&'static str> {
        let catalog = catalog();
        catalog[self as usize]
            .get(key)
            .or_else(|| catalog[Lang::En as usize].get(key))
            .map(String::as_str)
    }

    /// The text under `key` with its `{name}` placeholders filled in.
    pub fn fill(self, key: &str, args: &[(&str, &dyn Display)]) -> String {
        fill(self.text(key), args)
    }
}

/// A moment as a reader of `lang` writes it, in UTC: `24 November 2026, 14:05 UTC`,
/// `24. November 2026, 14:05 UTC`, `24 de novembro de 2026, 14:05 UTC`.
pub fn date_time(lang: Lang, ts: i64) -> String {
    written(lang, ts, "date.date_time")
}

/// A day as a reader of `lang` writes it: `24 November 2026`.
pub fn date(lang: Lang, ts: i64) -> String {
    written(lang, ts, "date.date")
}

fn written(lang: Lang, ts: i64, key: &str) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(ts) else {
        return String::new();
    };
    let month = lang.text(&format!("date.m{}", u8::from(t.month())));
    let time = format!("{:02}:{:02}", t.hour(), t.minute());
    lang.fill(
        key,
        &[
            ("day", &t.day()),
            ("month", &month),
            ("year", &t.year()),
            ("time", &time),
        ],
    )
}

/// `q=0.8` → 800, read leniently; a value that is not a number counts as 0 (not wanted).
fn quality(text: &str) -> u16 {
    let text = text.trim();
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    let whole: u16 = match whole {
        "1" => 1000,
        "0" | "" => 0,
        _ => return 0,
    };
    let digits: String = frac.chars().take(3).collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return 0;
    }
    let frac: u16 = format!("{digits:0<3}").parse().unwrap_or(0);
    (whole + frac).min(1000)
}

/// Replaces each `{name}` in `text` by its value.
pub fn fill(text: &str, args: &[(&str, &dyn Display)]) -> String {
    args.iter().fold(text.to_owned(), |acc, (name, value)| {
        acc.replace(&format!("{{{name}}}"), &value.to_string())
    })
}

type Catalog = [HashMap<String, String>; 3];

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        SOURCES.map(|(lang, source)| {
            parse(source).unwrap_or_else(|e| {
                tracing::error!(lang = lang.code(), error = %e, "translation file unreadable");
                HashMap::new()
            })
        })
    })
}

/// A translation file, its sections flattened to dotted keys.
fn parse(source: &str) -> Result<HashMap<String, String>, Box<figment::Error>> {
    use figment::providers::{Format, Toml};
    use figment::value::Value;
    let tree: BTreeMap<String, Value> = figment::Figment::from(Toml::string(source))
        .extract()
        .map_err(Box::new)?;
    fn walk(prefix: &str, tree: BTreeMap<String, Value>, out: &mut HashMap<String, String>) {
        for (key, value) in tree {
            let key = if prefix.is_empty() {
                key
            } else {
                format!("{prefix}.{key}")
            };
            match value {
                Value::String(_, text) => {
                    out.insert(key, text);
                }
                Value::Dict(_, dict) => walk(&key, dict.into_iter().collect(), out),
                _ => {
                    out.insert(key, String::new());
                }
            }
        }
    }
    let mut out = HashMap::new();
    walk("", tree, &mut out);
    Ok(out)
}

/// A text from the configuration: one string for every language, or one per language
/// (`title = { en = "HR", de = "Personal", pt-BR = "RH" }`). A language left out gets the
/// English text, or else the first one given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Text {
    Plain(String),
    ByLang(BTreeMap<String, String>),
}

impl Default for Text {
    fn default() -> Self {
        Text::Plain(String::new())
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Text::Plain(text.to_owned())
    }
}

impl Text {
    /// Texts in the three languages (built-in channels).
    pub fn tr(en: &str, pt_br: &str, de: &str) -> Self {
        Text::ByLang(BTreeMap::from([
            ("en".to_owned(), en.to_owned()),
            ("pt-BR".to_owned(), pt_br.to_owned()),
            ("de".to_owned(), de.to_owned()),
        ]))
    }

    /// The text in `lang`, or in English, or the first given.
    pub fn get(&self, lang: Lang) -> &str {
        match self {
            Text::Plain(text) => text,
            Text::ByLang(map) => map
                .iter()
                .find(|(k, _)| Lang::parse(k) == Some(lang))
                .or_else(|| map.iter().find(|(k, _)| Lang::parse(k) == Some(Lang::En)))
                .or_else(|| map.iter().next())
                .map_or("", |(_, v)| v.as_str()),
        }
    }

    /// The text that stands for it whatever the language: English, or the first given.
    pub fn canonical(&self) -> &str {
        self.get(Lang::En)
    }

    pub fn is_empty(&self) -> bool {
        self.canonical().is_empty()
    }

    /// Language keys that name no language sealbox speaks (a config mistake).
    pub fn unknown_languages(&self) -> Vec<String> {
        match self {
            Text::Plain(_) => Vec::new(),
            Text::ByLang(map) => map
                .keys()
                .filter(|k| Lang::parse(k).is_none())
                .cloned()
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn placeholders(text: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            let after = &rest[start + 1..];
            match after.find('}') {
                Some(end) => {
                    out.insert(after[..end].to_owned());
                    rest = &after[end + 1..];
                }
                None => break,
            }
        }
        out
    }

    #[test]
    fn every_file_parses_and_has_every_key_with_the_same_placeholders() {
        let en = parse(SOURCES[0].1).unwrap();
        assert!(en.len() > 100, "{} keys", en.len());
        for (lang, source) in &SOURCES[1..] {
            let other = parse(source).unwrap_or_else(|e| panic!("{}: {e}", lang.code()));
            for (key, text) in &en {
                let Some(translated) = other.get(key) else {
                    panic!("{} lacks {key}", lang.code());
                };
                assert!(
                    !translated.trim().is_empty() || text.trim().is_empty(),
                    "{} {key} is empty",
                    lang.code()
                );
                assert_eq!(
                    placeholders(text),
                    placeholders(translated),
                    "{} {key}: placeholders differ",
                    lang.code()
                );
            }
            for key in other.keys() {
                assert!(
                    en.contains_key(key),
                    "{} has {key}, English not",
                    lang.code()
                );
            }
        }
        for (lang, source) in SOURCES {
            for (key, text) in parse(source).unwrap() {
                let tag = text.match_indices('<').any(|(at, _)| {
                    text[at + 1..].starts_with(|c: char| c.is_alphabetic() || c == '/')
                });
                assert!(
                    key.ends_with("_html") || !tag,
                    "{} {key}: markup only in keys ending in _html",
                    lang.code()
                );
            }
        }
    }

    /// Every literal key that the templates and the code look up exists in English (and so,
    /// by the test above, in every language).
    #[test]
    fn every_key_used_exists() {
        let en = parse(SOURCES[0].1).unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        let mut dirs = vec![root.join("src"), root.join("web/templates")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        let mut checked = 0;
        // This file's own tests look up keys that are meant not to exist.
        for path in files.into_iter().filter(|p| !p.ends_with("i18n.rs")) {
            let text = std::fs::read_to_string(&path).unwrap();
            for call in [
                "get(\"", "text(\"", "fill(\"", "fmt1(\"", "fmt2(\"", "fmt3(\"",
            ] {
                for (at, _) in text.match_indices(call) {
                    let rest = &text[at + call.len()..];
                    let key = &rest[..rest.find('"').unwrap_or(0)];
                    let looks_like_key = key.contains('.')
                        && key.chars().all(|c| {
                            c.is_ascii_lowercase() || c.is_ascii_digit() || "._".contains(c)
                        });
                    if looks_like_key {
                        checked += 1;
                        assert!(en.contains_key(key), "{}: {key} missing", path.display());
                    }
                }
            }
        }
        assert!(checked > 100, "only {checked} lookups found");
    }

    #[test]
    fn accept_language_is_negotiated_by_quality() {
        assert_eq!(Lang::negotiate(None), Lang::En);
        assert_eq!(Lang::negotiate(Some("pt-BR,pt;q=0.9")), Lang::PtBr);
        assert_eq!(Lang::negotiate(Some("pt-PT")), Lang::PtBr);
        assert_eq!(Lang::negotiate(Some("de-AT, en;q=0.5")), Lang::De);
        assert_eq!(Lang::negotiate(Some("fr, de;q=0.3, en;q=0.2")), Lang::De);
        assert_eq!(Lang::negotiate(Some("en;q=0.4, de;q=0.8")), Lang::De);
        assert_eq!(Lang::negotiate(Some("de;q=0, fr")), Lang::En);
        assert_eq!(Lang::negotiate(Some("fr-CA, ja")), Lang::En);
        assert_eq!(Lang::negotiate(Some("*")), Lang::En);
        assert_eq!(Lang::negotiate(Some(";;;,q=,de;q=abc")), Lang::En);
        assert_eq!(Lang::parse("PT_br"), Some(Lang::PtBr));
        assert_eq!(Lang::parse(""), None);
    }

    #[test]
    fn dates_read_well_in_every_language() {
        assert_eq!(date_time(Lang::En, 0), "1 January 1970, 00:00 UTC");
        assert_eq!(date_time(Lang::De, 86_400 * 59), "1. März 1970, 00:00 UTC");
        assert_eq!(date(Lang::PtBr, 86_400 * 31), "1 de fevereiro de 1970");
    }

    #[test]
    fn placeholders_are_filled_and_fallbacks_hold() {
        assert_eq!(
            fill("{a} and {b}", &[("a", &1), ("b", &"two")]),
            "1 and two"
        );
        let t = Text::tr("HR", "RH", "Personal");
        assert_eq!(t.get(Lang::De), "Personal");
        let partial: Text = Text::ByLang(BTreeMap::from([("de".into(), "Nur".into())]));
        assert_eq!(partial.get(Lang::En), "Nur");
        assert_eq!(Text::from("x").get(Lang::PtBr), "x");
        assert!(Lang::De.text("no.such.key").is_empty());
    }
}
