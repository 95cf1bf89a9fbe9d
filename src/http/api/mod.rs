//! The JSON API under `/api/v1`: the reporter's (a case, then its follow-up with the claim code
//! as bearer token) and the officer's (a bearer token from `POST …/officer/login`). Same rules
//! and limits as the pages.

pub mod admin;
pub mod admin_channels;
pub mod disclosures;
pub mod officer;
pub mod openapi;
pub mod records;
pub mod reporter;
pub mod triage;
pub mod views;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::http::errors::{ApiError, Problem};

/// A JSON body that must be an object. Serde also builds a struct from a list of its field
/// values (`["text"]` for `{"body":"text"}`), which the API description does not allow and no
/// client means; this takes objects only, and otherwise answers like `web::Json`.
pub struct Object<T>(pub T);

impl<T> Object<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Object<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Object<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let value = json.await?.into_inner();
            let shape = |message: String| {
                ApiError(Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_input",
                    message,
                ))
            };
            if !value.is_object() {
                return Err(shape("the JSON body must be an object".into()).into());
            }
            serde_json::from_value(value).map(Object).map_err(|e| {
                shape(format!("the JSON does not have the expected shape: {e}")).into()
            })
        })
    }
}
