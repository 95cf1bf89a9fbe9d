//! Time-based one-time passwords (RFC 6238: SHA-1, 6 digits, 30 s), for officer sign-in.

use secrecy::{ExposeSecret, SecretBox, SecretString};
use totp_rs::{Algorithm, TOTP};

use super::CryptoError;

pub const STEP_SECONDS: u64 = 30;

/// A TOTP secret (160 bits, as RFC 4226 recommends).
pub struct TotpSecret(SecretBox<Vec<u8>>);

impl TotpSecret {
    pub fn generate() -> Self {
        TotpSecret(SecretBox::new(Box::new(
            super::random::bytes::<20>().to_vec(),
        )))
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        TotpSecret(SecretBox::new(Box::new(bytes)))
    }

    /// Reads a secret in base32 (as [`base32`](Self::base32) writes it).
    pub fn from_base32(text: &str) -> Result<Self, CryptoError> {
        totp_rs::Secret::Encoded(text.trim().to_owned())
            .to_bytes()
            .map(Self::from_bytes)
            .map_err(|_| CryptoError::Key("not a base32 TOTP secret"))
    }

    pub fn bytes(&self) -> &[u8] {
        self.0.expose_secret()
    }

    fn totp(&self) -> Result<TOTP, CryptoError> {
        TOTP::new(
            Algorithm::SHA1,
            6,
            1,
            STEP_SECONDS,
            self.0.expose_secret().clone(),
        )
        .map_err(|_| CryptoError::Key("a TOTP secret shorter than 128 bits"))
    }

    /// The secret in base32, as authenticator apps take it when typed.
    pub fn base32(&self) -> Result<SecretString, CryptoError> {
        Ok(SecretString::from(self.totp()?.get_secret_base32()))
    }

    /// The `otpauth://` URL an authenticator app reads from a QR code.
    pub fn url(&self, issuer: &str, account: &str) -> Result<SecretString, CryptoError> {
        let label = format!("{}:{}", encode(issuer), encode(account));
        Ok(SecretString::from(format!(
            "otpauth://totp/{label}?secret={}&issuer={}&algorithm=SHA1&digits=6&period={STEP_SECONDS}",
            self.base32()?.expose_secret(),
            encode(issuer)
        )))
    }

    /// The time step `code` is valid for at `now` (this step or one either side), if any.
    pub fn check(&self, code: &str, now: u64) -> Result<Option<i64>, CryptoError> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(None);
        }
        let totp = self.totp()?;
        let current = now / STEP_SECONDS;
        let mut found = None;
        for step in [current.saturating_sub(1), current, current + 1] {
            let expected = totp.generate(step * STEP_SECONDS);
            if bool::from(subtle::ConstantTimeEq::ct_eq(
                expected.as_bytes(),
                code.as_bytes(),
            )) {
                found = Some(step as i64);
            }
        }
        Ok(found)
    }

    /// The code for `time` (for tests and tools).
    pub fn code_at(&self, time: u64) -> Result<String, CryptoError> {
        Ok(self.totp()?.generate(time))
    }
}

/// Percent-encodes everything but unreserved characters.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_vector() {
        // RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 → last six digits.
        let secret = TotpSecret::from_bytes(b"12345678901234567890".to_vec());
        assert_eq!(secret.code_at(59).unwrap(), "287082");
        assert_eq!(secret.check("287082", 59).unwrap(), Some(1));
        assert_eq!(secret.check("287 082", 59 + 30).unwrap(), Some(1));
        assert_eq!(secret.check("287082", 59 + 90).unwrap(), None);
        assert_eq!(secret.check("28708", 59).unwrap(), None);
    }

    #[test]
    fn urls_carry_the_secret_and_issuer() {
        let secret = TotpSecret::generate();
        let url = secret.url("Ethics line", "a@example.org").unwrap();
        let url = url.expose_secret();
        assert!(
            url.starts_with("otpauth://totp/Ethics%20line:a%40example.org?secret="),
            "{url}"
        );
        assert!(url.contains(secret.base32().unwrap().expose_secret()));
    }
}
