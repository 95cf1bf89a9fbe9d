//! What every request passes through before and after its handler: methods (`HEAD`, `405`),
//! the request log, security headers and the same-origin check, the onion address, the
//! connection caps and the body deadline.

pub mod body_deadline;
pub mod connections;
pub mod methods;
pub mod onion;
pub mod request_log;
pub mod security;
