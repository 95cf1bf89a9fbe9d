//! The sealed documents of a case and how they are opened: the submission, texts (messages,
//! notes, reasons) with their exact times, and the zeroizing of what was opened. Every feature
//! seals and opens through these, so a document's format is decided in one place.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use super::{now, CaseError};
use crate::crypto::{seal, SecretKey};
use crate::i18n::Lang;

/// The sealed document of a case, as `age -d` prints it (padded JSON).
#[derive(Serialize, Deserialize)]
pub(super) struct SealedSubmission {
    pub channel: String,
    pub fields: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub exclude_officers: Vec<String>,
    pub contact: Option<SealedContact>,
    /// When it was received, exactly (the database keeps only the day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<i64>,
}

impl SealedSubmission {
    /// Opens a case's sealed document with its case key.
    pub(super) fn open(
        sealed: &[u8],
        case_key: &crate::crypto::SecretKey,
    ) -> Result<Self, CaseError> {
        serde_json::from_slice(&seal::open(sealed, case_key)?).map_err(|source| {
            CaseError::Document {
                what: "sealed case",
                source,
            }
        })
    }
}

#[derive(Serialize, Deserialize)]
pub(super) struct SealedContact {
    pub email: String,
    pub consent: bool,
    /// The language for mails to this address (cases from before languages: English).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

impl SealedContact {
    pub fn lang(&self) -> Lang {
        self.language
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or_default()
    }
}

#[derive(Serialize, Deserialize)]
pub(super) struct SealedMessage {
    pub body: String,
    /// When it was written, exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<i64>,
}

/// Seals a text as padded JSON `{"body": …, "at": …}` to a public key. The exact time travels
/// inside the seal: the database keeps only the day of anything a submitter does.
pub(super) fn seal_text(body: &str, to: &str) -> Result<Vec<u8>, CaseError> {
    seal_text_to(body, &[to])
}

/// Seals a text as [`seal_text`] does, to several keys at once.
pub(super) fn seal_text_to(body: &str, to: &[&str]) -> Result<Vec<u8>, CaseError> {
    let json = Zeroizing::new(
        serde_json::to_vec(&SealedMessage {
            body: body.to_owned(),
            at: Some(now()),
        })
        .map_err(|source| CaseError::Document {
            what: "document",
            source,
        })?,
    );
    Ok(seal::seal_padded(&json, to)?)
}

/// Opens a text sealed by [`seal_text`].
pub(super) fn open_text(sealed: &[u8], key: &SecretKey) -> Result<String, CaseError> {
    Ok(open_text_at(sealed, key)?.0)
}

/// Opens a text sealed by [`seal_text`], with the exact time sealed with it (`None` for texts
/// sealed before times were).
pub(super) fn open_text_at(
    sealed: &[u8],
    key: &SecretKey,
) -> Result<(String, Option<i64>), CaseError> {
    let plain = seal::open(sealed, key)?;
    let mut msg: SealedMessage =
        serde_json::from_slice(&plain).map_err(|source| CaseError::Document {
            what: "sealed text",
            source,
        })?;
    Ok((std::mem::take(&mut msg.body), msg.at))
}

/// An answer as a reader sees it in `lang`: an option in `lang`, a list joined, yes or no.
pub fn shown(
    field: Option<&super::channels::Field>,
    value: &serde_json::Value,
    lang: Lang,
) -> String {
    let option = |s: &str| {
        field
            .and_then(|f| f.options.iter().find(|o| o.canonical() == s))
            .map_or_else(|| s.to_owned(), |o| o.get(lang).to_owned())
    };
    match value {
        serde_json::Value::String(s) => option(s),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), option))
            .collect::<Vec<_>>()
            .join(", "),
        serde_json::Value::Null => String::new(),
        serde_json::Value::Bool(true) => lang.text("case.yes").into(),
        serde_json::Value::Bool(false) => lang.text("case.no").into(),
        other => other.to_string(),
    }
}

/// Field values labelled by the channel's form in `lang`, in its order (a select's choice
/// shown in `lang` too); values of fields the form no longer has come last, under their ids.
pub(super) fn labelled_fields(
    channel: Option<&super::Channel>,
    fields: &BTreeMap<String, serde_json::Value>,
    lang: Lang,
) -> Vec<(String, String)> {
    let show =
        |field: Option<&super::channels::Field>, v: &serde_json::Value| shown(field, v, lang);
    let known = channel.map(|c| c.fields.as_slice()).unwrap_or_default();
    let mut out: Vec<(String, String)> = known
        .iter()
        .filter_map(|f| {
            fields
                .get(&f.id)
                .map(|v| (f.label.get(lang).to_owned(), show(Some(f), v)))
        })
        .collect();
    out.extend(
        fields
            .iter()
            .filter(|(id, _)| !known.iter().any(|f| &f.id == *id))
            .map(|(id, v)| (id.clone(), show(None, v))),
    );
    out
}

/// Characters of a case's opening words in the inbox.
pub const SUMMARY_CHARS: usize = 120;

/// A case's opening words: its first text answered, in form order (a field the form no longer
/// has comes after), cut to [`SUMMARY_CHARS`] at a word where it can be.
pub(super) fn opening_words(
    channel: Option<&super::Channel>,
    fields: &BTreeMap<String, serde_json::Value>,
) -> String {
    let known = channel.map(|c| c.fields.as_slice()).unwrap_or_default();
    let texts = known
        .iter()
        .filter(|f| {
            matches!(
                f.kind,
                crate::config::FieldKind::Text | crate::config::FieldKind::Textarea
            )
        })
        .filter_map(|f| fields.get(&f.id))
        .chain(
            fields
                .iter()
                .filter(|(id, _)| !known.iter().any(|f| &f.id == *id))
                .map(|(_, v)| v),
        );
    let Some(first) = texts
        .filter_map(|v| v.as_str())
        .map(str::trim)
        .find(|t| !t.is_empty())
    else {
        return String::new();
    };
    let flat: String = first.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= SUMMARY_CHARS {
        return flat;
    }
    let cut: String = flat.chars().take(SUMMARY_CHARS).collect();
    let at_word = cut
        .rfind(' ')
        .filter(|i| *i > SUMMARY_CHARS / 2)
        .unwrap_or(cut.len());
    format!("{}…", &cut[..at_word])
}

/// Zeroizes what a decrypted case view holds: field values, their labelled copies, and the
/// optional texts (contact, summary, feedback).
pub(super) fn wipe_case<const N: usize>(
    fields: &mut BTreeMap<String, serde_json::Value>,
    labelled: &mut [(String, String)],
    texts: [&mut Option<String>; N],
) {
    fields.values_mut().for_each(wipe);
    for (label, value) in labelled {
        label.zeroize();
        value.zeroize();
    }
    for text in texts {
        text.zeroize();
    }
}

/// Zeroizes every string inside a JSON value.
pub fn wipe(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => s.zeroize(),
        serde_json::Value::Array(items) => items.iter_mut().for_each(wipe),
        serde_json::Value::Object(map) => map.values_mut().for_each(wipe),
        _ => {}
    }
}
