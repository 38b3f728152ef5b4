//! The installation as the monitor runs it: the engine's [`Config`] plus what
//! the board and the live events need (channels, wiring, names), loaded from
//! the database and kept in the journal so a restart works without it.

pub mod credentials;

use argus_db::enums::{ChannelType, ContactType, EolCount, OutputTrigger as DbTrigger};
use argus_db::models::{Area, Keypad, OptionRow, Output, Sensor, SensorType, Zone};
use diesel::pg::PgConnection;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::devices::board::wiring::Wiring;
use crate::engine::model::{self, Config, OutputTrigger, Policy, Sensitivity, SirenOptions};
use crate::installation::credentials::Credentials;

/// What live events and records show of a sensor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensorInfo {
    /// Input channel, if connected.
    pub channel: Option<u8>,
    /// How it is wired.
    pub wiring: Wiring,
    /// Calibrated idle level (`basic` wiring).
    pub reference: Option<f64>,
    /// `sensor.type_id`.
    pub type_id: i32,
    /// `sensor.name`.
    pub name: String,
    /// `sensor.description`.
    pub description: Option<String>,
    /// `monitor_period`.
    pub monitor_period: Option<i32>,
    /// `monitor_threshold`.
    pub monitor_threshold: Option<i32>,
}

/// An area's name and order, for `area_state_change`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaInfo {
    /// `area.name`.
    pub name: String,
    /// `area.ui_order`.
    pub ui_order: Option<i32>,
}

/// Everything the monitor needs to run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Installation {
    /// The engine's configuration.
    pub config: Config,
    /// Sensor details by id.
    pub sensors: BTreeMap<i32, SensorInfo>,
    /// Area details by id.
    pub areas: BTreeMap<i32, AreaInfo>,
    /// Output channel by output id.
    pub output_channels: BTreeMap<i32, u8>,
    /// Areas stored as armed (`area.arm_state`), for a start without a journal.
    pub armed: BTreeMap<i32, model::ArmMode>,
    /// PIN and card hashes, so the keypad works without PostgreSQL.
    #[serde(default)]
    pub credentials: Credentials,
    /// The keypad in use (the first `keypad` row), for arm and disarm records.
    #[serde(default)]
    pub keypad: Option<i32>,
    /// Sensor type names by id (a report to a receiving centre says fire or water by them).
    #[serde(default)]
    pub sensor_types: BTreeMap<i32, String>,
    /// Remote nodes by id (`argus_node`, with their inputs).
    #[serde(default)]
    pub nodes: BTreeMap<i32, NodeInfo>,
}

/// Where an MQTT input's state is in its payload (read by
/// `interfaces::nodes::mqtt_rule`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MqttRule {
    /// A JSON pointer into the payload, or the whole payload.
    pub pointer: Option<String>,
    /// The value that means active (any other: idle); or argus's words.
    pub active: Option<String>,
}

/// A remote node as supervision and intake need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeInfo {
    /// `argus_node.name`.
    pub name: String,
    /// Offline after this long without a sign of life, ms.
    pub timeout_ms: i64,
    /// When it was last seen, as the database knows (ms since the epoch).
    pub last_seen: Option<i64>,
    /// `argus_node.enabled`.
    pub enabled: bool,
    /// Its RockBLOCK modem, if it has one.
    #[serde(default)]
    pub imei: Option<String>,
    /// The node's input names → `sensor.id`.
    pub inputs: BTreeMap<String, i32>,
    /// Inputs read from MQTT: topic, sensor, payload rule.
    #[serde(default)]
    pub mqtt: Vec<(String, i32, MqttRule)>,
    /// An MQTT device's availability topic.
    #[serde(default)]
    pub availability: Option<String>,
    /// Its live tokens: SHA-256 (hex) and expiry (ms), for WebSocket logins.
    #[serde(default)]
    pub tokens: Vec<(String, i64)>,
}

impl Installation {
    /// Sensors on each input channel.
    pub fn channels(&self) -> BTreeMap<u8, Vec<(i32, Wiring, Option<f64>)>> {
        let mut map: BTreeMap<u8, Vec<(i32, Wiring, Option<f64>)>> = BTreeMap::new();
        for (&id, s) in &self.sensors {
            if let Some(ch) = s.channel {
                map.entry(ch).or_default().push((id, s.wiring, s.reference));
            }
        }
        map
    }
}

/// Loading failed.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The database refused.
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
}

fn option_json<T: serde::de::DeserializeOwned>(
    options: &[OptionRow],
    name: &str,
    section: &str,
) -> Option<T> {
    let row = options
        .iter()
        .find(|o| o.name == name && o.section == section)?;
    match serde_json::from_str(row.value.as_deref()?) {
        Ok(v) => Some(v),
        Err(e) => {
            tracing::warn!(option = %format!("{name}/{section}"), error = %e, "unreadable option; using defaults");
            None
        }
    }
}

#[derive(Deserialize)]
struct SirenTiming {
    silent: Option<bool>,
    #[serde(default)]
    delay: Option<u32>,
    #[serde(default)]
    duration: Option<u32>,
}

#[derive(Deserialize)]
struct AlertSensitivity {
    monitor_period: Option<u32>,
    monitor_threshold: Option<u8>,
}

fn non_negative(v: Option<i32>) -> Option<u32> {
    v.and_then(|d| u32::try_from(d).ok())
}

/// Remote nodes with their inputs.
fn load_nodes(conn: &mut PgConnection) -> diesel::QueryResult<BTreeMap<i32, NodeInfo>> {
    let inputs = argus_db::models::NodeRow::inputs(conn)?;
    let tokens = argus_db::models::NodeRow::live_tokens(conn, chrono::Utc::now())?;
    Ok(argus_db::models::NodeRow::all(conn)?
        .into_iter()
        .map(|n| {
            let info = NodeInfo {
                name: n.name,
                timeout_ms: i64::from(n.timeout_seconds) * 1000,
                last_seen: n.last_seen.map(|t| t.timestamp_millis()),
                enabled: n.enabled,
                imei: n.imei,
                inputs: inputs
                    .iter()
                    .filter(|i| i.node_id == n.id)
                    .map(|i| (i.input.clone(), i.sensor_id))
                    .collect(),
                mqtt: inputs
                    .iter()
                    .filter(|i| i.node_id == n.id)
                    .filter_map(|i| {
                        let rule = MqttRule {
                            pointer: i.json_pointer.clone(),
                            active: i.active_value.clone(),
                        };
                        Some((i.mqtt_topic.clone()?, i.sensor_id, rule))
                    })
                    .collect(),
                availability: n.mqtt_availability,
                tokens: tokens
                    .iter()
                    .filter(|(node, ..)| *node == n.id)
                    .map(|(_, hash, expires)| (hash.clone(), expires.timestamp_millis()))
                    .collect(),
            };
            (n.id, info)
        })
        .collect())
}

/// Reads the installation from the database.
pub fn load(conn: &mut PgConnection, input_number: u8) -> Result<Installation, LoadError> {
    let areas: Vec<Area> = Area::all(conn)?
        .into_iter()
        .filter(|a| a.deleted != Some(true))
        .collect();
    let zones: Vec<Zone> = Zone::all(conn)?
        .into_iter()
        .filter(|z| z.deleted != Some(true))
        .collect();
    let sensors: Vec<Sensor> = Sensor::all(conn)?
        .into_iter()
        .filter(|s| !s.deleted)
        .collect();
    let outputs = Output::all(conn)?;
    let options = OptionRow::all(conn)?;

    let mut inst = Installation {
        credentials: Credentials::load(conn)?,
        keypad: Keypad::all(conn)?.first().map(|k| k.id),
        sensor_types: SensorType::all(conn)?
            .into_iter()
            .filter_map(|t| Some((t.id, t.name?)))
            .collect(),
        nodes: load_nodes(conn)?,
        ..Installation::default()
    };
    inst.config.areas = areas.iter().map(|a| a.id).collect();
    for a in &areas {
        inst.areas.insert(
            a.id,
            AreaInfo {
                name: a.name.clone(),
                ui_order: a.ui_order,
            },
        );
        match a.arm_state {
            argus_db::enums::ArmState::Away => {
                inst.armed.insert(a.id, model::ArmMode::Away);
            }
            argus_db::enums::ArmState::Stay | argus_db::enums::ArmState::Mixed => {
                inst.armed.insert(a.id, model::ArmMode::Stay);
            }
            argus_db::enums::ArmState::Disarm => {}
        }
    }
    for z in &zones {
        inst.config.zones.insert(
            z.id,
            model::Zone {
                id: z.id,
                disarmed_delay: non_negative(z.disarmed_delay),
                away_alert_delay: non_negative(z.away_alert_delay),
                stay_alert_delay: non_negative(z.stay_alert_delay),
                away_arm_delay: non_negative(z.away_arm_delay),
                stay_arm_delay: non_negative(z.stay_arm_delay),
            },
        );
    }
    for s in &sensors {
        let channel = s
            .channel
            .and_then(|c| u8::try_from(c).ok())
            .filter(|&c| c < input_number);
        let nc = s.sensor_contact_type == ContactType::Nc;
        let wiring = match s.channel_type {
            ChannelType::Basic => Wiring::Basic,
            ChannelType::Normal => Wiring::Single {
                nc,
                double_eol: s.sensor_eol_count == EolCount::Double,
            },
            ChannelType::ChannelA => Wiring::Dual { nc, b: false },
            ChannelType::ChannelB => Wiring::Dual { nc, b: true },
        };
        inst.sensors.insert(
            s.id,
            SensorInfo {
                channel,
                wiring,
                reference: s.reference_value,
                type_id: s.type_id,
                name: s.name.clone(),
                description: s.description.clone(),
                monitor_period: s.monitor_period,
                monitor_threshold: s.monitor_threshold,
            },
        );
        inst.config.sensors.insert(
            s.id,
            model::Sensor {
                id: s.id,
                area: s.area_id,
                zone: s.zone_id,
                enabled: s.enabled,
                silent: s.silent_alert,
                monitor_period: non_negative(s.monitor_period),
                monitor_threshold: s.monitor_threshold.and_then(|t| u8::try_from(t).ok()),
            },
        );
    }
    for o in &outputs {
        let trigger = match (o.trigger_type, o.area_id) {
            (DbTrigger::Area, Some(area)) => OutputTrigger::Area(area),
            (DbTrigger::Area, None) => continue,
            (DbTrigger::System, _) => OutputTrigger::System,
            (DbTrigger::Button, _) => OutputTrigger::Button,
        };
        let channel = o.channel.and_then(|c| u8::try_from(c).ok());
        if let Some(ch) = channel {
            inst.output_channels.insert(o.id, ch);
        }
        inst.config.outputs.insert(
            o.id,
            model::Output {
                id: o.id,
                channel,
                trigger,
                delay: non_negative(o.delay).unwrap_or(0),
                duration: non_negative(Some(o.duration)).unwrap_or(0),
                default_state: o.default_state.unwrap_or(false),
                enabled: o.enabled.unwrap_or(true),
            },
        );
    }
    if let Some(t) = option_json::<SirenTiming>(&options, "syren", "timing") {
        inst.config.siren = SirenOptions {
            silent: t.silent,
            delay: t.delay.unwrap_or(0),
            duration: t.duration.unwrap_or(0),
        };
    }
    if let Some(s) = option_json::<AlertSensitivity>(&options, "alert", "sensitivity") {
        inst.config.sensitivity = match (s.monitor_period, s.monitor_threshold) {
            (Some(period), threshold) if period > 0 => Some(Sensitivity {
                period,
                threshold: threshold.unwrap_or(100).min(100),
            }),
            _ => None,
        };
    }
    inst.config.policy = option_json::<Policy>(&options, "argus", "policy").unwrap_or_default();
    Ok(inst)
}
