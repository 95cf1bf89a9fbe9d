//! Urlencoded bodies and query strings of the pages, read by actix's extractors with the app's
//! limits and error handlers into sealbox's own form structs.
//!
//! The report and complaint forms go through their real handlers (`reporter::forms::report_submit`,
//! `reporter::forms::complaint_submit`): the pairs become a submission, which the cases layer validates
//! against the channel's fields, contact and identity rules; the page is rendered again with
//! the refusal. The other forms need a signed-in session to do more than parse, so for them
//! the extraction itself (and the refusal page) is what runs.
//!
//! Input: `[form] content-type \n accept-language \n body`.
#![no_main]

use actix_web::http::StatusCode;
use actix_web::{web, FromRequest};
use libfuzzer_sys::fuzz_target;
use sealbox::http::{api, officer, reporter, uploads};
use sealbox_fuzz::{refusal, respond, Harness, Input};
use serde::de::DeserializeOwned;

type PageForm = web::Form<Vec<(String, String)>>;

/// Extracts `T` from the body as the app would; returns the refusal response if any.
fn form<T: DeserializeOwned + 'static>(h: &Harness, input: &Input) {
    let Some((req, mut payload)) = h.request("/form", input) else {
        return;
    };
    if let Err(e) = h.block_on(web::Form::<T>::from_request(&req, &mut payload)) {
        check(refusal(e).status());
    }
}

/// A query string, as `web::Query` reads it.
fn query<T: DeserializeOwned>(input: &Input) {
    if let Ok(text) = std::str::from_utf8(input.body) {
        let _ = web::Query::<T>::from_query(text);
    }
}

fn submit(h: &Harness, input: &Input, complaint: bool) {
    let path = if complaint { "/complaint" } else { "/report" };
    let Some((req, mut payload)) = h.request(path, input) else {
        return;
    };
    let state = h.state.clone();
    let status = h.block_on(async move {
        match uploads::OrMultipart::<PageForm>::from_request(&req, &mut payload).await {
            Ok(body) if complaint => respond(reporter::forms::complaint_submit(req, state, body).await),
            Ok(body) => respond(reporter::forms::report_submit(req, state, body).await),
            Err(e) => refusal(e),
        }
        .status()
    });
    check(status);
}

/// `GET /report?…` and `/complaint?…`: the query picks the channel and language.
fn form_page(h: &Harness, input: &Input, complaint: bool) {
    let Ok(text) = std::str::from_utf8(input.body) else {
        return;
    };
    let path = format!(
        "{}?{text}",
        if complaint { "/complaint" } else { "/report" }
    );
    let Some((req, _)) = h.request(&path, input) else {
        return;
    };
    let state = h.state.clone();
    let status = h.block_on(async move {
        match web::Query::<reporter::forms::ChannelQuery>::from_query(req.query_string()) {
            Ok(q) if complaint => respond(reporter::forms::complaint_form(req, state, q).await),
            Ok(q) => respond(reporter::forms::report_form(req, state, q).await),
            Err(_) => return StatusCode::BAD_REQUEST,
        }
        .status()
    });
    check(status);
}

/// Nothing a client sends may end in a server error. (503 is expected: the installation has
/// nobody to receive cases.)
fn check(status: StatusCode) {
    assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR);
}

fuzz_target!(|data: &[u8]| {
    let Some(input) = Input::split(data) else {
        return;
    };
    sealbox_fuzz::with(|h| match input.mode % 26 {
        0 => submit(h, &input, false),
        1 => submit(h, &input, true),
        2 => form::<reporter::followup::SignIn>(h, &input),
        3 => form::<reporter::followup::CsrfForm>(h, &input),
        4 => form::<reporter::followup::RatingForm>(h, &input),
        5 => form::<reporter::followup::IdentityForm>(h, &input),
        6 => form::<officer::login::LoginForm>(h, &input),
        7 => form::<officer::CsrfForm>(h, &input),
        8 => form::<uploads::PostForm>(h, &input),
        9 => form::<officer::case::StatusForm>(h, &input),
        10 => form::<officer::case::AssignForm>(h, &input),
        11 => form::<officer::account::TotpForm>(h, &input),
        12 => form::<officer::account::PasswordForm>(h, &input),
        13 => form::<officer::account::LanguageForm>(h, &input),
        14 => form::<officer::admin::AddOfficerForm>(h, &input),
        15 => form::<officer::admin::ChannelsForm>(h, &input),
        16 => form::<officer::admin::ResetForm>(h, &input),
        17 => form::<officer::admin::SettingsForm>(h, &input),
        18 => form::<officer::export::ExportForm>(h, &input),
        19 => form::<officer::identity::RequestForm>(h, &input),
        20 => form::<officer::identity::DecideForm>(h, &input),
        21 => form_page(h, &input, false),
        22 => form_page(h, &input, true),
        23 => query::<officer::inbox::InboxParams>(&input),
        24 => query::<api::officer::ListParams>(&input),
        _ => query::<officer::statistics::Params>(&input),
    });
});
