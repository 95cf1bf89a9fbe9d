//! `multipart/form-data` bodies, read by sealbox's own reader (`http::uploads`) on top of
//! actix-multipart, with files streamed into real uploads: sealed with age into blobs in the
//! scratch data directory (and deleted again when the request is refused), photos cleaned when
//! `clean_metadata` comes before them.
//!
//! Modes: the API's new case (`api::reporter::create_case`, JSON in a `case` part), the report and
//! complaint pages (`reporter::forms::report_submit`, `complaint_submit`), a page post with files
//! (`ThreadPost::from_page`, as the follow-up and officer case pages read it) and the API's
//! follow-up files (`ThreadPost::read`, as the API's posts with files read them).
//!
//! Input: `[mode] content-type \n accept-language \n body`.
#![no_main]

use actix_web::http::StatusCode;
use actix_web::{web, FromRequest};
use libfuzzer_sys::fuzz_target;
use sealbox::cases::files::Upload;
use sealbox::cases::intake::Submission;
use sealbox::http::uploads::{MultipartBody, OrMultipart, Texts, ThreadPost};
use sealbox::http::{api, reporter};
use sealbox_fuzz::{refusal, respond, Harness, Input, BODY_LIMIT};

/// The token the page-post modes accept as the session's CSRF token.
const CSRF: &str = "fuzz-csrf-token";

fn check(status: StatusCode) {
    assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR);
}

/// An upload for files added to an existing case, held to the limits of the small channel.
fn upload(h: &Harness) -> Upload {
    let draft = h.state.cases.new_intake();
    let mut files = draft.files;
    let channel = h.state.cases.channels().get("kinds").expect("the channel");
    files.limit_to(channel.files);
    files
}

fn new_case(h: &Harness, input: &Input, mode: u8) {
    let path = ["/api/v1/cases", "/report", "/complaint"][usize::from(mode)];
    let Some((req, mut payload)) = h.request(path, input) else {
        return;
    };
    let state = h.state.clone();
    let status = h.block_on(async move {
        if mode == 0 {
            match OrMultipart::<web::Json<Submission>>::from_request(&req, &mut payload).await {
                Ok(body) => respond(api::reporter::create_case(req, state, body).await),
                Err(e) => refusal(e),
            }
        } else {
            type Form = web::Form<Vec<(String, String)>>;
            match OrMultipart::<Form>::from_request(&req, &mut payload).await {
                Ok(body) if mode == 1 => respond(reporter::forms::report_submit(req, state, body).await),
                Ok(body) => respond(reporter::forms::complaint_submit(req, state, body).await),
                Err(e) => refusal(e),
            }
        }
        .status()
    });
    check(status);
}

fn page_post(h: &Harness, input: &Input) {
    let Some((req, mut payload)) = h.request("/followup/messages", input) else {
        return;
    };
    h.block_on(async move {
        let body = match MultipartBody::from_request(&req, &mut payload).await {
            Ok(MultipartBody(body)) => body,
            Err(e) => return check(refusal(e).status()),
        };
        let body = OrMultipart::Multipart(body);
        let open = || async { Ok(upload(h)) };
        let post = ThreadPost::from_page(body, BODY_LIMIT, |t| t == CSRF, open).await;
        if let Err(problem) = post.into_parts() {
            check(problem.status);
        }
    });
}

fn api_files(h: &Harness, input: &Input) {
    let Some((req, mut payload)) = h.request("/api/v1/followup/files", input) else {
        return;
    };
    h.block_on(async move {
        let body = match MultipartBody::from_request(&req, &mut payload).await {
            Ok(MultipartBody(body)) => body,
            Err(e) => return check(refusal(e).status()),
        };
        let post = ThreadPost::read(body, BODY_LIMIT, |_: &Texts| async { Ok(upload(h)) }).await;
        if let Err(problem) = post.into_parts() {
            check(problem.status);
        }
    });
}

fuzz_target!(|data: &[u8]| {
    let Some(input) = Input::split(data) else {
        return;
    };
    sealbox_fuzz::with(|h| match input.mode % 5 {
        mode @ 0..=2 => new_case(h, &input, mode),
        3 => page_post(h, &input),
        _ => api_files(h, &input),
    });
});
