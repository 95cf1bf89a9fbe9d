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
    let encryptor =
        age::Encryptor::with_recipients(to.iter().copied()).map_err(CryptoError::Seal)?;
    let mut out = Vec::with_capacity(plaintext.len() + 200 + 200 * to.len());
    let mut writer = encryptor
        .wrap_output(&mut out)
        .map_err(CryptoError::Write)?;
    writer
        .write_all(plaintext)
        .and_then(|_| writer.finish().map(|_| ()))
        .map_err(CryptoError::Write)?;
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

/// A standard age file being written to `out`, 64 KiB at a time whatever the total size.
/// The file is complete only after [`SealedWriter::finish`]; dropped before, what was written
/// is a cut-short age file that never opens (never a shorter file that opens). Where the whole
/// content is at hand, [`seal_into`] writes and finishes in one call.
#[must_use = "an age file is complete only once finish() is called"]
pub struct SealedWriter<W: Write>(age::stream::StreamWriter<W>);

impl<W: Write> SealedWriter<W> {
    /// Starts an age file sealed to `to`.
    pub fn start(out: W, to: &str) -> Result<Self, CryptoError> {
        let recipient = recipient(to)?;
        let encryptor =
            age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                .map_err(CryptoError::Seal)?;
        Ok(SealedWriter(
            encryptor.wrap_output(out).map_err(CryptoError::Write)?,
        ))
    }

    /// Writes the last chunk and returns the output, flushed.
    pub fn finish(self) -> Result<W, CryptoError> {
        let mut out = self.0.finish().map_err(CryptoError::Write)?;
        out.flush().map_err(CryptoError::Write)?;
        Ok(out)
    }
}

impl<W: Write> Write for SealedWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Seals everything `fill` writes into a complete age file on `out`, sealed to `to`.
pub fn seal_into<W: Write>(
    out: W,
    to: &str,
    fill: impl FnOnce(&mut SealedWriter<W>) -> std::io::Result<()>,
) -> Result<W, CryptoError> {
    let mut writer = SealedWriter::start(out, to)?;
    fill(&mut writer).map_err(CryptoError::Write)?;
    writer.finish()
}

/// Opens an age file for reading as a stream: each 64 KiB chunk is authenticated before it is
/// returned, so a tampered file fails with a read error where the damage is.
pub fn open_stream<R: Read>(input: R, key: &SecretKey) -> Result<impl Read, CryptoError> {
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
    fn an_unfinished_file_never_opens() {
        let key = KeyPair::generate();
        let mut out = Vec::new();
        {
            let mut writer = SealedWriter::start(&mut out, &key.public).unwrap();
            writer.write_all(&[7u8; 100_000]).unwrap();
        }
        let mut plain = Vec::new();
        let opened = open_stream(out.as_slice(), &key.secret)
            .and_then(|mut r| r.read_to_end(&mut plain).map_err(CryptoError::Write));
        assert!(opened.is_err());
        let whole = seal_into(Vec::new(), &key.public, |w| w.write_all(b"all of it")).unwrap();
        assert_eq!(&*open(&whole, &key.secret).unwrap(), b"all of it");
    }

    #[test]
    fn streams_round_trip_across_chunks() {
        let key = KeyPair::generate();
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let mut writer = SealedWriter::start(Vec::new(), &key.public).unwrap();
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
