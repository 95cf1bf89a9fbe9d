//! Blind search tags: each word of a case is kept only as a keyed digest under a key derived
//! from that case's staff key, which only the officers who hold the case (and the recovery
//! key) can open. Without it a tag cannot be tested against a guess, and the tags of two
//! cases cannot be matched with each other.

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretBox};
use sha2::Sha256;

use super::SecretKey;

/// Bytes of a tag: enough that a false match among a case's words is negligible.
pub const TAG_LEN: usize = 16;

/// A case's search key; wiped when dropped.
pub struct SearchKey(SecretBox<[u8; 32]>);

impl SearchKey {
    /// The search key of the case whose staff key is `staff`.
    pub fn of(staff: &SecretKey) -> Self {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(staff.to_secret_string().expose_secret().as_bytes())
                .expect("HMAC accepts any key length");
        mac.update(b"sealbox search key v1");
        SearchKey(SecretBox::new(Box::new(mac.finalize().into_bytes().into())))
    }

    /// The tag of one (normalised) word.
    pub fn tag(&self, word: &str) -> [u8; TAG_LEN] {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.0.expose_secret())
            .expect("HMAC accepts any key length");
        mac.update(word.as_bytes());
        let full: [u8; 32] = mac.finalize().into_bytes().into();
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(&full[..TAG_LEN]);
        tag
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::KeyPair;

    #[test]
    fn tags_depend_on_the_word_and_the_case() {
        let a = SearchKey::of(&KeyPair::generate().secret);
        let b = SearchKey::of(&KeyPair::generate().secret);
        assert_eq!(a.tag("fraud"), a.tag("fraud"));
        assert_ne!(a.tag("fraud"), a.tag("frauds"));
        assert_ne!(a.tag("fraud"), b.tag("fraud"));
    }
}
