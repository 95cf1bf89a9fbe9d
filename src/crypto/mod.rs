//! Everything that touches age, argon2 or key material. Nothing here knows about cases or HTTP.
//!
//! Every sealed value is a standard binary age file, so an organisation can always open its own
//! data offline with the reference `age` tool.

pub mod claim_code;
pub mod kdf;
pub mod keys;
pub mod link;
pub mod lookup;
pub mod random;
pub mod seal;
pub mod search;
pub mod totp;

pub use claim_code::ClaimCode;
pub use kdf::KdfPool;
pub use keys::{KeyPair, SecretKey};

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("could not seal")]
    Seal(#[source] age::EncryptError),
    /// The sealed output could not be written (the disk, not the data, is at fault).
    #[error("could not write sealed data")]
    Write(#[source] std::io::Error),
    #[error("could not open sealed data")]
    Open,
    /// A key or secret that is not one; says which.
    #[error("invalid key: {0}")]
    Key(&'static str),
    #[error("password hashing failed")]
    PasswordHash(#[source] argon2::Error),
    #[error("password hashing failed")]
    PasswordHashString(#[source] argon2::password_hash::Error),
    #[error("key derivation worker failed: {0}")]
    Worker(&'static str),
    /// The bounded argon2id queue is full, or a job waited past its deadline.
    #[error("the server is busy: try again in {retry_after} seconds")]
    Busy { retry_after: u64 },
    #[error("key file {path}: {source}")]
    KeyFile {
        path: String,
        source: std::io::Error,
    },
}
