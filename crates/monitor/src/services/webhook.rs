//! The webhook channel (`notifications/webhook`, an argus addition): each
//! notification as a JSON POST, signed with HMAC-SHA256 over the body
//! (`X-Argus-Signature: sha256=<hex>`) and named by its outbox key
//! (`Idempotency-Key`), so a receiver can check it came from this system
//! and drop the rare duplicate. Any push service (ntfy, Gotify, a Telegram
//! bridge) can sit behind it. URLs, secrets and bodies are never logged.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::time::Duration;

/// `notifications/webhook`. `Debug` leaves the URL and secret out.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
pub struct WebhookOption {
    /// POST every notification.
    pub enabled: bool,
    /// Where.
    pub url: Option<String>,
    /// The HMAC-SHA256 key of the signature header.
    pub secret: Option<String>,
}

impl std::fmt::Debug for WebhookOption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookOption")
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

/// How long one POST may take, connection included.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// What a receiver gets, as JSON.
#[derive(Debug, Serialize)]
pub struct Message<'a> {
    /// `alert_started`, `alert_stopped`, `power_outage_started`, …
    pub event: &'static str,
    /// The event's name, shared by its start and end.
    pub id: &'a str,
    /// When, in milliseconds (sent as RFC 3339 UTC).
    #[serde(rename = "time", serialize_with = "rfc3339")]
    pub time_ms: i64,
    /// `system/location.name`.
    pub location: Option<&'a str>,
    /// The sensors involved, by name.
    pub sensors: &'a [String],
    /// Their areas, by name.
    pub areas: &'a [String],
    /// Who, if a person.
    pub who: Option<&'a str>,
    /// The remote node, for its supervision events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<&'a str>,
    /// The text people get by SMS and e-mail.
    pub text: &'a str,
}

fn rfc3339<S: serde::Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
    let time = chrono::DateTime::from_timestamp_millis(*ms).unwrap_or_default();
    s.serialize_str(&time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

/// The body POSTed for `message`.
pub fn body(message: &Message<'_>) -> String {
    serde_json::to_string(message).unwrap_or_default()
}

/// `sha256=<hex of HMAC-SHA256(secret, body)>`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// The POST failed.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The receiver answered, but not 2xx.
    #[error("the receiver answered HTTP {0}")]
    Status(u16),
    /// No answer (refused, timeout, TLS).
    #[error("cannot reach the receiver: {0}")]
    Transport(String),
}

/// POSTs `body` to `url` (blocking; run it on the blocking pool).
pub fn post(url: &str, secret: Option<&str>, key: &str, body: &str) -> Result<(), WebhookError> {
    let agent = super::http::agent(TIMEOUT);
    let mut request = agent
        .post(url)
        .header("Content-Type", "application/json")
        .header("User-Agent", concat!("argus/", env!("CARGO_PKG_VERSION")))
        .header("Idempotency-Key", key);
    if let Some(secret) = secret.filter(|s| !s.is_empty()) {
        request = request.header("X-Argus-Signature", signature(secret, body.as_bytes()));
    }
    // The error text of a transport failure can hold the URL: keep its kind only.
    let response = request.send(body).map_err(|e| {
        WebhookError::Transport(
            match e {
                ureq::Error::Timeout(_) => "timeout",
                ureq::Error::Io(_) => "connection failed",
                ureq::Error::Tls(_) | ureq::Error::Rustls(_) => "TLS failed",
                ureq::Error::BadUri(_) => "invalid URL",
                _ => "request failed",
            }
            .into(),
        )
    })?;
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(WebhookError::Status(status))
    }
}

/// The test button: one POST of a test message; whether the receiver took it.
pub async fn send_test(option: &WebhookOption) -> bool {
    let url = option.url.clone().unwrap_or_default();
    let secret = option.secret.clone();
    let now = chrono::Utc::now().timestamp_millis();
    let id = format!("test-{now}");
    let message = Message {
        event: "test",
        id: &id,
        time_ms: now,
        location: None,
        sensors: &[],
        areas: &[],
        who: None,
        node: None,
        text: "This is a test message from your alarm system.",
    };
    let body = body(&message);
    let sent = tokio::task::spawn_blocking(move || post(&url, secret.as_deref(), &id, &body)).await;
    match sent {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "test webhook failed");
            false
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_rfc_4231_hmac_sha256() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
