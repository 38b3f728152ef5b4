//! What the engine reacts to. Every command carries its [`Origin`], so the
//! records say who armed, disarmed or silenced what.

use serde::{Deserialize, Serialize};

use super::model::{AreaId, ArmMode, Config, OutputId, SensorId};
use argus_protocol::constants::PowerState;

/// Who or what caused a command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    /// A user through the REST API.
    User(i32),
    /// The keypad, with the user whose PIN was typed.
    Keypad {
        /// `keypad.id`.
        keypad: i32,
        /// The PIN's owner.
        user: Option<i32>,
    },
    /// An RFID card at the keypad.
    Card {
        /// `keypad.id`.
        keypad: i32,
        /// The card's owner.
        user: i32,
    },
    /// Home Assistant over MQTT (the user whose code was given, if any).
    Mqtt {
        /// The code's owner.
        user: Option<i32>,
    },
    /// An SMS command from a configured number, with the PIN's owner.
    Sms {
        /// The PIN's owner.
        user: i32,
    },
    /// A remote node.
    Node(String),
    /// argus itself (start-up, timers).
    System,
}

impl Origin {
    /// The user behind the command, if known.
    pub fn user(&self) -> Option<i32> {
        match self {
            Self::User(u) | Self::Card { user: u, .. } | Self::Sms { user: u } => Some(*u),
            Self::Keypad { user, .. } | Self::Mqtt { user } => *user,
            Self::Node(_) | Self::System => None,
        }
    }

    /// The keypad behind the command, if any.
    pub fn keypad(&self) -> Option<i32> {
        match self {
            Self::Keypad { keypad, .. } | Self::Card { keypad, .. } => Some(*keypad),
            _ => None,
        }
    }
}

/// What a sensor's input reads, after the board classified its level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reading {
    /// Normal.
    Idle,
    /// Active (motion, open door, …).
    Active,
    /// Wiring cut (open circuit).
    Cut,
    /// Wiring shorted.
    Short,
}

impl Reading {
    /// Whether the reading is a wiring fault.
    pub fn is_fault(self) -> bool {
        matches!(self, Self::Cut | Self::Short)
    }
}

/// An input to [`super::Engine::handle`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Input {
    /// Load or replace the configuration.
    Configure(Box<Config>),
    /// A sensor's reading changed (or was read for the first time).
    Sensor {
        /// The sensor.
        sensor: SensorId,
        /// What it reads.
        reading: Reading,
    },
    /// Arm an area or (with `area: None`) the system.
    Arm {
        /// Away or stay.
        mode: ArmMode,
        /// The area; `None` = every area with sensors.
        area: Option<AreaId>,
        /// Who.
        origin: Origin,
        /// Run the exit delay.
        use_delay: bool,
        /// Arm despite open sensors, bypassing them (overrides the policy).
        force: bool,
    },
    /// Disarm an area or the system. A duress disarm looks exactly like a
    /// normal one to every client, and raises a silent duress alarm.
    Disarm {
        /// The area; `None` = every area.
        area: Option<AreaId>,
        /// Who.
        origin: Origin,
        /// The code was a duress code.
        duress: bool,
    },
    /// A button output pressed (`true`) or released.
    Button {
        /// The output.
        output: OutputId,
        /// Pressed or released.
        pressed: bool,
    },
    /// The power source changed.
    Power(PowerState),
    /// Time passed; due timers fire. The runtime sends it at
    /// [`super::Engine::next_deadline`].
    Tick,
}
