//! Template view models: what each page shows, already shaped for the template.

use actix_web::http::header;
use actix_web::HttpRequest;
use askama::Template;

use std::sync::Arc;

use super::errors::Problem;
use super::site::Branding;
use crate::cases::files::FileView;
use crate::cases::Channel;
use crate::i18n::Lang;

/// What a page needs to speak its reader's language: the language, whether the reader chose
/// it in the address (then every link carries `?lang=` on, as no cookie may keep it before a
/// sign-in), and the page's own address for the language switcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ui {
    pub lang: Lang,
    /// Chosen with `?lang=`: links carry it on.
    pinned: bool,
    /// This page's path (and the one query parameter worth keeping), for the switcher.
    here: String,
    /// The organisation the pages speak for.
    pub brand: Arc<Branding>,
}

impl Default for Ui {
    fn default() -> Self {
        Ui {
            lang: Lang::En,
            pinned: false,
            here: "/".into(),
            brand: Arc::default(),
        }
    }
}

#[derive(serde::Deserialize)]
struct LangQuery {
    lang: Option<String>,
    channel: Option<String>,
}

impl Ui {
    /// Texts in `lang`, for output that is not a page of this server (an export's page).
    pub fn in_lang(lang: Lang) -> Ui {
        Ui {
            lang,
            ..Ui::default()
        }
    }

    /// A submitter's page: `?lang=` when given (and a language sealbox speaks), else the
    /// browser's `Accept-Language`, else English.
    pub fn for_request(req: &HttpRequest) -> Ui {
        let query = actix_web::web::Query::<LangQuery>::from_query(req.query_string()).ok();
        let chosen = query
            .as_ref()
            .and_then(|q| q.lang.as_deref())
            .and_then(Lang::parse);
        // The language links lead back to this path. A path that starts with `//` (or `/\`,
        // which browsers read the same) would make them links to another site, so the page
        // of `https://site//evil.example/` offered "Deutsch" at evil.example: one slash only.
        let mut here = format!("/{}", req.path().trim_start_matches(['/', '\\']));
        // The channel picked on a form page survives a change of language.
        if let Some(channel) = query.as_ref().and_then(|q| q.channel.as_deref()) {
            if !channel.is_empty()
                && channel
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                here = format!("{here}?channel={channel}");
            }
        }
        Ui {
            lang: chosen.unwrap_or_else(|| Lang::negotiate(accept_language(req))),
            pinned: chosen.is_some(),
            here,
            brand: req
                .app_data::<actix_web::web::Data<super::AppState>>()
                .map(|s| s.brand.clone())
                .unwrap_or_default(),
        }
    }

    /// An officer's page: the language they chose on their account page, else as for any
    /// page. Officer pages carry no `?lang=` on (their session is their memory).
    pub fn for_officer(req: &HttpRequest, chosen: Option<Lang>) -> Ui {
        let mut ui = Ui::for_request(req);
        if let Some(lang) = chosen {
            ui.lang = lang;
        }
        ui.pinned = false;
        ui
    }

    /// Whichever of the two a request is (error pages): an officer page of a signed-in
    /// officer takes their choice.
    pub fn for_any(req: &HttpRequest) -> Ui {
        if req.path().starts_with("/officer") {
            let chosen = req
                .app_data::<actix_web::web::Data<super::AppState>>()
                .and_then(|s| s.officers.from_request(req))
                .and_then(|s| s.value.officer.language);
            if chosen.is_some() {
                return Ui::for_officer(req, chosen);
            }
        }
        Ui::for_request(req)
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn get(&self, key: &str) -> &'static str {
        self.lang.text(key)
    }

    pub fn fmt1(&self, key: &str, a: &str, va: impl std::fmt::Display) -> String {
        self.lang.fill(key, &[(a, &va)])
    }

    pub fn fmt2(
        &self,
        key: &str,
        a: &str,
        va: impl std::fmt::Display,
        b: &str,
        vb: impl std::fmt::Display,
    ) -> String {
        self.lang.fill(key, &[(a, &va), (b, &vb)])
    }

    /// `path` with `?lang=` (or `&lang=`) when the reader chose the language in the address.
    pub fn link(&self, path: &str) -> String {
        if !self.pinned {
            return path.to_owned();
        }
        let join = if path.contains('?') { '&' } else { '?' };
        format!("{path}{join}lang={}", self.lang.code())
    }

    /// The language switcher: (code, name, current, link to this page in it).
    pub fn switcher(&self) -> Vec<(&'static str, &'static str, bool, String)> {
        let join = if self.here.contains('?') { '&' } else { '?' };
        Lang::ALL
            .iter()
            .map(|l| {
                (
                    l.code(),
                    l.name(),
                    *l == self.lang,
                    format!("{}{join}lang={}", self.here, l.code()),
                )
            })
            .collect()
    }

    /// A problem's message in this language, where it has a translation.
    pub fn problem(&self, p: &Problem) -> String {
        self.problem_in(p, None)
    }

    /// A problem's message in this language; a field of `channel` is named by its label in
    /// this language.
    pub fn problem_in(&self, p: &Problem, channel: Option<&Channel>) -> String {
        let Some(said) = &p.said else {
            return p.message.clone();
        };
        let label = p
            .field
            .as_deref()
            .and_then(|f| f.strip_prefix("fields."))
            .and_then(|id| channel?.fields.iter().find(|f| f.id == id))
            .map(|f| f.label.get(self.lang).to_owned());
        let args: Vec<(&str, &dyn std::fmt::Display)> = said
            .args
            .iter()
            .map(|(k, v)| match (*k, &label) {
                ("label", Some(label)) => (*k, label as &dyn std::fmt::Display),
                _ => (*k, v as &dyn std::fmt::Display),
            })
            .collect();
        let text = self.lang.fill(&said.key, &args);
        if text.is_empty() {
            return p.message.clone();
        }
        if said.nothing_stored {
            return self.fmt1("invalid.nothing_stored", "message", text);
        }
        text
    }

    /// A moment, written for this reader.
    pub fn date_time(&self, ts: i64) -> String {
        crate::i18n::date_time(self.lang, ts)
    }

    /// A day, written for this reader.
    pub fn date(&self, ts: i64) -> String {
        crate::i18n::date(self.lang, ts)
    }

    /// The exact time when it is known (it is sealed, so only an unlocked case has it), else
    /// the day that is kept in clear.
    pub fn when(&self, day: i64, exact: Option<i64>) -> String {
        match exact {
            Some(at) => self.date_time(at),
            None => self.date(day),
        }
    }
}

fn accept_language(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
}

/// A configured text as paragraphs (split at blank lines), for a page.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

#[derive(Template)]
#[template(path = "privacy.html")]
pub struct PrivacyPage {
    pub t: Ui,
    /// The organisation's notice; empty: the built-in one.
    pub notice: Vec<String>,
    pub imprint: Vec<String>,
}

/// One line of a thread on a page: a message, or a file.
pub struct ThreadLine {
    /// Who wrote it, as a CSS class: `submitter`, `officer`.
    pub from: String,
    pub who: String,
    pub at: String,
    pub body: String,
    pub file: Option<FileLine>,
}

pub struct FileLine {
    pub url: String,
    pub name: String,
    pub size: String,
    /// What happened to its hidden metadata, if worth saying.
    pub note: &'static str,
}

impl Drop for ThreadLine {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.body);
        if let Some(f) = &mut self.file {
            zeroize::Zeroize::zeroize(&mut f.name);
        }
    }
}

impl ThreadLine {
    /// `at` as stored in clear, `exact` as sealed with the text (when it was).
    pub fn message(
        ui: &Ui,
        from: &str,
        who: String,
        (at, exact): (i64, Option<i64>),
        body: &str,
    ) -> (i64, ThreadLine) {
        let line = ThreadLine {
            from: from.to_owned(),
            who,
            at: ui.when(at, exact),
            body: body.to_owned(),
            file: None,
        };
        (exact.unwrap_or(at), line)
    }

    pub fn file(
        ui: &Ui,
        who: String,
        file: &FileView,
        url: String,
        note: &'static str,
    ) -> (i64, ThreadLine) {
        let line = ThreadLine {
            from: file.author.clone(),
            who,
            at: ui.when(file.at, file.exact_at),
            body: String::new(),
            file: Some(FileLine {
                url,
                name: file.name.clone(),
                size: crate::cases::files::human_size(file.size),
                note,
            }),
        };
        (file.exact_at.unwrap_or(file.at), line)
    }
}

/// Messages and files in time order (exact where sealed, else the day); within the same second
/// the text of a post comes before its files (the sort is stable and messages are listed
/// first).
pub fn thread(
    messages: impl IntoIterator<Item = (i64, ThreadLine)>,
    files: impl IntoIterator<Item = (i64, ThreadLine)>,
) -> Vec<ThreadLine> {
    let mut lines: Vec<(i64, ThreadLine)> = messages.into_iter().chain(files).collect();
    lines.sort_by_key(|(at, _)| *at);
    lines.into_iter().map(|(_, line)| line).collect()
}

/// RFC 3339 in UTC, for the API.
pub fn rfc3339(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// A record (minutes, a transcript) as the pages show it, to its reporter or to officers.
pub struct RecordLine {
    pub id: String,
    pub title: &'static str,
    /// The state's word (for the style) and how it reads.
    pub state: &'static str,
    pub state_label: &'static str,
    /// The version to approve, and the ones before it (newest first).
    pub latest: Option<VersionLine>,
    pub earlier: Vec<VersionLine>,
    pub comments: Vec<VersionLine>,
    /// Which version was approved, and the SHA-256 of its text.
    pub approved: Option<String>,
    /// Not approved yet: it may still change.
    pub open: bool,
}

pub struct VersionLine {
    pub heading: String,
    pub body: String,
}

impl RecordLine {
    /// `officers`: name who wrote each version (the reporter reads "the case handler").
    pub fn new(t: &Ui, r: &crate::cases::records::RecordView, officers: bool) -> Self {
        let version = |v: &crate::cases::records::VersionView| {
            let when = t.when(v.at, v.exact_at);
            let heading = match (&v.officer, officers) {
                (Some(who), true) => format!(
                    "{} · {who}",
                    t.fmt2("records.version", "n", v.version, "date", when)
                ),
                _ => t.fmt2("records.version", "n", v.version, "date", when),
            };
            VersionLine {
                heading,
                body: v.body.clone(),
            }
        };
        let mut versions: Vec<VersionLine> = r.versions.iter().map(version).collect();
        let latest = versions.pop();
        versions.reverse();
        RecordLine {
            id: r.id.clone(),
            title: t.get(&format!("records.kind_{}", r.kind)),
            state: r.state.as_str(),
            state_label: t.get(&format!("records.state_{}", r.state)),
            latest,
            earlier: versions,
            comments: r
                .comments
                .iter()
                .map(|c| VersionLine {
                    heading: t.fmt2("records.comment", "n", c.version, "date", t.date(c.at)),
                    body: c.body.clone(),
                })
                .collect(),
            approved: r.approved_sha256.as_ref().map(|sha| {
                t.fmt2(
                    "records.approved",
                    "n",
                    r.approved_version.unwrap_or_default(),
                    "sha",
                    sha,
                )
            }),
            open: r.state != crate::cases::records::RecordState::Approved,
        }
    }
}

impl Drop for VersionLine {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.body);
    }
}

/// A reporter's request to talk, as the pages show it.
pub struct MeetingLine {
    pub heading: String,
    pub availability: String,
    pub answered: Option<String>,
}

impl MeetingLine {
    pub fn new(t: &Ui, m: &crate::cases::records::MeetingView) -> Self {
        MeetingLine {
            heading: t.fmt2(
                "meeting.requested",
                "kind",
                t.get(&format!("meeting.{}", m.kind)),
                "due",
                t.date(m.due_at),
            ),
            availability: m.availability.clone(),
            answered: m
                .answered_at
                .map(|at| t.fmt1("meeting.answered", "date", t.date(at))),
        }
    }
}

impl Drop for MeetingLine {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.availability);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_well() {
        assert_eq!(Ui::default().date_time(0), "1 January 1970, 00:00 UTC");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn every_status_reads_in_every_language() {
        for lang in Lang::ALL {
            let ui = Ui {
                lang,
                ..Ui::default()
            };
            for s in crate::cases::workflow::Status::ALL {
                let (label, help) = crate::http::reporter::views::status_text(&ui, s);
                assert!(!label.is_empty() && !help.is_empty(), "{lang:?} {s:?}");
                assert!(!ui.get(&format!("status.{}", s.as_str())).is_empty());
            }
            for o in crate::cases::workflow::Outcome::ALL {
                assert!(!ui.get(&format!("outcome.{}", o.as_str())).is_empty());
            }
        }
    }

    #[test]
    fn links_carry_a_chosen_language_only() {
        let pinned = Ui {
            lang: Lang::De,
            pinned: true,
            here: "/report?channel=hr".into(),
            ..Ui::default()
        };
        assert_eq!(pinned.link("/followup"), "/followup?lang=de");
        assert_eq!(
            pinned.link("/report?channel=x"),
            "/report?channel=x&lang=de"
        );
        assert_eq!(Ui::default().link("/followup"), "/followup");
        assert_eq!(pinned.switcher()[1].3, "/report?channel=hr&lang=pt-BR");
    }

    #[test]
    fn language_links_stay_on_this_site_whatever_the_path() {
        for (path, here) in [
            ("//evil.example/x", "/evil.example/x"),
            ("/\\evil.example/x", "/evil.example/x"),
            ("///evil.example", "/evil.example"),
            ("/followup", "/followup"),
        ] {
            let req = actix_web::test::TestRequest::with_uri(path).to_http_request();
            let ui = Ui::for_request(&req);
            assert_eq!(ui.switcher()[1].3, format!("{here}?lang=pt-BR"), "{path}");
        }
    }
}
