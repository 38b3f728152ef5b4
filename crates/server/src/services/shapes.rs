//! The contract's JSON shapes of configuration objects and alerts, built from
//! their rows, for every route that returns them.

use argus_db::enums::ArmState;
use argus_db::models::{Alert, AlertSensorRow, Area, Keypad, Sensor, Zone};
use argus_protocol::wire;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

/// Contract `Area` (the shape the monitor's `area_state_change` sends too).
pub fn area_json(a: Area) -> wire::Area {
    wire::Area {
        id: a.id,
        name: Some(a.name),
        arm_state: a.arm_state.api_str().to_owned(),
        ui_order: a.ui_order,
    }
}

/// Contract `Zone`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoneJson {
    id: i32,
    name: String,
    description: String,
    disarmed_delay: Option<i32>,
    away_alert_delay: Option<i32>,
    stay_alert_delay: Option<i32>,
    away_arm_delay: Option<i32>,
    stay_arm_delay: Option<i32>,
    ui_order: Option<i32>,
}

impl From<Zone> for ZoneJson {
    fn from(z: Zone) -> Self {
        Self {
            id: z.id,
            name: z.name,
            description: z.description,
            disarmed_delay: z.disarmed_delay,
            away_alert_delay: z.away_alert_delay,
            stay_alert_delay: z.stay_alert_delay,
            away_arm_delay: z.away_arm_delay,
            stay_arm_delay: z.stay_arm_delay,
            ui_order: z.ui_order,
        }
    }
}

/// Contract `Sensor`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SensorJson {
    id: i32,
    name: String,
    description: Option<String>,
    channel: Option<i32>,
    channel_type: &'static str,
    sensor_contact_type: &'static str,
    sensor_eol_count: &'static str,
    alert: bool,
    error: bool,
    zone_id: i32,
    area_id: i32,
    type_id: i32,
    enabled: bool,
    silent_alert: Option<bool>,
    monitor_period: Option<i32>,
    monitor_threshold: Option<i32>,
    ui_order: Option<i32>,
    ui_hidden: bool,
}

impl From<Sensor> for SensorJson {
    fn from(s: Sensor) -> Self {
        Self {
            id: s.id,
            name: s.name,
            description: s.description,
            channel: s.channel,
            channel_type: s.channel_type.db_label(),
            sensor_contact_type: s.sensor_contact_type.db_label(),
            sensor_eol_count: s.sensor_eol_count.db_label(),
            alert: s.alert,
            error: s.error,
            zone_id: s.zone_id,
            area_id: s.area_id,
            type_id: s.type_id,
            enabled: s.enabled,
            silent_alert: s.silent_alert,
            monitor_period: s.monitor_period,
            monitor_threshold: s.monitor_threshold,
            ui_order: s.ui_order,
            ui_hidden: s.ui_hidden,
        }
    }
}

/// Contract `SensorType` / `KeypadType`.
#[derive(Debug, Serialize)]
pub struct TypeJson {
    id: i32,
    name: Option<String>,
    description: Option<String>,
}

impl TypeJson {
    pub fn new(id: i32, name: Option<String>, description: Option<String>) -> Self {
        Self {
            id,
            name,
            description,
        }
    }
}

/// Contract `Keypad`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeypadJson {
    id: i32,
    type_id: i32,
    enabled: Option<bool>,
}

impl From<Keypad> for KeypadJson {
    fn from(k: Keypad) -> Self {
        Self {
            id: k.id,
            type_id: k.type_id,
            enabled: k.enabled,
        }
    }
}

/// ArPI's local time, `YYYY-MM-DD HH:MM:SS`, or `null`.
pub fn local(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, |t| wire::local_time(t).into())
}

fn alert_type(arm: Option<ArmState>) -> wire::AlertType {
    match arm {
        Some(ArmState::Stay) => wire::AlertType::AlertStay,
        Some(ArmState::Away | ArmState::Mixed) => wire::AlertType::AlertAway,
        Some(ArmState::Disarm) | None => wire::AlertType::AlertSabotage,
    }
}

/// The contract's Alert from its rows (`sensors` may hold other alerts' rows).
pub fn alert_json(alert: &Alert, arm: Option<ArmState>, sensors: &[AlertSensorRow]) -> wire::Alert {
    let time = |t: Option<DateTime<Utc>>| t.map(wire::local_time);
    wire::Alert {
        id: i64::from(alert.id),
        alert_type: alert_type(arm),
        start_time: time(alert.start_time),
        end_time: time(alert.end_time),
        silent: alert.silent,
        sensors: sensors
            .iter()
            .filter(|s| s.alert_id == alert.id)
            .map(|s| wire::AlertSensor {
                sensor_id: s.sensor_id,
                channel: s.channel,
                type_id: Some(s.type_id),
                name: Some(s.name.clone()),
                description: s.description.clone(),
                start_time: time(s.start_time),
                end_time: time(s.end_time),
                delay: s.delay,
                silent: s.silent,
                monitor_period: s.monitor_period,
                monitor_threshold: s.monitor_threshold,
            })
            .collect(),
    }
}
