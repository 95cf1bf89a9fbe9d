//! sealbox: a self-hosted intake for whistleblowing reports and customer complaints, with
//! everything sealed at rest as standard age files.
//!
//! Layers: `http` → `cases` → (`crypto`, `store`, `notify`). Nothing reaches upward; see
//! `docs/architecture.md`.

pub mod audit;
pub mod backup;
pub mod cases;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod http;
pub mod i18n;
pub mod metrics;
pub mod notify;
pub mod startup;
pub mod store;
