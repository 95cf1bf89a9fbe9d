//! JSON bodies of the API, read by actix's JSON extractor with the app's limit and error
//! handler into sealbox's request structs, then checked by the same functions the handlers
//! call next.
//!
//! A new case (`POST /api/v1/cases`) goes through its real handler, `api::reporter::create_case`: the
//! cases layer validates the channel, every field against the channel's definition, the
//! contact address, the identity and the excluded officers, and refuses with 503 at the end
//! (nobody could open the case). The other bodies belong to signed-in requests; for them the
//! extraction runs, then the validation the handler applies (message bodies, status and
//! outcome names, export recipients).
//!
//! Input: `[body kind] content-type \n accept-language \n body`.
#![no_main]

use actix_web::http::StatusCode;
use actix_web::{web, FromRequest};
use libfuzzer_sys::fuzz_target;
use sealbox::cases::casework::StatusRequest;
use sealbox::cases::identity::IdentityInput;
use sealbox::cases::intake::Submission;
use sealbox::cases::text::MessageBody;
use sealbox::cases::workflow::{Outcome, Status};
use sealbox::crypto::keys;
use sealbox::crypto::totp::TotpSecret;
use sealbox::http::uploads::OrMultipart;
use sealbox::http::api;
use sealbox_fuzz::{refusal, respond, Harness, Input};
use serde::de::DeserializeOwned;

fn check(status: StatusCode) {
    assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR);
}

/// Extracts `T` as `web::Json<T>` does in a handler; on success, `then` gets the body as a
/// JSON value (the structs keep their fields private) to check what the handler checks.
fn json<T: DeserializeOwned + 'static>(h: &Harness, input: &Input, then: fn(&serde_json::Value)) {
    let Some((req, mut payload)) = h.request("/api/v1/json", input) else {
        return;
    };
    match h.block_on(web::Json::<T>::from_request(&req, &mut payload)) {
        Ok(_) => {
            let value: serde_json::Value =
                serde_json::from_slice(input.body).expect("a body that was read is JSON");
            then(&value);
        }
        Err(e) => check(refusal(e).status()),
    }
}

fn text(value: &serde_json::Value, key: &str) -> Option<String> {
    value.get(key)?.as_str().map(str::to_owned)
}

fn nothing(_: &serde_json::Value) {}

/// Message bodies: `api::followup_message`, `officer_api` messages and notes.
fn message(value: &serde_json::Value) {
    if let Some(body) = text(value, "body") {
        let _ = MessageBody::parse(&body);
    }
}

/// A rating's optional comment (`api::followup_rating`).
fn rating(value: &serde_json::Value) {
    if let Some(comment) = text(value, "comment").filter(|c| !c.trim().is_empty()) {
        let _ = MessageBody::parse(comment.trim());
    }
}

/// A sign-in's authenticator code, as `Cases::sign_in` checks it.
fn login(value: &serde_json::Value) {
    if let Some(code) = text(value, "totp") {
        let secret = TotpSecret::from_bytes(b"12345678901234567890".to_vec());
        let _ = secret.check(&code, 1_700_000_000).expect("a valid secret");
    }
}

/// What `Cases::change_status` checks before it looks at the case.
fn status(value: &serde_json::Value) {
    let request: StatusRequest = serde_json::from_value(value.clone()).expect("read once");
    let _ = Status::parse(&request.status);
    if let Some(outcome) = request.outcome.as_deref() {
        let _ = Outcome::parse(outcome);
    }
    if let Some(summary) = request.summary.as_deref() {
        let _ = MessageBody::parse(summary);
    }
}

/// An export's recipient (`officer_export::api_bundle`): only `age1…` keys.
fn export(value: &serde_json::Value) {
    if let Some(recipient) = text(value, "recipient") {
        if let Ok(r) = keys::recipient(&recipient) {
            // What parses is a key that can be sealed to.
            let sealed = sealbox::crypto::seal::seal_padded(b"{}", &[&r.to_string()]);
            assert!(sealed.is_ok());
        }
    }
}

fn new_case(h: &Harness, input: &Input) {
    let Some((req, mut payload)) = h.request("/api/v1/cases", input) else {
        return;
    };
    let state = h.state.clone();
    let status = h.block_on(async move {
        match OrMultipart::<web::Json<Submission>>::from_request(&req, &mut payload).await {
            Ok(body) => respond(api::reporter::create_case(req, state, body).await),
            Err(e) => refusal(e),
        }
        .status()
    });
    check(status);
}

fuzz_target!(|data: &[u8]| {
    let Some(input) = Input::split(data) else {
        return;
    };
    sealbox_fuzz::with(|h| match input.mode % 12 {
        0..=1 => new_case(h, &input),
        2 => json::<api::reporter::MessageIn>(h, &input, message),
        3 => json::<api::reporter::RatingIn>(h, &input, rating),
        4 => json::<IdentityInput>(h, &input, nothing),
        5 => json::<api::officer::LoginIn>(h, &input, login),
        6 => json::<StatusRequest>(h, &input, status),
        7 => json::<api::officer::BodyIn>(h, &input, message),
        8 => json::<api::officer::AssignIn>(h, &input, nothing),
        9 => json::<api::officer::ExportIn>(h, &input, export),
        10 => json::<api::disclosures::RequestIn>(h, &input, nothing),
        _ => json::<api::disclosures::DecisionIn>(h, &input, nothing),
    });
});
