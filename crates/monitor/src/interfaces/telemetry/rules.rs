//! Threshold rules on telemetry, pure: readings and ticks in (the monotonic
//! time given), what happens out. A rule breaches above its `above` or below
//! its `below`; it fires once the breach has held for `hold` (every reading
//! meanwhile breaching), and clears only once the value is back past the
//! threshold by the hysteresis, so a value hovering at the threshold fires
//! once. A sensor unheard for the staleness limit is unavailable: that is
//! an event, never an alarm, and a breach still waiting for its hold is
//! dropped (stale data fires nothing). An alarm that fired stays until the
//! value clears: a leak sensor that drowned is still a leak.

use std::collections::HashMap;

use argus_protocol::telemetry::Reading;
use chrono::{DateTime, Utc};

use crate::engine::model::Millis;

/// Sensors remembered for their availability at most.
pub const SENSORS_BOUND: usize = 10_000;

/// What a fired rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Drives this argus sensor (no channel, in a 24-hour zone) active
    /// while the rule fires, so the engine raises the alarm.
    Alarm(i32),
    /// Only tells the people subscribed to telemetry.
    Notify,
}

/// One rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// `argus_telemetry_rule.id`.
    pub id: i32,
    /// Its name, for messages.
    pub name: String,
    /// The telemetry sensor it watches.
    pub sensor: String,
    /// Breached above this.
    pub above: Option<f64>,
    /// Breached below this.
    pub below: Option<f64>,
    /// How long a breach must hold.
    pub hold: Millis,
    /// How far back past the threshold the value must come to clear.
    pub hysteresis: f64,
    /// What firing does.
    pub action: Action,
}

impl Rule {
    fn breached(&self, v: f64) -> bool {
        self.above.is_some_and(|a| v > a) || self.below.is_some_and(|b| v < b)
    }

    fn cleared(&self, v: f64) -> bool {
        self.above.is_none_or(|a| v <= a - self.hysteresis)
            && self.below.is_none_or(|b| v >= b + self.hysteresis)
    }
}

/// What happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The rule fired at this value.
    Fire(Rule, f64),
    /// It cleared at this value.
    Clear(Rule, f64),
    /// The sensor has not been heard for the staleness limit.
    Unavailable(String),
    /// It was heard again.
    Available(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Normal,
    Pending(Millis),
    Firing,
}

#[derive(Debug, Clone)]
struct Heard {
    at: Millis,
    time: DateTime<Utc>,
    value: f64,
    unavailable: bool,
}

/// Every rule with its state, and what each sensor last said.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    rules: Vec<(Rule, State)>,
    heard: HashMap<String, Heard>,
    stale: Millis,
}

impl Rules {
    /// Rules with a staleness limit.
    pub fn new(rules: Vec<Rule>, stale: Millis) -> Self {
        let mut me = Self {
            stale,
            ..Self::default()
        };
        me.replace(rules, stale);
        me
    }

    /// New rules (an edit): an unchanged rule keeps its state, so a firing
    /// alarm is not fired again by a reload.
    pub fn replace(&mut self, rules: Vec<Rule>, stale: Millis) {
        let old = std::mem::take(&mut self.rules);
        self.stale = stale;
        self.rules = rules
            .into_iter()
            .map(|rule| {
                let state = old
                    .iter()
                    .find(|(r, _)| *r == rule)
                    .map_or(State::Normal, |(_, s)| *s);
                (rule, state)
            })
            .collect();
    }

    /// A reading arrived at `now`. One not newer than the sensor's last is
    /// ignored (a late or repeated message changes nothing).
    pub fn reading(&mut self, reading: &Reading, now: Millis) -> Vec<Outcome> {
        let mut out = Vec::new();
        let full = self.heard.len() >= SENSORS_BOUND;
        let watched = full && self.rules.iter().any(|(r, _)| r.sensor == reading.sensor);
        match self.heard.get_mut(&reading.sensor) {
            Some(h) if reading.time <= h.time => return out,
            Some(h) => {
                if h.unavailable {
                    out.push(Outcome::Available(reading.sensor.clone()));
                }
                *h = Heard {
                    at: now,
                    time: reading.time,
                    value: reading.value,
                    unavailable: false,
                };
            }
            None if full && !watched => {
                // Names come from outside: past the bound only watched sensors are remembered.
                return out;
            }
            None => {
                self.heard.insert(
                    reading.sensor.clone(),
                    Heard {
                        at: now,
                        time: reading.time,
                        value: reading.value,
                        unavailable: false,
                    },
                );
            }
        }
        let v = reading.value;
        for (rule, state) in self
            .rules
            .iter_mut()
            .filter(|(r, _)| r.sensor == reading.sensor)
        {
            let next = match *state {
                State::Normal if rule.breached(v) && rule.hold <= 0 => {
                    out.push(Outcome::Fire(rule.clone(), v));
                    State::Firing
                }
                State::Normal if rule.breached(v) => State::Pending(now),
                State::Pending(_) if !rule.breached(v) => State::Normal,
                State::Pending(since) if now - since >= rule.hold => {
                    out.push(Outcome::Fire(rule.clone(), v));
                    State::Firing
                }
                State::Firing if rule.cleared(v) => {
                    out.push(Outcome::Clear(rule.clone(), v));
                    State::Normal
                }
                s => s,
            };
            *state = next;
        }
        out
    }

    /// Time passed: holds that have run out fire, silent sensors become
    /// unavailable.
    pub fn tick(&mut self, now: Millis) -> Vec<Outcome> {
        let mut out = Vec::new();
        for (sensor, h) in &mut self.heard {
            if !h.unavailable && now - h.at >= self.stale {
                h.unavailable = true;
                out.push(Outcome::Unavailable(sensor.clone()));
            }
        }
        for (rule, state) in &mut self.rules {
            let State::Pending(since) = *state else {
                continue;
            };
            match self.heard.get(&rule.sensor) {
                Some(h) if h.unavailable => *state = State::Normal,
                Some(h) if now - since >= rule.hold => {
                    out.push(Outcome::Fire(rule.clone(), h.value));
                    *state = State::Firing;
                }
                _ => {}
            }
        }
        out
    }

    /// The sensors that alarm rules drive and that no firing rule holds
    /// active.
    pub fn quiet_alarm_sensors(&self) -> Vec<i32> {
        let held: Vec<i32> = self
            .rules
            .iter()
            .filter(|(_, s)| *s == State::Firing)
            .filter_map(|(r, _)| match r.action {
                Action::Alarm(sensor) => Some(sensor),
                Action::Notify => None,
            })
            .collect();
        let mut quiet: Vec<i32> = self
            .rules
            .iter()
            .filter_map(|(r, _)| match r.action {
                Action::Alarm(sensor) if !held.contains(&sensor) => Some(sensor),
                _ => None,
            })
            .collect();
        quiet.sort_unstable();
        quiet.dedup();
        quiet
    }

    /// The rules firing now.
    pub fn firing(&self) -> Vec<i32> {
        self.rules
            .iter()
            .filter(|(_, s)| *s == State::Firing)
            .map(|(r, _)| r.id)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SEC: Millis = 1000;

    fn leak() -> Rule {
        Rule {
            id: 1,
            name: "Leak".into(),
            sensor: "sink".into(),
            above: Some(0.5),
            below: None,
            hold: 10 * SEC,
            hysteresis: 0.2,
            action: Action::Alarm(7),
        }
    }

    fn at(sensor: &str, value: f64, s: i64) -> Reading {
        Reading {
            sensor: sensor.into(),
            value,
            unit: None,
            time: DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::seconds(s),
        }
    }

    fn fired(out: &[Outcome]) -> usize {
        out.iter()
            .filter(|o| matches!(o, Outcome::Fire(..)))
            .count()
    }

    #[test]
    fn a_breach_fires_only_once_it_has_held_and_clears_past_the_hysteresis() {
        let mut rules = Rules::new(vec![leak()], 600 * SEC);
        assert_eq!(rules.quiet_alarm_sensors(), vec![7], "a baseline to send");
        assert!(rules.reading(&at("sink", 0.9, 0), 0).is_empty());
        assert!(rules.tick(9 * SEC).is_empty());
        assert_eq!(rules.tick(10 * SEC), vec![Outcome::Fire(leak(), 0.9)]);
        assert!(rules.quiet_alarm_sensors().is_empty(), "held active");
        assert!(rules.tick(11 * SEC).is_empty(), "fires once");
        assert!(
            rules.reading(&at("sink", 0.4, 12), 12 * SEC).is_empty(),
            "inside the hysteresis"
        );
        assert_eq!(
            rules.reading(&at("sink", 0.3, 13), 13 * SEC),
            vec![Outcome::Clear(leak(), 0.3)]
        );
    }

    #[test]
    fn a_breach_that_lets_go_before_its_hold_fires_nothing() {
        let mut rules = Rules::new(vec![leak()], 600 * SEC);
        rules.reading(&at("sink", 0.9, 0), 0);
        rules.reading(&at("sink", 0.1, 5), 5 * SEC);
        assert!(rules.tick(20 * SEC).is_empty());
        // A new breach starts its own hold; a reading past the hold fires.
        rules.reading(&at("sink", 0.8, 21), 21 * SEC);
        assert_eq!(fired(&rules.reading(&at("sink", 0.8, 31), 31 * SEC)), 1);
    }

    #[test]
    fn late_and_repeated_readings_change_nothing() {
        let mut rules = Rules::new(vec![leak()], 600 * SEC);
        rules.reading(&at("sink", 0.9, 10), 0);
        assert!(rules.reading(&at("sink", 0.0, 5), SEC).is_empty());
        assert_eq!(
            fired(&rules.tick(10 * SEC)),
            1,
            "the late 0.0 did not reset the hold"
        );
    }

    #[test]
    fn a_silent_sensor_is_unavailable_never_an_alarm_and_available_when_heard() {
        let mut rules = Rules::new(vec![leak()], 60 * SEC);
        rules.reading(&at("sink", 0.9, 0), 0);
        assert_eq!(
            rules.tick(60 * SEC),
            vec![Outcome::Unavailable("sink".into())]
        );
        assert!(
            rules.tick(100 * SEC).is_empty(),
            "the waiting breach was dropped"
        );
        assert_eq!(
            rules.reading(&at("sink", 0.1, 101), 101 * SEC),
            vec![Outcome::Available("sink".into())]
        );
    }

    #[test]
    fn a_below_rule_without_hold_fires_at_once_and_an_unchanged_rule_keeps_firing_through_a_reload()
    {
        let freeze = Rule {
            id: 2,
            sensor: "cellar".into(),
            above: None,
            below: Some(3.0),
            hold: 0,
            hysteresis: 1.0,
            action: Action::Notify,
            name: "Freeze".into(),
        };
        let mut rules = Rules::new(vec![freeze.clone(), leak()], 600 * SEC);
        assert_eq!(
            rules.reading(&at("cellar", 2.0, 0), 0),
            vec![Outcome::Fire(freeze.clone(), 2.0)]
        );
        rules.replace(vec![freeze.clone()], 600 * SEC);
        assert_eq!(rules.firing(), vec![2]);
        assert!(rules.reading(&at("cellar", 2.5, 1), SEC).is_empty());
        assert!(rules.reading(&at("cellar", 3.5, 2), 2 * SEC).is_empty());
        assert_eq!(fired(&rules.reading(&at("cellar", 4.0, 3), 3 * SEC)), 0);
        assert_eq!(rules.firing(), Vec::<i32>::new());
    }

    /// The rules against the real engine on a virtual clock: water that
    /// stays 10 s raises the 24-hour zone's alarm while disarmed, exactly
    /// when the hold ends; a value wavering within the hysteresis neither
    /// clears it nor alarms again.
    #[test]
    fn a_leak_that_holds_raises_the_24_hour_alarm_while_disarmed_and_wavering_does_not_flap() {
        use crate::engine::tests::fixtures::{config, sensor, zone, Driver};
        use crate::engine::Reading as Sensor;
        let mut engine = Driver::new(config(
            &[1],
            vec![zone(1, Some(0), Some(0), Some(0))],
            vec![sensor(7, 1, 1)],
        ));
        let mut rules = Rules::new(vec![leak()], 600 * SEC);
        let mut clears = 0;
        let mut step = |engine: &mut Driver, rules: &mut Rules, t: i64, value: Option<f64>| {
            engine.at(t * SEC);
            let out = match value {
                Some(v) => rules.reading(&at("sink", v, t), t * SEC),
                None => rules.tick(t * SEC),
            };
            for o in out {
                match o {
                    Outcome::Fire(..) => drop(engine.read(7, Sensor::Active)),
                    Outcome::Clear(..) => {
                        clears += 1;
                        drop(engine.read(7, Sensor::Idle));
                    }
                    _ => {}
                }
            }
        };
        // A splash (5 s) is not a leak.
        step(&mut engine, &mut rules, 0, Some(0.9));
        step(&mut engine, &mut rules, 5, Some(0.1));
        step(&mut engine, &mut rules, 20, None);
        assert!(engine.alert_times(7).is_empty());
        // Water that stays: the alarm when the hold ends, on the tick.
        step(&mut engine, &mut rules, 30, Some(0.9));
        for t in 31..40 {
            step(&mut engine, &mut rules, t, None);
        }
        assert!(engine.alert_times(7).is_empty(), "not before the hold");
        step(&mut engine, &mut rules, 40, None);
        assert_eq!(engine.alert_times(7), vec![40 * SEC]);
        // Wavering around the threshold for a minute.
        for t in 41..100 {
            let v = if t % 2 == 0 { 0.45 } else { 0.55 };
            step(&mut engine, &mut rules, t, Some(v));
        }
        assert_eq!(engine.alert_times(7), vec![40 * SEC], "one alarm");
        assert_eq!(clears, 0, "never cleared inside the hysteresis");
    }

    #[test]
    fn past_the_bound_only_sensors_with_rules_are_remembered() {
        let mut rules = Rules::new(vec![leak()], 600 * SEC);
        for n in 0..SENSORS_BOUND + 10 {
            rules.reading(&at(&format!("x{n}"), 1.0, 0), 0);
        }
        assert_eq!(rules.heard.len(), SENSORS_BOUND);
        rules.reading(&at("sink", 0.9, 0), 0);
        assert_eq!(
            fired(&rules.tick(10 * SEC)),
            1,
            "a watched sensor still counts"
        );
    }

    proptest! {
        /// However a value hovers inside the hysteresis band around the
        /// threshold, a rule fires at most once.
        #[test]
        fn hovering_at_the_threshold_fires_at_most_once(
            wiggle in proptest::collection::vec(-0.19f64..0.19, 1..200),
        ) {
            let mut rule = leak();
            rule.hold = 0;
            let mut rules = Rules::new(vec![rule], 600 * SEC);
            rules.reading(&at("sink", 0.9, 0), 0);
            let mut fires = 1;
            for (i, w) in wiggle.iter().enumerate() {
                let s = i as i64 + 1;
                let out = rules.reading(&at("sink", 0.5 + w, s), s * SEC);
                fires += fired(&out);
                prop_assert!(!out.iter().any(|o| matches!(o, Outcome::Clear(..))));
            }
            prop_assert_eq!(fires, 1);
        }

        /// A rule's outcomes alternate: fire, clear, fire…, whatever the
        /// readings and ticks.
        #[test]
        fn fires_and_clears_alternate(
            steps in proptest::collection::vec((any::<bool>(), 0.0f64..1.0, 0i64..20), 1..200),
        ) {
            let mut rules = Rules::new(vec![leak()], 30 * SEC);
            let (mut now, mut firing) = (0, false);
            for (i, (tick, value, pause)) in steps.into_iter().enumerate() {
                now += pause * SEC;
                let out = if tick {
                    rules.tick(now)
                } else {
                    rules.reading(&at("sink", value, i as i64), now)
                };
                for o in out {
                    match o {
                        Outcome::Fire(..) => { prop_assert!(!firing); firing = true; }
                        Outcome::Clear(..) => { prop_assert!(firing); firing = false; }
                        _ => {}
                    }
                }
            }
        }
    }
}
