//! Identifiers and salts from the operating system's CSPRNG.

use rand::rngs::OsRng;
use rand::RngCore;

/// `n` random bytes from the OS.
pub fn bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    OsRng.fill_bytes(&mut out);
    out
}

/// A random identifier: 128 bits as 32 lowercase hex characters.
pub fn id() -> String {
    hex(&bytes::<16>())
}

/// A random bearer token (session ids, CSRF tokens): 256 bits as hex.
pub fn token() -> String {
    hex(&bytes::<32>())
}

/// Smallest and largest case number: eight digits, easy to read out and type, and a space so
/// large that the numbers in use say nothing about how many cases there are or when they came.
pub const CASE_NUMBER_MIN: i64 = 10_000_000;
pub const CASE_NUMBER_MAX: i64 = 99_999_999;

/// A random case number, uniform over [`CASE_NUMBER_MIN`]..=[`CASE_NUMBER_MAX`]. Not sequential,
/// so a gap or a neighbour tells nothing; uniqueness is the store's to check.
pub fn case_number() -> i64 {
    use rand::Rng;
    OsRng.gen_range(CASE_NUMBER_MIN..=CASE_NUMBER_MAX)
}

pub fn hex(data: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(data.len() * 2);
    for b in data {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_distinct_hex() {
        let (a, b) = (super::id(), super::id());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn case_numbers_have_eight_digits_and_vary() {
        let numbers: Vec<i64> = (0..64).map(|_| super::case_number()).collect();
        assert!(numbers.iter().all(|n| n.to_string().len() == 8));
        let mut distinct = numbers.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert!(distinct.len() > 60, "{numbers:?}");
    }
}
