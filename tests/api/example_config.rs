//! `sealbox.example.toml` at the repository root: the real binary starts with it as it is and
//! with every commented-out example switched on, its values are the defaults, and it names
//! every key the configuration has, in the section where the configuration reads it.

use std::collections::BTreeSet;

use sealbox::config::{
    ChannelConfig, FieldConfig, Limits, MailSettings, Overrides, ReplyConfig, SessionSettings,
    Settings, SiteSettings, TlsSettings,
};
use serde::de::{self, Deserialize, Visitor};
use serde_json::Value;

use crate::helpers::*;

const EXAMPLE: &str = include_str!("../../sealbox.example.toml");

#[test]
fn the_binary_starts_with_the_example_as_it_is() {
    let app = spawn_bare_app(EXAMPLE);
    assert_eq!(app.get("/healthz").status(), 200);
    let channels: Value = app.get("/api/v1/channels").json().unwrap();
    let ids: Vec<&str> = channels["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["report", "complaint"], "{channels}");
}

#[test]
fn the_binary_starts_with_every_example_switched_on() {
    let mut app = unstarted_app("");
    let logo = app.root.path().join("logo.png");
    std::fs::write(&logo, b"\x89PNG\r\n\x1a\nnot drawn, only recognised").unwrap();
    let recovery = sealbox::crypto::KeyPair::generate().public;
    let mut config = String::new();
    for line in EXAMPLE.lines() {
        let line = match line.strip_prefix("# ") {
            Some(rest) if entry(rest).is_some() => rest,
            _ => line,
        };
        // What cannot work as written: a placeholder key, a file that is not here, and the URL
        // given both inline and from a file (the example shows both ways; only one is allowed).
        let line = match entry(line) {
            Some(Entry::Key(key)) if key == "recovery_recipient" => {
                format!("recovery_recipient = \"{recovery}\"")
            }
            Some(Entry::Key(key)) if key == "logo" => format!("logo = {:?}", logo.display()),
            Some(Entry::Key(key)) if key == "metrics_listen" => {
                format!("metrics_listen = \"127.0.0.1:{}\"", free_port())
            }
            Some(Entry::Key(key)) if key == "smtp_url_file" => continue,
            // HTTPS needs certificate files; tests/api/tls.rs serves it.
            Some(Entry::Key(key)) if key == "cert" || key == "key" => continue,
            _ => line.to_owned(),
        };
        config.push_str(&line);
        config.push('\n');
    }
    assert!(
        config.contains("[[channels.fields]]\nid = \"area\""),
        "{config}"
    );
    std::fs::write(app.root.path().join("sealbox.toml"), &config).unwrap();
    app.start();

    let res = app.get("/report");
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("onion-location"));
    let channels: Value = app.get("/api/v1/channels?lang=de").json().unwrap();
    let hr = &channels["channels"][0];
    assert_eq!(hr["id"], "hr", "{channels}");
    assert_eq!(hr["title"], "Personalfragen", "{channels}");
    assert_eq!(hr["fields"][1]["options"][0], "Pay", "{channels}");
}

#[test]
fn the_example_gives_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let example = dir.path().join("example.toml");
    let empty = dir.path().join("empty.toml");
    std::fs::write(&example, EXAMPLE).unwrap();
    std::fs::write(&empty, "").unwrap();
    let overrides = Overrides {
        data_dir: Some(dir.path().join("data")),
        listen: None,
    };
    // Both read the same environment, so only the file can make them differ.
    let from_example = Settings::load(Some(&example), &overrides).unwrap();
    let from_nothing = Settings::load(Some(&empty), &overrides).unwrap();
    assert_eq!(format!("{from_example:#?}"), format!("{from_nothing:#?}"));
}

/// Each table of the configuration, and the struct that reads it. A new table needs a line
/// here: the example's headers are checked against this list.
fn sections() -> Vec<(&'static str, &'static [&'static str])> {
    vec![
        ("", fields_of::<Settings>()),
        ("mail", fields_of::<MailSettings>()),
        ("limits", fields_of::<Limits>()),
        ("sessions", fields_of::<SessionSettings>()),
        ("site", fields_of::<SiteSettings>()),
        ("tls", fields_of::<TlsSettings>()),
        ("channels", fields_of::<ChannelConfig>()),
        ("channels.fields", fields_of::<FieldConfig>()),
        ("replies", fields_of::<ReplyConfig>()),
    ]
}

#[test]
fn the_example_names_every_key_and_no_other() {
    // (section, key) as the example writes them, commented out or not.
    let mut keys = BTreeSet::new();
    let mut headers = BTreeSet::new();
    let mut section = String::new();
    for line in EXAMPLE.lines() {
        let line = line.strip_prefix("# ").unwrap_or(line);
        match entry(line) {
            Some(Entry::Header(name)) => {
                headers.insert(name.clone());
                section = name;
            }
            Some(Entry::Key(key)) => {
                keys.insert((section.clone(), key));
            }
            None => {}
        }
    }

    let sections = sections();
    let known: BTreeSet<&str> = sections.iter().map(|(name, _)| *name).collect();
    for header in &headers {
        assert!(
            known.contains(header.as_str()),
            "[{header}] in the example is no table of the configuration, or is missing from \
             sections() in this test"
        );
    }
    let mut expected = BTreeSet::new();
    for (name, fields) in &sections {
        for field in *fields {
            let path = if name.is_empty() {
                (*field).to_owned()
            } else {
                format!("{name}.{field}")
            };
            // A table is named by its header, a value by `key =`.
            if known.contains(path.as_str()) {
                assert!(headers.contains(&path), "no [{path}] in the example");
            } else {
                expected.insert((name.to_string(), (*field).to_owned()));
            }
        }
    }
    let missing: Vec<_> = expected.difference(&keys).collect();
    assert!(
        missing.is_empty(),
        "keys missing from sealbox.example.toml: {missing:?}"
    );
    let unknown: Vec<_> = keys.difference(&expected).collect();
    assert!(
        unknown.is_empty(),
        "keys in sealbox.example.toml that the configuration does not read: {unknown:?}"
    );
}

enum Entry {
    Header(String),
    Key(String),
}

/// A line of TOML that opens a table (`[mail]`, `[[channels]]`) or sets a key (`key = …`).
fn entry(line: &str) -> Option<Entry> {
    if let Some(rest) = line.strip_prefix('[') {
        let name = rest.trim_start_matches('[').split(']').next()?;
        return Some(Entry::Header(name.to_owned()));
    }
    let (key, _) = line.split_once(" = ")?;
    let is_key = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    is_key.then(|| Entry::Key(key.to_owned()))
}

/// The keys a struct's `Deserialize` accepts, as serde's derive lists them: the code, not a
/// copy of it, decides what the example must name.
fn fields_of<T: for<'de> Deserialize<'de>>() -> &'static [&'static str] {
    match T::deserialize(FieldNames) {
        Err(FieldsError::Fields(fields)) => fields,
        _ => panic!("{} is not read as a struct", std::any::type_name::<T>()),
    }
}

/// A deserializer that answers a struct's request with the struct's field names, as an error.
struct FieldNames;

#[derive(Debug)]
enum FieldsError {
    Fields(&'static [&'static str]),
    Other,
}

impl std::fmt::Display for FieldsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

impl std::error::Error for FieldsError {}

impl de::Error for FieldsError {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        FieldsError::Other
    }
}

impl<'de> de::Deserializer<'de> for FieldNames {
    type Error = FieldsError;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, FieldsError> {
        Err(FieldsError::Other)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, FieldsError> {
        Err(FieldsError::Fields(fields))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}
