//! Tokens of one-time enrolment links: 256 bits from the OS, kept by the server only as a
//! SHA-256 hash, so a copy of the database cannot be turned into a working link.

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// A link token as it appears in `/officer/enrol/{token}`.
pub struct LinkToken(SecretString);

impl LinkToken {
    pub fn generate() -> Self {
        LinkToken(SecretString::from(super::random::token()))
    }

    /// A token read from a URL; `None` unless it has the shape of one (64 lowercase hex).
    pub fn parse(text: &str) -> Option<Self> {
        (text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| LinkToken(SecretString::from(text.to_owned())))
    }

    /// What the database stores and looks the link up by.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.0.expose_secret().as_bytes()).into()
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_parse_back_and_hash_apart() {
        let t = LinkToken::generate();
        let again = LinkToken::parse(t.expose()).unwrap();
        assert_eq!(t.hash(), again.hash());
        assert_ne!(t.hash(), LinkToken::generate().hash());
        assert!(LinkToken::parse("../etc").is_none());
        assert!(LinkToken::parse(&t.expose().to_uppercase()).is_none());
    }
}
