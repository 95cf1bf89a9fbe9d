//! Removing hidden metadata from photos as they stream in.
//!
//! JPEG and PNG files are rewritten segment by segment (chunk by chunk) while they are sealed,
//! with an allow-list: what a decoder needs to draw the picture stays, everything else goes
//! (EXIF with its GPS position and thumbnail, XMP, IPTC, ICC profiles, comments, text chunks,
//! anything after the end of the image). Nothing is buffered beyond a segment header, so a
//! 1 GiB photo costs no more memory than a small one.

use std::io::Write;

/// What happened to a file's metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A JPEG or PNG, rewritten with the allow-list.
    Cleaned(ImageKind),
    /// Not a JPEG or PNG: stored as sent, metadata and all.
    Kept,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Jpeg,
    Png,
}

impl ImageKind {
    pub fn media_type(self) -> &'static str {
        match self {
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::Png => "image/png",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScrubError {
    /// The file starts like a photo but is not a well-formed one, so it cannot be cleaned.
    #[error("{0}")]
    Malformed(&'static str),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

/// PNG chunks that stay: those needed to draw the image (APNG frames included). Text, time,
/// EXIF, ICC profiles (whose name is free text) and every unknown chunk are dropped.
const PNG_KEEP: [&[u8; 4]; 14] = [
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"sBIT", b"bKGD",
    b"pHYs", b"acTL", b"fcTL", b"fdAT",
];

/// A streaming metadata remover: feed it the file in pieces, it writes the cleaned file.
pub struct Scrubber {
    state: Kind,
}

enum Kind {
    /// Not sure yet what the file is: its first bytes so far.
    Detect(Vec<u8>),
    Jpeg(Jpeg),
    Png(Png),
    Other,
}

impl Default for Scrubber {
    fn default() -> Self {
        Scrubber {
            state: Kind::Detect(Vec::with_capacity(8)),
        }
    }
}

impl Scrubber {
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes the next piece of the file and writes what survives to `out`.
    pub fn write(&mut self, data: &[u8], out: &mut impl Write) -> Result<(), ScrubError> {
        match &mut self.state {
            Kind::Detect(head) => {
                let take = (8 - head.len()).min(data.len());
                head.extend_from_slice(&data[..take]);
                if let Some(kind) = detect(head, false) {
                    let head = std::mem::take(head);
                    self.start(kind, &head, out)?;
                    self.write(&data[take..], out)?;
                }
                Ok(())
            }
            Kind::Jpeg(j) => j.feed(data, out),
            Kind::Png(p) => p.feed(data, out),
            Kind::Other => Ok(out.write_all(data)?),
        }
    }

    /// The end of the file: an image must have ended properly, or it was not cleaned.
    pub fn finish(mut self, out: &mut impl Write) -> Result<Outcome, ScrubError> {
        if let Kind::Detect(head) = &mut self.state {
            let head = std::mem::take(head);
            let kind = detect(&head, true).unwrap_or(Start::Other);
            self.start(kind, &head, out)?;
        }
        match self.state {
            Kind::Jpeg(j) if j.done() => Ok(Outcome::Cleaned(ImageKind::Jpeg)),
            Kind::Png(p) if p.done() => Ok(Outcome::Cleaned(ImageKind::Png)),
            Kind::Jpeg(_) => Err(ScrubError::Malformed(
                "the photo ends early: it is not a complete JPEG image",
            )),
            Kind::Png(_) => Err(ScrubError::Malformed(
                "the image ends early: it is not a complete PNG image",
            )),
            Kind::Other | Kind::Detect(_) => Ok(Outcome::Kept),
        }
    }

    fn start(&mut self, kind: Start, head: &[u8], out: &mut impl Write) -> Result<(), ScrubError> {
        match kind {
            Start::Jpeg => {
                out.write_all(&[0xff, 0xd8])?;
                let mut j = Jpeg {
                    state: J::Marker,
                    then_scan: false,
                };
                j.feed(&head[2..], out)?;
                self.state = Kind::Jpeg(j);
            }
            Start::Png => {
                out.write_all(&PNG_SIGNATURE)?;
                self.state = Kind::Png(Png {
                    state: P::Header {
                        buf: [0; 8],
                        got: 0,
                    },
                });
            }
            Start::Other => {
                out.write_all(head)?;
                self.state = Kind::Other;
            }
        }
        Ok(())
    }
}

enum Start {
    Jpeg,
    Png,
    Other,
}

/// What a file is by its first bytes; `None` while more are needed to tell.
fn detect(head: &[u8], at_end: bool) -> Option<Start> {
    let jpeg = [0xff, 0xd8, 0xff];
    let n = head.len();
    let could_be_jpeg = head[..n.min(3)] == jpeg[..n.min(3)];
    let could_be_png = head[..n.min(8)] == PNG_SIGNATURE[..n.min(8)];
    if n >= 3 && could_be_jpeg {
        Some(Start::Jpeg)
    } else if n >= 8 && could_be_png {
        Some(Start::Png)
    } else if at_end || !(could_be_jpeg || could_be_png) {
        Some(Start::Other)
    } else {
        None
    }
}

/// The JPEG segments that stay. SOFn, DHT, DAC, DQT, DRI, DNL, DHP, EXP and SOS carry the
/// picture; JFIF (APP0) and Adobe (APP14) headers are rebuilt from their fixed fields only.
fn jpeg_keeps(marker: u8) -> bool {
    matches!(marker, 0xc0..=0xcf | 0xda..=0xdf) && marker != 0xc8
}

struct Jpeg {
    state: J,
    /// The segment being passed is a start of scan: entropy-coded data follows it.
    then_scan: bool,
}

enum J {
    /// Between segments: expecting 0xFF.
    Marker,
    /// After 0xFF: expecting the marker code.
    MarkerCode,
    Length {
        marker: u8,
        buf: [u8; 2],
        got: usize,
    },
    /// The fixed head of an APP0/APP14 payload, then `rest` bytes to drop.
    Collect {
        marker: u8,
        buf: [u8; 14],
        got: usize,
        need: usize,
        rest: usize,
    },
    Pass(usize),
    Skip(usize),
    /// Entropy-coded data of a scan.
    Scan,
    /// 0xFF inside a scan: stuffing, a restart marker, or the next segment.
    ScanFf,
    /// After EOI: whatever follows is dropped.
    Done,
}

impl Jpeg {
    fn done(&self) -> bool {
        matches!(self.state, J::Done)
    }

    fn feed(&mut self, mut data: &[u8], out: &mut impl Write) -> Result<(), ScrubError> {
        while !data.is_empty() {
            match &mut self.state {
                J::Done => return Ok(()),
                J::Marker => {
                    // Bytes between segments are not part of any segment: dropped.
                    match data.iter().position(|&b| b == 0xff) {
                        Some(i) => {
                            data = &data[i + 1..];
                            self.state = J::MarkerCode;
                        }
                        None => return Ok(()),
                    }
                }
                J::MarkerCode | J::ScanFf => {
                    let in_scan = matches!(self.state, J::ScanFf);
                    let code = data[0];
                    data = &data[1..];
                    self.marker(code, in_scan, out)?;
                }
                J::Length { marker, buf, got } => {
                    buf[*got] = data[0];
                    *got += 1;
                    data = &data[1..];
                    if *got == 2 {
                        let (marker, len) = (*marker, u16::from_be_bytes(*buf) as usize);
                        self.segment(marker, len, out)?;
                    }
                }
                J::Collect {
                    marker,
                    buf,
                    got,
                    need,
                    rest,
                } => {
                    let n = (*need - *got).min(data.len());
                    buf[*got..*got + n].copy_from_slice(&data[..n]);
                    *got += n;
                    data = &data[n..];
                    if *got == *need {
                        let (marker, head, rest) = (*marker, *buf, *rest);
                        rebuild_header(marker, &head, out)?;
                        self.state = J::Skip(rest);
                        if rest == 0 {
                            self.state = J::Marker;
                        }
                    }
                }
                J::Pass(left) => {
                    let n = (*left).min(data.len());
                    out.write_all(&data[..n])?;
                    data = &data[n..];
                    *left -= n;
                    if *left == 0 {
                        self.state = next_after_segment(&mut self.then_scan);
                    }
                }
                J::Skip(left) => {
                    let n = (*left).min(data.len());
                    data = &data[n..];
                    *left -= n;
                    if *left == 0 {
                        self.state = next_after_segment(&mut self.then_scan);
                    }
                }
                J::Scan => match data.iter().position(|&b| b == 0xff) {
                    Some(i) => {
                        out.write_all(&data[..i])?;
                        data = &data[i + 1..];
                        self.state = J::ScanFf;
                    }
                    None => {
                        out.write_all(data)?;
                        return Ok(());
                    }
                },
            }
        }
        Ok(())
    }

    /// Acts on a marker code read after 0xFF.
    fn marker(&mut self, code: u8, in_scan: bool, out: &mut impl Write) -> Result<(), ScrubError> {
        self.state = match code {
            // Fill bytes before a marker.
            0xff => {
                if in_scan {
                    J::ScanFf
                } else {
                    J::MarkerCode
                }
            }
            // A stuffed 0xFF data byte, or a restart marker, within a scan.
            0x00 | 0xd0..=0xd7 if in_scan => {
                out.write_all(&[0xff, code])?;
                J::Scan
            }
            0x00 => J::Marker,
            0xd0..=0xd7 | 0x01 => {
                out.write_all(&[0xff, code])?;
                J::Marker
            }
            0xd8 => return Err(ScrubError::Malformed("the JPEG image starts twice")),
            0xd9 => {
                out.write_all(&[0xff, 0xd9])?;
                J::Done
            }
            marker => J::Length {
                marker,
                buf: [0; 2],
                got: 0,
            },
        };
        Ok(())
    }

    /// Decides what to do with a segment once its length is known.
    fn segment(&mut self, marker: u8, len: usize, out: &mut impl Write) -> Result<(), ScrubError> {
        if len < 2 {
            return Err(ScrubError::Malformed(
                "a JPEG segment has an impossible length",
            ));
        }
        let payload = len - 2;
        let head = match marker {
            0xe0 => 14,
            0xee => 12,
            _ => 0,
        };
        self.state = if jpeg_keeps(marker) {
            out.write_all(&[0xff, marker])?;
            out.write_all(&(len as u16).to_be_bytes())?;
            self.then_scan = marker == 0xda;
            J::Pass(payload)
        } else if head > 0 && payload >= head {
            J::Collect {
                marker,
                buf: [0; 14],
                got: 0,
                need: head,
                rest: payload - head,
            }
        } else {
            J::Skip(payload)
        };
        if payload == 0 {
            self.state = next_after_segment(&mut self.then_scan);
        }
        Ok(())
    }
}

/// What follows a segment: entropy-coded data after a start of scan, else the next marker.
fn next_after_segment(then_scan: &mut bool) -> J {
    if std::mem::take(then_scan) {
        J::Scan
    } else {
        J::Marker
    }
}

/// Writes back the fixed fields of a JFIF (APP0) or Adobe (APP14) header, which decoders need
/// for colour, without what may follow them (a JFIF thumbnail). Other APP0/APP14 are dropped.
fn rebuild_header(marker: u8, head: &[u8; 14], out: &mut impl Write) -> Result<(), ScrubError> {
    if marker == 0xe0 && head.starts_with(b"JFIF\0") {
        // Identifier, version, density units and densities; no thumbnail (0 × 0).
        out.write_all(&[0xff, 0xe0, 0x00, 0x10])?;
        out.write_all(&head[..12])?;
        out.write_all(&[0, 0])?;
    } else if marker == 0xee && head.starts_with(b"Adobe") {
        // Identifier, version, flags and the colour transform.
        out.write_all(&[0xff, 0xee, 0x00, 0x0e])?;
        out.write_all(&head[..12])?;
    }
    Ok(())
}

struct Png {
    state: P,
}

enum P {
    /// A chunk's length and type.
    Header {
        buf: [u8; 8],
        got: usize,
    },
    /// Data and CRC of a chunk that stays; `end` after IEND.
    Pass {
        left: u64,
        end: bool,
    },
    Skip(u64),
    Done,
}

impl Png {
    fn done(&self) -> bool {
        matches!(self.state, P::Done)
    }

    fn feed(&mut self, mut data: &[u8], out: &mut impl Write) -> Result<(), ScrubError> {
        while !data.is_empty() {
            match &mut self.state {
                P::Done => return Ok(()),
                P::Header { buf, got } => {
                    let n = (8 - *got).min(data.len());
                    buf[*got..*got + n].copy_from_slice(&data[..n]);
                    *got += n;
                    data = &data[n..];
                    if *got == 8 {
                        let header = *buf;
                        self.state = chunk(&header, out)?;
                    }
                }
                P::Pass { left, end } => {
                    let n = (*left).min(data.len() as u64) as usize;
                    out.write_all(&data[..n])?;
                    data = &data[n..];
                    *left -= n as u64;
                    if *left == 0 {
                        self.state = if *end { P::Done } else { header() };
                    }
                }
                P::Skip(left) => {
                    let n = (*left).min(data.len() as u64) as usize;
                    data = &data[n..];
                    *left -= n as u64;
                    if *left == 0 {
                        self.state = header();
                    }
                }
            }
        }
        Ok(())
    }
}

fn header() -> P {
    P::Header {
        buf: [0; 8],
        got: 0,
    }
}

/// Decides what to do with a PNG chunk from its length and type.
fn chunk(header: &[u8; 8], out: &mut impl Write) -> Result<P, ScrubError> {
    let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
    let kind: &[u8; 4] = header[4..].try_into().expect("four bytes");
    if len > 0x7fff_ffff || !kind.iter().all(u8::is_ascii_alphabetic) {
        return Err(ScrubError::Malformed("a PNG chunk is malformed"));
    }
    // Data, then a four-byte CRC.
    let body = u64::from(len) + 4;
    if PNG_KEEP.contains(&kind) {
        out.write_all(header)?;
        Ok(P::Pass {
            left: body,
            end: kind == b"IEND",
        })
    } else {
        Ok(P::Skip(body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut s = vec![0xff, marker];
        s.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        s.extend_from_slice(payload);
        s
    }

    /// A JPEG's structure (the codec never looks inside scans here).
    fn jpeg() -> Vec<u8> {
        let mut f = vec![0xff, 0xd8];
        let mut jfif = b"JFIF\0\x01\x02\x01\x00\x48\x00\x48".to_vec();
        jfif.extend_from_slice(&[2, 1]); // a 2 × 1 thumbnail…
        jfif.extend_from_slice(b"THUMBNAIL"); // …whose pixels must go
        f.extend(segment(0xe0, &jfif));
        f.extend(segment(0xe1, b"Exif\0\0GPS 52.37N 4.89E SECRET"));
        f.extend(segment(
            0xe1,
            b"http://ns.adobe.com/xap/1.0/\0<x:author>SECRET</x:author>",
        ));
        f.extend(segment(0xe2, b"ICC_PROFILE\0SECRET device"));
        f.extend(segment(0xed, b"Photoshop 3.0\0IPTC SECRET"));
        f.extend(segment(0xfe, b"comment SECRET"));
        f.extend(segment(0xee, b"Adobe\0\x64\0\0\0\0\x01"));
        f.extend(segment(0xdb, &[0u8; 65]));
        f.extend(segment(0xc0, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]));
        f.extend(segment(0xc4, &[0u8; 20]));
        f.extend(segment(0xda, &[1, 1, 0, 0, 0x3f, 0]));
        // Scan data with a stuffed 0xFF, a restart marker and fill bytes.
        f.extend_from_slice(&[0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56, 0xff, 0xff]);
        f.extend(segment(0xc4, &[1u8; 20]));
        f.extend(segment(0xda, &[1, 1, 0, 0, 0x3f, 0]));
        f.extend_from_slice(&[0x78, 0x9a]);
        f.extend_from_slice(&[0xff, 0xd9]);
        f.extend_from_slice(b"trailing SECRET");
        f
    }

    fn expected_jpeg() -> Vec<u8> {
        let mut f = vec![0xff, 0xd8];
        f.extend(segment(0xe0, b"JFIF\0\x01\x02\x01\x00\x48\x00\x48\0\0"));
        f.extend(segment(0xee, b"Adobe\0\x64\0\0\0\0\x01"));
        f.extend(segment(0xdb, &[0u8; 65]));
        f.extend(segment(0xc0, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]));
        f.extend(segment(0xc4, &[0u8; 20]));
        f.extend(segment(0xda, &[1, 1, 0, 0, 0x3f, 0]));
        f.extend_from_slice(&[0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56]);
        f.extend(segment(0xc4, &[1u8; 20]));
        f.extend(segment(0xda, &[1, 1, 0, 0, 0x3f, 0]));
        f.extend_from_slice(&[0x78, 0x9a, 0xff, 0xd9]);
        f
    }

    fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&[1, 2, 3, 4]); // CRC: passed through untouched
        c
    }

    fn png() -> (Vec<u8>, Vec<u8>) {
        let keep = [
            png_chunk(b"IHDR", &[0; 13]),
            png_chunk(b"gAMA", &[0, 0, 0xb1, 0x8f]),
            png_chunk(b"IDAT", &[7; 100]),
            png_chunk(b"IDAT", &[8; 3]),
            png_chunk(b"IEND", &[]),
        ];
        let drop = [
            png_chunk(b"tEXt", b"Author\0SECRET"),
            png_chunk(b"eXIf", b"MM\0*GPS SECRET"),
            png_chunk(b"iCCP", b"SECRET profile\0\0"),
            png_chunk(b"tIME", &[7, 0xe9, 1, 1, 0, 0, 0]),
            png_chunk(b"zzZz", b"SECRET"),
        ];
        let mut input = PNG_SIGNATURE.to_vec();
        input.extend(&keep[0]);
        input.extend(&drop[0]);
        input.extend(&drop[1]);
        input.extend(&keep[1]);
        input.extend(&drop[2]);
        input.extend(&keep[2]);
        input.extend(&drop[3]);
        input.extend(&keep[3]);
        input.extend(&drop[4]);
        input.extend(&keep[4]);
        input.extend_from_slice(b"after IEND SECRET");
        let mut expected = PNG_SIGNATURE.to_vec();
        keep.iter().for_each(|k| expected.extend(k));
        (input, expected)
    }

    /// Feeds `input` in pieces of `size` bytes.
    fn scrub(input: &[u8], size: usize) -> Result<(Vec<u8>, Outcome), ScrubError> {
        let mut s = Scrubber::new();
        let mut out = Vec::new();
        for piece in input.chunks(size) {
            s.write(piece, &mut out)?;
        }
        let outcome = s.finish(&mut out)?;
        Ok((out, outcome))
    }

    #[test]
    fn jpeg_keeps_the_picture_and_nothing_else_however_it_is_split() {
        let input = jpeg();
        for size in [1, 2, 3, 5, 7, 64, input.len()] {
            let (out, outcome) = scrub(&input, size).unwrap();
            assert_eq!(out, expected_jpeg(), "pieces of {size}");
            assert_eq!(outcome, Outcome::Cleaned(ImageKind::Jpeg));
        }
    }

    #[test]
    fn png_keeps_the_picture_and_nothing_else_however_it_is_split() {
        let (input, expected) = png();
        for size in [1, 3, 8, 13, 64, input.len()] {
            let (out, outcome) = scrub(&input, size).unwrap();
            assert_eq!(out, expected, "pieces of {size}");
            assert_eq!(outcome, Outcome::Cleaned(ImageKind::Png));
        }
    }

    #[test]
    fn other_files_pass_unchanged() {
        for input in [&b"%PDF-1.7 author SECRET"[..], b"", b"\xff", b"\x89PN"] {
            let (out, outcome) = scrub(input, 2).unwrap();
            assert_eq!(out, input);
            assert_eq!(outcome, Outcome::Kept);
        }
    }

    #[test]
    fn truncated_or_broken_images_are_refused() {
        let input = jpeg();
        assert!(scrub(&input[..input.len() / 2], 7).is_err());
        let (png, _) = png();
        assert!(scrub(&png[..png.len() - 30], 7).is_err());
        let mut bad = PNG_SIGNATURE.to_vec();
        bad.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, b'I', b'D', b'A', b'T']);
        assert!(scrub(&bad, 64).is_err());
        assert!(scrub(&[0xff, 0xd8, 0xff, 0xe1, 0x00, 0x01], 64).is_err());
    }
}
