//! HTTPS served directly (`[tls] cert` and `key`, PEM): rustls with the certificate read from
//! the files at start and again on SIGHUP, so a renewed certificate serves new connections
//! without a restart and without dropping the open ones. Files that cannot be used stop the
//! start with a message naming the file; nothing falls back to plain HTTP.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use rustls::crypto::CryptoProvider;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("[tls] cert {}: no PEM certificate can be read from it", path.display())]
    Certificate {
        path: PathBuf,
        #[source]
        source: rustls_pki_types::pem::Error,
    },
    #[error("[tls] key {}: no PEM private key (PKCS#8, PKCS#1 or SEC1) can be read from it", path.display())]
    Key {
        path: PathBuf,
        #[source]
        source: rustls_pki_types::pem::Error,
    },
    #[error("[tls] key {} does not fit the certificate in {}", key.display(), cert.display())]
    Mismatch {
        cert: PathBuf,
        key: PathBuf,
        #[source]
        source: rustls::Error,
    },
    #[error("[tls] cannot be set up")]
    Config(#[source] rustls::Error),
}

impl TlsError {
    /// As an I/O error for the start-up path, the whole cause chain in its message.
    pub fn into_io(self) -> std::io::Error {
        let mut message = self.to_string();
        let mut source = std::error::Error::source(&self);
        while let Some(cause) = source {
            message.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        std::io::Error::other(message)
    }
}

/// The certificate in use, and where it is read from.
#[derive(Debug)]
pub struct Certificate {
    cert: PathBuf,
    key: PathBuf,
    provider: Arc<CryptoProvider>,
    current: RwLock<Arc<CertifiedKey>>,
}

impl Certificate {
    /// Reads the certificate chain and its key.
    pub fn load(cert: &Path, key: &Path) -> Result<Arc<Self>, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let current = read(cert, key, &provider)?;
        Ok(Arc::new(Certificate {
            cert: cert.to_owned(),
            key: key.to_owned(),
            provider,
            current: RwLock::new(current),
        }))
    }

    /// Reads the files again; on an error the certificate in use stays.
    pub fn reload(&self) -> Result<(), TlsError> {
        let fresh = read(&self.cert, &self.key, &self.provider)?;
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = fresh;
        Ok(())
    }

    /// A server configuration that asks this certificate for every handshake (TLS 1.2 and
    /// 1.3, HTTP/1.1).
    pub fn server_config(self: &Arc<Self>) -> Result<ServerConfig, TlsError> {
        let mut config = ServerConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(TlsError::Config)?
            .with_no_client_auth()
            .with_cert_resolver(self.clone());
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(config)
    }
}

impl ResolvesServerCert for Certificate {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(
            self.current
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
        )
    }
}

fn read(cert: &Path, key: &Path, provider: &CryptoProvider) -> Result<Arc<CertifiedKey>, TlsError> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .and_then(|chain| {
            if chain.is_empty() {
                Err(rustls_pki_types::pem::Error::NoItemsFound)
            } else {
                Ok(chain)
            }
        })
        .map_err(|source| TlsError::Certificate {
            path: cert.to_owned(),
            source,
        })?;
    let private = PrivateKeyDer::from_pem_file(key).map_err(|source| TlsError::Key {
        path: key.to_owned(),
        source,
    })?;
    let certified =
        CertifiedKey::from_der(chain, private, provider).map_err(|source| TlsError::Mismatch {
            cert: cert.to_owned(),
            key: key.to_owned(),
            source,
        })?;
    Ok(Arc::new(certified))
}

/// Reloads the certificate (if any) whenever the process gets SIGHUP (what `systemctl reload`
/// and certbot's deploy hooks send). Without TLS the signal is only logged: it must not end the
/// process, as its default action would.
pub fn reload_on_hangup(certificate: Option<Arc<Certificate>>) -> std::io::Result<()> {
    let mut hangups = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    actix_web::rt::spawn(async move {
        while hangups.recv().await.is_some() {
            match certificate.as_deref().map(Certificate::reload) {
                Some(Ok(())) => tracing::info!("TLS certificate reloaded"),
                Some(Err(e)) => tracing::error!(
                    error = %e.into_io(),
                    "TLS certificate not reloaded; the one in use stays"
                ),
                None => tracing::info!("SIGHUP: nothing to reload without [tls]"),
            }
        }
    });
    Ok(())
}
