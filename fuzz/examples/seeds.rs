//! Writes the seed corpora in `fuzz/corpus/`: small, realistic, valid inputs for each target.
//! Age files are made by sealbox's own sealing code (the reference `age` tool's are added by
//! `fuzz/make-seeds`, which runs this).
//!
//! Run `fuzz/make-seeds`. The output is deterministic except for the
//! age files and generated claim codes, which are random by nature.

use std::io::Write;
use std::path::Path;

use sealbox::crypto::{keys, seal, ClaimCode, KeyPair, SecretKey};
use sealbox_fuzz::Input;
use secrecy::{ExposeSecret, SecretString};

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";
const LANG: &str = "en-GB,en;q=0.9,de;q=0.5";

fn write(target: &str, name: &str, bytes: &[u8]) {
    let dir = Path::new("corpus").join(target);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn main() {
    claim_codes();
    forms();
    json();
    multipart();
    age_files();
    photos();
}

fn claim_codes() {
    let code = ClaimCode::generate();
    let shown = code.grouped().expose_secret().to_owned();
    write("claim_code", "grouped", shown.as_bytes());
    write(
        "claim_code",
        "typed-loosely",
        format!(" {} \n", shown.to_lowercase().replace('-', " ")).as_bytes(),
    );
    write("claim_code", "readme", b"7KQM-X2PD-9WZR-T4HC-8NFA");
    write("claim_code", "confusables", b"iiii-LLLL-oooo-0000-1111");
    write("claim_code", "too-short", b"7KQM-X2PD-9WZR-T4HC");
    write("claim_code", "bearer-lower", b"7kqm x2pd 9wzr t4hc 8nfa");
}

fn forms() {
    let seeds: &[(&str, u8, &str, &str)] = &[
        (
            "report",
            0,
            FORM,
            "channel=report&f_what=Invoices+are+backdated+at+quarter+end.&f_when=2025-09-30\
             &f_where=Accounts+payable&f_who=&f_how_known=I+saw+the+ledger\
             &identity_name=&identity_contact=&clean_metadata=on",
        ),
        (
            "report-identity",
            0,
            FORM,
            "channel=report&f_what=Safety+checks+skipped%0D%0Aon+line+3.&identity_name=Ana+Lima\
             &identity_contact=ana%40example.org",
        ),
        (
            "complaint",
            1,
            FORM,
            "channel=complaint&f_subject=Late+refund&f_description=Refund+promised+in+May.\
             &f_reference=ORD-1234&f_desired_resolution=Refund&contact_email=c%40example.org\
             &contact_consent=on",
        ),
        (
            "complaint-kinds",
            1,
            FORM,
            "channel=kinds&f_subject=Parcel&f_details=Left+outside.&f_area=Delivery\
             &f_when=2025-10-01&f_agree=on",
        ),
        ("signin", 2, FORM, "code=7KQM-X2PD-9WZR-T4HC-8NFA"),
        (
            "followup-message",
            3,
            FORM,
            "csrf=3q2-7Zk_abc&body=Here+is+more%3A+the+dates+changed.",
        ),
        ("rating", 4, FORM, "csrf=3q2-7Zk_abc&score=4&comment=Quick+answer"),
        (
            "identity",
            5,
            FORM,
            "csrf=3q2-7Zk_abc&identity_name=Ana+Lima&identity_contact=%2B55+11+5555-0100",
        ),
        (
            "officer-login",
            6,
            FORM,
            "email=ethics%40example.org&password=a+long+passphrase&totp=123456",
        ),
        ("status", 9, FORM, "csrf=x&status=closed&outcome=no_action&summary=Checked."),
        (
            "add-officer",
            14,
            FORM,
            "csrf=x&email=h%40example.org&name=Handler&password=pw&channels=report%2Ccomplaint&admin=on",
        ),
        ("export", 18, FORM, "csrf=x&recipient=age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"),
        ("report-page-query", 21, FORM, "channel=report&lang=pt-BR"),
        ("inbox-query", 23, FORM, "channel=report&status=received&overdue=1&after=1700000000.12"),
        ("statistics-query", 25, FORM, "months=6"),
        (
            "latin1",
            3,
            "application/x-www-form-urlencoded; charset=iso-8859-1",
            "csrf=x&body=Cr%E8me",
        ),
    ];
    for (name, mode, content_type, body) in seeds {
        write(
            "form",
            name,
            &Input::join(*mode, content_type, LANG, body.as_bytes()),
        );
    }
}

fn json() {
    let seeds: &[(&str, u8, &str)] = &[
        (
            "case-readme",
            0,
            r#"{"channel":"report","fields":{"what":"Invoices are backdated at quarter end."}}"#,
        ),
        (
            "case-complaint",
            0,
            r#"{"channel":"complaint","fields":{"subject":"Late refund","description":"Promised in May.","reference":"ORD-1234"},"contact":{"email":"c@example.org","consent":true}}"#,
        ),
        (
            "case-kinds",
            1,
            r#"{"channel":"kinds","fields":{"subject":"Parcel","area":"Delivery","when":"2025-10-01","agree":true},"exclude_officers":["0f3c9a"],"identity":{"name":"Ana","contact":"ana@example.org"}}"#,
        ),
        (
            "message",
            2,
            r#"{"body":"Here is more: the dates changed."}"#,
        ),
        ("rating", 3, r#"{"score":4,"comment":"Quick answer"}"#),
        (
            "identity",
            4,
            r#"{"name":"Ana Lima","contact":"+55 11 5555-0100"}"#,
        ),
        (
            "login",
            5,
            r#"{"email":"ethics@example.org","password":"a long passphrase","totp":"287 082"}"#,
        ),
        (
            "status",
            6,
            r#"{"status":"closed","outcome":"substantiated","summary":"Confirmed."}"#,
        ),
        ("note", 7, r#"{"body":"Called the supplier."}"#),
        ("assign", 8, r#"{"officer_id":null}"#),
        (
            "export",
            9,
            r#"{"recipient":"age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"}"#,
        ),
        (
            "disclosure",
            10,
            r#"{"reason":"Needed to interview the reporter."}"#,
        ),
        ("decision", 11, r#"{"decision":"approve"}"#),
    ];
    for (name, mode, body) in seeds {
        write(
            "api_json",
            name,
            &Input::join(*mode, JSON, LANG, body.as_bytes()),
        );
    }
}

/// A part of a multipart body: name, file name, content type, bytes.
type Part<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a [u8]);

/// A multipart body of these parts.
fn body(boundary: &str, parts: &[Part]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, filename, content_type, bytes) in parts {
        write!(
            out,
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\""
        )
        .unwrap();
        if let Some(f) = filename {
            write!(out, "; filename=\"{f}\"").unwrap();
        }
        out.extend_from_slice(b"\r\n");
        if let Some(t) = content_type {
            write!(out, "Content-Type: {t}\r\n").unwrap();
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(bytes);
        out.extend_from_slice(b"\r\n");
    }
    write!(out, "--{boundary}--\r\n").unwrap();
    out
}

fn multipart() {
    let curl = "------------------------d74496d66958873e";
    let webkit = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
    let ct = |b: &str| format!("multipart/form-data; boundary={b}");
    let jpeg = tiny_jpeg();
    let png = tiny_png();
    let seeds: Vec<(&str, u8, String, Vec<u8>)> = vec![
        (
            "api-case-file",
            0,
            ct(curl),
            body(
                curl,
                &[
                    (
                        "case",
                        None,
                        None,
                        br#"{"channel":"report","fields":{"what":"See the ledger."}}"#,
                    ),
                    ("clean_metadata", None, None, b"true"),
                    (
                        "file",
                        Some("ledger.txt"),
                        Some("text/plain"),
                        b"Q3 invoices dated 30 Sep, paid 14 Oct.\n",
                    ),
                ],
            ),
        ),
        (
            "api-case-photo",
            0,
            ct(curl),
            body(
                curl,
                &[
                    (
                        "case",
                        None,
                        None,
                        br#"{"channel":"kinds","fields":{"subject":"Damaged parcel"}}"#,
                    ),
                    ("clean_metadata", None, None, b"true"),
                    ("file", Some("IMG_0042.JPG"), Some("image/jpeg"), &jpeg),
                ],
            ),
        ),
        (
            "report-page",
            1,
            ct(webkit),
            body(
                webkit,
                &[
                    ("channel", None, None, b"report"),
                    (
                        "f_what",
                        None,
                        None,
                        b"Invoices are backdated.\r\nEvery quarter.",
                    ),
                    ("f_when", None, None, b"2025-09-30"),
                    ("identity_name", None, None, b""),
                    ("clean_metadata", None, None, b"on"),
                    ("file", Some("scan.png"), Some("image/png"), &png),
                ],
            ),
        ),
        (
            "complaint-page-no-file",
            2,
            ct(webkit),
            body(
                webkit,
                &[
                    ("channel", None, None, b"complaint"),
                    ("f_subject", None, None, b"Late refund"),
                    ("f_description", None, None, b"Promised in May."),
                    ("contact_email", None, None, b"c@example.org"),
                    ("contact_consent", None, None, b"on"),
                    ("file", Some(""), Some("application/octet-stream"), b""),
                ],
            ),
        ),
        (
            "page-post",
            3,
            ct(webkit),
            body(
                webkit,
                &[
                    ("csrf", None, None, b"fuzz-csrf-token"),
                    ("body", None, None, b"Two more files."),
                    ("clean_metadata", None, None, b"on"),
                    (
                        "file",
                        Some("C:\\Users\\me\\notes.txt"),
                        Some("text/plain; charset=utf-8"),
                        b"notes\n",
                    ),
                    ("file", Some("photo.png"), Some("image/png"), &png),
                ],
            ),
        ),
        (
            "api-followup-files",
            4,
            ct(curl),
            body(
                curl,
                &[
                    ("clean_metadata", None, None, b"true"),
                    (
                        "file",
                        Some("r\u{e9}sum\u{e9}.pdf"),
                        Some("application/pdf"),
                        b"%PDF-1.4\n%%EOF\n",
                    ),
                    ("body", None, None, b"The statement is attached."),
                ],
            ),
        ),
    ];
    for (name, mode, content_type, bytes) in seeds {
        write(
            "multipart",
            name,
            &Input::join(mode, &content_type, LANG, &bytes),
        );
    }
    // A file name in RFC 5987 form, as some clients send it.
    let mut rfc5987 = Vec::new();
    write!(
        rfc5987,
        "--{curl}\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''na%C3%AFve.txt\r\n\r\nhello\r\n--{curl}--\r\n"
    )
    .unwrap();
    write(
        "multipart",
        "filename-star",
        &Input::join(4, &ct(curl), "", &rfc5987),
    );
}

/// The key every age seed is sealed to, as `fuzz_targets/age_open.rs` has it.
fn identity() -> SecretKey {
    SecretKey::from_bytes(&[0x42; 32]).unwrap()
}

fn age_files() {
    let key = identity();
    let public = key.public();
    println!("age_open seeds are sealed to {public}");
    let with = |mode: u8, bytes: &[u8]| {
        let mut out = vec![mode];
        out.extend_from_slice(bytes);
        out
    };
    let doc = br#"{"channel":"report","fields":{"what":"Invoices are backdated."},"exclude_officers":[],"contact":null}"#;
    let other = KeyPair::generate();
    write(
        "age_open",
        "document",
        &with(0, &seal::seal_padded(doc, &[&public]).unwrap()),
    );
    write(
        "age_open",
        "document-two-recipients",
        &with(
            0,
            &seal::seal_padded(b"{\"body\":\"hi\"}", &[&other.public, &public]).unwrap(),
        ),
    );
    let case_key = KeyPair::generate();
    write(
        "age_open",
        "grant",
        &with(1, &keys::grant(&case_key.secret, &public).unwrap()),
    );
    let mut stream = seal::seal_stream(Vec::new(), &public).unwrap();
    stream
        .write_all(b"%PDF-1.4\nan attachment\n%%EOF\n")
        .unwrap();
    write("age_open", "stream", &with(2, &stream.finish().unwrap()));
    let empty = seal::seal_stream(Vec::new(), &public).unwrap();
    write(
        "age_open",
        "stream-empty",
        &with(2, &empty.finish().unwrap()),
    );
    // An officer key as `keys::seal_officer_key` writes it, at a work factor the fuzzer can
    // afford (sealbox uses N = 2^16).
    let password = SecretString::from("correct horse battery staple".to_owned());
    let mut to = age::scrypt::Recipient::new(password);
    to.set_work_factor(4);
    let body = format!("{}\n", other.secret.to_secret_string().expose_secret());
    write(
        "officer_key",
        "officer-key",
        &seal::seal_raw(body.as_bytes(), &[&to]).unwrap(),
    );
    to.set_work_factor(10);
    write(
        "officer_key",
        "officer-key-n1024",
        &seal::seal_raw(body.as_bytes(), &[&to]).unwrap(),
    );
    let mut other_password =
        age::scrypt::Recipient::new(SecretString::from("incorrect horse".to_owned()));
    other_password.set_work_factor(4);
    write(
        "officer_key",
        "officer-key-other-password",
        &seal::seal_raw(body.as_bytes(), &[&other_password]).unwrap(),
    );
    write(
        "age_open",
        "identity-file",
        &with(
            3,
            format!(
                "# created: 2025-11-24\n# public key: {public}\n{}\n",
                key.to_secret_string().expose_secret()
            )
            .as_bytes(),
        ),
    );
    write("age_open", "recipient", &with(3, public.as_bytes()));
}

/// A 16 × 16 JPEG with EXIF, XMP and a comment, as a phone might send it.
fn tiny_jpeg() -> Vec<u8> {
    let pixels: Vec<u8> = (0..16u32 * 16)
        .flat_map(|i| [(i * 3) as u8, (i * 7) as u8, 128])
        .collect();
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 50);
    encoder
        .add_app_segment(1, b"Exif\0\0MM\0\x2a\0\0\0\x08\0\0\0\0\0\0".to_vec())
        .unwrap();
    encoder
        .add_app_segment(1, b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>".to_vec())
        .unwrap();
    encoder
        .encode(&pixels, 16, 16, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    let comment = b"taken by Ana";
    let mut com = vec![0xff, 0xfe];
    com.extend(((comment.len() + 2) as u16).to_be_bytes());
    com.extend(comment);
    out.splice(2..2, com);
    out
}

/// A 16 × 16 PNG with a text chunk and a capture time.
fn tiny_png() -> Vec<u8> {
    let pixels: Vec<u8> = (0..16u32 * 16)
        .flat_map(|i| [(i * 5) as u8, 64, 200])
        .collect();
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, 16, 16);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder
            .add_text_chunk("Author".into(), "Ana Lima".into())
            .unwrap();
        let mut writer = encoder.write_header().unwrap();
        writer
            .write_chunk(png::chunk::tIME, &[0x07, 0xe9, 11, 24, 9, 30, 0])
            .unwrap();
        writer.write_image_data(&pixels).unwrap();
    }
    out
}

fn photos() {
    let with = |size: u8, bytes: &[u8]| {
        let mut out = vec![size];
        out.extend_from_slice(bytes);
        out
    };
    let jpeg = tiny_jpeg();
    let png = tiny_png();
    write("scrub", "jpeg", &with(0, &jpeg));
    write("scrub", "jpeg-pieces-of-7", &with(6, &jpeg));
    write("scrub", "png", &with(0, &png));
    write("scrub", "png-pieces-of-13", &with(12, &png));
    write("scrub", "pdf", &with(3, b"%PDF-1.4\n%%EOF\n"));
}
