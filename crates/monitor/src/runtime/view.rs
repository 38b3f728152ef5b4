//! The alarm's state as machine consumers (MQTT) follow it: one value the
//! actor replaces after every change, so a slow consumer only ever sees the
//! latest state and can never hold the engine up.

use argus_protocol::constants::{MonitoringState, PowerState};
use std::collections::{BTreeMap, BTreeSet};

use crate::engine::{ArmState, Engine};

/// The state at one instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateView {
    /// The system's monitoring state.
    pub monitoring: MonitoringState,
    /// The system's arm state (`Mixed` when areas differ).
    pub system: ArmState,
    /// Each area's arm state.
    pub areas: BTreeMap<i32, ArmState>,
    /// Enabled sensors alerting now.
    pub alerting: BTreeSet<i32>,
    /// The siren sounds.
    pub siren: bool,
    /// Mains or battery, when known.
    pub power: Option<PowerState>,
}

impl StateView {
    /// The view of `engine`.
    pub fn of(engine: &Engine) -> Self {
        let snapshot = engine.snapshot();
        Self {
            monitoring: engine.monitoring_state(),
            system: engine.arm_state(),
            areas: snapshot
                .areas
                .keys()
                .filter_map(|&a| Some((a, engine.area_state(a)?)))
                .collect(),
            alerting: engine.alerting_sensors().into_iter().collect(),
            siren: snapshot.siren.sounding,
            power: snapshot.power,
        }
    }
}
