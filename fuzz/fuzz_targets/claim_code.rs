//! Claim codes as people type them (`ClaimCode::parse`): the follow-up page's form field and
//! the API's `Authorization: Bearer` value both go through it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sealbox::crypto::claim_code::{ClaimCode, LENGTH};
use secrecy::ExposeSecret;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(code) = ClaimCode::parse(text) else {
        return;
    };
    // A code that parses is canonical: 20 characters of Crockford's alphabet.
    let canonical = code.canonical().to_vec();
    assert_eq!(canonical.len(), LENGTH);
    assert!(canonical
        .iter()
        .all(|c| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(c)));
    // Shown grouped, written down in lower case, it opens the same case.
    let grouped = code.grouped();
    let again = ClaimCode::parse(grouped.expose_secret()).expect("a shown code parses");
    assert_eq!(again.canonical(), canonical.as_slice());
    let lower = grouped.expose_secret().to_lowercase();
    let again = ClaimCode::parse(&lower).expect("a code in lower case parses");
    assert_eq!(again.canonical(), canonical.as_slice());
});
