//! Age X25519 key pairs, key grants, and officer keys wrapped with a password.
//!
//! A *grant* is a secret key sealed (as a standard age file) to someone else's public key: the
//! case key sealed to an officer, to the submitter's derived key, to the recovery recipient.

use std::io::Write;
use std::path::Path;
use std::str::FromStr;

use age::x25519;
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use super::seal;
use super::CryptoError;

/// scrypt work factor (N = 2^16, 64 MiB) for an officer key at rest: about 0.2 s here, where
/// age's own default tunes itself to about 1 s and 256 MiB, too much for a server.
pub const OFFICER_KEY_LOG_N: u8 = 16;

/// An unlocked age X25519 identity. Its secret is zeroized when dropped.
#[derive(Clone)]
pub struct SecretKey(x25519::Identity);

/// A fresh key: the secret half and its public recipient string (`age1…`).
pub struct KeyPair {
    pub secret: SecretKey,
    pub public: String,
}

impl KeyPair {
    pub fn generate() -> Self {
        let id = x25519::Identity::generate();
        let public = id.to_public().to_string();
        KeyPair {
            secret: SecretKey(id),
            public,
        }
    }
}

impl SecretKey {
    /// Builds a key from 32 secret bytes (the submitter key derived from a claim code).
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, CryptoError> {
        const HRP: bech32::Hrp = bech32::Hrp::parse_unchecked("age-secret-key-");
        let encoded = Zeroizing::new(
            bech32::encode_upper::<bech32::Bech32>(HRP, bytes)
                .map_err(|_| CryptoError::Key("32 bytes that do not encode"))?,
        );
        Self::parse(&encoded)
    }

    /// Reads `AGE-SECRET-KEY-1…`, ignoring surrounding whitespace and `#` comment lines, as in an
    /// age identity file.
    pub fn parse(text: &str) -> Result<Self, CryptoError> {
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .ok_or(CryptoError::Key("no identity found"))?;
        x25519::Identity::from_str(line)
            .map(SecretKey)
            .map_err(CryptoError::Key)
    }

    pub fn public(&self) -> String {
        self.0.to_public().to_string()
    }

    pub fn identity(&self) -> &dyn age::Identity {
        &self.0
    }

    /// The key as an age identity file body.
    pub fn to_secret_string(&self) -> SecretString {
        self.0.to_string()
    }
}

/// Parses a public recipient (`age1…`).
pub fn recipient(public: &str) -> Result<x25519::Recipient, CryptoError> {
    x25519::Recipient::from_str(public.trim()).map_err(CryptoError::Key)
}

/// Seals `key` to `to` as an age identity file, so `age -d -i` with the result works offline.
pub fn grant(key: &SecretKey, to: &str) -> Result<Vec<u8>, CryptoError> {
    let to = recipient(to)?;
    let body = Zeroizing::new(format!("{}\n", key.to_secret_string().expose_secret()));
    seal::seal_raw(body.as_bytes(), &[&to])
}

/// Opens a grant with the holder's key.
pub fn open_grant(sealed: &[u8], holder: &SecretKey) -> Result<SecretKey, CryptoError> {
    let plain = seal::open_raw(sealed, holder.identity())?;
    let text = std::str::from_utf8(&plain).map_err(|_| CryptoError::Open)?;
    SecretKey::parse(text)
}

/// An officer's key pair, the secret half sealed to their password (scrypt recipient).
pub struct WrappedOfficerKey {
    pub public: String,
    pub sealed: Vec<u8>,
}

/// Creates an officer key sealed with `password`. Runs scrypt: call it off the async executor.
pub fn new_officer_key(password: &SecretString) -> Result<WrappedOfficerKey, CryptoError> {
    let pair = KeyPair::generate();
    Ok(WrappedOfficerKey {
        sealed: seal_officer_key(&pair.secret, password)?,
        public: pair.public,
    })
}

/// Seals an officer key to `password` (scrypt recipient, N = 2^16).
pub fn seal_officer_key(key: &SecretKey, password: &SecretString) -> Result<Vec<u8>, CryptoError> {
    let mut to = age::scrypt::Recipient::new(password.clone());
    to.set_work_factor(OFFICER_KEY_LOG_N);
    let body = Zeroizing::new(format!("{}\n", key.to_secret_string().expose_secret()));
    seal::seal_raw(body.as_bytes(), &[&to])
}

/// Unwraps an officer key with their password. Runs scrypt: call it off the async executor, and
/// only after the password hash check passed.
pub fn unwrap_officer_key(
    sealed: &[u8],
    password: &SecretString,
) -> Result<SecretKey, CryptoError> {
    let mut id = age::scrypt::Identity::new(password.clone());
    id.set_max_work_factor(OFFICER_KEY_LOG_N + 2);
    let plain = seal::open_raw(sealed, &id)?;
    let text = std::str::from_utf8(&plain).map_err(|_| CryptoError::Open)?;
    SecretKey::parse(text)
}

/// Reads a 32-byte secret file, creating it (mode 0600) with random bytes when absent.
pub fn load_or_create_secret_file(path: &Path) -> Result<[u8; 32], CryptoError> {
    let io_err = |source| CryptoError::KeyFile {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read(path) {
        Ok(bytes) => bytes.as_slice().try_into().map_err(|_| {
            io_err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "expected exactly 32 bytes",
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // Written aside, synced, then renamed into place and the directory synced: a power
            // cut leaves either no key or a whole one, never a truncated file.
            let bytes = super::random::bytes::<32>();
            let temp = path.with_extension("tmp");
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&temp).map_err(io_err)?;
            file.write_all(&bytes).map_err(io_err)?;
            file.sync_all().map_err(io_err)?;
            std::fs::rename(&temp, path).map_err(io_err)?;
            if let Some(dir) = path.parent() {
                std::fs::File::open(dir)
                    .and_then(|d| d.sync_all())
                    .map_err(io_err)?;
            }
            Ok(bytes)
        }
        Err(e) => Err(io_err(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_open_only_for_their_holder() {
        let case = KeyPair::generate();
        let officer = KeyPair::generate();
        let stranger = KeyPair::generate();
        let sealed = grant(&case.secret, &officer.public).unwrap();
        let opened = open_grant(&sealed, &officer.secret).unwrap();
        assert_eq!(opened.public(), case.public);
        assert!(open_grant(&sealed, &stranger.secret).is_err());
    }

    #[test]
    fn derived_keys_are_deterministic() {
        let a = SecretKey::from_bytes(&[7u8; 32]).unwrap();
        let b = SecretKey::from_bytes(&[7u8; 32]).unwrap();
        let c = SecretKey::from_bytes(&[8u8; 32]).unwrap();
        assert_eq!(a.public(), b.public());
        assert_ne!(a.public(), c.public());
        assert!(a.public().starts_with("age1"));
    }

    #[test]
    fn officer_key_needs_the_password() {
        let pw = SecretString::from("correct horse battery staple".to_owned());
        let wrapped = new_officer_key(&pw).unwrap();
        let key = unwrap_officer_key(&wrapped.sealed, &pw).unwrap();
        assert_eq!(key.public(), wrapped.public);
        let wrong = SecretString::from("incorrect horse".to_owned());
        assert!(unwrap_officer_key(&wrapped.sealed, &wrong).is_err());
    }
}
