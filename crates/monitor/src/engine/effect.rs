//! What the engine decides: state to publish, hardware to switch, records to
//! store, people to notify. The runtime applies them in order: siren and
//! outputs first, then live events, then the database.

use argus_protocol::constants::{MonitoringState, PowerState};
use serde::{Deserialize, Serialize};

use super::input::Origin;
use super::model::{AreaId, ArmMode, Millis, OutputId, SensorId};

/// The arm state of an area or of the system (`arm_*` / `disarm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ArmState {
    /// `disarm`
    Disarm,
    /// `arm_away`
    Away,
    /// `arm_stay`
    Stay,
    /// `arm_mixed`: areas in different modes.
    Mixed,
}

impl ArmState {
    /// The contract string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Disarm => "disarm",
            Self::Away => "arm_away",
            Self::Stay => "arm_stay",
            Self::Mixed => "arm_mixed",
        }
    }

    /// The state of an area in `mode` (or disarmed).
    pub fn of(mode: Option<ArmMode>) -> Self {
        match mode {
            None => Self::Disarm,
            Some(ArmMode::Away) => Self::Away,
            Some(ArmMode::Stay) => Self::Stay,
        }
    }
}

/// A sensor's part in an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertSensor {
    /// The sensor.
    pub sensor: SensorId,
    /// When it joined.
    pub start: Millis,
    /// When it returned to normal.
    pub end: Option<Millis>,
    /// The delay it waited.
    pub delay: u32,
    /// Its `silent_alert`.
    pub silent: Option<bool>,
}

/// The open alert as clients see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertView {
    /// Engine-local alert number (the runtime maps it to `alert.id`).
    pub key: u64,
    /// `alert_away`, `alert_stay` or `alert_sabotage`.
    pub alert_type: AlertType,
    /// Start.
    pub start: Millis,
    /// End (set on disarm).
    pub end: Option<Millis>,
    /// Whether the alert is silent.
    pub silent: bool,
    /// Participating sensors.
    pub sensors: Vec<AlertSensor>,
}

/// The kind of an alert (contract `alertType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlertType {
    /// Raised while armed away.
    Away,
    /// Raised while armed stay.
    Stay,
    /// Raised by a 24-hour zone or tamper while disarmed.
    Sabotage,
}

/// Something worth recording in the event log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// Arming refused because sensors are open.
    ArmRefused {
        /// Who tried.
        origin: Origin,
        /// The open sensors.
        open: Vec<SensorId>,
    },
    /// Sensors bypassed for this armed period by a forced arm.
    Bypassed {
        /// Who forced.
        origin: Origin,
        /// The bypassed sensors.
        sensors: Vec<SensorId>,
    },
    /// A sensor reached the swinger limit and is ignored until disarm.
    SwingerShutdown {
        /// The sensor.
        sensor: SensorId,
        /// How many alerts it raised.
        alerts: u32,
    },
    /// A wiring fault on a sensor while disarmed (armed: it is a tamper alert).
    WiringFault {
        /// The sensor.
        sensor: SensorId,
        /// Cut or short.
        short: bool,
    },
    /// A wiring fault cleared.
    WiringRestored {
        /// The sensor.
        sensor: SensorId,
    },
    /// A configuration was refused; the previous one stays in force.
    InvalidConfig {
        /// Why.
        reason: String,
    },
    /// A duress code was used. Never shown to the person at the keypad.
    Duress {
        /// Who was forced.
        origin: Origin,
    },
}

/// A row the runtime persists (arm, disarm, alert, event log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Record {
    /// An arm: `arm` + `arm_sensor` rows.
    Arm {
        /// The resulting system arm state (merged: `Mixed` when modes differ).
        state: ArmState,
        /// The areas armed by this command.
        areas: Vec<AreaId>,
        /// Who.
        origin: Origin,
        /// When.
        time: Millis,
        /// Each watched sensor with its effective delay (`None` = ignored).
        sensors: Vec<(SensorId, Option<u32>)>,
    },
    /// A disarm: a `disarm` row, linked to the alert it closed.
    Disarm {
        /// The areas disarmed.
        areas: Vec<AreaId>,
        /// Who.
        origin: Origin,
        /// When.
        time: Millis,
        /// The alert this disarm ended, if any.
        alert: Option<u64>,
    },
    /// An `alert` row.
    AlertStarted(AlertView),
    /// An `alert_sensor` row.
    AlertSensorAdded {
        /// The alert.
        alert: u64,
        /// The sensor's part.
        sensor: AlertSensor,
    },
    /// `alert_sensor.end_time`.
    AlertSensorEnded {
        /// The alert.
        alert: u64,
        /// The sensor.
        sensor: SensorId,
        /// When.
        time: Millis,
    },
    /// `alert.end_time`.
    AlertEnded {
        /// The alert.
        alert: u64,
        /// When.
        time: Millis,
    },
    /// An `argus_event` row.
    Event(Event),
}

/// A notification to queue (e-mail, SMS, call per the subscriptions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Notification {
    /// `alert_started`, for the first sensor of an alert.
    AlertStarted {
        /// The alert.
        alert: u64,
        /// When it started (with the start, it names the alert across restarts).
        start: Millis,
        /// The sensor that started it.
        sensor: SensorId,
    },
    /// `alert_stopped`.
    AlertStopped {
        /// The alert.
        alert: u64,
        /// When it started.
        start: Millis,
        /// Every sensor that took part.
        sensors: Vec<SensorId>,
        /// What the house was when it started.
        alert_type: AlertType,
    },
    /// `power_outage_started`.
    PowerOutageStarted {
        /// When mains was lost.
        since: Millis,
    },
    /// `power_outage_stopped`.
    PowerOutageStopped {
        /// When mains was lost (the outage this ends).
        since: Millis,
    },
    /// A wiring fault while disarmed.
    WiringFault {
        /// The sensor.
        sensor: SensorId,
    },
    /// A silent duress alarm.
    Duress {
        /// Who was forced.
        origin: Origin,
    },
}

/// One decision of the engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    /// `system_state_change`.
    MonitoringState(MonitoringState),
    /// `arm_state_change` (system arm state).
    ArmState(ArmState),
    /// `area_state_change`.
    AreaState {
        /// The area.
        area: AreaId,
        /// Its new state.
        state: ArmState,
    },
    /// `alert_state_change`: the alert, or `None` when it ended.
    AlertState(Option<AlertView>),
    /// `syren_state_change`: `Some(true)` sounding, `Some(false)` silent
    /// alert, `None` stopped. The runtime drives the siren output from it.
    Siren(Option<bool>),
    /// `sensors_state_change`: whether any enabled sensor is alerting.
    SensorsAlerting(bool),
    /// `sensors_error_change`: whether any enabled sensor has a wiring fault.
    SensorsError(bool),
    /// `sensor.alert` changed.
    SensorAlert {
        /// The sensor.
        sensor: SensorId,
        /// Its new flag.
        alert: bool,
    },
    /// `sensor.error` changed.
    SensorError {
        /// The sensor.
        sensor: SensorId,
        /// Its new flag.
        error: bool,
    },
    /// `power_state_change`.
    Power(PowerState),
    /// `output_state_change` (and the relay).
    Output {
        /// The output.
        output: OutputId,
        /// Its new state.
        state: bool,
    },
    /// Arming was refused: these sensors are open.
    ArmRefused {
        /// The open sensors.
        open: Vec<SensorId>,
    },
    /// Persist.
    Record(Record),
    /// Notify.
    Notify(Notification),
}

impl Effect {
    /// Whether a client, the keypad or MQTT can observe this effect. Duress
    /// records and notifications are the only private ones.
    pub fn is_visible(&self) -> bool {
        !matches!(
            self,
            Self::Record(Record::Event(Event::Duress { .. }))
                | Self::Notify(Notification::Duress { .. })
        )
    }
}
