//! The contract's JSON shapes that both processes send (§7), defined once:
//! the Alert with its sensors, as `GET /api/alert(s)` and Socket.IO's
//! `alert_state_change` carry it, and the Area of `GET /api/areas/` and
//! `area_state_change`. The server fills them from rows, the monitor from
//! the engine; both format times with [`local_time`].

use chrono::{DateTime, Local, Utc};
use serde::{Deserialize, Serialize};

/// ArPI's local time, `YYYY-MM-DD HH:MM:SS`.
pub fn local_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// [`local_time`] of milliseconds since the epoch (`""` out of range).
pub fn local_time_ms(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(local_time)
        .unwrap_or_default()
}

/// What the house was when an alert started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertType {
    /// Armed away (or mixed).
    AlertAway,
    /// Armed stay.
    AlertStay,
    /// Disarmed: a 24-hour zone, tamper or wiring fault.
    AlertSabotage,
}

/// Contract `Alert`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    /// The database id (the monitor's key until the row exists).
    pub id: i64,
    /// Armed away, stay or disarmed.
    pub alert_type: AlertType,
    /// Local time.
    pub start_time: Option<String>,
    /// Local time; `None` while the alert is open.
    pub end_time: Option<String>,
    /// No siren.
    pub silent: Option<bool>,
    /// The sensors that joined it, in order.
    pub sensors: Vec<AlertSensor>,
}

/// One sensor's part in an [`Alert`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertSensor {
    /// `sensor.id`.
    pub sensor_id: i32,
    /// Its input channel, if connected.
    pub channel: Option<i32>,
    /// `sensor.type_id`.
    pub type_id: Option<i32>,
    /// `sensor.name`.
    pub name: Option<String>,
    /// `sensor.description`.
    pub description: Option<String>,
    /// Local time.
    pub start_time: Option<String>,
    /// Local time; `None` while it is active.
    pub end_time: Option<String>,
    /// Its delay, seconds.
    pub delay: Option<i32>,
    /// No siren for this sensor.
    pub silent: Option<bool>,
    /// Its sensitivity window, seconds.
    pub monitor_period: Option<i32>,
    /// Its sensitivity threshold, percent.
    pub monitor_threshold: Option<i32>,
}

/// Contract `Area`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Area {
    /// `area.id`.
    pub id: i32,
    /// `area.name`.
    pub name: Option<String>,
    /// `disarm`, `arm_away`, `arm_stay` or `arm_mixed`.
    pub arm_state: String,
    /// Its position in lists.
    pub ui_order: Option<i32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alert_is_the_contracts_camel_case_json() {
        let alert = Alert {
            id: 7,
            alert_type: AlertType::AlertSabotage,
            start_time: Some("2026-12-01 10:00:00".into()),
            end_time: None,
            silent: Some(false),
            sensors: vec![AlertSensor {
                sensor_id: 3,
                channel: Some(2),
                type_id: Some(1),
                name: Some("Door".into()),
                description: None,
                start_time: Some("2026-12-01 10:00:00".into()),
                end_time: None,
                delay: Some(0),
                silent: Some(false),
                monitor_period: None,
                monitor_threshold: Some(100),
            }],
        };
        assert_eq!(
            serde_json::to_value(&alert).unwrap(),
            serde_json::json!({
                "id": 7, "alertType": "alert_sabotage", "startTime": "2026-12-01 10:00:00",
                "endTime": null, "silent": false,
                "sensors": [{"sensorId": 3, "channel": 2, "typeId": 1, "name": "Door",
                    "description": null, "startTime": "2026-12-01 10:00:00", "endTime": null,
                    "delay": 0, "silent": false, "monitorPeriod": null, "monitorThreshold": 100}]
            })
        );
    }

    #[test]
    fn times_out_of_range_are_empty() {
        assert_eq!(local_time_ms(i64::MAX), "");
        assert_eq!(local_time_ms(0).len(), "1970-01-01 00:00:00".len());
    }
}

/// The GSM modem as the monitor last found it (`GET /api/gsm`, `/api/health`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModemStatus {
    /// `notifications/gsm.enabled`.
    pub enabled: bool,
    /// The modem answered the last check.
    pub reachable: bool,
    /// `home`, `roaming`, `searching`, `denied`, `not_registered` or `unknown`.
    pub registration: Option<String>,
    /// Signal quality, 0–31 (`+CSQ`), when known.
    pub signal: Option<u8>,
    /// The same in dBm (−113 + 2 × signal).
    pub signal_dbm: Option<i32>,
    /// The last error the modem gave (never a number or a text).
    pub last_error: Option<String>,
    /// When it was last checked, local time.
    pub checked: Option<String>,
}

/// The MQTT session as the monitor last saw it (`/api/health`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MqttStatus {
    /// `mqtt/connection.enabled`.
    pub enabled: bool,
    /// Connected to the broker now.
    pub connected: bool,
    /// `host:port` of the broker in use.
    pub broker: Option<String>,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
}
