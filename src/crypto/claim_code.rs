//! Claim codes: the submitter's only key to their case.
//!
//! 100 bits from the OS CSPRNG, written as 20 Crockford base32 characters in five groups of four
//! (`7KQM-X2PD-9WZR-T4HC-8NFA`). Crockford's alphabet has no I, L, O or U, and reading accepts
//! any case, ignores spaces and dashes, and reads I/L as 1 and O as 0, so a code copied by hand
//! still works.

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in a code; 5 bits each.
pub const LENGTH: usize = 20;
/// Entropy of a generated code.
pub const BITS: usize = LENGTH * 5;

/// A claim code in canonical form (20 upper-case alphabet characters, no separators).
pub struct ClaimCode(SecretString);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a claim code")]
pub struct Malformed;

impl ClaimCode {
    /// A fresh code from the OS CSPRNG.
    pub fn generate() -> Self {
        let raw = Zeroizing::new(super::random::bytes::<LENGTH>());
        // One byte per character, 5 of its bits used: uniform over the alphabet.
        let text: String = raw
            .iter()
            .map(|b| ALPHABET[usize::from(b & 0x1f)] as char)
            .collect();
        ClaimCode(SecretString::from(text))
    }

    /// Reads a code as a person typed it.
    pub fn parse(input: &str) -> Result<Self, Malformed> {
        if input.len() > 200 {
            return Err(Malformed);
        }
        let mut canonical = Zeroizing::new(String::with_capacity(LENGTH));
        for c in input.chars() {
            let c = match c.to_ascii_uppercase() {
                ' ' | '-' | '\t' | '\n' | '\r' => continue,
                'I' | 'L' => '1',
                'O' => '0',
                c if c.is_ascii() && ALPHABET.contains(&(c as u8)) => c,
                _ => return Err(Malformed),
            };
            canonical.push(c);
        }
        if canonical.len() != LENGTH {
            return Err(Malformed);
        }
        Ok(ClaimCode(SecretString::from(canonical.as_str().to_owned())))
    }

    /// The canonical characters, for key derivation and lookup.
    pub fn canonical(&self) -> &[u8] {
        self.0.expose_secret().as_bytes()
    }

    /// Grouped for display: `XXXX-XXXX-XXXX-XXXX-XXXX`.
    pub fn grouped(&self) -> SecretString {
        let chars = self.0.expose_secret().as_bytes();
        let groups: Vec<&str> = chars
            .chunks(4)
            .map(|g| std::str::from_utf8(g).unwrap_or_default())
            .collect();
        SecretString::from(groups.join("-"))
    }
}

impl std::fmt::Debug for ClaimCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClaimCode(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_round_trip_through_loose_typing() {
        let code = ClaimCode::generate();
        let shown = code.grouped().expose_secret().to_owned();
        assert_eq!(shown.len(), LENGTH + 4);
        let typed = format!("  {} ", shown.to_lowercase().replace('-', " - "));
        assert_eq!(
            ClaimCode::parse(&typed).unwrap().canonical(),
            code.canonical()
        );
    }

    #[test]
    fn confusable_letters_are_read_as_digits() {
        let a = ClaimCode::parse("IIII-LLLL-OOOO-0000-1111").unwrap();
        assert_eq!(a.canonical(), b"11111111000000001111");
    }

    #[test]
    fn wrong_lengths_and_letters_are_malformed() {
        assert_eq!(ClaimCode::parse("ABCD").unwrap_err(), Malformed);
        assert!(ClaimCode::parse("UUUU-UUUU-UUUU-UUUU-UUUU").is_err());
        assert!(ClaimCode::parse("AAAA-AAAA-AAAA-AAAA-AAAA-A").is_err());
        assert!(ClaimCode::parse("ÄAAA-AAAA-AAAA-AAAA-AAAA").is_err());
        assert!(ClaimCode::parse(&"A".repeat(10_000)).is_err());
    }

    #[test]
    fn codes_are_distinct_and_spread_over_the_alphabet() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let c = ClaimCode::generate();
            for ch in c.canonical() {
                seen.insert(*ch);
            }
        }
        assert_eq!(seen.len(), 32);
        assert_ne!(
            ClaimCode::generate().canonical(),
            ClaimCode::generate().canonical()
        );
    }

    #[test]
    fn debug_never_shows_the_code() {
        assert_eq!(format!("{:?}", ClaimCode::generate()), "ClaimCode(***)");
    }
}
