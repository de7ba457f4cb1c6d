//! TLS for the fake servers: a certificate no client trusts, and one for
//! 127.0.0.1 signed by a test CA that a reporter trusts through its test
//! seam only.

use std::io::Read;
use std::net::TcpStream;
use std::sync::{Arc, OnceLock};

/// The test CA that signed `loopback-cert.pem` (for 127.0.0.1).
pub const TEST_CA: &[u8] = include_bytes!("../fixtures/test-ca.pem");

/// Speaks TLS on `stream` with a self-signed certificate; fails, as the
/// client rejects the certificate.
pub fn untrusted_tls(stream: TcpStream) -> std::io::Result<()> {
    let mut tls = rustls::StreamOwned::new(
        rustls::ServerConnection::new(untrusted_tls_config()).map_err(std::io::Error::other)?,
        stream,
    );
    let mut buf = [0u8; 1024];
    tls.read(&mut buf).map(drop)
}

/// The receiver's TLS config: `loopback-cert.pem`, signed by [`TEST_CA`].
pub fn trusted_tls_config() -> Arc<rustls::ServerConfig> {
    static CONFIG: OnceLock<Arc<rustls::ServerConfig>> = OnceLock::new();
    Arc::clone(CONFIG.get_or_init(|| {
        server_config(
            include_bytes!("../fixtures/loopback-cert.pem"),
            include_bytes!("../fixtures/loopback-key.pem"),
        )
    }))
}

/// The self-signed certificate no client trusts.
fn untrusted_tls_config() -> Arc<rustls::ServerConfig> {
    static CONFIG: OnceLock<Arc<rustls::ServerConfig>> = OnceLock::new();
    Arc::clone(CONFIG.get_or_init(|| {
        server_config(
            include_bytes!("../fixtures/untrusted-cert.pem"),
            include_bytes!("../fixtures/untrusted-key.pem"),
        )
    }))
}

/// A TLS server config with one certificate and its key, both PEM.
fn server_config(cert: &[u8], key: &[u8]) -> Arc<rustls::ServerConfig> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let cert = CertificateDer::from_pem_slice(cert).unwrap();
    let key = PrivateKeyDer::from_pem_slice(key).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .unwrap();
    Arc::new(config)
}
