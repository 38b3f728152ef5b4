//! Certificates for the suite's TLS peers, made with the `openssl` command
//! per test: a certificate authority and server certificates it signs for
//! `localhost` and `127.0.0.1`, so a client can verify them as it would a
//! real installation's.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A throw-away certificate authority in a directory of its own.
pub struct TestCa {
    dir: PathBuf,
    /// The authority's certificate (PEM), what a client trusts.
    pub cert: PathBuf,
    key: PathBuf,
}

/// A server certificate and its key (PEM).
pub struct ServerCert {
    /// The certificate.
    pub cert: PathBuf,
    /// Its private key.
    pub key: PathBuf,
}

/// Runs `openssl` with `args` split at spaces (the paths are a temporary
/// directory's, without spaces).
fn openssl(dir: &Path, args: &str) {
    let out = Command::new("openssl")
        .args(args.split_whitespace())
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("openssl: {e}"));
    assert!(
        out.status.success(),
        "openssl {args}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl TestCa {
    /// A new authority named `name` in `dir`.
    pub fn new(dir: &Path, name: &str) -> Self {
        let cert = dir.join(format!("{name}.pem"));
        let key = dir.join(format!("{name}.key"));
        openssl(
            dir,
            &format!(
                "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
                 -subj /CN={name} -addext basicConstraints=critical,CA:TRUE \
                 -addext keyUsage=critical,keyCertSign,cRLSign -keyout {} -out {}",
                key.display(),
                cert.display()
            ),
        );
        Self {
            dir: dir.to_owned(),
            cert,
            key,
        }
    }

    /// A certificate for `localhost` and `127.0.0.1` signed by this authority.
    pub fn issue(&self, name: &str) -> ServerCert {
        let key = self.dir.join(format!("{name}.key"));
        let csr = self.dir.join(format!("{name}.csr"));
        let cert = self.dir.join(format!("{name}.pem"));
        let ext = self.dir.join(format!("{name}.ext"));
        std::fs::write(
            &ext,
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap_or_else(|e| panic!("{}: {e}", ext.display()));
        openssl(
            &self.dir,
            &format!(
                "req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost \
                 -keyout {} -out {}",
                key.display(),
                csr.display()
            ),
        );
        openssl(
            &self.dir,
            &format!(
                "x509 -req -days 2 -in {} -CA {} -CAkey {} -CAcreateserial -extfile {} -out {}",
                csr.display(),
                self.cert.display(),
                self.key.display(),
                ext.display(),
                cert.display()
            ),
        );
        ServerCert { cert, key }
    }
}
