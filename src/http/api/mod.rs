//! The JSON API under `/api/v1`: the reporter's (a case, then its follow-up with the claim code
//! as bearer token) and the officer's (a bearer token from `POST …/officer/login`). Same rules
//! and limits as the pages.

pub mod admin;
pub mod disclosures;
pub mod officer;
pub mod openapi;
pub mod records;
pub mod reporter;
pub mod triage;
pub mod views;
