//! Home Assistant's view of argus over MQTT, pure: the discovery payloads
//! (one `alarm_control_panel` for the system and one per area, a
//! `binary_sensor` per sensor, the siren and the mains), the topics they
//! name, and the lower-case states HA's MQTT alarm panel expects. Each
//! payload carries the same `device` block and the availability topic,
//! whose last will says `offline`.

use serde_json::{json, Value};

use argus_protocol::constants::MonitoringState;
use argus_protocol::wire::ModemStatus;

use crate::engine::ArmState;

/// Where argus's own topics live.
pub const BASE: &str = "argus";
/// `online` / `offline` (retained; the broker publishes `offline` as our will).
pub const AVAILABILITY: &str = "argus/availability";

/// An alarm panel: the whole system or one area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Panel {
    /// Every area.
    System,
    /// One area.
    Area(i32),
}

impl Panel {
    fn object(self) -> String {
        match self {
            Self::System => "system".into(),
            Self::Area(id) => format!("area_{id}"),
        }
    }

    /// Its state topic (retained).
    pub fn state_topic(self) -> String {
        format!("{BASE}/panel/{}/state", self.object())
    }

    /// Where Home Assistant sends its commands.
    pub fn command_topic(self) -> String {
        format!("{BASE}/panel/{}/set", self.object())
    }

    /// Its JSON attributes (open sensors, changed by, the last refusal).
    pub fn attributes_topic(self) -> String {
        format!("{BASE}/panel/{}/attributes", self.object())
    }

    /// The panel a command topic names.
    pub fn of_command_topic(topic: &str) -> Option<Self> {
        let object = topic
            .strip_prefix(&format!("{BASE}/panel/"))?
            .strip_suffix("/set")?;
        match object {
            "system" => Some(Self::System),
            other => other.strip_prefix("area_")?.parse().ok().map(Self::Area),
        }
    }
}

/// A sensor's state topic (`ON` alerting, `OFF` quiet).
pub fn sensor_state_topic(id: i32) -> String {
    format!("{BASE}/sensor/{id}/state")
}

/// The siren's and the mains' state topics.
pub const SIREN_STATE: &str = "argus/siren/state";
/// `ON` on mains, `OFF` on battery.
pub const POWER_STATE: &str = "argus/power/state";
/// `ON` while the modem answers and is registered on a network.
pub const MODEM_STATE: &str = "argus/modem/state";

fn device() -> Value {
    json!({
        "identifiers": ["argus"],
        "name": "argus",
        "manufacturer": "argus",
        "model": "argus alarm",
        "sw_version": env!("CARGO_PKG_VERSION"),
    })
}

fn available(mut payload: Value) -> Value {
    payload["availability_topic"] = AVAILABILITY.into();
    payload["payload_available"] = "online".into();
    payload["payload_not_available"] = "offline".into();
    payload["device"] = device();
    payload
}

/// `<prefix>/<component>/argus/<object>/config`.
pub fn config_topic(prefix: &str, component: &str, object: &str) -> String {
    format!("{prefix}/{component}/{BASE}/{object}/config")
}

/// A panel's discovery topic and payload. The code is checked by argus
/// (`REMOTE_CODE`): Home Assistant sends it with the action as JSON.
pub fn panel_config(prefix: &str, panel: Panel, name: &str) -> (String, Value) {
    let object = panel.object();
    let payload = available(json!({
        "name": name,
        "unique_id": format!("argus_{object}"),
        "state_topic": panel.state_topic(),
        "command_topic": panel.command_topic(),
        "json_attributes_topic": panel.attributes_topic(),
        "code": "REMOTE_CODE",
        "code_arm_required": true,
        "code_disarm_required": true,
        "command_template": "{\"action\":\"{{action}}\",\"code\":\"{{code}}\"}",
        "supported_features": ["arm_home", "arm_away"],
    }));
    (
        config_topic(prefix, "alarm_control_panel", &object),
        payload,
    )
}

/// Home Assistant's device class for a sensor type's name.
pub fn device_class(type_name: &str) -> &'static str {
    let name = type_name.to_ascii_lowercase();
    let has = |w: &str| name.contains(w);
    if has("tamper") || has("sabotage") {
        "tamper"
    } else if has("open") || has("door") || has("window") {
        "opening"
    } else if has("break") || has("glass") {
        "sound"
    } else if has("smoke") {
        "smoke"
    } else if has("water") || has("flood") || has("leak") {
        "moisture"
    } else if has("fire") || has("heat") {
        "heat"
    } else {
        "motion"
    }
}

/// A sensor's discovery topic and payload.
pub fn sensor_config(prefix: &str, id: i32, name: &str, type_name: &str) -> (String, Value) {
    let object = format!("sensor_{id}");
    let payload = available(json!({
        "name": name,
        "unique_id": format!("argus_{object}"),
        "state_topic": sensor_state_topic(id),
        "device_class": device_class(type_name),
        "payload_on": "ON",
        "payload_off": "OFF",
    }));
    (config_topic(prefix, "binary_sensor", &object), payload)
}

/// The siren's and the mains' discovery (`safety` on while it sounds,
/// `power` on while on mains), and the modem's (`connectivity`) when one is
/// enabled.
pub fn fixed_configs(prefix: &str, modem: bool) -> Vec<(String, Value)> {
    [
        ("siren", "Siren", "safety", SIREN_STATE),
        ("power", "Mains power", "power", POWER_STATE),
        ("modem", "GSM modem", "connectivity", MODEM_STATE),
    ]
    .into_iter()
    .filter(|&(object, ..)| modem || object != "modem")
    .map(|(object, name, class, state)| {
        let payload = available(json!({
            "name": name,
            "unique_id": format!("argus_{object}"),
            "state_topic": state,
            "device_class": class,
            "payload_on": "ON",
            "payload_off": "OFF",
        }));
        (config_topic(prefix, "binary_sensor", object), payload)
    })
    .collect()
}

/// Whether the modem can send (it answers and is registered).
pub fn modem_online(status: &ModemStatus) -> bool {
    status.reachable && matches!(status.registration.as_deref(), Some("home" | "roaming"))
}

/// A panel's state: the alarm and the delays first, then how it is armed.
/// An area follows the system's alarm and delays only while it is armed
/// (a sabotage alarm triggers every panel).
pub fn ha_state(monitoring: MonitoringState, arm: ArmState, system: bool) -> &'static str {
    let armed = arm != ArmState::Disarm;
    match monitoring {
        MonitoringState::MonitoringAlert if armed || system => "triggered",
        MonitoringState::MonitoringSabotage => "triggered",
        MonitoringState::MonitoringAlertDelay if armed => "pending",
        MonitoringState::MonitoringArmDelay if armed => "arming",
        _ => match arm {
            ArmState::Away => "armed_away",
            ArmState::Stay | ArmState::Mixed => "armed_home",
            ArmState::Disarm => "disarmed",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_modem_is_online_only_registered_and_answering() {
        let mut status = ModemStatus {
            enabled: true,
            reachable: true,
            registration: Some("home".into()),
            ..ModemStatus::default()
        };
        assert!(modem_online(&status));
        status.registration = Some("searching".into());
        assert!(!modem_online(&status));
        status.registration = Some("roaming".into());
        status.reachable = false;
        assert!(!modem_online(&status));
    }

    #[test]
    fn a_panel_is_discovered_with_every_field_home_assistant_needs() {
        let (topic, p) = panel_config("homeassistant", Panel::Area(2), "House");
        assert_eq!(
            topic,
            "homeassistant/alarm_control_panel/argus/area_2/config"
        );
        assert_eq!(p["unique_id"], "argus_area_2");
        assert_eq!(p["state_topic"], "argus/panel/area_2/state");
        assert_eq!(p["command_topic"], "argus/panel/area_2/set");
        assert_eq!(p["json_attributes_topic"], "argus/panel/area_2/attributes");
        assert_eq!(p["code"], "REMOTE_CODE");
        assert_eq!(p["supported_features"], json!(["arm_home", "arm_away"]));
        assert_eq!(p["availability_topic"], AVAILABILITY);
        assert_eq!(p["device"]["identifiers"], json!(["argus"]));
        let template = p["command_template"].as_str().unwrap_or_default();
        assert!(template.contains("{{action}}") && template.contains("{{code}}"));
        assert_eq!(
            Panel::of_command_topic(&Panel::Area(2).command_topic()),
            Some(Panel::Area(2))
        );
        assert_eq!(
            Panel::of_command_topic("argus/panel/system/set"),
            Some(Panel::System)
        );
        assert_eq!(Panel::of_command_topic("argus/panel/area_x/set"), None);
        assert_eq!(Panel::of_command_topic("argus/panel/system/state"), None);
    }

    #[test]
    fn sensors_get_a_device_class_from_their_type() {
        for (t, class) in [
            ("Motion", "motion"),
            ("Tamper", "tamper"),
            ("Open", "opening"),
            ("Break", "sound"),
            ("Smoke detector", "smoke"),
            ("Water leak", "moisture"),
            ("Unknown", "motion"),
        ] {
            assert_eq!(device_class(t), class, "{t}");
        }
        let (topic, p) = sensor_config("ha", 7, "Kitchen door", "Open");
        assert_eq!(topic, "ha/binary_sensor/argus/sensor_7/config");
        assert_eq!(
            (p["state_topic"].as_str(), p["payload_on"].as_str()),
            (Some("argus/sensor/7/state"), Some("ON"))
        );
        assert_eq!(fixed_configs("ha", false).len(), 2);
        let with_modem = fixed_configs("ha", true);
        assert_eq!(with_modem[2].0, "ha/binary_sensor/argus/modem/config");
        assert_eq!(with_modem[2].1["device_class"], "connectivity");
    }

    #[test]
    fn states_are_home_assistants_lower_case_words() {
        use MonitoringState as M;
        assert_eq!(
            ha_state(M::MonitoringReady, ArmState::Disarm, true),
            "disarmed"
        );
        assert_eq!(
            ha_state(M::MonitoringArmed, ArmState::Away, false),
            "armed_away"
        );
        assert_eq!(
            ha_state(M::MonitoringArmed, ArmState::Stay, false),
            "armed_home"
        );
        assert_eq!(
            ha_state(M::MonitoringArmDelay, ArmState::Away, false),
            "arming"
        );
        assert_eq!(
            ha_state(M::MonitoringAlertDelay, ArmState::Away, false),
            "pending"
        );
        assert_eq!(
            ha_state(M::MonitoringAlert, ArmState::Away, false),
            "triggered"
        );
        assert_eq!(
            ha_state(M::MonitoringAlert, ArmState::Disarm, false),
            "disarmed",
            "another area's alarm"
        );
        assert_eq!(
            ha_state(M::MonitoringSabotage, ArmState::Disarm, false),
            "triggered"
        );
    }
}
