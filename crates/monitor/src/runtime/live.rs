//! Live events for browsers: ArPI's Socket.IO event names and payloads
//! (contract §2.2), built from engine effects and broadcast to every client.
//! A slow client never delays the engine: the hub is a bounded broadcast and
//! a lagging receiver skips ahead.

use serde_json::{json, Value};
use tokio::sync::broadcast;

use argus_protocol::wire;

use crate::engine::{AlertType, AlertView, ArmState, Effect};
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

/// The current value of each state event, so a client that connects late
/// (or reconnects during an alert) is told the whole state at once instead
/// of waiting for the next change.
#[derive(Debug, Default)]
pub struct Latest {
    /// By replay order, then area id.
    events: std::collections::BTreeMap<(u8, i64), LiveEvent>,
}

impl Latest {
    /// Replay order: the system first, the siren last (as a change would come).
    fn rank(name: &str) -> Option<u8> {
        const ORDER: [&str; 8] = [
            "system_state_change",
            "arm_state_change",
            "area_state_change",
            "power_state_change",
            "sensors_state_change",
            "sensors_error_change",
            "alert_state_change",
            "syren_state_change",
        ];
        ORDER
            .iter()
            .position(|n| *n == name)
            .and_then(|p| u8::try_from(p).ok())
    }

    /// Remembers `event` if it is a state; an event without payload (alert
    /// ended, siren stopped) leaves nothing to replay.
    pub fn record(&mut self, event: &LiveEvent) {
        let Some(rank) = Self::rank(event.name) else {
            return;
        };
        let id = event
            .payload
            .as_ref()
            .filter(|_| event.name == "area_state_change")
            .and_then(|p| p["id"].as_i64())
            .unwrap_or(0);
        match &event.payload {
            Some(_) => {
                self.events.insert((rank, id), event.clone());
            }
            None => {
                self.events.remove(&(rank, id));
            }
        }
    }

    /// The state as events, in replay order.
    pub fn replay(&self) -> Vec<LiveEvent> {
        self.events.values().cloned().collect()
    }

    fn current(&self, name: &str) -> Option<Value> {
        Self::rank(name)
            .and_then(|r| self.events.get(&(r, 0)))
            .and_then(|e| e.payload.clone())
    }

    /// The open alert's JSON, if any.
    pub fn alert(&self) -> Option<Value> {
        self.current("alert_state_change")
    }

    /// The system arm state (`arm_away`, …, `disarm`).
    pub fn arm(&self) -> Option<Value> {
        self.current("arm_state_change")
    }
}

/// Follows the hub into a [`Latest`]; subscribe before the engine's first
/// effects, so the start-up state is in it.
pub fn track(hub: &broadcast::Sender<LiveEvent>) -> std::sync::Arc<std::sync::Mutex<Latest>> {
    let latest = std::sync::Arc::new(std::sync::Mutex::new(Latest::default()));
    let mut rx = hub.subscribe();
    let tracked = std::sync::Arc::clone(&latest);
    tokio::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(event) => {
                    if let Ok(mut l) = tracked.lock() {
                        l.record(&event);
                    }
                }
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(skipped = n, "live state tracker skipped events");
                }
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
    });
    latest
}

fn alert_type(t: AlertType) -> wire::AlertType {
    match t {
        AlertType::Away => wire::AlertType::AlertAway,
        AlertType::Stay => wire::AlertType::AlertStay,
        AlertType::Sabotage => wire::AlertType::AlertSabotage,
    }
}

/// The contract's Alert (§7), `id` being the database id when known.
pub fn alert_json(alert: &AlertView, id: i64, installation: &Installation) -> wire::Alert {
    wire::Alert {
        id,
        alert_type: alert_type(alert.alert_type),
        start_time: Some(wire::local_time_ms(alert.start)),
        end_time: alert.end.map(wire::local_time_ms),
        silent: Some(alert.silent),
        sensors: alert
            .sensors
            .iter()
            .map(|s| {
                let info = installation.sensors.get(&s.sensor);
                wire::AlertSensor {
                    sensor_id: s.sensor,
                    channel: info.and_then(|i| i.channel).map(i32::from),
                    type_id: info.map(|i| i.type_id),
                    name: info.map(|i| i.name.clone()),
                    description: info.and_then(|i| i.description.clone()),
                    start_time: Some(wire::local_time_ms(s.start)),
                    end_time: s.end.map(wire::local_time_ms),
                    delay: i32::try_from(s.delay).ok(),
                    silent: s.silent,
                    monitor_period: info.and_then(|i| i.monitor_period),
                    monitor_threshold: info.and_then(|i| i.monitor_threshold),
                }
            })
            .collect(),
    }
}

/// `area_state_change`'s payload.
pub fn area_json(area: i32, state: ArmState, installation: &Installation) -> wire::Area {
    let info = installation.areas.get(&area);
    wire::Area {
        id: area,
        name: info.map(|a| a.name.clone()),
        arm_state: state.as_str().to_owned(),
        ui_order: info.and_then(|a| a.ui_order),
    }
}

/// The Socket.IO event an engine effect makes, if any (contract §2.2: ArPI's
/// names and payloads).
pub fn event_of(e: &Effect, installation: &Installation) -> Option<LiveEvent> {
    let (name, payload) = match e {
        Effect::MonitoringState(s) => ("system_state_change", Some(s.as_str().into())),
        Effect::ArmState(a) => ("arm_state_change", Some(a.as_str().into())),
        Effect::AreaState { area, state } => (
            "area_state_change",
            serde_json::to_value(area_json(*area, *state, installation)).ok(),
        ),
        Effect::AlertState(alert) => (
            "alert_state_change",
            alert.as_ref().and_then(|a| {
                let id = i64::try_from(a.key).unwrap_or(i64::MAX);
                serde_json::to_value(alert_json(a, id, installation)).ok()
            }),
        ),
        Effect::Siren(s) => ("syren_state_change", s.map(Into::into)),
        Effect::SensorsAlerting(b) => ("sensors_state_change", Some((*b).into())),
        Effect::SensorsError(b) => ("sensors_error_change", Some((*b).into())),
        Effect::Power(p) => ("power_state_change", Some(json!(p))),
        Effect::Output { output, state } => (
            "output_state_change",
            Some(json!({"id": output, "state": state})),
        ),
        _ => return None,
    };
    Some(LiveEvent { name, payload })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::AlertSensor;

    fn event(name: &'static str, payload: Option<Value>) -> LiveEvent {
        LiveEvent { name, payload }
    }

    #[test]
    fn latest_keeps_the_state_and_replays_it_in_order() {
        let mut l = Latest::default();
        l.record(&event("syren_state_change", Some(json!(true))));
        l.record(&event("alert_state_change", Some(json!({"id": 1}))));
        l.record(&event(
            "system_state_change",
            Some(json!("monitoring_armed")),
        ));
        l.record(&event(
            "system_state_change",
            Some(json!("monitoring_alert")),
        ));
        l.record(&event(
            "area_state_change",
            Some(json!({"id": 2, "armState": "arm_away"})),
        ));
        l.record(&event(
            "area_state_change",
            Some(json!({"id": 1, "armState": "arm_away"})),
        ));
        l.record(&event(
            "output_state_change",
            Some(json!({"id": 1, "state": true})),
        ));
        let names: Vec<(&str, Value)> = l
            .replay()
            .into_iter()
            .map(|e| (e.name, e.payload.unwrap()))
            .collect();
        assert_eq!(
            names,
            [
                ("system_state_change", json!("monitoring_alert")),
                (
                    "area_state_change",
                    json!({"id": 1, "armState": "arm_away"})
                ),
                (
                    "area_state_change",
                    json!({"id": 2, "armState": "arm_away"})
                ),
                ("alert_state_change", json!({"id": 1})),
                ("syren_state_change", json!(true)),
            ]
        );
        assert_eq!(l.alert(), Some(json!({"id": 1})));
        l.record(&event("alert_state_change", None));
        l.record(&event("syren_state_change", None));
        assert!(l.alert().is_none());
        assert_eq!(
            l.replay().len(),
            3,
            "an ended alert and a stopped siren are not replayed"
        );
    }

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
        let v = serde_json::to_value(alert_json(&alert, 17, &Installation::default())).unwrap();
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
