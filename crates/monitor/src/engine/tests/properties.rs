//! Property tests over random sequences of inputs and times.

use proptest::prelude::*;
use std::collections::BTreeMap;

use argus_protocol::constants::PowerState;

use super::super::model::{ArmMode, Config, Millis, Sensitivity, SirenOptions, MAX_SIREN_SECONDS};
use super::super::{Effect, Engine, Input, Origin, Reading, Record};
use super::fixtures::{config, sensor, zone};

#[derive(Debug, Clone)]
enum Op {
    Read(i32, Reading),
    Arm(ArmMode, Option<i32>, bool, bool),
    Disarm(Option<i32>, bool),
    Wait(Millis),
    Power(bool),
}

fn reading() -> impl Strategy<Value = Reading> {
    prop_oneof![4 => Just(Reading::Active), 4 => Just(Reading::Idle), 1 => Just(Reading::Cut), 1 => Just(Reading::Short)]
}

fn mode() -> impl Strategy<Value = ArmMode> {
    prop_oneof![Just(ArmMode::Away), Just(ArmMode::Stay)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (1..=6i32, reading()).prop_map(|(s, r)| Op::Read(s, r)),
        2 => (mode(), prop::option::of(1..=2i32), any::<bool>(), any::<bool>()).prop_map(|(m, a, d, f)| Op::Arm(m, a, d, f)),
        2 => (prop::option::of(1..=2i32), any::<bool>()).prop_map(|(a, d)| Op::Disarm(a, d)),
        4 => prop_oneof![0..2_000i64, 0..30_000i64, 0..1_500_000i64].prop_map(Op::Wait),
        1 => any::<bool>().prop_map(Op::Power),
    ]
}

fn installation() -> impl Strategy<Value = Config> {
    let silent = prop::option::of(any::<bool>());
    (
        prop::collection::vec(silent.clone(), 6),
        silent,
        0..20u32,
        prop_oneof![Just(0u32), 1..2_000u32],
        1..5u32,
        any::<bool>(),
    )
        .prop_map(|(flags, siren_silent, delay, duration, limit, windowed)| {
            let mut zones = vec![
                zone(1, None, Some(0), Some(0)),
                zone(2, None, Some(5), None),
                zone(3, Some(0), Some(0), Some(0)),
                zone(4, None, Some(3), Some(2)),
            ];
            zones[3].away_arm_delay = Some(4);
            let mut c = config(
                &[1, 2],
                zones,
                vec![
                    sensor(1, 1, 1),
                    sensor(2, 1, 2),
                    sensor(3, 1, 3),
                    sensor(4, 2, 4),
                    sensor(5, 2, 1),
                    sensor(6, 2, 2),
                ],
            );
            for (i, flag) in flags.into_iter().enumerate() {
                if let Some(s) = c.sensors.get_mut(&(i as i32 + 1)) {
                    s.silent = flag;
                }
            }
            c.siren = SirenOptions {
                silent: siren_silent,
                delay,
                duration,
            };
            c.policy.swinger_limit = limit;
            if windowed {
                c.sensitivity = Some(Sensitivity {
                    period: 1,
                    threshold: 50,
                });
            }
            c
        })
}

/// Runs the ops; returns `(op, effects)` per step and the final engine.
fn run(config: &Config, ops: &[Op], duress_allowed: bool) -> (Vec<(Op, Vec<Effect>)>, Engine) {
    let mut engine = Engine::new();
    let mut now: Millis = 0;
    engine.handle(Input::Configure(Box::new(config.clone())), now);
    for &s in config.sensors.keys() {
        engine.handle(
            Input::Sensor {
                sensor: s,
                reading: Reading::Idle,
            },
            now,
        );
    }
    let mut steps = Vec::new();
    for op in ops {
        let input = match op.clone() {
            Op::Read(sensor, reading) => Input::Sensor { sensor, reading },
            Op::Arm(mode, area, use_delay, force) => Input::Arm {
                mode,
                area,
                origin: Origin::User(1),
                use_delay,
                force,
            },
            Op::Disarm(area, duress) => Input::Disarm {
                area,
                origin: Origin::User(1),
                duress: duress && duress_allowed,
            },
            Op::Wait(ms) => {
                now += ms;
                Input::Tick
            }
            Op::Power(battery) => Input::Power(if battery {
                PowerState::Battery
            } else {
                PowerState::Network
            }),
        };
        steps.push((op.clone(), engine.handle(input, now)));
        check_invariants(config, &engine, now);
    }
    (steps, engine)
}

fn check_invariants(config: &Config, engine: &Engine, now: Millis) {
    let snapshot = engine.snapshot();
    if snapshot.siren.sounding {
        let started = snapshot.siren.started_at.unwrap_or(now);
        assert!(
            now - started < Millis::from(MAX_SIREN_SECONDS) * 1000,
            "siren on longer than the cap"
        );
        assert!(now - started < Millis::from(config.siren.effective_duration()) * 1000);
    }
    for area in snapshot.areas.values() {
        for (&sensor, &count) in &area.alerts {
            assert!(
                count <= config.policy.swinger_limit,
                "sensor {sensor} raised {count} alerts"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn disarmed_areas_alert_only_through_24_hour_zones_and_tamper(config in installation(), ops in prop::collection::vec(op(), 1..80)) {
        let mut engine = Engine::new();
        let mut now = 0;
        engine.handle(Input::Configure(Box::new(config.clone())), now);
        for &s in config.sensors.keys() {
            engine.handle(Input::Sensor { sensor: s, reading: Reading::Idle }, now);
        }
        for op in &ops {
            let armed_before: BTreeMap<i32, bool> = engine.snapshot().areas.iter().map(|(a, r)| (*a, r.mode.is_some())).collect();
            let input = match op.clone() {
                Op::Read(sensor, reading) => Input::Sensor { sensor, reading },
                Op::Arm(mode, area, use_delay, force) => Input::Arm { mode, area, origin: Origin::System, use_delay, force },
                Op::Disarm(area, duress) => Input::Disarm { area, origin: Origin::System, duress },
                Op::Wait(ms) => { now += ms; Input::Tick }
                Op::Power(_) => Input::Tick,
            };
            let effects = engine.handle(input, now);
            for e in &effects {
                if let Effect::Record(Record::AlertSensorAdded { sensor, .. }) = e {
                    let s = &config.sensors[&sensor.sensor];
                    let zone_24h = config.zones[&s.zone].is_24h();
                    let fault = engine.snapshot().sensors[&s.id].reading.is_some_and(Reading::is_fault);
                    let armed = armed_before[&s.area] || engine.snapshot().areas[&s.area].mode.is_some();
                    prop_assert!(zone_24h || fault || armed, "sensor {} alerted in a disarmed area", s.id);
                }
            }
        }
    }

    #[test]
    fn every_alert_ends_on_disarm_and_only_then(config in installation(), ops in prop::collection::vec(op(), 1..80)) {
        let (steps, _) = run(&config, &ops, true);
        let mut open = false;
        for (op, effects) in steps {
            let ended = effects.iter().any(|e| matches!(e, Effect::Record(Record::AlertEnded { .. })));
            if ended {
                prop_assert!(matches!(op, Op::Disarm(..)), "alert ended by {op:?}");
            }
            if effects.iter().any(|e| matches!(e, Effect::Record(Record::AlertStarted(_)))) {
                open = true;
            }
            if ended {
                open = false;
            }
            if matches!(op, Op::Disarm(None, _)) {
                prop_assert!(!open, "a full disarm leaves no alert open");
            }
        }
    }

    #[test]
    fn duress_is_invisible(config in installation(), ops in prop::collection::vec(op(), 1..80)) {
        let (normal, e1) = run(&config, &ops, false);
        let (forced, e2) = run(&config, &ops, true);
        for ((_, a), (_, b)) in normal.iter().zip(&forced) {
            let visible: Vec<&Effect> = b.iter().filter(|e| e.is_visible()).collect();
            prop_assert_eq!(a.iter().collect::<Vec<_>>(), visible);
        }
        prop_assert_eq!(e1.snapshot(), e2.snapshot());
    }

    #[test]
    fn restoring_any_snapshot_yields_the_same_state(config in installation(), ops in prop::collection::vec(op(), 1..60), cut in 0..60usize) {
        let cut = cut.min(ops.len());
        let (_, before) = run(&config, &ops[..cut], true);
        let (mut restored, _) = Engine::restore(config.clone(), before.snapshot().clone());
        prop_assert_eq!(restored.snapshot(), before.snapshot());
        let mut original = before;
        let mut now = original.snapshot().now;
        for op in &ops[cut..] {
            let input = match op.clone() {
                Op::Read(sensor, reading) => Input::Sensor { sensor, reading },
                Op::Arm(mode, area, use_delay, force) => Input::Arm { mode, area, origin: Origin::User(1), use_delay, force },
                Op::Disarm(area, duress) => Input::Disarm { area, origin: Origin::User(1), duress },
                Op::Wait(ms) => { now += ms; Input::Tick }
                Op::Power(battery) => Input::Power(if battery { PowerState::Battery } else { PowerState::Network }),
            };
            let a = original.handle(input.clone(), now);
            let b = restored.handle(input, now);
            prop_assert_eq!(original.snapshot(), restored.snapshot());
            let records = |v: &[Effect]| v.iter().filter(|e| matches!(e, Effect::Record(_) | Effect::Notify(_))).cloned().collect::<Vec<_>>();
            prop_assert_eq!(records(&a), records(&b));
        }
    }
}
