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
}
