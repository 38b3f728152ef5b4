//! Configurations from ArPI's seed datasets and a driver with a virtual clock.

use std::collections::BTreeMap;

use super::super::model::{
    AreaId, ArmMode, Config, Millis, Output, OutputId, OutputTrigger, Sensor, SensorId,
    SirenOptions, Zone, ZoneId,
};
use super::super::{Effect, Engine, Input, Origin, Reading};

pub const HOUSE: AreaId = 1;

pub fn zone(id: ZoneId, disarmed: Option<u32>, away: Option<u32>, stay: Option<u32>) -> Zone {
    Zone {
        id,
        disarmed_delay: disarmed,
        away_alert_delay: away,
        stay_alert_delay: stay,
        away_arm_delay: Some(0),
        stay_arm_delay: Some(0),
    }
}

pub fn sensor(id: SensorId, area: AreaId, zone: ZoneId) -> Sensor {
    Sensor {
        id,
        area,
        zone,
        enabled: true,
        silent: Some(false),
        monitor_period: None,
        monitor_threshold: None,
    }
}

pub fn config(areas: &[AreaId], zones: Vec<Zone>, sensors: Vec<Sensor>) -> Config {
    Config {
        areas: areas.to_vec(),
        zones: zones.into_iter().map(|z| (z.id, z)).collect(),
        sensors: sensors.into_iter().map(|s| (s.id, s)).collect(),
        outputs: BTreeMap::new(),
        siren: SirenOptions::default(),
        sensitivity: None,
        policy: Default::default(),
    }
}

/// `test_with_v3`: zones 1 No delay, 2 Tamper, 3 Away/stay delayed (5/5),
/// 4 Stay delayed (0/5), 5 Stay (0/NULL); sensors 1–7 as in the seed.
pub fn test_with_v3() -> Config {
    let mut c = config(
        &[HOUSE],
        vec![
            zone(1, None, Some(0), Some(0)),
            zone(2, Some(0), Some(0), Some(0)),
            zone(3, None, Some(5), Some(5)),
            zone(4, None, Some(0), Some(5)),
            zone(5, None, Some(0), None),
        ],
        vec![
            sensor(1, HOUSE, 3),
            sensor(2, HOUSE, 5),
            sensor(3, HOUSE, 1),
            sensor(4, HOUSE, 1),
            sensor(5, HOUSE, 1),
            sensor(6, HOUSE, 1),
            sensor(7, HOUSE, 2),
        ],
    );
    if let Some(s) = c.sensors.get_mut(&1) {
        s.silent = Some(true);
    }
    c
}

/// `live_01`: zones 1 No delay, 2 Away delayed (20/0), 3 Stay delayed (0/20),
/// 4 Stay (0/NULL), 5 Away/Stay delayed (40/20), 6 Tamper; sensors 1–8.
pub fn live_01() -> Config {
    config(
        &[HOUSE],
        vec![
            zone(1, None, Some(0), Some(0)),
            zone(2, None, Some(20), Some(0)),
            zone(3, None, Some(0), Some(20)),
            zone(4, None, Some(0), None),
            zone(5, None, Some(40), Some(20)),
            zone(6, Some(0), Some(0), Some(0)),
        ],
        vec![
            sensor(1, HOUSE, 5),
            sensor(2, HOUSE, 5),
            sensor(3, HOUSE, 5),
            sensor(4, HOUSE, 3),
            sensor(5, HOUSE, 1),
            sensor(6, HOUSE, 4),
            sensor(7, HOUSE, 4),
            sensor(8, HOUSE, 6),
        ],
    )
}

pub fn output(
    id: OutputId,
    trigger: OutputTrigger,
    delay: u32,
    duration: u32,
    default_state: bool,
) -> Output {
    Output {
        id,
        channel: Some(1),
        trigger,
        delay,
        duration,
        default_state,
        enabled: true,
    }
}

/// An engine with a virtual clock and a log of `(time, effect)`.
pub struct Driver {
    pub engine: Engine,
    pub now: Millis,
    pub log: Vec<(Millis, Effect)>,
}

impl Driver {
    /// Configured at t = 0, every sensor read idle.
    pub fn new(config: Config) -> Self {
        let sensors: Vec<SensorId> = config.sensors.keys().copied().collect();
        let mut d = Self {
            engine: Engine::new(),
            now: 0,
            log: Vec::new(),
        };
        d.send(Input::Configure(Box::new(config)));
        for s in sensors {
            d.send(Input::Sensor {
                sensor: s,
                reading: Reading::Idle,
            });
        }
        d.log.clear();
        d
    }

    pub fn send(&mut self, input: Input) -> Vec<Effect> {
        let effects = self.engine.handle(input, self.now);
        self.log
            .extend(effects.iter().cloned().map(|e| (self.now, e)));
        effects
    }

    /// Moves the clock to `ms`, firing timers exactly when due.
    pub fn at(&mut self, ms: Millis) {
        while let Some(due) = self.engine.next_deadline().filter(|&d| d <= ms) {
            self.now = due;
            self.send(Input::Tick);
        }
        self.now = ms;
        self.send(Input::Tick);
    }

    pub fn secs(&mut self, s: f64) {
        self.at((s * 1000.0).round() as Millis);
    }

    pub fn read(&mut self, sensor: SensorId, reading: Reading) -> Vec<Effect> {
        self.send(Input::Sensor { sensor, reading })
    }

    pub fn trip(&mut self, sensor: SensorId) -> Vec<Effect> {
        self.read(sensor, Reading::Active)
    }

    pub fn arm(&mut self, mode: ArmMode) -> Vec<Effect> {
        self.send(Input::Arm {
            mode,
            area: None,
            origin: Origin::User(1),
            use_delay: false,
            force: false,
        })
    }

    pub fn disarm(&mut self) -> Vec<Effect> {
        self.send(Input::Disarm {
            area: None,
            origin: Origin::User(1),
            duress: false,
        })
    }

    /// Times at which `sensor` joined an alert.
    pub fn alert_times(&self, sensor: SensorId) -> Vec<Millis> {
        self.log
            .iter()
            .filter(|(_, e)| matches!(e, Effect::Record(super::super::Record::AlertSensorAdded { sensor: s, .. }) if s.sensor == sensor))
            .map(|(t, _)| *t)
            .collect()
    }

    /// Times of an effect matching `f`.
    pub fn times(&self, f: impl Fn(&Effect) -> bool) -> Vec<Millis> {
        self.log
            .iter()
            .filter(|(_, e)| f(e))
            .map(|(t, _)| *t)
            .collect()
    }
}
