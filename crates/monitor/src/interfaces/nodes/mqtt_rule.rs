//! How an MQTT payload reads as an input, pure: the payload itself (`ON`,
//! `open`, `true`) or the value a JSON pointer names in it (`/contact`), and
//! the value that means active when the device's words are its own
//! (Zigbee2MQTT's `"contact": false` is an open door). Availability payloads
//! (`online`, `{"state":"online"}`, `Online`, `true`) say whether the device
//! is there.

use argus_protocol::nodes::InputState;
use serde_json::Value;

pub use crate::installation::MqttRule as Rule;

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The input's state in `payload`, or `None` when it says nothing readable
/// (another field's update, garbage, an empty payload).
pub fn read(rule: &Rule, payload: &[u8]) -> Option<InputState> {
    let text = std::str::from_utf8(payload).ok()?.trim();
    let word = match &rule.pointer {
        Some(pointer) => scalar(serde_json::from_str::<Value>(text).ok()?.pointer(pointer)?)?,
        None => text.to_owned(),
    };
    if word.is_empty() {
        return None;
    }
    match &rule.active {
        Some(active) if active.eq_ignore_ascii_case(&word) => Some(InputState::Active),
        Some(_) => Some(InputState::Idle),
        None => InputState::parse(&word),
    }
}

/// Whether an availability payload says online (`None`: unreadable).
pub fn available(payload: &[u8]) -> Option<bool> {
    let text = std::str::from_utf8(payload).ok()?.trim();
    let word = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(o)) => scalar(o.get("state")?)?,
        _ => text.to_owned(),
    };
    match word.to_ascii_lowercase().as_str() {
        "online" | "true" | "1" | "connected" => Some(true),
        "offline" | "false" | "0" | "disconnected" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(pointer: Option<&str>, active: Option<&str>) -> Rule {
        Rule {
            pointer: pointer.map(str::to_owned),
            active: active.map(str::to_owned),
        }
    }

    #[test]
    fn zigbee2mqtt_contact_false_is_an_open_door() {
        // zigbee2mqtt/<friendly name>: the whole device state as JSON.
        let door = rule(Some("/contact"), Some("false"));
        let open = br#"{"battery":97,"contact":false,"linkquality":120,"voltage":3005}"#;
        let closed = br#"{"battery":97,"contact":true,"linkquality":116}"#;
        assert_eq!(read(&door, open), Some(InputState::Active));
        assert_eq!(read(&door, closed), Some(InputState::Idle));
        assert_eq!(
            read(&door, br#"{"battery":96}"#),
            None,
            "another field's update"
        );
        // Its motion sensors say occupancy: true.
        let pir = rule(Some("/occupancy"), Some("true"));
        assert_eq!(
            read(&pir, br#"{"occupancy":true,"illuminance":40}"#),
            Some(InputState::Active)
        );
    }

    #[test]
    fn esphome_tasmota_and_shelly_payloads_read_as_their_projects_document() {
        // ESPHome binary_sensor state topic: ON / OFF.
        assert_eq!(read(&rule(None, None), b"ON"), Some(InputState::Active));
        assert_eq!(read(&rule(None, None), b"OFF"), Some(InputState::Idle));
        // Tasmota switch as JSON on stat/<topic>/RESULT.
        let tasmota = rule(Some("/Switch1/Action"), Some("ON"));
        assert_eq!(
            read(&tasmota, br#"{"Switch1":{"Action":"ON"}}"#),
            Some(InputState::Active)
        );
        // Shelly Door/Window (gen 1): shellies/<id>/sensor/state is open or close.
        let shelly = rule(None, Some("open"));
        assert_eq!(read(&shelly, b"open"), Some(InputState::Active));
        assert_eq!(read(&shelly, b"close"), Some(InputState::Idle));
        assert_eq!(read(&rule(None, None), b"\xff\xfe"), None);
        assert_eq!(read(&rule(Some("/x"), None), b"not json"), None);
        assert_eq!(read(&rule(None, None), b""), None);
    }

    #[test]
    fn availability_reads_each_projects_words() {
        assert_eq!(available(br#"{"state":"online"}"#), Some(true)); // Zigbee2MQTT
        assert_eq!(available(b"offline"), Some(false)); // Zigbee2MQTT legacy, ESPHome
        assert_eq!(available(b"Online"), Some(true)); // Tasmota LWT
        assert_eq!(available(b"false"), Some(false)); // Shelly gen 1
        assert_eq!(available(b"maybe"), None);
    }
}
