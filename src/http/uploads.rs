//! Bodies with files (`multipart/form-data`, from forms and the API) and file downloads.
//!
//! Text parts are read into memory under the same limit as a JSON or form body; parts named
//! `file` are streamed into an [`Upload`] chunk by chunk. Where the files go is decided when
//! the first one arrives, from the text parts before it (the channel, the CSRF token), so
//! those come first: forms place them first, API clients send them first.

use std::cell::Cell;
use std::future::Future;
use std::io::Read;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_multipart::{Field, Multipart, MultipartError};
use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use bytes::Bytes;
use futures_util::future::LocalBoxFuture;
use futures_util::{Stream, StreamExt};

use super::errors::Problem;
use super::AppState;
use crate::cases::files::{human_size, Download, Upload};
use crate::cases::intake::IntakeDraft;
use crate::cases::text::MessageBody;
use crate::cases::CaseError;
use crate::config::ChannelKind;

/// Parts in one body, text and files: far more than any form has.
const MAX_PARTS: usize = 1000;
/// After a refusal, up to this much of the rest of the body is read and discarded, so the
/// client, still sending, gets to read the answer instead of a reset connection.
const DRAIN_BYTES: u64 = 64 << 20;
const DRAIN_TIME: Duration = Duration::from_secs(30);
const DRAIN_IDLE: Duration = Duration::from_secs(2);
/// Bytes read from disk per download step.
const READ_CHUNK: usize = 256 * 1024;

/// Whether the request says its body is `multipart/form-data`.
pub fn is_multipart(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("multipart/form-data"))
}

/// The most a body with files may hold: the largest total of attachments any channel allows,
/// plus the text limit and room for part headers.
fn most(state: &AppState) -> u64 {
    state
        .cases
        .channels()
        .largest_total()
        .saturating_add(state.settings.limits.json_body_bytes as u64)
        .saturating_add(1 << 20)
}

fn too_much(files: u64) -> Problem {
    CaseError::too_large(
        crate::cases::Reason::new("more_than_a_case_holds").with("size", human_size(files)),
    )
    .into()
}

/// Bytes the multipart parser may hold that it has not handed on as part contents: part
/// headers and boundaries, and what arrived since it was last asked. A part header that never
/// ends would otherwise be buffered whole.
const UNREAD_MAX: u64 = 1 << 20;

/// What the body has delivered to the multipart parser, against what the parser handed on.
struct Gauge {
    most: u64,
    files: u64,
    received: Cell<u64>,
    consumed: Cell<u64>,
    /// The whole body has arrived: nothing more will wake the parser.
    ended: Cell<bool>,
    /// Why the body was cut off, once it was.
    over: Cell<Option<Over>>,
    /// A client that sends nothing for this long has gone (`[limits] body_timeout_s`, which
    /// also bounds the whole body: see `body_deadline`).
    idle: Duration,
}

#[derive(Clone, Copy)]
enum Over {
    Total,
    Unread,
    /// The declared size would take the disk below its free-space reserve.
    Disk,
}

impl Gauge {
    fn consume(&self, n: usize) {
        self.consumed.set(self.consumed.get() + n as u64);
    }

    fn problem(&self) -> Option<Problem> {
        Some(match self.over.get()? {
            Over::Total => too_much(self.files),
            Over::Unread => Problem::new(
                StatusCode::BAD_REQUEST,
                "malformed",
                "a part of the body has headers without end; nothing was stored",
            ),
            Over::Disk => Problem::insufficient_storage(),
        })
    }
}

/// The request body, counted by its [`Gauge`] as the parser reads it.
struct Counted {
    inner: Payload,
    gauge: Rc<Gauge>,
}

impl Stream for Counted {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let next = Pin::new(&mut self.inner).poll_next(cx);
        if let Poll::Ready(None) = &next {
            self.gauge.ended.set(true);
        }
        if let Poll::Ready(Some(Ok(chunk))) = &next {
            let g = &self.gauge;
            let received = g.received.get() + chunk.len() as u64;
            g.received.set(received);
            let over = if received > g.most {
                Some(Over::Total)
            } else if received.saturating_sub(g.consumed.get()) > UNREAD_MAX {
                Some(Over::Unread)
            } else {
                None
            };
            if over.is_some() {
                g.over.set(over);
                return Poll::Ready(Some(Err(PayloadError::Overflow)));
            }
        }
        next
    }
}

/// A `multipart/form-data` body, read with bounds on its total and on what the parser holds.
pub struct Body {
    multipart: Multipart,
    gauge: Rc<Gauge>,
}

impl Body {
    fn new(req: &HttpRequest, payload: &mut Payload) -> Self {
        let state = req.app_data::<actix_web::web::Data<AppState>>();
        let (most, files, idle) = state.map_or((u64::MAX, u64::MAX, 60), |s| {
            (
                most(s),
                s.cases.channels().largest_total(),
                s.settings.limits.body_timeout_s,
            )
        });
        // A body declared longer than anything a case may hold is refused before a byte of
        // it is read or written.
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let over = match declared {
            Some(len) if len > most => Some(Over::Total),
            Some(len) if state.is_some_and(|s| s.cases.ensure_room(len).is_err()) => {
                Some(Over::Disk)
            }
            _ => None,
        };
        let gauge = Rc::new(Gauge {
            most,
            files,
            received: Cell::new(0),
            consumed: Cell::new(0),
            ended: Cell::new(false),
            over: Cell::new(over),
            idle: Duration::from_secs(idle),
        });
        let body = Counted {
            inner: payload.take(),
            gauge: gauge.clone(),
        };
        Body {
            multipart: Multipart::new(req.headers(), body),
            gauge,
        }
    }
}

/// A body that must be multipart (file uploads): anything else is refused with 415.
pub struct MultipartBody(pub Body);

impl FromRequest for MultipartBody {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        std::future::ready(if is_multipart(req) {
            Ok(MultipartBody(Body::new(req, payload)))
        } else {
            Err(super::errors::ApiError(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send files as multipart/form-data, in parts named \"file\"",
            ))
            .into())
        })
    }
}

/// A body that is either what `T` extracts (a form, JSON) or `multipart/form-data`.
pub enum OrMultipart<T> {
    Plain(T),
    Multipart(Body),
}

impl<T> FromRequest for OrMultipart<T>
where
    T: FromRequest + 'static,
    T::Future: 'static,
{
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if is_multipart(req) {
            let body = Body::new(req, payload);
            Box::pin(async move { Ok(OrMultipart::Multipart(body)) })
        } else {
            let plain = T::from_request(req, payload);
            Box::pin(async move { plain.await.map(OrMultipart::Plain).map_err(Into::into) })
        }
    }
}

/// Text parts of a body, in order.
pub type Texts = Vec<(String, String)>;

/// The value of the first text part named `name`.
pub fn text<'a>(texts: &'a Texts, name: &str) -> Option<&'a str> {
    texts
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Whether a checkbox-like part (`on`, `true`, `1`, `yes`) is set.
pub fn ticked(texts: &Texts, name: &str) -> bool {
    text(texts, name).is_some_and(|v| matches!(v, "on" | "true" | "1" | "yes"))
}

/// Where a body's files go.
pub trait FileTarget {
    /// The upload for the files, made (or checked) when the first one arrives, from the text
    /// parts read before it.
    fn upload(&mut self, texts: &Texts) -> impl Future<Output = Result<&mut Upload, Problem>>;

    /// Whether files may answer a form's questions (a new report's `files` fields).
    fn takes_questions(&self) -> bool {
        false
    }
}

/// A body refused part way: why, and the text parts read until then (so a page can show the
/// form again as it was filled in).
pub struct Refused {
    pub problem: Problem,
    pub texts: Texts,
}

impl From<Refused> for Problem {
    fn from(r: Refused) -> Self {
        r.problem
    }
}

/// The parts of a body, as the multipart parser yields them. After it has answered an error
/// or the end it is not asked again: actix-multipart panics when a body whose headers it
/// refused (a `multipart/form-data` type without a usable boundary) is polled a second time.
struct Parts {
    multipart: Multipart,
    ended: bool,
}

impl Parts {
    async fn next(&mut self) -> Option<Result<Field, MultipartError>> {
        if self.ended {
            return None;
        }
        let item = self.multipart.next().await;
        if !matches!(item, Some(Ok(_))) {
            self.ended = true;
        }
        item
    }
}

/// Reads a multipart body: text parts into memory (at most `text_limit` bytes together),
/// files into the target's upload. On any error the rest of the body is drained before the
/// answer, and whatever was written is deleted when the upload is dropped.
pub async fn read<T: FileTarget>(
    body: Body,
    text_limit: usize,
    target: &mut T,
) -> Result<Texts, Refused> {
    let Body { multipart, gauge } = body;
    let mut parts = Parts {
        multipart,
        ended: false,
    };
    let mut texts = Texts::new();
    if let Some(problem) = gauge.problem() {
        return Err(Refused { problem, texts });
    }
    match read_parts(&mut parts, &gauge, text_limit, target, &mut texts).await {
        Ok(()) => Ok(texts),
        Err(problem) => {
            let problem = gauge.problem().unwrap_or(problem);
            // A body cut off, or already received whole, has nothing left to drain.
            if gauge.over.get().is_none() && !gauge.ended.get() {
                drain(&mut parts).await;
            }
            Err(Refused { problem, texts })
        }
    }
}

async fn read_parts<T: FileTarget>(
    body: &mut Parts,
    gauge: &Gauge,
    text_limit: usize,
    target: &mut T,
    texts: &mut Texts,
) -> Result<(), Problem> {
    let mut text_bytes = 0;
    let mut parts = 0;
    let mut files_started = false;
    while let Some(field) = next(gauge, body.next()).await? {
        let mut field = field.map_err(malformed)?;
        parts += 1;
        if parts > MAX_PARTS {
            return Err(Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("a body may have at most {MAX_PARTS} parts"),
            ));
        }
        let name = field.name().unwrap_or_default().to_owned();
        let is_file = field
            .content_disposition()
            .is_some_and(|cd| cd.get_filename().is_some());
        if name == "file" || is_file {
            // `file`: the case's own attachments; `f_<id>` (pages) or `fields.<id>` (API):
            // those of a files question.
            let question = (name != "file").then(|| {
                name.strip_prefix("f_")
                    .or_else(|| name.strip_prefix("fields."))
                    .unwrap_or(&name)
            });
            if question.is_some() && !target.takes_questions() {
                return Err(Problem::new(
                    StatusCode::BAD_REQUEST,
                    "malformed",
                    format!("files go in parts named \"file\" here, not {name:?}"),
                ));
            }
            files_started |= read_file(&mut field, gauge, texts, target, question).await?;
            continue;
        }
        if files_started && !matches!(name.as_str(), "body" | "go") {
            // What decides where the files go (channel, CSRF token, cleaning, internal) has
            // been settled by then: a later part cannot change it. (A form's pressed button,
            // `go`, comes where the button is: after the file inputs.)
            return Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "malformed",
                format!("the {name:?} part must come before the files"),
            ));
        }
        let mut value = Vec::new();
        while let Some(chunk) = next(gauge, field.next()).await? {
            let chunk = chunk.map_err(malformed)?;
            gauge.consume(chunk.len());
            text_bytes += chunk.len();
            if text_bytes > text_limit {
                return Err(Problem::too_large(text_limit));
            }
            value.extend_from_slice(&chunk);
        }
        let value = String::from_utf8(value).map_err(|_| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "malformed",
                format!("the {name:?} part is not UTF-8 text"),
            )
        })?;
        texts.push((name, value));
    }
    Ok(())
}

/// Streams one `file` part into the upload; returns whether it held a file. A part with no
/// name and no bytes is an empty file input (nothing chosen) and is skipped.
async fn read_file<T: FileTarget>(
    field: &mut Field,
    gauge: &Gauge,
    texts: &Texts,
    target: &mut T,
    question: Option<&str>,
) -> Result<bool, Problem> {
    let name = field
        .content_disposition()
        .and_then(|cd| cd.get_filename())
        .unwrap_or_default()
        .to_owned();
    let media_type = field.content_type().map(|m| m.essence_str().to_owned());
    let first = loop {
        match next(gauge, field.next()).await? {
            Some(chunk) => {
                let chunk = chunk.map_err(malformed)?;
                gauge.consume(chunk.len());
                if !chunk.is_empty() {
                    break Some(chunk);
                }
            }
            None => break None,
        }
    };
    let Some(first) = first else {
        if name.is_empty() {
            return Ok(false);
        }
        return Err(crate::cases::CaseError::invalid_because(
            "file",
            crate::cases::Reason::new("empty_file")
                .with("name", crate::cases::files::display_name(&name)),
        )
        .into());
    };
    let upload = target.upload(texts).await?;
    upload.begin().await?;
    upload.write(first).await?;
    while let Some(chunk) = next(gauge, field.next()).await? {
        let chunk = chunk.map_err(malformed)?;
        gauge.consume(chunk.len());
        upload.write(chunk).await?;
    }
    upload.end(&name, media_type.as_deref(), question).await?;
    Ok(true)
}

/// The next item, unless the client has gone quiet for the body timeout, or the whole body has
/// arrived and the parser still waits for more: actix-multipart does at the end of some
/// malformed bodies (a last boundary without the line break before it), and nothing would
/// wake it again, so such a body would hold its request until the idle timeout.
async fn next<T>(
    gauge: &Gauge,
    item: impl Future<Output = Option<T>>,
) -> Result<Option<T>, Problem> {
    let mut item = std::pin::pin!(item);
    let waiting = std::future::poll_fn(|cx| match item.as_mut().poll(cx) {
        Poll::Ready(item) => Poll::Ready(Some(item)),
        Poll::Pending if gauge.ended.get() => Poll::Ready(None),
        Poll::Pending => Poll::Pending,
    });
    match actix_web::rt::time::timeout(gauge.idle, waiting).await {
        Ok(Some(item)) => Ok(item),
        Ok(None) => Err(malformed(MultipartError::Incomplete)),
        Err(_) => Err(Problem::body_timeout()),
    }
}

fn malformed(e: MultipartError) -> Problem {
    match e {
        MultipartError::Payload(e) if super::body_deadline::timed_out(&e) => {
            Problem::body_timeout()
        }
        MultipartError::Incomplete | MultipartError::Payload(_) => Problem::new(
            StatusCode::BAD_REQUEST,
            "incomplete",
            "the upload was cut off before its end; nothing was stored",
        ),
        other => Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed",
            format!("the body is not valid multipart/form-data: {other}"),
        ),
    }
}

/// The files of a new case: limited by the channel named before them (`channel` in a form,
/// the `case` part's `"channel"` in the API), which must be of `kind` when a page says so.
pub struct IntakeFiles<'a> {
    pub state: &'a AppState,
    pub draft: &'a mut IntakeDraft,
    pub kind: Option<ChannelKind>,
    /// The channel is named by a form field (`channel`), not by a JSON part.
    from_form: bool,
    ready: bool,
}

impl<'a> IntakeFiles<'a> {
    /// Whether a file part arrived.
    pub fn started(&self) -> bool {
        self.ready
    }

    pub fn new(state: &'a AppState, draft: &'a mut IntakeDraft, kind: Option<ChannelKind>) -> Self {
        IntakeFiles {
            state,
            draft,
            from_form: kind.is_some(),
            kind,
            ready: false,
        }
    }

    /// Files for a report an officer takes down on a form: of any channel they name.
    pub fn on_officer_form(state: &'a AppState, draft: &'a mut IntakeDraft) -> Self {
        IntakeFiles {
            from_form: true,
            ..IntakeFiles::new(state, draft, None)
        }
    }
}

#[derive(serde::Deserialize)]
struct ChannelOf {
    channel: String,
}

impl FileTarget for IntakeFiles<'_> {
    fn takes_questions(&self) -> bool {
        true
    }

    async fn upload(&mut self, texts: &Texts) -> Result<&mut Upload, Problem> {
        if !self.ready {
            let id = match self.from_form {
                true => text(texts, "channel").map(str::to_owned),
                false => text(texts, "case")
                    .and_then(|c| serde_json::from_str::<ChannelOf>(c).ok())
                    .map(|c| c.channel),
            };
            let channels = self.state.cases.channels();
            let channel = id
                .and_then(|id| channels.get(&id))
                .filter(|c| self.kind.as_ref().is_none_or(|k| &c.kind == k))
                .ok_or_else(|| {
                    CaseError::invalid(
                        "channel",
                        "name the channel (the case part) before the files, so their limits \
                         are known",
                    )
                })?;
            self.ready = true;
            return Ok(self
                .draft
                .files_for(channel, ticked(texts, "clean_metadata")));
        }
        Ok(&mut self.draft.files)
    }
}

/// The files of an existing case: `open` makes the upload when the first file arrives (it
/// checks what it must first, such as the CSRF token among the text parts).
struct CaseFiles<F> {
    open: Option<F>,
    upload: Option<Upload>,
}

impl<F> CaseFiles<F> {
    fn new(open: F) -> Self {
        CaseFiles {
            open: Some(open),
            upload: None,
        }
    }
}

impl<F, Fut> FileTarget for CaseFiles<F>
where
    F: FnOnce(&Texts) -> Fut,
    Fut: Future<Output = Result<Upload, Problem>>,
{
    async fn upload(&mut self, texts: &Texts) -> Result<&mut Upload, Problem> {
        if let Some(open) = self.open.take() {
            let mut upload = open(texts).await?;
            upload.clean_photos(ticked(texts, "clean_metadata"));
            self.upload = Some(upload);
        }
        self.upload
            .as_mut()
            .ok_or_else(|| Problem::from(CaseError::Internal("upload was refused before")))
    }
}

/// A post to a case's thread (a message, files, or both), from a page or the API, read the
/// same way whichever side sends it: its text parts, the files (streamed into an upload as
/// they came), and why the body was refused part way, if it was.
pub struct ThreadPost {
    texts: Texts,
    upload: Option<Upload>,
    refused: Option<Problem>,
}

/// Such a post from a page, sent as a plain form (no files).
#[derive(serde::Deserialize)]
pub struct PostForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
}

impl ThreadPost {
    /// Reads a multipart post; `open` makes the upload when the first file arrives, from the
    /// text parts before it.
    pub async fn read<F, Fut>(body: Body, text_limit: usize, open: F) -> Self
    where
        F: FnOnce(&Texts) -> Fut,
        Fut: Future<Output = Result<Upload, Problem>>,
    {
        let mut files = CaseFiles::new(open);
        let (texts, refused) = match read(body, text_limit, &mut files).await {
            Ok(texts) => (texts, None),
            Err(r) => (r.texts, Some(r.problem)),
        };
        ThreadPost {
            texts,
            upload: files.upload,
            refused,
        }
    }

    /// A post from a page: a plain form, or multipart whose files are taken only when the
    /// CSRF token before them passes `csrf_ok`. The caller checks the token again (a post
    /// without files opens no upload).
    pub async fn from_page<Fut>(
        body: OrMultipart<web::Form<PostForm>>,
        text_limit: usize,
        csrf_ok: impl Fn(&str) -> bool,
        open: impl FnOnce() -> Fut,
    ) -> Self
    where
        Fut: Future<Output = Result<Upload, Problem>>,
    {
        let body = match body {
            OrMultipart::Plain(form) => return ThreadPost::plain(form.into_inner()),
            OrMultipart::Multipart(body) => body,
        };
        ThreadPost::read(body, text_limit, |texts: &Texts| {
            let opening = csrf_ok(text(texts, "csrf").unwrap_or_default()).then(open);
            async move {
                match opening {
                    Some(upload) => upload.await,
                    None => Err(Problem::csrf()),
                }
            }
        })
        .await
    }

    /// A post without files: a plain form.
    fn plain(PostForm { csrf, body }: PostForm) -> Self {
        ThreadPost {
            texts: vec![("csrf".to_owned(), csrf), ("body".to_owned(), body)],
            upload: None,
            refused: None,
        }
    }

    /// The text part `name`, empty when absent.
    pub fn text(&self, name: &str) -> &str {
        text(&self.texts, name).unwrap_or_default()
    }

    /// Whether a checkbox-like part is set.
    pub fn ticked(&self, name: &str) -> bool {
        ticked(&self.texts, name)
    }

    /// The message (`body`, optional) and the files; or why the post is refused, its files
    /// then deleted with the upload.
    pub fn into_parts(self) -> Result<(Option<MessageBody>, Option<Upload>), Problem> {
        if let Some(problem) = self.refused {
            return Err(problem);
        }
        let message = match text(&self.texts, "body").map(str::trim) {
            None | Some("") => None,
            Some(body) => Some(MessageBody::parse(body)?),
        };
        Ok((message, self.upload))
    }
}

/// Reads and discards what is left of a refused body, within limits.
async fn drain(body: &mut Parts) {
    let mut read = 0u64;
    let deadline = actix_web::rt::time::sleep(DRAIN_TIME);
    tokio::pin!(deadline);
    // Each step waits for the client at most DRAIN_IDLE: one that stopped sending is answered.
    use actix_web::rt::time::timeout;
    loop {
        let field = tokio::select! {
            _ = &mut deadline => return,
            f = timeout(DRAIN_IDLE, body.next()) => f,
        };
        let Ok(Some(Ok(mut field))) = field else {
            return;
        };
        loop {
            let chunk = tokio::select! {
                _ = &mut deadline => return,
                c = timeout(DRAIN_IDLE, field.next()) => c,
            };
            match chunk {
                Ok(Some(Ok(c))) => {
                    read += c.len() as u64;
                    if read > DRAIN_BYTES {
                        return;
                    }
                }
                Ok(None) => break,
                _ => return,
            }
        }
    }
}

/// A file as a download: always `application/octet-stream` and `attachment`, so no browser
/// renders it in this origin, whatever it holds; streamed from disk, decrypted as it goes,
/// with its length known in advance.
pub fn download(file: Download) -> HttpResponse {
    let Download {
        name, size, reader, ..
    } = file;
    let body = futures_util::stream::unfold(Some(reader), |reader| async move {
        let mut reader = reader?;
        let step = tokio::task::spawn_blocking(move || {
            let mut buf = vec![0u8; READ_CHUNK];
            let mut filled = 0;
            while filled < buf.len() {
                match reader.read(&mut buf[filled..]) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            buf.truncate(filled);
            Ok((buf, reader))
        })
        .await;
        match step {
            Ok(Ok((buf, _))) if buf.is_empty() => None,
            Ok(Ok((buf, reader))) => Some((Ok(Bytes::from(buf)), Some(reader))),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "an attachment could not be read");
                Some((Err(e), None))
            }
            Err(e) => Some((Err(std::io::Error::other(e.to_string())), None)),
        }
    });
    HttpResponse::Ok()
        .content_type("application/octet-stream")
        .insert_header(attachment(&name))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .no_chunking(size)
        .streaming(body)
}

/// `Content-Disposition: attachment` with the name in UTF-8 (RFC 6266) and an ASCII fallback
/// for old clients. The name was cleaned at upload (no path, no control characters).
fn attachment(name: &str) -> ContentDisposition {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: name.as_bytes().to_vec(),
            }),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A target that takes no files.
    struct NoFiles;

    impl FileTarget for NoFiles {
        async fn upload(&mut self, _: &Texts) -> Result<&mut Upload, Problem> {
            Err(Problem::csrf())
        }
    }

    /// A `multipart/form-data` type without a usable boundary is a 400, not a panic: the
    /// parser's one error used to be followed by a second poll to drain the body, and
    /// actix-multipart panics on that. (Found by fuzzing.)
    #[actix_web::test]
    async fn a_multipart_type_without_a_boundary_is_refused() {
        for content_type in [
            "multipart/form-data",
            "multipart/form-data&application/json",
        ] {
            let (req, mut payload) = actix_web::test::TestRequest::post()
                .insert_header((header::CONTENT_TYPE, content_type))
                .set_payload(
                    "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--\r\n",
                )
                .to_http_parts();
            assert!(is_multipart(&req));
            let body = Body::new(&req, &mut payload);
            let Err(refused) = read(body, 1024, &mut NoFiles).await else {
                panic!("{content_type} was read");
            };
            assert_eq!(
                refused.problem.status,
                StatusCode::BAD_REQUEST,
                "{content_type}"
            );
            assert!(refused.texts.is_empty());
        }
    }

    /// A body that has arrived whole but ends without its last boundary is refused with 400
    /// at once, not after the idle timeout. (Found by fuzzing.)
    #[actix_web::test]
    async fn a_body_ending_inside_a_part_is_refused_at_once() {
        for body in [
            "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb--x--\r\n",
            "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x",
            "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r",
            "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n",
        ] {
            let (req, mut payload) = actix_web::test::TestRequest::post()
                .insert_header((header::CONTENT_TYPE, "multipart/form-data; boundary=x"))
                .set_payload(body)
                .to_http_parts();
            let mut target = NoFiles;
            let read = read(Body::new(&req, &mut payload), 1024, &mut target);
            let answer = actix_web::rt::time::timeout(Duration::from_secs(5), read)
                .await
                .expect("an answer before the idle timeout");
            let Err(refused) = answer else {
                panic!("{body:?} was read");
            };
            assert_eq!(refused.problem.status, StatusCode::BAD_REQUEST, "{body:?}");
        }
    }

    #[actix_web::test]
    async fn a_whole_body_is_read() {
        let (req, mut payload) = actix_web::test::TestRequest::post()
            .insert_header((header::CONTENT_TYPE, "multipart/form-data; boundary=x"))
            .set_payload("--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--\r\n")
            .to_http_parts();
        let Ok(texts) = read(Body::new(&req, &mut payload), 1024, &mut NoFiles).await else {
            panic!("a whole body was refused");
        };
        assert_eq!(texts, vec![("a".to_owned(), "b".to_owned())]);
    }

    #[test]
    fn attachment_names_are_quoted_safely() {
        let header = attachment("ré\"port\\.pdf").to_string();
        assert!(
            header.starts_with("attachment; filename=\"r__port_.pdf\""),
            "{header}"
        );
        assert!(
            header.contains("filename*=UTF-8''r%C3%A9%22port%5C.pdf"),
            "{header}"
        );
    }
}
