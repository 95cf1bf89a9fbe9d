//! Officer keys wrapped with a password (`keys::unwrap_officer_key`): an age file to an scrypt
//! recipient holding an age identity file, opened with the test password.
//!
//! scrypt stanzas asking for more than N = 2^10 are skipped: sealbox accepts up to 2^18 for
//! real officer keys, but at that cost the fuzzer would do a few inputs a second. (Each input
//! still costs one scrypt at 2^10: age's `scrypt::Identity::new` times one to pick its target.)
//!
//! Input: an age file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sealbox::crypto::keys;
use secrecy::SecretString;

/// The password the seeds are wrapped with.
const PASSWORD: &str = "correct horse battery staple";

/// Whether any scrypt stanza asks for N above 2^10, its argument read as age reads it (digits,
/// no leading zero).
fn costly_scrypt(data: &[u8]) -> bool {
    let header_end = data
        .windows(4)
        .position(|w| w == b"\n---")
        .unwrap_or(data.len());
    data[..header_end]
        .split(|&b| b == b'\n')
        .filter(|line| line.starts_with(b"-> scrypt "))
        .filter_map(|line| line.split(|&b| b == b' ').nth(3))
        .any(|n| {
            !n.is_empty()
                && n.iter().all(u8::is_ascii_digit)
                && !n.starts_with(b"0")
                && (n.len() > 2 || n.iter().fold(0, |v, d| v * 10 + (d - b'0')) > 10)
        })
}

fuzz_target!(|data: &[u8]| {
    if costly_scrypt(data) {
        return;
    }
    let password = SecretString::from(PASSWORD.to_owned());
    if let Ok(key) = keys::unwrap_officer_key(data, &password) {
        assert!(key.public().starts_with("age1"));
    }
});
