//! How the MQTT session trusts its broker: the system's roots, a CA file
//! (a broker with its own certificate authority, as an installation's
//! mosquitto has), or nothing at all (`tls_insecure`, what ArPI always did:
//! its broker's certificate is self-signed). Insecure still encrypts and
//! still checks the handshake's signatures; it accepts any certificate.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

/// What vouches for the broker's certificate.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Trust {
    /// The system's roots.
    #[default]
    System,
    /// The certificates in this PEM file (and no others).
    CaFile(PathBuf),
    /// Any certificate.
    Insecure,
}

/// Why TLS cannot be set up; the session waits for a new configuration.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The CA file cannot be read.
    #[error("CA file {path}: {source}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The CA file holds no certificate.
    #[error("CA file {0}: no certificate in it")]
    NoCertificate(PathBuf),
    /// rustls refused the setup.
    #[error("TLS: {0}")]
    Rustls(#[from] rustls::Error),
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The client configuration for `trust`.
pub fn client_config(trust: &Trust) -> Result<Arc<ClientConfig>, TlsError> {
    let builder =
        ClientConfig::builder_with_provider(provider()).with_safe_default_protocol_versions()?;
    let config = match trust {
        Trust::System => {
            let mut roots = RootCertStore::empty();
            // Unreadable system certificates leave fewer roots, not a failure:
            // the handshake then says which certificate it could not verify.
            roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        Trust::CaFile(path) => {
            let pem = std::fs::read(path).map_err(|source| TlsError::Unreadable {
                path: path.clone(),
                source,
            })?;
            let mut roots = RootCertStore::empty();
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
                .filter_map(Result::ok)
                .collect();
            let (added, _) = roots.add_parsable_certificates(certs);
            if added == 0 {
                return Err(TlsError::NoCertificate(path.clone()));
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        Trust::Insecure => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider())))
            .with_no_client_auth(),
    };
    Ok(Arc::new(config))
}

/// Accepts every certificate; verifies the signatures made with it.
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ca_file_without_a_certificate_is_refused_with_its_name() {
        let dir = std::env::temp_dir().join(format!("argus-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("ca.pem");
        std::fs::write(&file, "not a certificate").unwrap();
        let err = client_config(&Trust::CaFile(file.clone())).unwrap_err();
        assert!(err.to_string().contains("no certificate"), "{err}");
        let missing = client_config(&Trust::CaFile(dir.join("missing.pem"))).unwrap_err();
        assert!(missing.to_string().contains("missing.pem"), "{missing}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn system_roots_and_insecure_configurations_build() {
        assert!(client_config(&Trust::System).is_ok());
        assert!(client_config(&Trust::Insecure).is_ok());
    }
}
