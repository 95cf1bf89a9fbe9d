//! Sealing bytes as standard binary age files, with size padding for text.
//!
//! Sealed documents are JSON padded with trailing spaces to a size bucket before sealing, so a
//! ciphertext's length says little about what was written, and the plaintext that `age -d`
//! prints is still valid JSON.

use std::io::{Read, Write};

use zeroize::Zeroizing;

use super::keys::{recipient, SecretKey};
use super::CryptoError;

/// Smallest padded size: short answers all look alike.
const MIN_BUCKET: usize = 512;

/// The padded length for `len` bytes: the next power of two, at least `MIN_BUCKET`.
pub fn bucket(len: usize) -> usize {
    len.max(MIN_BUCKET).next_power_of_two()
}

/// Pads `plaintext` with spaces to its bucket and seals it to every public key in `to`.
pub fn seal_padded(plaintext: &[u8], to: &[&str]) -> Result<Vec<u8>, CryptoError> {
    let mut padded = Zeroizing::new(Vec::with_capacity(bucket(plaintext.len())));
    padded.extend_from_slice(plaintext);
    padded.resize(bucket(plaintext.len()), b' ');
    let recipients = to
        .iter()
        .map(|r| recipient(r))
        .collect::<Result<Vec<_>, _>>()?;
    let dyns: Vec<&dyn age::Recipient> = recipients.iter().map(|r| r as _).collect();
    seal_raw(&padded, &dyns)
}

/// Opens a padded document sealed to `key`; the padding is left for the JSON reader to skip.
pub fn open(sealed: &[u8], key: &SecretKey) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    open_raw(sealed, key.identity())
}

/// Seals exactly `plaintext` (no padding) to `to`.
pub fn seal_raw(plaintext: &[u8], to: &[&dyn age::Recipient]) -> Result<Vec<u8>, CryptoError> {
    let encryptor = age::Encryptor::with_recipients(to.iter().copied())
        .map_err(|e| CryptoError::Seal(e.to_string()))?;
    let mut out = Vec::with_capacity(plaintext.len() + 200 + 200 * to.len());
    let mut writer = encryptor
        .wrap_output(&mut out)
        .map_err(|e| CryptoError::Seal(e.to_string()))?;
    writer
        .write_all(plaintext)
        .and_then(|_| writer.finish().map(|_| ()))
        .map_err(|e| CryptoError::Seal(e.to_string()))?;
    Ok(out)
}

/// Opens an age file with `identity`.
pub fn open_raw(
    sealed: &[u8],
    identity: &dyn age::Identity,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let decryptor = age::Decryptor::new_buffered(sealed).map_err(|_| CryptoError::Open)?;
    let mut reader = decryptor
        .decrypt(std::iter::once(identity))
        .map_err(|_| CryptoError::Open)?;
    let mut plain = Zeroizing::new(Vec::new());
    reader
        .read_to_end(&mut plain)
        .map_err(|_| CryptoError::Open)?;
    Ok(plain)
}

/// Starts a standard age file sealed to `to`, written to `out` as it goes: 64 KiB at a time,
/// whatever the total size. `finish` must be called on the writer to complete the file.
pub fn seal_stream<W: Write>(
    out: W,
    to: &str,
) -> Result<age::stream::StreamWriter<W>, CryptoError> {
    let recipient = recipient(to)?;
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .map_err(|e| CryptoError::Seal(e.to_string()))?;
    encryptor.wrap_output(out).map_err(CryptoError::Write)
}

/// Opens an age file for reading as a stream: each 64 KiB chunk is authenticated before it is
/// returned, so a tampered file fails with a read error where the damage is.
pub fn open_stream<R: Read>(
    input: R,
    key: &SecretKey,
) -> Result<age::stream::StreamReader<R>, CryptoError> {
    let decryptor = age::Decryptor::new(input).map_err(|_| CryptoError::Open)?;
    decryptor
        .decrypt(std::iter::once(key.identity()))
        .map_err(|_| CryptoError::Open)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::KeyPair;

    #[test]
    fn sizes_fall_into_buckets() {
        let key = KeyPair::generate();
        // age headers carry random-length grease, so compare the sealed payloads.
        let short = seal_padded(b"{\"a\":\"x\"}", &[&key.public]).unwrap();
        let longer = seal_padded(&[b'a'; 400], &[&key.public]).unwrap();
        assert_eq!(open(&short, &key.secret).unwrap().len(), 512);
        assert_eq!(open(&longer, &key.secret).unwrap().len(), 512);
        assert_eq!(bucket(513), 1024);
        assert_eq!(bucket(0), 512);
    }

    #[test]
    fn padded_json_still_parses() {
        let key = KeyPair::generate();
        let sealed = seal_padded(br#"{"body":"hello"}"#, &[&key.public]).unwrap();
        let plain = open(&sealed, &key.secret).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&plain).unwrap();
        assert_eq!(v["body"], "hello");
    }

    #[test]
    fn every_recipient_can_open_and_no_one_else() {
        let (a, b, c) = (
            KeyPair::generate(),
            KeyPair::generate(),
            KeyPair::generate(),
        );
        let sealed = seal_padded(b"{}", &[&a.public, &b.public]).unwrap();
        assert!(open(&sealed, &a.secret).is_ok());
        assert!(open(&sealed, &b.secret).is_ok());
        assert!(open(&sealed, &c.secret).is_err());
        assert!(open(b"not an age file", &a.secret).is_err());
    }

    #[test]
    fn streams_round_trip_across_chunks() {
        let key = KeyPair::generate();
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let mut writer = seal_stream(Vec::new(), &key.public).unwrap();
        for piece in data.chunks(10_000) {
            writer.write_all(piece).unwrap();
        }
        let sealed = writer.finish().unwrap();
        let mut plain = Vec::new();
        open_stream(sealed.as_slice(), &key.secret)
            .unwrap()
            .read_to_end(&mut plain)
            .unwrap();
        assert_eq!(plain, data);
        let other = KeyPair::generate();
        assert!(open_stream(sealed.as_slice(), &other.secret).is_err());
    }
}
