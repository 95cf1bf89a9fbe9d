//! Lookup tags: how the server finds a case from a claim code without storing the code.
//!
//! The tag is HMAC-SHA256 under a server-held key (`DATA/keys/lookup.key`, mode 0600), so the
//! database alone cannot be used to test guesses, and with the key a guess still costs a search
//! over 2^100 codes.

use std::path::Path;

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretBox};
use sha2::Sha256;

use super::{ClaimCode, CryptoError};

pub struct LookupKey(SecretBox<[u8; 32]>);

impl LookupKey {
    /// Reads the key, creating it on first start.
    pub fn load_or_create(path: &Path) -> Result<Self, CryptoError> {
        let bytes = super::keys::load_or_create_secret_file(path)?;
        Ok(LookupKey(SecretBox::new(Box::new(bytes))))
    }

    pub fn tag(&self, code: &ClaimCode) -> [u8; 32] {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.0.expose_secret())
            .expect("HMAC accepts any key length");
        mac.update(b"sealbox claim code lookup v1\0");
        mac.update(code.canonical());
        mac.finalize().into_bytes().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_depend_on_code_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let k1 = LookupKey::load_or_create(&dir.path().join("a.key")).unwrap();
        let k1_again = LookupKey::load_or_create(&dir.path().join("a.key")).unwrap();
        let k2 = LookupKey::load_or_create(&dir.path().join("b.key")).unwrap();
        let code = ClaimCode::generate();
        assert_eq!(k1.tag(&code), k1_again.tag(&code));
        assert_ne!(k1.tag(&code), k2.tag(&code));
        assert_ne!(k1.tag(&code), k1.tag(&ClaimCode::generate()));
    }
}
