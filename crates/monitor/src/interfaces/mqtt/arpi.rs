//! ArPI's own MQTT topics (`mqtt/homeassistant.arpi_topics`), unchanged for
//! installations that already consume them: `arpi/alarm_control_panel/<area>`
//! and `arpi/binary_sensor/<sensor>`, each with a retained `config` and
//! `state`, names sanitized as ArPI does. Publish only, as in ArPI. Pure.

use serde_json::{json, Value};

use crate::engine::ArmState;

/// ArPI's topic name for an object name: letters, digits, `-` and `_`
/// kept, anything else `_`, lower case.
pub fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect::<String>()
        .to_lowercase()
}

/// An area's config topic and payload.
pub fn area_config(name: &str) -> (String, Value) {
    let base = format!("arpi/alarm_control_panel/{}", sanitize(name));
    let payload = json!({
        "name": format!("ArPI {name}"),
        "supported_features": ["arm_home", "arm_away"],
        "state_topic": format!("{base}/state"),
        "command_topic": format!("{base}/state/set"),
    });
    (format!("{base}/config"), payload)
}

/// An area's state topic and ArPI's word for its state.
pub fn area_state(name: &str, state: ArmState) -> (String, &'static str) {
    let word = match state {
        ArmState::Away => "armed_away",
        ArmState::Stay | ArmState::Mixed => "armed_home",
        ArmState::Disarm => "disarmed",
    };
    (
        format!("arpi/alarm_control_panel/{}/state", sanitize(name)),
        word,
    )
}

/// A sensor's config topic and payload (`device_class` as argus maps it).
pub fn sensor_config(id: i32, name: &str, device_class: &str) -> (String, Value) {
    let base = format!("arpi/binary_sensor/{}", sanitize(name));
    let payload = json!({
        "name": null,
        "device_class": device_class,
        "state_topic": format!("{base}/state"),
        "unique_id": format!("sensor{id}"),
        "device": {"identifiers": [id], "name": name},
    });
    (format!("{base}/config"), payload)
}

/// A sensor's state topic.
pub fn sensor_state_topic(name: &str) -> String {
    format!("arpi/binary_sensor/{}/state", sanitize(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arpi_names_and_payloads_are_kept() {
        assert_eq!(sanitize("Front door #1"), "front_door__1");
        assert_eq!(sanitize("Ház-kert_2"), "ház-kert_2");
        let (topic, p) = area_config("House");
        assert_eq!(topic, "arpi/alarm_control_panel/house/config");
        assert_eq!(p["name"], "ArPI House");
        assert_eq!(
            p["command_topic"],
            "arpi/alarm_control_panel/house/state/set"
        );
        assert_eq!(
            area_state("House", ArmState::Stay),
            ("arpi/alarm_control_panel/house/state".into(), "armed_home")
        );
        let (topic, p) = sensor_config(3, "Hall PIR", "motion");
        assert_eq!(topic, "arpi/binary_sensor/hall_pir/config");
        assert_eq!(
            (p["unique_id"].as_str(), p["name"].is_null()),
            (Some("sensor3"), true)
        );
        assert_eq!(p["device"], json!({"identifiers": [3], "name": "Hall PIR"}));
    }
}
