//! The alarm engine: a pure, deterministic state machine.
//!
//! `Engine::handle(input, now) -> Vec<Effect>`: no I/O, no threads, no clock of
//! its own. Time is whatever the caller passes; timers are deadlines the
//! caller reads from [`Engine::next_deadline`] and answers with
//! [`Input::Tick`]. Everything the runtime needs to survive a restart is in a
//! [`Snapshot`].
//!
//! - [`model`]: configuration (areas, zones, sensors, outputs, options).
//! - [`input`] / [`effect`]: what goes in and what comes out.
//! - `arming`: arm, disarm, ready-to-arm, bypass, duress.
//! - `alarm`: sensor edges, entry delays, alerts, swinger shutdown, siren.
//! - `outputs`: relay outputs.
//! - [`sensitivity`]: the debounce window.

pub mod effect;
pub mod input;
pub mod model;
pub mod sensitivity;

mod alarm;
mod arming;
mod outputs;
#[cfg(test)]
pub(crate) mod tests;

use argus_protocol::constants::{MonitoringState, PowerState};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

pub use effect::{
    AlertSensor, AlertType, AlertView, ArmState, Effect, Event, Notification, Record,
};
pub use input::{Input, Origin, Reading};
pub use model::{AreaId, ArmMode, Config, Millis, OutputId, SensorId};

use sensitivity::Window;

/// Runtime state of one area.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaRuntime {
    /// Armed mode, `None` when disarmed.
    pub mode: Option<ArmMode>,
    /// When it was armed.
    pub armed_at: Millis,
    /// Whether the exit delay applies.
    pub use_delay: bool,
    /// Sensors bypassed for this armed period.
    pub bypassed: BTreeSet<SensorId>,
    /// Alerts raised per sensor in this armed period (swinger shutdown).
    pub alerts: BTreeMap<SensorId, u32>,
    /// Sensors ignored until disarm (swinger shutdown).
    pub shut_down: BTreeSet<SensorId>,
    /// The latest exit-delay end already handled.
    pub watch_mark: Millis,
}

/// A sensor waiting out its entry (or 24-hour) delay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// When the delay ends.
    pub due: Millis,
    /// Its length in seconds.
    pub delay: u32,
}

/// Runtime state of one sensor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SensorRuntime {
    /// The last reading; `None` until the first one (never alerts by itself).
    pub reading: Option<Reading>,
    /// Debounced: active long enough to count.
    pub alerting: bool,
    /// Debounce history.
    pub window: Window,
    /// Entry delay under way.
    pub pending: Option<Pending>,
}

/// The siren for the open alert.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SirenRuntime {
    /// What clients were told: `Some(true)` loud, `Some(false)` silent, `None` idle.
    pub announced: Option<bool>,
    /// When it starts sounding.
    pub start_at: Option<Millis>,
    /// When it stops (the cap).
    pub stop_at: Option<Millis>,
    /// Sounding now.
    pub sounding: bool,
    /// When it started sounding.
    pub started_at: Option<Millis>,
    /// It already sounded for this alert (it does not restart).
    pub done: bool,
}

/// Runtime state of one output.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputRuntime {
    /// Current relay state.
    pub state: bool,
    /// Triggered (switched away from its default, or about to be).
    pub active: bool,
    /// A scheduled switch: `(when, to)`.
    pub next: Option<(Millis, bool)>,
}

/// Everything needed to rebuild the engine after a restart.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Last time processed.
    pub now: Millis,
    /// Areas.
    pub areas: BTreeMap<AreaId, AreaRuntime>,
    /// Sensors.
    pub sensors: BTreeMap<SensorId, SensorRuntime>,
    /// The open alert.
    pub alert: Option<AlertView>,
    /// Alert numbers handed out so far.
    pub alert_seq: u64,
    /// Siren.
    pub siren: SirenRuntime,
    /// Outputs.
    pub outputs: BTreeMap<OutputId, OutputRuntime>,
    /// Power source.
    pub power: Option<PowerState>,
    /// Since when on that source (names a power outage across restarts).
    #[serde(default)]
    pub power_since: Millis,
}

/// What clients were last told, to publish changes only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Published {
    monitoring: Option<MonitoringState>,
    arm: Option<ArmState>,
    alerting: Option<bool>,
    error: Option<bool>,
}

/// The alarm engine.
#[derive(Debug, Clone)]
pub struct Engine {
    config: Config,
    configured: bool,
    invalid: bool,
    state: Snapshot,
    published: Published,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl Engine {
    /// An engine waiting for its configuration (`monitoring_startup`).
    pub fn new() -> Self {
        Self {
            config: Config::default(),
            configured: false,
            invalid: false,
            state: Snapshot::default(),
            published: Published::default(),
        }
    }

    /// An engine rebuilt from a snapshot under `config`. Sensors keep their
    /// last known readings: the first reading after the restart alerts only
    /// if it differs.
    pub fn restore(config: Config, snapshot: Snapshot) -> (Self, Vec<Effect>) {
        let mut engine = Self::new();
        engine.state = snapshot;
        let now = engine.state.now;
        let effects = engine.handle(Input::Configure(Box::new(config)), now);
        (engine, effects)
    }

    /// The state to journal.
    pub fn snapshot(&self) -> &Snapshot {
        &self.state
    }

    /// The monitoring state clients see.
    pub fn monitoring_state(&self) -> MonitoringState {
        if !self.configured {
            return MonitoringState::MonitoringStartup;
        }
        if self.invalid {
            return MonitoringState::MonitoringInvalidConfig;
        }
        if let Some(alert) = &self.state.alert {
            let armed = alert
                .sensors
                .iter()
                .any(|s| self.area_of(s.sensor).and_then(|a| a.mode).is_some());
            return if armed {
                MonitoringState::MonitoringAlert
            } else {
                MonitoringState::MonitoringSabotage
            };
        }
        if self.state.sensors.values().any(|s| s.pending.is_some()) {
            return MonitoringState::MonitoringAlertDelay;
        }
        let now = self.state.now;
        if self
            .state
            .areas
            .keys()
            .any(|&a| self.exit_end(a).is_some_and(|end| end > now))
        {
            return MonitoringState::MonitoringArmDelay;
        }
        if self.state.areas.values().any(|a| a.mode.is_some()) {
            MonitoringState::MonitoringArmed
        } else {
            MonitoringState::MonitoringReady
        }
    }

    /// The system arm state: the one mode of every armed area, `Mixed` when
    /// they differ, `Disarm` when none is armed (or there are no areas).
    pub fn arm_state(&self) -> ArmState {
        let modes: BTreeSet<ArmMode> = self.state.areas.values().filter_map(|a| a.mode).collect();
        match (modes.len(), modes.iter().next()) {
            (0, _) | (_, None) => ArmState::Disarm,
            (1, Some(&m)) => ArmState::of(Some(m)),
            _ => ArmState::Mixed,
        }
    }

    /// The state of one area.
    pub fn area_state(&self, area: AreaId) -> Option<ArmState> {
        self.state.areas.get(&area).map(|a| ArmState::of(a.mode))
    }

    /// The open alert.
    pub fn alert(&self) -> Option<&AlertView> {
        self.state.alert.as_ref()
    }

    /// Enabled sensors whose debounced reading is active (`sensor.alert`).
    pub fn alerting_sensors(&self) -> Vec<SensorId> {
        self.state
            .sensors
            .iter()
            .filter(|(id, s)| s.alerting && self.config.sensors.get(id).is_some_and(|c| c.enabled))
            .map(|(&id, _)| id)
            .collect()
    }

    /// Sensors that would keep `area` from arming in `mode` right now.
    pub fn open_sensors(&self, area: AreaId, mode: ArmMode, use_delay: bool) -> Vec<SensorId> {
        self.config
            .sensors
            .values()
            .filter(|s| s.area == area && s.enabled)
            .filter(|s| {
                let Some(zone) = self.config.zones.get(&s.zone) else {
                    return false;
                };
                !zone.is_24h()
                    && zone.alert_delay(mode).is_some()
                    && !(use_delay && zone.arm_delay(mode) > 0)
            })
            .filter(|s| {
                self.state
                    .sensors
                    .get(&s.id)
                    .is_some_and(|r| r.alerting || r.reading.is_some_and(Reading::is_fault))
            })
            .map(|s| s.id)
            .collect()
    }

    /// Each area's running delay: an entry delay (an alarm follows) before
    /// an exit delay (the armed state follows); both end at a known moment.
    pub fn delays(&self) -> BTreeMap<AreaId, Delay> {
        let mut delays = BTreeMap::new();
        let now = self.state.now;
        for &area in self.state.areas.keys() {
            if let Some(ends) = self.exit_end(area).filter(|&end| end > now) {
                delays.insert(area, Delay { ends, alarm: false });
            }
        }
        for (id, s) in &self.state.sensors {
            let (Some(pending), Some(c)) = (&s.pending, self.config.sensors.get(id)) else {
                continue;
            };
            let entry = Delay {
                ends: pending.due,
                alarm: true,
            };
            delays
                .entry(c.area)
                .and_modify(|d: &mut Delay| {
                    if !d.alarm || pending.due < d.ends {
                        *d = entry;
                    }
                })
                .or_insert(entry);
        }
        delays
    }

    /// The earliest moment something is due, if anything is.
    pub fn next_deadline(&self) -> Option<Millis> {
        self.due_events().into_iter().map(|(at, _)| at).min()
    }

    /// Handles one input at `now` (firing every timer due by then, in order,
    /// first) and returns what to do.
    pub fn handle(&mut self, input: Input, now: Millis) -> Vec<Effect> {
        let mut out = Vec::new();
        self.advance(now, &mut out);
        let now = now.max(self.state.now);
        match input {
            Input::Configure(config) => self.configure(*config, now, &mut out),
            Input::Sensor { sensor, reading } => self.on_reading(sensor, reading, now, &mut out),
            Input::Arm {
                mode,
                area,
                origin,
                use_delay,
                force,
            } => self.arm(mode, area, origin, use_delay, force, now, &mut out),
            Input::Disarm {
                area,
                origin,
                duress,
            } => self.disarm(area, origin, duress, now, &mut out),
            Input::Button { output, pressed } => self.press(output, pressed, now, &mut out),
            Input::Power(power) => self.on_power(power, now, &mut out),
            Input::Tick => {}
        }
        self.publish(&mut out);
        // ArPI's event order (contract §2.3): its loop scans the sensors
        // before it handles alerts, so the sensor summaries come first; then
        // the state changes, then an ended alert, then the siren.
        out.sort_by_key(|e| match e {
            Effect::SensorsAlerting(_) | Effect::SensorsError(_) => 0,
            Effect::Siren(_) => 3,
            Effect::AlertState(None) => 2,
            _ => 1,
        });
        out
    }

    fn on_power(&mut self, power: PowerState, now: Millis, out: &mut Vec<Effect>) {
        let previous = self.state.power.replace(power);
        if previous == Some(power) {
            return;
        }
        let since = std::mem::replace(&mut self.state.power_since, now);
        out.push(Effect::Power(power));
        match (previous, power) {
            (Some(PowerState::Network), PowerState::Battery) => {
                out.push(Effect::Notify(Notification::PowerOutageStarted {
                    since: now,
                }))
            }
            (Some(PowerState::Battery), PowerState::Network) => {
                out.push(Effect::Notify(Notification::PowerOutageStopped { since }))
            }
            _ => {}
        }
    }

    fn configure(&mut self, config: Config, now: Millis, out: &mut Vec<Effect>) {
        // The first configuration of this engine (fresh, or restored after a
        // restart) tells clients every area; a reload's caller re-sends them.
        let first = !self.configured;
        self.configured = true;
        if let Err(e) = config.validate() {
            self.invalid = true;
            out.push(Effect::Record(Record::Event(Event::InvalidConfig {
                reason: e.to_string(),
            })));
            return;
        }
        self.invalid = false;
        self.state.areas.retain(|a, _| config.areas.contains(a));
        for &a in &config.areas {
            self.state.areas.entry(a).or_default();
        }
        self.state
            .sensors
            .retain(|s, _| config.sensors.contains_key(s));
        for &s in config.sensors.keys() {
            self.state.sensors.entry(s).or_default();
        }
        self.state
            .outputs
            .retain(|o, _| config.outputs.contains_key(o));
        let new_outputs: Vec<OutputId> = config
            .outputs
            .keys()
            .copied()
            .filter(|o| !self.state.outputs.contains_key(o))
            .collect();
        self.config = config;
        for o in new_outputs {
            let default = self.config.outputs[&o].default_state;
            self.state.outputs.insert(
                o,
                OutputRuntime {
                    state: default,
                    active: false,
                    next: None,
                },
            );
            out.push(Effect::Output {
                output: o,
                state: default,
            });
        }
        if first {
            for &a in &self.config.areas {
                out.push(Effect::AreaState {
                    area: a,
                    state: ArmState::of(self.state.areas[&a].mode),
                });
            }
        }
        self.refresh_outputs(now, out);
    }

    /// Fires every deadline up to `now`, each at its own time, in order.
    fn advance(&mut self, now: Millis, out: &mut Vec<Effect>) {
        loop {
            let due = self
                .due_events()
                .into_iter()
                .filter(|(at, _)| *at <= now)
                .min_by_key(|(at, _)| *at);
            let Some((at, event)) = due else { break };
            self.state.now = self.state.now.max(at);
            self.fire(event, at, out);
            self.publish(out);
        }
        self.state.now = self.state.now.max(now);
    }

    /// Every pending deadline.
    fn due_events(&self) -> Vec<(Millis, Due)> {
        let mut due = Vec::new();
        for (&id, s) in &self.state.sensors {
            if let Some(p) = s.pending {
                due.push((p.due, Due::EntryDelay(id)));
            }
            if let Some(at) = self.window_check(id, s) {
                due.push((at, Due::Window(id)));
            }
        }
        for &area in self.state.areas.keys() {
            let mark = self.state.areas[&area].watch_mark;
            if let Some(at) = self
                .watch_starts(area)
                .into_iter()
                .filter(|&at| at > mark)
                .min()
            {
                due.push((at, Due::WatchStart(area)));
            }
        }
        if let Some(at) = self.state.siren.start_at {
            due.push((at, Due::SirenStart));
        }
        if let Some(at) = self
            .state
            .siren
            .stop_at
            .filter(|_| self.state.siren.sounding)
        {
            due.push((at, Due::SirenStop));
        }
        for (&id, o) in &self.state.outputs {
            if let Some((at, _)) = o.next {
                due.push((at, Due::Output(id)));
            }
        }
        due
    }

    fn fire(&mut self, event: Due, at: Millis, out: &mut Vec<Effect>) {
        match event {
            Due::EntryDelay(sensor) => self.entry_delay_over(sensor, at, out),
            Due::Window(sensor) => self.reevaluate(sensor, at, out),
            Due::WatchStart(area) => self.watch_started(area, at, out),
            Due::SirenStart => self.siren_start(at, out),
            Due::SirenStop => self.siren_stop(at, out),
            Due::Output(output) => self.output_due(output, out),
        }
    }

    /// Publishes derived state that changed.
    fn publish(&mut self, out: &mut Vec<Effect>) {
        let monitoring = self.monitoring_state();
        if self.published.monitoring != Some(monitoring) {
            self.published.monitoring = Some(monitoring);
            out.push(Effect::MonitoringState(monitoring));
        }
        if !self.configured {
            return;
        }
        let arm = self.arm_state();
        if self.published.arm != Some(arm) {
            self.published.arm = Some(arm);
            out.push(Effect::ArmState(arm));
        }
        let enabled = |id: &SensorId| self.config.sensors.get(id).is_some_and(|s| s.enabled);
        let alerting = !self.alerting_sensors().is_empty();
        let error = self
            .state
            .sensors
            .iter()
            .any(|(id, s)| enabled(id) && s.reading.is_some_and(Reading::is_fault));
        // ArPI sends both summaries, alert then error, whenever any sensor's
        // flag changed (contract §2.3: `sensors_error_change false` follows
        // every trip), not only when a summary changed.
        let flag_changed = out
            .iter()
            .any(|e| matches!(e, Effect::SensorAlert { .. } | Effect::SensorError { .. }));
        if flag_changed
            || self.published.alerting != Some(alerting)
            || self.published.error != Some(error)
        {
            self.published.alerting = Some(alerting);
            self.published.error = Some(error);
            out.push(Effect::SensorsAlerting(alerting));
            out.push(Effect::SensorsError(error));
        }
    }

    fn area_of(&self, sensor: SensorId) -> Option<&AreaRuntime> {
        self.config
            .sensors
            .get(&sensor)
            .and_then(|s| self.state.areas.get(&s.area))
    }
}

/// A delay running in an area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delay {
    /// When it ends.
    pub ends: Millis,
    /// An alarm follows (entry delay); otherwise the armed state (exit delay).
    pub alarm: bool,
}

/// A kind of deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Due {
    EntryDelay(SensorId),
    Window(SensorId),
    WatchStart(AreaId),
    SirenStart,
    SirenStop,
    Output(OutputId),
}
