//! Live events for browsers: ArPI's Socket.IO event names and payloads
//! (contract §2.2), built from engine effects and broadcast to every client.
//! A slow client never delays the engine: the hub is a bounded broadcast and
//! a lagging receiver skips ahead.

use chrono::{DateTime, Local};
use serde_json::{json, Value};
use tokio::sync::broadcast;

use crate::engine::model::Millis;
use crate::engine::{AlertType, AlertView, ArmState};
use crate::installation::Installation;

/// One event: a name and an optional payload (`None` goes out with no argument).
#[derive(Debug, Clone, PartialEq)]
pub struct LiveEvent {
    /// The Socket.IO event name.
    pub name: &'static str,
    /// The payload.
    pub payload: Option<Value>,
}

/// Capacity of the broadcast hub; a client further behind skips ahead.
pub const HUB_CAPACITY: usize = 1024;

/// Creates the hub.
pub fn hub() -> broadcast::Sender<LiveEvent> {
    broadcast::channel(HUB_CAPACITY).0
}

/// ArPI's local-time format, `YYYY-MM-DD HH:MM:SS`.
pub fn local_time(ms: Millis) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&Local)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}

fn alert_type(t: AlertType) -> &'static str {
    match t {
        AlertType::Away => "alert_away",
        AlertType::Stay => "alert_stay",
        AlertType::Sabotage => "alert_sabotage",
    }
}

/// The contract's Alert JSON (§7), `id` being the database id when known.
pub fn alert_json(alert: &AlertView, id: i64, installation: &Installation) -> Value {
    let sensors: Vec<Value> = alert
        .sensors
        .iter()
        .map(|s| {
            let info = installation.sensors.get(&s.sensor);
            json!({
                "sensorId": s.sensor,
                "channel": info.and_then(|i| i.channel),
                "typeId": info.map(|i| i.type_id),
                "name": info.map(|i| i.name.clone()),
                "description": info.and_then(|i| i.description.clone()),
                "startTime": local_time(s.start),
                "endTime": s.end.map(local_time),
                "delay": s.delay,
                "silent": s.silent,
                "monitorPeriod": info.and_then(|i| i.monitor_period),
                "monitorThreshold": info.and_then(|i| i.monitor_threshold),
            })
        })
        .collect();
    json!({
        "id": id,
        "alertType": alert_type(alert.alert_type),
        "startTime": local_time(alert.start),
        "endTime": alert.end.map(local_time),
        "silent": alert.silent,
        "sensors": sensors,
    })
}

/// `area_state_change`'s payload.
pub fn area_json(area: i32, state: ArmState, installation: &Installation) -> Value {
    let info = installation.areas.get(&area);
    json!({
        "id": area,
        "name": info.map(|a| a.name.clone()),
        "armState": state.as_str(),
        "uiOrder": info.and_then(|a| a.ui_order),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::AlertSensor;

    #[test]
    fn alert_json_has_the_contract_keys() {
        let alert = AlertView {
            key: 1,
            alert_type: AlertType::Stay,
            start: 0,
            end: None,
            silent: false,
            sensors: vec![AlertSensor {
                sensor: 3,
                start: 0,
                end: None,
                delay: 0,
                silent: Some(false),
            }],
        };
        let v = alert_json(&alert, 17, &Installation::default());
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "alertType",
                "endTime",
                "id",
                "sensors",
                "silent",
                "startTime"
            ]
        );
        assert_eq!(v["alertType"], "alert_stay");
        assert_eq!(v["endTime"], Value::Null);
        let s: Vec<&str> = v["sensors"][0]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            s,
            [
                "channel",
                "delay",
                "description",
                "endTime",
                "monitorPeriod",
                "monitorThreshold",
                "name",
                "sensorId",
                "silent",
                "startTime",
                "typeId"
            ]
        );
        assert_eq!(
            v["startTime"].as_str().unwrap().len(),
            19,
            "YYYY-MM-DD HH:MM:SS"
        );
    }
}
