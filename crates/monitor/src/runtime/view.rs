//! The alarm's state as machine consumers (MQTT) follow it: one value the
//! actor replaces after every change, so a slow consumer only ever sees the
//! latest state and can never hold the engine up.

use argus_protocol::constants::{MonitoringState, PowerState};
use std::collections::{BTreeMap, BTreeSet};

use crate::engine::{AreaId, ArmState, Delay, Effect, Engine, Origin, Record};

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
    /// The delay running in each area.
    pub delays: BTreeMap<AreaId, Delay>,
    /// Who last armed or disarmed.
    pub changed_by: ChangedBy,
}

/// Who last armed or disarmed each area and the system, since the monitor
/// started (the records in the database keep the full history).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangedBy {
    /// By area.
    pub areas: BTreeMap<AreaId, Origin>,
    /// Any area.
    pub system: Option<Origin>,
}

impl ChangedBy {
    /// Takes note of the arms and disarms among `effects`.
    pub fn note(&mut self, effects: &[Effect]) {
        for e in effects {
            let (Effect::Record(Record::Arm { areas, origin, .. })
            | Effect::Record(Record::Disarm { areas, origin, .. })) = e
            else {
                continue;
            };
            for &a in areas {
                self.areas.insert(a, origin.clone());
            }
            self.system = Some(origin.clone());
        }
    }
}

impl StateView {
    /// The view of `engine`.
    pub fn of(engine: &Engine, changed_by: &ChangedBy) -> Self {
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
            delays: engine.delays(),
            changed_by: changed_by.clone(),
        }
    }
}
