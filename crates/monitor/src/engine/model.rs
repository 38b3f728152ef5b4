//! The engine's view of the configuration: areas, zones, sensors, outputs and
//! the options that tune them. Plain data, built by the runtime from the
//! database (or by tests by hand); the engine never reads storage itself.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `area.id`.
pub type AreaId = i32;
/// `sensor.id`.
pub type SensorId = i32;
/// `zone.id`.
pub type ZoneId = i32;
/// `output.id`.
pub type OutputId = i32;
/// Milliseconds since the Unix epoch; the only notion of time the engine has.
pub type Millis = i64;

/// Arm modes a user can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ArmMode {
    /// Everyone out: every zone with an away delay is watched.
    Away,
    /// People home: only zones with a stay delay are watched.
    Stay,
}

/// A zone: how its sensors behave in each mode. `None` = ignored in that mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Zone {
    /// `zone.id`.
    pub id: ZoneId,
    /// Seconds before a sabotage alert while disarmed; `Some` makes a 24-hour zone.
    pub disarmed_delay: Option<u32>,
    /// Entry delay when armed away.
    pub away_alert_delay: Option<u32>,
    /// Entry delay when armed stay.
    pub stay_alert_delay: Option<u32>,
    /// Exit delay when arming away with a delay.
    pub away_arm_delay: Option<u32>,
    /// Exit delay when arming stay with a delay.
    pub stay_arm_delay: Option<u32>,
}

impl Zone {
    /// Entry delay in `mode`, or `None` when the zone is ignored in that mode.
    pub fn alert_delay(&self, mode: ArmMode) -> Option<u32> {
        match mode {
            ArmMode::Away => self.away_alert_delay,
            ArmMode::Stay => self.stay_alert_delay,
        }
    }

    /// Exit delay in `mode` (ignored zones have none).
    pub fn arm_delay(&self, mode: ArmMode) -> u32 {
        match mode {
            ArmMode::Away => self.away_arm_delay,
            ArmMode::Stay => self.stay_arm_delay,
        }
        .unwrap_or(0)
    }

    /// Whether this is a 24-hour (tamper) zone.
    pub fn is_24h(&self) -> bool {
        self.disarmed_delay.is_some()
    }
}

/// Debounce window: alerting when the sensor was active for at least
/// `threshold` percent of the last `period` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// Window length in seconds (≥ 1).
    pub period: u32,
    /// Percent of the window (0–100).
    pub threshold: u8,
}

/// A sensor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sensor {
    /// `sensor.id`.
    pub id: SensorId,
    /// Its area.
    pub area: AreaId,
    /// Its zone.
    pub zone: ZoneId,
    /// Disabled sensors are ignored entirely.
    pub enabled: bool,
    /// `silent_alert` (tri-state, see [`SirenOptions::silent`]).
    pub silent: Option<bool>,
    /// `monitor_period`.
    pub monitor_period: Option<u32>,
    /// `monitor_threshold`.
    pub monitor_threshold: Option<u8>,
}

/// What switches an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutputTrigger {
    /// Its area armed (on) / disarmed (off).
    Area(AreaId),
    /// Every area armed (on) / every area disarmed (off).
    System,
    /// Pressed and released by hand (REST activate/deactivate).
    Button,
}

/// A relay output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Output {
    /// `output.id`.
    pub id: OutputId,
    /// Driver channel (0 is the siren's and refused).
    pub channel: Option<u8>,
    /// Trigger.
    pub trigger: OutputTrigger,
    /// Seconds between the trigger and the switch (both ways).
    pub delay: u32,
    /// Seconds the output stays switched; 0 = until stopped.
    pub duration: u32,
    /// The state at rest.
    pub default_state: bool,
    /// Disabled outputs never switch.
    pub enabled: bool,
}

/// `syren/timing`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SirenOptions {
    /// `None`: follow the sensors; `Some(true)`: silent unless a sensor says
    /// loud; `Some(false)`: always loud.
    pub silent: Option<bool>,
    /// Seconds between the alert and the siren.
    pub delay: u32,
    /// Seconds the siren sounds; 0 = [`DEFAULT_SIREN_SECONDS`]; never above
    /// [`MAX_SIREN_SECONDS`].
    pub duration: u32,
}

impl Default for SirenOptions {
    fn default() -> Self {
        Self {
            silent: Some(false),
            delay: 0,
            duration: 0,
        }
    }
}

/// A siren duration of 0 means this cap (15 minutes).
pub const DEFAULT_SIREN_SECONDS: u32 = 15 * 60;
/// No siren ever sounds longer than this (20 minutes).
pub const MAX_SIREN_SECONDS: u32 = 20 * 60;

impl SirenOptions {
    /// How long the siren sounds.
    pub fn effective_duration(&self) -> u32 {
        match self.duration {
            0 => DEFAULT_SIREN_SECONDS,
            d => d.min(MAX_SIREN_SECONDS),
        }
    }
}

/// What arming does with sensors that are open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenSensorPolicy {
    /// Refuse and list them (default).
    #[default]
    Refuse,
    /// Arm and bypass them for this armed period.
    Force,
}

/// Options beyond ArPI, each with its default. Stored as the option
/// `argus/policy` (`{"open_sensors": "refuse"|"force", "swinger_limit": 3}`);
/// missing fields take their defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Policy {
    /// Arming with open sensors.
    pub open_sensors: OpenSensorPolicy,
    /// Alerts one sensor may raise per armed period (swinger shutdown); 0 = no limit.
    pub swinger_limit: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            open_sensors: OpenSensorPolicy::Refuse,
            swinger_limit: 3,
        }
    }
}

/// Everything the engine needs to know about the installation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// Non-deleted areas.
    pub areas: Vec<AreaId>,
    /// Non-deleted zones by id.
    pub zones: BTreeMap<ZoneId, Zone>,
    /// Non-deleted sensors by id.
    pub sensors: BTreeMap<SensorId, Sensor>,
    /// Outputs by id.
    pub outputs: BTreeMap<OutputId, Output>,
    /// Siren timing.
    pub siren: SirenOptions,
    /// Global sensitivity (`alert/sensitivity`); `None` = instant.
    pub sensitivity: Option<Sensitivity>,
    /// argus's own options.
    pub policy: Policy,
}

/// A configuration the engine refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A sensor names a zone that does not exist.
    #[error("sensor {sensor} refers to missing zone {zone}")]
    MissingZone {
        /// The sensor.
        sensor: SensorId,
        /// The zone.
        zone: ZoneId,
    },
    /// A sensor names an area that does not exist.
    #[error("sensor {sensor} refers to missing area {area}")]
    MissingArea {
        /// The sensor.
        sensor: SensorId,
        /// The area.
        area: AreaId,
    },
    /// An output uses channel 0, which drives the siren.
    #[error("output {0} uses channel 0, which is reserved for the siren")]
    SirenChannel(OutputId),
    /// An area-triggered output names an area that does not exist.
    #[error("output {output} refers to missing area {area}")]
    OutputArea {
        /// The output.
        output: OutputId,
        /// The area.
        area: AreaId,
    },
}

impl Config {
    /// Checks references; the engine runs only on a valid configuration.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for s in self.sensors.values() {
            if !self.zones.contains_key(&s.zone) {
                return Err(ConfigError::MissingZone {
                    sensor: s.id,
                    zone: s.zone,
                });
            }
            if !self.areas.contains(&s.area) {
                return Err(ConfigError::MissingArea {
                    sensor: s.id,
                    area: s.area,
                });
            }
        }
        for o in self.outputs.values() {
            if o.channel == Some(0) {
                return Err(ConfigError::SirenChannel(o.id));
            }
            if let OutputTrigger::Area(area) = o.trigger {
                if !self.areas.contains(&area) {
                    return Err(ConfigError::OutputArea { output: o.id, area });
                }
            }
        }
        Ok(())
    }

    /// The sensitivity that applies to a sensor (ArPI's rules, §9.7):
    /// both set → custom; only a threshold → instant; neither → global. A
    /// period of 0 needs no case of its own: a window of no length holds only
    /// the present reading, which is instant.
    pub fn sensitivity_of(&self, sensor: &Sensor) -> Option<Sensitivity> {
        match (sensor.monitor_period, sensor.monitor_threshold) {
            (Some(period), threshold) => Some(Sensitivity {
                period,
                threshold: threshold.unwrap_or(100).min(100),
            }),
            (None, None) => self.sensitivity,
            _ => None,
        }
    }

    /// Areas that arming the whole system arms: those with at least one sensor.
    pub fn system_areas(&self) -> Vec<AreaId> {
        self.areas
            .iter()
            .copied()
            .filter(|a| self.sensors.values().any(|s| s.area == *a))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_option_json_with_defaults() {
        let p: Policy = serde_json::from_str(r#"{"open_sensors": "force"}"#).unwrap();
        assert_eq!(
            p,
            Policy {
                open_sensors: OpenSensorPolicy::Force,
                swinger_limit: 3
            }
        );
        let p: Policy = serde_json::from_str("{}").unwrap();
        assert_eq!(p, Policy::default());
        assert!(serde_json::from_str::<Policy>(r#"{"open_sensors": "maybe"}"#).is_err());
    }

    #[test]
    fn siren_duration_zero_is_the_default_cap_and_never_above_the_maximum() {
        let s = |duration| {
            SirenOptions {
                silent: None,
                delay: 0,
                duration,
            }
            .effective_duration()
        };
        assert_eq!(
            (s(0), s(60), s(100_000)),
            (DEFAULT_SIREN_SECONDS, 60, MAX_SIREN_SECONDS)
        );
    }
}
