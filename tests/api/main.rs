//! Integration tests: the real server on a random port, a temp data dir, real HTTP.

mod helpers;

mod anonymity;
mod attacks;
mod backup;
mod bounds_http;
mod bounds_kdf;
mod branding;
mod browser;
mod cli;
mod errors;
mod example_config;
mod export;
mod faults;
mod files;
mod followup;
mod html;
mod identity;
mod images;
mod insider;
mod intake;
mod interop;
mod languages;
mod layers;
mod litestream;
mod mail;
mod metadata;
mod methods;
mod officer;
mod officer_admin;
mod openapi;
mod operations;
mod reload;
mod roles;
mod statistics;
mod tls;
