//! A command from Home Assistant, pure: `ARM_AWAY`, `ARM_HOME` or `DISARM`
//! as a plain payload or as `{"action", "code"}` (HA's `command_template`
//! for `REMOTE_CODE`). A retained message is never a command: it would be
//! obeyed again by every reconnect.

use serde::Deserialize;

/// What is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Arm away.
    ArmAway,
    /// Arm stay (HA's "home").
    ArmHome,
    /// Disarm.
    Disarm,
}

impl Action {
    /// HA's payload word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ArmAway => "ARM_AWAY",
            Self::ArmHome => "ARM_HOME",
            Self::Disarm => "DISARM",
        }
    }
}

/// A command with its code, if one came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// What.
    pub action: Action,
    /// The PIN (never logged).
    pub code: Option<String>,
}

/// Why a message is not obeyed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejected {
    /// A retained message.
    #[error("retained commands are ignored")]
    Retained,
    /// Not a command at all.
    #[error("not a command")]
    Malformed,
}

#[derive(Deserialize)]
struct Json {
    action: String,
    #[serde(default)]
    code: Option<serde_json::Value>,
}

fn action(word: &str) -> Option<Action> {
    match word.trim() {
        "ARM_AWAY" => Some(Action::ArmAway),
        "ARM_HOME" => Some(Action::ArmHome),
        "DISARM" => Some(Action::Disarm),
        _ => None,
    }
}

/// Reads a command.
pub fn parse(payload: &[u8], retained: bool) -> Result<Request, Rejected> {
    if retained {
        return Err(Rejected::Retained);
    }
    let text = std::str::from_utf8(payload).map_err(|_| Rejected::Malformed)?;
    if let Some(action) = action(text) {
        return Ok(Request { action, code: None });
    }
    let json: Json = serde_json::from_str(text).map_err(|_| Rejected::Malformed)?;
    let code = match json.code {
        Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    Ok(Request {
        action: action(&json.action).ok_or(Rejected::Malformed)?,
        code,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_json_commands_are_read_and_the_rest_refused() {
        assert_eq!(
            parse(b"ARM_AWAY", false),
            Ok(Request {
                action: Action::ArmAway,
                code: None
            })
        );
        assert_eq!(
            parse(br#"{"action":"DISARM","code":"0123"}"#, false),
            Ok(Request {
                action: Action::Disarm,
                code: Some("0123".into())
            }),
            "a code keeps its leading zero"
        );
        assert_eq!(
            parse(br#"{"action":"ARM_HOME","code":""}"#, false).map(|r| r.code),
            Ok(None)
        );
        assert_eq!(parse(b"ARM_AWAY", true), Err(Rejected::Retained));
        for bad in [
            &b"arm_away"[..],
            b"",
            b"\xff\xfe",
            br#"{"action":"TRIGGER"}"#,
            br#"{"code":"1"}"#,
            b"[1,2]",
        ] {
            assert_eq!(parse(bad, false), Err(Rejected::Malformed), "{bad:?}");
        }
    }
}
