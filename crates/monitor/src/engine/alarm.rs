//! Sensor edges, entry delays, alerts, swinger shutdown and the siren.

use super::effect::{AlertSensor, AlertType, AlertView, Effect, Event, Notification, Record};
use super::input::Reading;
use super::model::{AreaId, ArmMode, Millis, SensorId};
use super::sensitivity::CHECK_STEP_MS;
use super::{Engine, Pending, SensorRuntime};

/// How a watched sensor behaves now: its delay, or `None` when ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Watch {
    pub delay: u32,
}

impl Engine {
    /// When each group of sensors of `area` starts being watched after an exit delay.
    pub(super) fn watch_starts(&self, area: AreaId) -> Vec<Millis> {
        let Some(a) = self.state.areas.get(&area) else {
            return Vec::new();
        };
        let (Some(mode), true) = (a.mode, a.use_delay) else {
            return Vec::new();
        };
        let mut starts: Vec<Millis> = self
            .config
            .sensors
            .values()
            .filter(|s| s.area == area)
            .filter_map(|s| self.config.zones.get(&s.zone))
            // A zone without an exit delay starts at arming: both callers
            // look only at starts after the arming moment.
            .map(|z| a.armed_at + Millis::from(z.arm_delay(mode)) * 1000)
            .collect();
        starts.sort_unstable();
        starts.dedup();
        starts
    }

    /// The end of `area`'s exit delay, if it has one.
    pub(super) fn exit_end(&self, area: AreaId) -> Option<Millis> {
        self.watch_starts(area).into_iter().max()
    }

    /// Whether and how `sensor` is watched at `at`.
    pub(super) fn watch(&self, sensor: SensorId, at: Millis) -> Option<Watch> {
        let s = self.config.sensors.get(&sensor).filter(|s| s.enabled)?;
        let zone = self.config.zones.get(&s.zone)?;
        let area = self.state.areas.get(&s.area)?;
        if area.shut_down.contains(&sensor) {
            return None;
        }
        if let Some(delay) = zone.disarmed_delay {
            return Some(Watch { delay });
        }
        let mode = area.mode?;
        let delay = zone.alert_delay(mode)?;
        if area.bypassed.contains(&sensor) {
            return None;
        }
        let start = area.armed_at
            + if area.use_delay {
                Millis::from(zone.arm_delay(mode)) * 1000
            } else {
                0
            };
        (at >= start).then_some(Watch { delay })
    }

    /// When a sensor inside its debounce window needs another look.
    pub(super) fn window_check(&self, sensor: SensorId, s: &SensorRuntime) -> Option<Millis> {
        let cfg = self.config.sensors.get(&sensor)?;
        // Instant sensors never wait for a window.
        self.config.sensitivity_of(cfg)?;
        let active = s.reading == Some(Reading::Active);
        // Active but not yet alerting: look again until the threshold is met.
        // Alerting but idle: look again until the window says it is not
        // (with a threshold of 0 that is when the last activity slid out).
        (active != s.alerting).then_some(self.state.now + CHECK_STEP_MS)
    }

    /// A new reading from the board.
    pub(super) fn on_reading(
        &mut self,
        sensor: SensorId,
        reading: Reading,
        at: Millis,
        out: &mut Vec<Effect>,
    ) {
        let Some(runtime) = self.state.sensors.get_mut(&sensor) else {
            return; // not configured: nothing to decide
        };
        let previous = runtime.reading.replace(reading);
        if previous == Some(reading) {
            return;
        }
        let active = reading == Reading::Active;
        runtime.window.record(at, active);
        let was_fault = previous.is_some_and(Reading::is_fault);
        if reading.is_fault() != was_fault {
            out.push(Effect::SensorError {
                sensor,
                error: reading.is_fault(),
            });
            if reading.is_fault() {
                self.on_fault(sensor, reading, at, out);
            } else {
                out.push(Effect::Record(Record::Event(Event::WiringRestored {
                    sensor,
                })));
            }
        }
        if previous.is_none() {
            // First reading (start-up, new sensor): a baseline, never an alarm.
            let runtime = self.state.sensors.get_mut(&sensor);
            if let Some(r) = runtime.filter(|r| r.alerting != active) {
                r.alerting = active;
                out.push(Effect::SensorAlert {
                    sensor,
                    alert: active,
                });
            }
            return;
        }
        self.reevaluate(sensor, at, out);
    }

    /// Recomputes the debounced level and acts on an edge.
    pub(super) fn reevaluate(&mut self, sensor: SensorId, at: Millis, out: &mut Vec<Effect>) {
        let sensitivity = self
            .config
            .sensors
            .get(&sensor)
            .and_then(|s| self.config.sensitivity_of(s));
        let Some(runtime) = self.state.sensors.get_mut(&sensor) else {
            return;
        };
        let active = runtime.reading == Some(Reading::Active);
        let alerting = match sensitivity {
            None => active,
            Some(s) => runtime.window.alerting(at, s),
        };
        if alerting == runtime.alerting {
            return;
        }
        runtime.alerting = alerting;
        out.push(Effect::SensorAlert {
            sensor,
            alert: alerting,
        });
        if alerting {
            if self.watch(sensor, at).is_some() {
                self.trigger(sensor, at, out);
            }
        } else {
            self.sensor_back_to_normal(sensor, at, out);
        }
    }

    /// A wiring fault: a tamper alert when armed (or in a 24-hour zone),
    /// otherwise a fault event and notification.
    fn on_fault(&mut self, sensor: SensorId, reading: Reading, at: Millis, out: &mut Vec<Effect>) {
        let enabled = self.config.sensors.get(&sensor).is_some_and(|s| s.enabled);
        if !enabled {
            return;
        }
        let armed = self.area_of(sensor).and_then(|a| a.mode).is_some();
        let zone_24h = self
            .config
            .sensors
            .get(&sensor)
            .and_then(|s| self.config.zones.get(&s.zone))
            .is_some_and(|z| z.is_24h());
        if armed || zone_24h {
            if self.count_alert(sensor, out) {
                self.raise(sensor, at, 0, out);
            }
        } else {
            out.push(Effect::Record(Record::Event(Event::WiringFault {
                sensor,
                short: reading == Reading::Short,
            })));
            out.push(Effect::Notify(Notification::WiringFault { sensor }));
        }
    }

    /// An exit delay ended for some sensors of `area`: those already active alert.
    pub(super) fn watch_started(&mut self, area: AreaId, at: Millis, out: &mut Vec<Effect>) {
        if let Some(a) = self.state.areas.get_mut(&area) {
            a.watch_mark = at;
        }
        let starting: Vec<SensorId> = self
            .config
            .sensors
            .values()
            .filter(|s| s.area == area)
            .map(|s| s.id)
            .filter(|&id| self.state.sensors.get(&id).is_some_and(|r| r.alerting))
            .filter(|&id| self.watch(id, at).is_some())
            .collect();
        // One already in the alert is not triggered again (nor counted
        // against its swinger limit); one in an entry delay `trigger` skips.
        for sensor in starting {
            if !self.in_alert(sensor) {
                self.trigger(sensor, at, out);
            }
        }
    }

    /// Counts an alert against the swinger limit; `false` once the sensor is shut down.
    fn count_alert(&mut self, sensor: SensorId, out: &mut Vec<Effect>) -> bool {
        let limit = self.config.policy.swinger_limit;
        let Some(area_id) = self.config.sensors.get(&sensor).map(|s| s.area) else {
            return false;
        };
        let Some(area) = self.state.areas.get_mut(&area_id) else {
            return false;
        };
        if area.shut_down.contains(&sensor) {
            return false;
        }
        let count = area.alerts.entry(sensor).or_insert(0);
        if limit > 0 && *count >= limit {
            area.shut_down.insert(sensor);
            out.push(Effect::Record(Record::Event(Event::SwingerShutdown {
                sensor,
                alerts: *count,
            })));
            return false;
        }
        *count += 1;
        true
    }

    /// A watched sensor became active: start its delay or raise the alert.
    fn trigger(&mut self, sensor: SensorId, at: Millis, out: &mut Vec<Effect>) {
        let Some(Watch { delay }) = self.watch(sensor, at) else {
            return;
        };
        if self
            .state
            .sensors
            .get(&sensor)
            .is_some_and(|r| r.pending.is_some())
        {
            return;
        }
        if !self.count_alert(sensor, out) {
            return;
        }
        if delay == 0 {
            self.raise(sensor, at, 0, out);
        } else if let Some(r) = self.state.sensors.get_mut(&sensor) {
            r.pending = Some(Pending {
                due: at + Millis::from(delay) * 1000,
                delay,
            });
        }
    }

    /// An entry delay ran out without a disarm.
    pub(super) fn entry_delay_over(&mut self, sensor: SensorId, at: Millis, out: &mut Vec<Effect>) {
        let pending = self
            .state
            .sensors
            .get_mut(&sensor)
            .and_then(|r| r.pending.take());
        if let Some(p) = pending {
            self.raise(sensor, at, p.delay, out);
        }
    }

    pub(super) fn in_alert(&self, sensor: SensorId) -> bool {
        self.state
            .alert
            .as_ref()
            .is_some_and(|a| a.sensors.iter().any(|s| s.sensor == sensor))
    }

    fn alert_type(&self, sensor: SensorId) -> AlertType {
        match self.area_of(sensor).and_then(|a| a.mode) {
            Some(ArmMode::Away) => AlertType::Away,
            Some(ArmMode::Stay) => AlertType::Stay,
            None => AlertType::Sabotage,
        }
    }

    /// Opens the alert with `sensor`, or adds `sensor` to the open one.
    fn raise(&mut self, sensor: SensorId, at: Millis, delay: u32, out: &mut Vec<Effect>) {
        if self.in_alert(sensor) {
            return;
        }
        let part = AlertSensor {
            sensor,
            start: at,
            end: None,
            delay,
            silent: self.config.sensors.get(&sensor).and_then(|s| s.silent),
        };
        let alert_type = self.alert_type(sensor);
        let started = self.state.alert.is_none();
        let alert = self.state.alert.get_or_insert_with(|| {
            self.state.alert_seq += 1;
            AlertView {
                key: self.state.alert_seq,
                alert_type,
                start: at,
                end: None,
                silent: true,
                sensors: Vec::new(),
            }
        });
        alert.sensors.push(part.clone());
        alert.silent = alert.sensors.iter().all(|s| s.silent == Some(true));
        let view = alert.clone();
        if started {
            let mut opened = view.clone();
            opened.sensors.clear();
            out.push(Effect::Record(Record::AlertStarted(opened)));
        }
        out.push(Effect::Record(Record::AlertSensorAdded {
            alert: view.key,
            sensor: part,
        }));
        out.push(Effect::AlertState(Some(view.clone())));
        if started {
            out.push(Effect::Notify(Notification::AlertStarted {
                alert: view.key,
                start: view.start,
                sensor,
            }));
            self.state.siren = Default::default();
        }
        self.update_siren(at, out);
    }

    /// A sensor returned to normal: its part in the alert ends (the alert does not).
    fn sensor_back_to_normal(&mut self, sensor: SensorId, at: Millis, out: &mut Vec<Effect>) {
        let Some(alert) = self.state.alert.as_mut() else {
            return;
        };
        let Some(part) = alert
            .sensors
            .iter_mut()
            .find(|s| s.sensor == sensor && s.end.is_none())
        else {
            return;
        };
        part.end = Some(at);
        let key = alert.key;
        let view = alert.clone();
        out.push(Effect::Record(Record::AlertSensorEnded {
            alert: key,
            sensor,
            time: at,
        }));
        out.push(Effect::AlertState(Some(view)));
    }

    /// Whether the open alert should be loud (contract §9.9's tri-state rule).
    fn alert_is_loud(&self) -> bool {
        let Some(alert) = &self.state.alert else {
            return false;
        };
        let says_loud = alert.sensors.iter().any(|s| s.silent == Some(false));
        let all_silent =
            !alert.sensors.is_empty() && alert.sensors.iter().all(|s| s.silent == Some(true));
        match self.config.siren.silent {
            Some(false) => true,
            Some(true) => says_loud,
            None => !all_silent,
        }
    }

    /// Announces the alert's siren and schedules it.
    fn update_siren(&mut self, at: Millis, out: &mut Vec<Effect>) {
        let loud = self.alert_is_loud();
        let siren = &mut self.state.siren;
        if siren.done || siren.sounding || siren.start_at.is_some() {
            return;
        }
        if !loud {
            if siren.announced != Some(false) {
                siren.announced = Some(false);
                out.push(Effect::Siren(Some(false)));
            }
            return;
        }
        siren.start_at = Some(at + Millis::from(self.config.siren.delay) * 1000);
        if self.config.siren.delay == 0 {
            self.siren_start(at, out);
        }
    }

    pub(super) fn siren_start(&mut self, at: Millis, out: &mut Vec<Effect>) {
        let duration = Millis::from(self.config.siren.effective_duration()) * 1000;
        let siren = &mut self.state.siren;
        // Only a scheduled start sounds it; a disarm clears the schedule
        // together with the alert, so there is always an alert here.
        if siren.start_at.take().is_none() {
            return;
        }
        siren.sounding = true;
        siren.started_at = Some(at);
        siren.stop_at = Some(at + duration);
        siren.announced = Some(true);
        out.push(Effect::Siren(Some(true)));
    }

    pub(super) fn siren_stop(&mut self, _at: Millis, out: &mut Vec<Effect>) {
        let siren = &mut self.state.siren;
        if siren.sounding {
            siren.sounding = false;
            siren.stop_at = None;
            siren.done = true;
            siren.announced = None;
            out.push(Effect::Siren(None));
        }
    }

    /// Ends the open alert (disarm): records, siren off, notification.
    pub(super) fn end_alert(&mut self, at: Millis, out: &mut Vec<Effect>) -> Option<u64> {
        let mut alert = self.state.alert.take()?;
        alert.end = Some(at);
        for part in alert.sensors.iter_mut().filter(|p| p.end.is_none()) {
            part.end = Some(at);
        }
        let siren = std::mem::take(&mut self.state.siren);
        if siren.announced.is_some() || siren.sounding {
            out.push(Effect::Siren(None));
        }
        out.push(Effect::Record(Record::AlertEnded {
            alert: alert.key,
            time: at,
        }));
        out.push(Effect::AlertState(None));
        out.push(Effect::Notify(Notification::AlertStopped {
            alert: alert.key,
            start: alert.start,
            sensors: alert.sensors.iter().map(|p| p.sensor).collect(),
            alert_type: alert.alert_type,
        }));
        Some(alert.key)
    }
}
