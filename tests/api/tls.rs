//! HTTPS served directly: `[tls] cert` and `key`, reloaded on SIGHUP without dropping open
//! connections, HSTS on every answer, and unusable files stopping the start with their name.

use std::path::Path;
use std::time::Duration;

use reqwest::blocking::Client;

use crate::helpers::*;

/// A self-signed certificate for `localhost` and 127.0.0.1, as PEM (certificate, key).
fn self_signed() -> (String, String) {
    let key = rcgen::KeyPair::generate().unwrap();
    let params =
        rcgen::CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), key.serialize_pem())
}

fn write_pair(dir: &Path, (cert, key): &(String, String)) {
    std::fs::write(dir.join("cert.pem"), cert).unwrap();
    std::fs::write(dir.join("key.pem"), key).unwrap();
}

fn tls_config(dir: &Path) -> String {
    format!(
        "[tls]\ncert = {:?}\nkey = {:?}\n",
        dir.join("cert.pem").display(),
        dir.join("key.pem").display()
    )
}

/// A client that trusts exactly `cert_pem` and reports the certificate it was shown.
fn trusting(cert_pem: &str) -> Client {
    Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
        .tls_info(true)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// The DER certificate the server showed for this response.
fn shown(res: &reqwest::blocking::Response) -> Vec<u8> {
    res.extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|info| info.peer_certificate())
        .expect("a TLS connection")
        .to_vec()
}

fn der(pem: &str) -> Vec<u8> {
    use rustls_pki_types::pem::PemObject;
    rustls_pki_types::CertificateDer::from_pem_slice(pem.as_bytes())
        .unwrap()
        .to_vec()
}

#[test]
fn https_is_served_with_hsts_and_a_new_certificate_is_taken_on_sighup() {
    let certs = tempfile::tempdir().unwrap();
    let first = self_signed();
    write_pair(certs.path(), &first);
    let app = spawn_app_with(&tls_config(certs.path()));
    assert!(app.base.starts_with("https://127.0.0.1:"), "{}", app.base);

    // Plain HTTP gets no page.
    let plain = app.base.replacen("https://", "http://", 1);
    let refused = client().get(format!("{plain}/report")).send();
    assert!(refused.is_err() || !refused.unwrap().status().is_success());

    let old_client = trusting(&first.0);
    let res = old_client.get(app.url("/report")).send().unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(shown(&res), der(&first.0));
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    assert!(res.text().unwrap().contains("<form"));

    // A renewed certificate: new files, then SIGHUP.
    let second = self_signed();
    write_pair(certs.path(), &second);
    // SAFETY: kill has no memory-safety preconditions; the pid is our child's.
    assert_eq!(unsafe { libc::kill(app.pid() as i32, libc::SIGHUP) }, 0);
    // The connection opened before the reload is still served, with the old certificate.
    let res = old_client.get(app.url("/healthz")).send().unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(shown(&res), der(&first.0));
    // New connections get the new one.
    let new_client = trusting(&second.0);
    wait_for_ok("the renewed certificate", || {
        new_client
            .get(app.url("/healthz"))
            .send()
            .is_ok_and(|r| shown(&r) == der(&second.0))
    });

    // Broken files at the next SIGHUP: the certificate in use stays.
    std::fs::write(certs.path().join("cert.pem"), "not a certificate").unwrap();
    assert_eq!(unsafe { libc::kill(app.pid() as i32, libc::SIGHUP) }, 0);
    wait_for_ok("the refused reload in the log", || {
        app.logs().contains("TLS certificate not reloaded")
    });
    let res = trusting(&second.0).get(app.url("/healthz")).send().unwrap();
    assert_eq!(shown(&res), der(&second.0));
}

fn wait_for_ok(what: &str, mut done: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(start.elapsed() < Duration::from_secs(30), "no {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn unusable_tls_files_stop_the_start_naming_the_file() {
    let certs = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed();
    let (_, other_key) = self_signed();
    let dir = certs.path();
    let cases: [(&str, &str, &str); 3] = [
        ("garbage", &key, "cert.pem"),
        (
            &cert,
            "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n",
            "key.pem",
        ),
        (&cert, &other_key, "does not fit"),
    ];
    for (cert_text, key_text, named) in cases {
        std::fs::write(dir.join("cert.pem"), cert_text).unwrap();
        std::fs::write(dir.join("key.pem"), key_text).unwrap();
        let app = unstarted_app(&format!(
            "recovery_recipient = \"{}\"\n{}",
            sealbox::crypto::KeyPair::generate().public,
            tls_config(dir)
        ));
        let out = app.cli_with_stdin(&["serve"], "");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{stderr}");
        assert!(stderr.contains(named), "{named}: {stderr}");
        assert!(!stderr.contains("listening on"), "{stderr}");
    }

    // Half a pair is refused too.
    let app = unstarted_app(&format!(
        "[tls]\ncert = {:?}\n",
        dir.join("cert.pem").display()
    ));
    let out = app.cli_with_stdin(&["serve"], "");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("tls.cert and tls.key go together"));
}
