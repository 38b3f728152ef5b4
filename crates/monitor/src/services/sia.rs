//! Reporting to an alarm receiving centre over SIA DC-09 (`notifications/sia`,
//! an argus addition): each report framed by [`frame`] in the account's
//! protocol (SIA-DCS or ADM-CID, [`codes`]), sent over TCP to the primary
//! receiver and, when it refuses or cannot be reached, to the backup; only
//! an ACK counts. Sequence numbers run 1–9999 per process. The key is never
//! logged.

pub mod codes;
pub mod frame;

use serde::Deserialize;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use codes::Report;
use frame::{Answer, Frame};

/// How long a receiver may take to accept the connection, and then to answer.
const CONNECT: Duration = Duration::from_secs(5);
const ANSWER: Duration = Duration::from_secs(10);

/// `notifications/sia`.
#[derive(Clone, Default, Deserialize)]
pub struct SiaOption {
    /// Report to the receiver.
    pub enabled: bool,
    /// The account number at the receiving centre (3–16 hex digits).
    pub account: Option<String>,
    /// `SIA-DCS` or `ADM-CID`.
    pub protocol: String,
    /// The primary receiver.
    pub receiver_host: Option<String>,
    /// Its port.
    pub receiver_port: Option<i64>,
    /// The backup receiver.
    pub backup_host: Option<String>,
    /// Its port.
    pub backup_port: Option<i64>,
    /// The AES key (16, 24 or 32 hex characters), if the account is encrypted.
    pub key: Option<String>,
    /// Seconds between link tests, 0 for none.
    pub link_test_seconds: i64,
}

impl std::fmt::Debug for SiaOption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiaOption")
            .field("enabled", &self.enabled)
            .field("protocol", &self.protocol)
            .finish_non_exhaustive()
    }
}

impl SiaOption {
    fn receivers(&self) -> Vec<(&'static str, String, u16)> {
        [
            ("primary", &self.receiver_host, self.receiver_port),
            ("backup", &self.backup_host, self.backup_port),
        ]
        .into_iter()
        .filter_map(|(which, host, port)| {
            let host = host.as_deref().map(str::trim).filter(|h| !h.is_empty())?;
            Some((which, host.to_owned(), u16::try_from(port?).ok()?))
        })
        .collect()
    }
}

/// Sends reports, numbering them.
#[derive(Debug, Default)]
pub struct Transmitter {
    sequence: u16,
}

fn random_pad() -> [u8; 16] {
    let mut pad = [0u8; 16];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        use std::io::Read;
        let _ = f.read_exact(&mut pad);
    }
    pad
}

async fn exchange(host: &str, port: u16, bytes: &[u8]) -> Result<Answer, String> {
    let mut stream = tokio::time::timeout(CONNECT, TcpStream::connect((host, port)))
        .await
        .map_err(|_| "no connection in time".to_owned())?
        .map_err(|e| format!("cannot connect: {}", e.kind()))?;
    stream
        .write_all(bytes)
        .await
        .map_err(|e| format!("cannot send: {}", e.kind()))?;
    let mut reply = Vec::new();
    let read = async {
        let mut buf = [0u8; 512];
        while reply.len() < 4096 {
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            reply.extend_from_slice(&buf[..n]);
            // Some receivers answer a bare `"NAK"` without the frame's CR.
            if frame::answer(&reply) != Answer::Garbled
                && (reply.ends_with(b"\r") || !reply.starts_with(b"\n"))
            {
                break;
            }
        }
        Ok::<_, std::io::Error>(())
    };
    match tokio::time::timeout(ANSWER, read).await {
        Ok(Ok(())) => Ok(frame::answer(&reply)),
        Ok(Err(e)) => Err(format!("cannot read the answer: {}", e.kind())),
        Err(_) => Err("no answer in time".into()),
    }
}

impl Transmitter {
    /// Sends `report`, to the primary receiver and then the backup; returns
    /// which one acknowledged it.
    pub async fn send(
        &mut self,
        option: &SiaOption,
        report: &Report,
    ) -> Result<&'static str, String> {
        let account = option
            .account
            .as_deref()
            .unwrap_or_default()
            .trim()
            .to_ascii_uppercase();
        frame::check_account(&account).map_err(|e| e.to_string())?;
        let key = match option.key.as_deref().filter(|k| !k.trim().is_empty()) {
            Some(k) => Some(frame::key_bytes(k).map_err(|e| e.to_string())?),
            None => None,
        };
        let receivers = option.receivers();
        if receivers.is_empty() {
            return Err("no SIA receiver is configured".into());
        }
        let contact_id = option.protocol == "ADM-CID";
        self.sequence = self.sequence % 9999 + 1;
        let data = report.data(&account, contact_id);
        let mut failures = Vec::new();
        for (which, host, port) in receivers {
            // Framed per attempt: the receiver checks the timestamp against its clock.
            let pad = random_pad();
            let bytes = frame::encode(&Frame {
                contact_id,
                account: &account,
                sequence: self.sequence,
                data: &data,
                time: chrono::Utc::now(),
                key: key.as_deref(),
                pad: &pad,
            })
            .map_err(|e| e.to_string())?;
            match exchange(&host, port, &bytes).await {
                Ok(Answer::Ack) => return Ok(which),
                Ok(other) => failures.push(format!("{which}: {other:?}")),
                Err(e) => failures.push(format!("{which}: {e}")),
            }
        }
        Err(failures.join("; "))
    }
}
