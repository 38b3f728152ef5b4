//! Arming and disarming: ready-to-arm, forced arming with bypass, exit
//! delays, duress.

use std::collections::BTreeSet;

use super::effect::{ArmState, Effect, Event, Notification, Record};
use super::input::Origin;
use super::model::{AreaId, ArmMode, Millis, OpenSensorPolicy, SensorId};
use super::{AreaRuntime, Engine};

impl Engine {
    /// Arms `area` (or every area with sensors) in `mode`.
    #[expect(
        clippy::too_many_arguments,
        reason = "one argument per field of the command"
    )]
    pub(super) fn arm(
        &mut self,
        mode: ArmMode,
        area: Option<AreaId>,
        origin: Origin,
        use_delay: bool,
        force: bool,
        at: Millis,
        out: &mut Vec<Effect>,
    ) {
        if !self.configured || self.invalid {
            out.push(Effect::ArmRefused { open: Vec::new() });
            return;
        }
        let targets: Vec<AreaId> = match area {
            Some(a) => vec![a],
            None => self.config.system_areas(),
        };
        // Unknown areas and those already in this mode drop out here.
        let targets: Vec<AreaId> = targets
            .into_iter()
            .filter(|a| {
                self.state
                    .areas
                    .get(a)
                    .is_some_and(|r| r.mode != Some(mode))
            })
            .collect();
        if targets.is_empty() {
            return;
        }
        let open: Vec<SensorId> = targets
            .iter()
            .flat_map(|&a| self.open_sensors(a, mode, use_delay))
            .collect();
        let force = force || self.config.policy.open_sensors == OpenSensorPolicy::Force;
        if !open.is_empty() && !force {
            out.push(Effect::ArmRefused { open: open.clone() });
            out.push(Effect::Record(Record::Event(Event::ArmRefused {
                origin,
                open,
            })));
            return;
        }
        if !open.is_empty() {
            out.push(Effect::Record(Record::Event(Event::Bypassed {
                origin: origin.clone(),
                sensors: open.clone(),
            })));
        }
        let open: BTreeSet<SensorId> = open.into_iter().collect();
        for &area in &targets {
            let bypassed = self
                .config
                .sensors
                .values()
                .filter(|s| s.area == area && open.contains(&s.id))
                .map(|s| s.id)
                .collect();
            let runtime = AreaRuntime {
                mode: Some(mode),
                armed_at: at,
                use_delay,
                bypassed,
                watch_mark: at,
                ..AreaRuntime::default()
            };
            self.state.areas.insert(area, runtime);
            // A sensor that was counting down (a 24-hour zone) keeps its delay.
            out.push(Effect::AreaState {
                area,
                state: ArmState::of(Some(mode)),
            });
        }
        let sensors = self
            .config
            .sensors
            .values()
            .filter(|s| targets.contains(&s.area))
            .map(|s| {
                (
                    s.id,
                    self.config
                        .zones
                        .get(&s.zone)
                        .and_then(|z| z.alert_delay(mode)),
                )
            })
            .collect();
        out.push(Effect::Record(Record::Arm {
            state: self.arm_state(),
            areas: targets.clone(),
            origin,
            time: at,
            sensors,
        }));
        // Sensors watched at once and already active alert now.
        for &area in &targets {
            self.watch_started(area, at, out);
        }
        self.refresh_outputs(at, out);
    }

    /// Disarms `area` (or everything). Ends the alert once none of its areas
    /// is armed. A duress disarm is the same plus a private event.
    pub(super) fn disarm(
        &mut self,
        area: Option<AreaId>,
        origin: Origin,
        duress: bool,
        at: Millis,
        out: &mut Vec<Effect>,
    ) {
        if duress {
            out.push(Effect::Record(Record::Event(Event::Duress {
                origin: origin.clone(),
            })));
            out.push(Effect::Notify(Notification::Duress {
                origin: origin.clone(),
            }));
        }
        let targets: Vec<AreaId> = match area {
            Some(a) => self
                .state
                .areas
                .contains_key(&a)
                .then_some(a)
                .into_iter()
                .collect(),
            None => self.state.areas.keys().copied().collect(),
        };
        let mut disarmed = Vec::new();
        for &area in &targets {
            let Some(runtime) = self.state.areas.get_mut(&area) else {
                continue;
            };
            let was_armed = runtime.mode.is_some();
            *runtime = AreaRuntime::default();
            if was_armed {
                disarmed.push(area);
                out.push(Effect::AreaState {
                    area,
                    state: ArmState::Disarm,
                });
            }
        }
        let in_targets = |engine: &Self, sensor: SensorId| {
            engine
                .config
                .sensors
                .get(&sensor)
                .is_some_and(|s| targets.contains(&s.area))
        };
        let cancelled: Vec<SensorId> = self
            .state
            .sensors
            .iter()
            .filter(|(id, r)| r.pending.is_some() && in_targets(self, **id))
            .map(|(id, _)| *id)
            .collect();
        for sensor in &cancelled {
            if let Some(r) = self.state.sensors.get_mut(sensor) {
                r.pending = None;
            }
        }
        let alert_over = self.state.alert.as_ref().is_some_and(|a| {
            a.sensors
                .iter()
                .all(|s| self.area_of(s.sensor).is_none_or(|r| r.mode.is_none()))
        });
        let ended = if alert_over {
            self.end_alert(at, out)
        } else {
            None
        };
        if !disarmed.is_empty() || ended.is_some() || !cancelled.is_empty() {
            out.push(Effect::Record(Record::Disarm {
                areas: disarmed,
                origin,
                time: at,
                alert: ended,
            }));
        }
        self.refresh_outputs(at, out);
    }
}
