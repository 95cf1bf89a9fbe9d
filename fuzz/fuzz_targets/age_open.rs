//! The paths that open sealed data, with a fixed test identity: sealed documents
//! (`seal::open`, then read as JSON as every sealed document is), key grants
//! (`keys::open_grant`, an age identity file inside an age file), attachments as streams
//! (`seal::open_stream`, compared with the buffered reader), and key and recipient strings
//! (`SecretKey::parse`, `keys::recipient`). Officer keys wrapped with a password have their own
//! target, `officer_key`: scrypt makes each of those inputs a hundred times slower.
//!
//! Input: `[mode] bytes`.
#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;
use sealbox::crypto::{keys, seal, SecretKey};
use secrecy::ExposeSecret;

/// The test identity every seed is sealed to (its public key is in `fuzz/make-seeds`).
fn identity() -> SecretKey {
    SecretKey::from_bytes(&[0x42; 32]).expect("a key")
}

fn read_stream(data: &[u8], key: &SecretKey) -> Option<Vec<u8>> {
    let mut reader = seal::open_stream(data, key).ok()?;
    let mut plain = Vec::new();
    reader.read_to_end(&mut plain).ok()?;
    Some(plain)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, data)) = data.split_first() else {
        return;
    };
    let key = identity();
    match mode % 4 {
        0 => {
            if let Ok(plain) = seal::open(data, &key) {
                let _ = serde_json::from_slice::<serde_json::Value>(&plain);
            }
        }
        1 => {
            if let Ok(granted) = keys::open_grant(data, &key) {
                // A key that opens can be written out and read back as the same key.
                let again = SecretKey::parse(granted.to_secret_string().expose_secret())
                    .expect("a key written out reads back");
                assert_eq!(again.public(), granted.public());
            }
        }
        2 => {
            // Attachments are read as streams, sealed text at once: both must agree.
            let streamed = read_stream(data, &key);
            let whole = seal::open_raw(data, key.identity()).ok();
            assert_eq!(streamed.as_deref(), whole.as_deref().map(|p| p.as_slice()));
        }
        _ => {
            let Ok(text) = std::str::from_utf8(data) else {
                return;
            };
            if let Ok(parsed) = SecretKey::parse(text) {
                let public = parsed.public();
                let recipient = keys::recipient(&public).expect("a key's own recipient parses");
                assert_eq!(recipient.to_string(), public);
            }
            if let Ok(recipient) = keys::recipient(text) {
                let sealed = seal::seal_padded(b"{}", &[&recipient.to_string()]);
                assert!(sealed.is_ok());
            }
        }
    }
});
