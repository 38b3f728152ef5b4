//! RockBLOCK's MT API: a message to a satellite node, posted as a form
//! (`imei`, `username`, `password`, `data` in hex) to Rock7, which queues it
//! for the modem's next contact. The answer is `OK,<id>` or
//! `FAILED,<code>,<text>`; a message holds at most 270 bytes.

use serde::Deserialize;
use std::time::Duration;

/// The most bytes an MT message carries.
pub const MT_LIMIT: usize = 270;
const TIMEOUT: Duration = Duration::from_secs(15);

/// `nodes/rockblock` (the MT part).
#[derive(Clone, Deserialize)]
pub struct MtOption {
    /// Rock7's MT endpoint.
    pub mt_url: String,
    /// The Rock7 account.
    pub mt_username: Option<String>,
    /// Its password (never logged).
    pub mt_password: Option<String>,
}

/// `notifications/satellite`: who hears notifications by satellite.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SatelliteOption {
    /// Notifications go out this way.
    pub enabled: bool,
    /// The RockBLOCK that receives them (never logged).
    pub imei: Option<String>,
}

/// `text` cut to what one MT message holds, at a character boundary: a
/// notification's first lines say what and where, so its end can go.
pub fn clip(text: &str) -> &str {
    if text.len() <= MT_LIMIT {
        return text;
    }
    let mut end = MT_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Why a message did not go.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MtError {
    /// Longer than [`MT_LIMIT`].
    #[error("{0} bytes: an MT message holds at most 270")]
    TooLong(usize),
    /// No Rock7 account is configured.
    #[error("no RockBLOCK account is configured (nodes/rockblock)")]
    NotConfigured,
    /// Rock7 refused it (`FAILED,<code>,<text>`).
    #[error("refused ({code}): {text}")]
    Refused {
        /// Rock7's code (10 credentials, 11 no such IMEI, …, 99 system error).
        code: u16,
        /// Its text.
        text: String,
    },
    /// No answer, or an answer that is neither.
    #[error("{0}")]
    Transport(String),
}

impl MtError {
    /// Worth another attempt: Rock7's own trouble or the network's.
    pub fn retryable(&self) -> bool {
        matches!(self, Self::Transport(_) | Self::Refused { code: 99, .. })
    }
}

/// Rock7's answer: the message id, or why not.
pub fn parse_reply(body: &str) -> Result<u64, MtError> {
    let body = body.trim();
    if let Some(id) = body.strip_prefix("OK,") {
        return id
            .trim()
            .parse()
            .map_err(|_| MtError::Transport(format!("unreadable answer: {body:.40}")));
    }
    if let Some(rest) = body.strip_prefix("FAILED,") {
        let (code, text) = rest.split_once(',').unwrap_or((rest, ""));
        if let Ok(code) = code.trim().parse() {
            return Err(MtError::Refused {
                code,
                text: text.trim().to_owned(),
            });
        }
    }
    Err(MtError::Transport(format!("unreadable answer: {body:.40}")))
}

/// Sends `data` to the modem `imei` (blocking); Rock7's message id.
pub fn send(option: &MtOption, imei: &str, data: &[u8]) -> Result<u64, MtError> {
    if data.len() > MT_LIMIT {
        return Err(MtError::TooLong(data.len()));
    }
    let (Some(user), Some(password)) = (
        option.mt_username.as_deref().filter(|u| !u.is_empty()),
        option.mt_password.as_deref().filter(|p| !p.is_empty()),
    ) else {
        return Err(MtError::NotConfigured);
    };
    let hex: String = data.iter().map(|b| format!("{b:02x}")).collect();
    let agent = super::http::agent(TIMEOUT);
    let mut response = agent
        .post(&option.mt_url)
        .send_form([
            ("imei", imei),
            ("username", user),
            ("password", password),
            ("data", hex.as_str()),
        ])
        .map_err(|e| {
            MtError::Transport(format!(
                "request failed: {}",
                e.to_string().chars().take(80).collect::<String>()
            ))
        })?;
    let body = response
        .body_mut()
        .read_to_string()
        .map_err(|_| MtError::Transport("unreadable answer".into()))?;
    parse_reply(&body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rock7s_answers_are_read_with_their_codes() {
        assert_eq!(parse_reply("OK,12345678\n"), Ok(12_345_678));
        assert_eq!(
            parse_reply("FAILED,15,Data too long"),
            Err(MtError::Refused {
                code: 15,
                text: "Data too long".into()
            })
        );
        assert!(!parse_reply("FAILED,10,Invalid login credentials")
            .unwrap_err()
            .retryable());
        assert!(parse_reply("FAILED,99,System error")
            .unwrap_err()
            .retryable());
        assert!(parse_reply("<html>").unwrap_err().retryable());
        assert!(parse_reply("OK,abc").is_err());
    }

    #[test]
    fn a_long_notification_is_cut_to_270_bytes_at_a_character() {
        assert_eq!(clip("Alarm"), "Alarm");
        let long = "é".repeat(200);
        let cut = clip(&long);
        assert_eq!(cut.len(), 270);
        assert!(cut.chars().all(|c| c == 'é'));
        let odd = format!("x{long}");
        assert_eq!(clip(&odd).len(), 269, "no half character");
    }

    #[test]
    fn a_message_over_270_bytes_is_refused_before_sending() {
        let option = MtOption {
            mt_url: "http://127.0.0.1:9/".into(),
            mt_username: Some("u".into()),
            mt_password: Some("p".into()),
        };
        assert_eq!(
            send(&option, "300234010753370", &[0; 271]),
            Err(MtError::TooLong(271))
        );
        let none = MtOption {
            mt_username: None,
            ..option
        };
        assert_eq!(
            send(&none, "300234010753370", b"x"),
            Err(MtError::NotConfigured)
        );
    }
}
