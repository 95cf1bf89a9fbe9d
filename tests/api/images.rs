//! Photos with hidden metadata, made here (nothing downloaded): a JPEG with EXIF (camera and
//! GPS position), XMP and a comment, and a PNG with text chunks, EXIF and a capture time.

/// A 32 × 24 gradient, RGB.
pub fn pixels() -> Vec<u8> {
    (0..24u32)
        .flat_map(|y| (0..32u32).flat_map(move |x| [(x * 8) as u8, (y * 10) as u8, 128]))
        .collect()
}

/// An EXIF block (big-endian TIFF) naming the camera `make` and a GPS position.
pub fn exif(make: &str) -> Vec<u8> {
    let mut make = make.as_bytes().to_vec();
    make.push(0);
    if make.len() % 2 == 1 {
        make.push(0);
    }
    let ifd0 = 8u32;
    let make_at = ifd0 + 2 + 2 * 12 + 4;
    let gps_at = make_at + make.len() as u32;
    let lat_at = gps_at + 2 + 4 * 12 + 4;
    let lon_at = lat_at + 24;
    let mut t = b"MM\x00\x2a".to_vec();
    t.extend(ifd0.to_be_bytes());
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        t.extend(tag.to_be_bytes());
        t.extend(kind.to_be_bytes());
        t.extend(count.to_be_bytes());
        t.extend(value);
    };
    t.extend(2u16.to_be_bytes());
    entry(&mut t, 0x010f, 2, make.len() as u32, make_at.to_be_bytes()); // Make
    entry(&mut t, 0x8825, 4, 1, gps_at.to_be_bytes()); // GPS IFD
    t.extend(0u32.to_be_bytes());
    t.extend(&make);
    t.extend(4u16.to_be_bytes());
    entry(&mut t, 0x0001, 2, 2, *b"N\0\0\0"); // GPSLatitudeRef
    entry(&mut t, 0x0002, 5, 3, lat_at.to_be_bytes()); // GPSLatitude
    entry(&mut t, 0x0003, 2, 2, *b"E\0\0\0"); // GPSLongitudeRef
    entry(&mut t, 0x0004, 5, 3, lon_at.to_be_bytes()); // GPSLongitude
    t.extend(0u32.to_be_bytes());
    for (num, den) in [(52, 1), (22, 1), (1234, 100), (4, 1), (53, 1), (4321, 100)] {
        t.extend((num as u32).to_be_bytes());
        t.extend((den as u32).to_be_bytes());
    }
    t
}

/// A JPEG of [`pixels`] carrying `secret` in its EXIF camera name, its XMP and a comment.
pub fn jpeg(secret: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(exif(secret));
    encoder.add_app_segment(1, app1).unwrap();
    let xmp = format!(
        "http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><dc:creator>{secret}</dc:creator></x:xmpmeta>"
    );
    encoder.add_app_segment(1, xmp.into_bytes()).unwrap();
    encoder
        .encode(&pixels(), 32, 24, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    // A comment segment right after SOI.
    let comment = format!("taken by {secret}");
    let mut com = vec![0xff, 0xfe];
    com.extend(((comment.len() + 2) as u16).to_be_bytes());
    com.extend(comment.as_bytes());
    out.splice(2..2, com);
    out
}

/// A PNG of [`pixels`] carrying `secret` in a text chunk and in EXIF, with a capture time.
pub fn png(secret: &str) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, 32, 24);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder
            .add_text_chunk("Author".into(), secret.into())
            .unwrap();
        let mut writer = encoder.write_header().unwrap();
        writer.write_chunk(png::chunk::eXIf, &exif(secret)).unwrap();
        writer
            .write_chunk(png::chunk::tIME, &[0x07, 0xea, 11, 24, 9, 30, 0])
            .unwrap();
        writer.write_image_data(&pixels()).unwrap();
    }
    out
}

pub fn decode_jpeg(bytes: &[u8]) -> Vec<u8> {
    jpeg_decoder::Decoder::new(bytes)
        .decode()
        .expect("a JPEG that decodes")
}

pub fn decode_png(bytes: &[u8]) -> Vec<u8> {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .expect("a PNG that decodes");
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    buf
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Real encoder output (baseline and progressive, restart intervals, 4:4:4 and 4:2:0) with
/// EXIF, an ICC profile and IPTC, cleaned in pieces of every size, decodes to the same pixels
/// and keeps none of the metadata.
#[test]
fn cleaned_encoder_output_decodes_to_the_same_pixels() {
    use jpeg_encoder::{ColorType, Encoder, SamplingFactor};
    use sealbox::cases::scrub::Scrubber;
    let (w, h) = (173u16, 91u16);
    let px: Vec<u8> = (0..h as u32)
        .flat_map(|y| {
            (0..w as u32)
                .flat_map(move |x| [((x * 7) ^ (y * 3)) as u8, (y * 11) as u8, (x * y) as u8])
        })
        .collect();
    for progressive in [false, true] {
        for restart in [0u16, 1, 3] {
            for sampling in [SamplingFactor::R_4_4_4, SamplingFactor::R_4_2_0] {
                let mut out = Vec::new();
                let mut e = Encoder::new(&mut out, 90);
                e.set_progressive(progressive);
                e.set_restart_interval(restart);
                e.set_sampling_factor(sampling);
                let mut app1 = b"Exif\0\0".to_vec();
                app1.extend(exif("SECRETCAM"));
                e.add_app_segment(1, app1).unwrap();
                e.add_icc_profile(b"SECRET icc profile").unwrap();
                e.add_app_segment(13, b"Photoshop 3.0\0SECRET".to_vec())
                    .unwrap();
                e.encode(&px, w, h, ColorType::Rgb).unwrap();
                let want = decode_jpeg(&out);
                for piece in [1usize, 2, 5, 4096, out.len()] {
                    let mut s = Scrubber::new();
                    let mut clean = Vec::new();
                    for c in out.chunks(piece) {
                        s.write(c, &mut clean).unwrap();
                    }
                    s.finish(&mut clean).unwrap();
                    assert!(!contains(&clean, b"SECRET"));
                    assert_eq!(
                        decode_jpeg(&clean),
                        want,
                        "p={progressive} r={restart} piece={piece}"
                    );
                }
            }
        }
    }
}
