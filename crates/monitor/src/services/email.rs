//! E-mail through the configured SMTP server (`notifications/smtp`) with
//! lettre: STARTTLS required, except to a relay on this machine; login when a
//! user name is set. Runs on the blocking pool with a timeout; passwords,
//! addresses and bodies are never logged.

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use serde::Deserialize;
use std::time::Duration;

/// ArPI's sender address, used when the login is not an address itself.
pub const DEFAULT_SENDER: &str = "alert@arpi-security.info";

/// `notifications/smtp` (contract §6).
#[derive(Clone, Default, Deserialize)]
pub struct SmtpOption {
    /// Whether e-mail notifications are on.
    pub enabled: bool,
    /// Server host.
    pub smtp_hostname: Option<String>,
    /// Server port (587 when unset).
    pub smtp_port: Option<u16>,
    /// Login.
    pub smtp_username: Option<String>,
    /// Password.
    pub smtp_password: Option<String>,
    /// First recipient.
    pub email_address_1: Option<String>,
    /// Second recipient.
    pub email_address_2: Option<String>,
}

impl std::fmt::Debug for SmtpOption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpOption")
            .field("enabled", &self.enabled)
            .field("smtp_hostname", &self.smtp_hostname)
            .finish_non_exhaustive()
    }
}

/// Sending failed.
#[derive(Debug, thiserror::Error)]
pub enum EmailError {
    /// No server configured.
    #[error("no SMTP server is configured")]
    NoServer,
    /// An address does not parse.
    #[error("invalid e-mail address")]
    Address,
    /// The message could not be built.
    #[error("cannot build the message: {0}")]
    Build(String),
    /// The server refused or could not be reached.
    #[error("SMTP: {0}")]
    Smtp(String),
}

fn is_local(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "::1") || host.starts_with("127.")
}

/// Sends one message (blocking).
pub fn send(option: &SmtpOption, to: &str, subject: &str, body: &str) -> Result<(), EmailError> {
    let host = option
        .smtp_hostname
        .as_deref()
        .filter(|h| !h.trim().is_empty())
        .ok_or(EmailError::NoServer)?
        .trim();
    let port = option.smtp_port.unwrap_or(587);
    let login = option.smtp_username.as_deref().filter(|u| !u.is_empty());
    let sender = login.filter(|u| u.contains('@')).unwrap_or(DEFAULT_SENDER);
    let from: Mailbox = format!("ArPI <{sender}>")
        .parse()
        .map_err(|_| EmailError::Address)?;
    let to: Mailbox = to.trim().parse().map_err(|_| EmailError::Address)?;
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .body(body.to_owned())
        .map_err(|e| EmailError::Build(e.to_string()))?;
    let tls = if is_local(host) {
        Tls::None
    } else {
        Tls::Required(
            TlsParameters::new(host.to_owned()).map_err(|e| EmailError::Smtp(e.to_string()))?,
        )
    };
    let mut builder = SmtpTransport::builder_dangerous(host)
        .port(port)
        .tls(tls)
        .timeout(Some(Duration::from_secs(20)));
    if let Some(user) = login {
        builder = builder.credentials(Credentials::new(
            user.to_owned(),
            option.smtp_password.clone().unwrap_or_default(),
        ));
    }
    builder
        .build()
        .send(&message)
        .map(|_| ())
        .map_err(|e| EmailError::Smtp(e.to_string()))
}

/// The body of a test message.
pub fn test_body(location: Option<&str>) -> String {
    format!(
        "This is a test message from your alarm system.\n\nLocation: {}\n",
        location.unwrap_or("-")
    )
}

/// The test button: a test message to each configured address on the
/// blocking pool; whether each went out (`None` where none is set).
pub async fn send_test(
    option: &SmtpOption,
    location: Option<&str>,
) -> Vec<(&'static str, Option<bool>)> {
    let body = test_body(location);
    let mut sent = Vec::new();
    for (key, address) in [
        ("email1", option.email_address_1.clone()),
        ("email2", option.email_address_2.clone()),
    ] {
        let Some(address) = address.filter(|a| !a.trim().is_empty()) else {
            sent.push((key, None));
            continue;
        };
        let (option, body) = (option.clone(), body.clone());
        let done = tokio::task::spawn_blocking(move || {
            send(&option, &address, "[ArPI] [Test] Test message", &body)
        })
        .await;
        let ok = match done {
            Ok(Ok(())) => true,
            Ok(Err(e)) => {
                tracing::warn!(recipient = key, error = %e, "test e-mail failed");
                false
            }
            Err(e) => {
                tracing::warn!(error = %e, "test e-mail task failed");
                false
            }
        };
        sent.push((key, Some(ok)));
    }
    sent
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_password() {
        let o = SmtpOption {
            smtp_password: Some("hunter2".into()),
            email_address_1: Some("a@b.c".into()),
            ..SmtpOption::default()
        };
        let text = format!("{o:?}");
        assert!(!text.contains("hunter2") && !text.contains("a@b.c"));
    }

    #[test]
    fn refuses_without_a_server_or_with_a_bad_address() {
        assert!(matches!(
            send(&SmtpOption::default(), "a@b.c", "s", "b"),
            Err(EmailError::NoServer)
        ));
        let o = SmtpOption {
            smtp_hostname: Some("localhost".into()),
            ..SmtpOption::default()
        };
        assert!(matches!(
            send(&o, "not an address", "s", "b"),
            Err(EmailError::Address)
        ));
    }
}
