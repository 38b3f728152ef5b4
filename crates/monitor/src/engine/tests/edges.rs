//! The edges of the rules, as a person would state them: zero values, a
//! second sensor joining, activity that comes in bursts, exact contract
//! numbers. Each test fails on a change to the engine that `rules.rs`
//! lets through (found by mutation testing, `scripts/mutants.sh`).

use super::super::model::{ArmMode, Policy, Sensitivity, SirenOptions};
use super::super::{AlertType, ArmState, Effect, Event, Input, Origin, Reading, Record};
use super::fixtures::{output, test_with_v3, Driver, HOUSE};
use crate::engine::model::OutputTrigger;

fn sirens(d: &Driver) -> Vec<(i64, Option<bool>)> {
    d.log
        .iter()
        .filter_map(|(t, e)| match e {
            Effect::Siren(s) => Some((*t, *s)),
            _ => None,
        })
        .collect()
}

/// `test_with_v3` with sensor 3 ("Test room 2", no delay) behind a window
/// of `period` seconds and `threshold` percent.
fn windowed(period: u32, threshold: u8) -> crate::engine::model::Config {
    let mut c = test_with_v3();
    let s = c.sensors.get_mut(&3).unwrap();
    s.monitor_period = Some(period);
    s.monitor_threshold = Some(threshold);
    c
}

fn arm_with(d: &mut Driver, mode: ArmMode, use_delay: bool) -> Vec<Effect> {
    d.send(Input::Arm {
        mode,
        area: None,
        origin: Origin::User(1),
        use_delay,
        force: false,
    })
}

fn refused(effects: &[Effect]) -> Option<Vec<i32>> {
    effects.iter().find_map(|e| match e {
        Effect::ArmRefused { open } => Some(open.clone()),
        _ => None,
    })
}

#[test]
fn only_a_zone_with_an_exit_delay_may_be_open_when_arming_with_the_delay() {
    let mut c = test_with_v3();
    c.zones.get_mut(&3).unwrap().away_arm_delay = Some(20); // sensor 1's zone
    let mut d = Driver::new(c.clone());
    d.trip(1);
    d.trip(3); // zone 1, no exit delay
    assert_eq!(
        refused(&arm_with(&mut d, ArmMode::Away, true)),
        Some(vec![3])
    );
    d.read(3, Reading::Idle);
    assert_eq!(
        refused(&arm_with(&mut d, ArmMode::Away, true)),
        None,
        "the door left by may be open"
    );
    let mut d = Driver::new(c);
    d.trip(1);
    assert_eq!(
        refused(&arm_with(&mut d, ArmMode::Away, false)),
        Some(vec![1]),
        "without the delay it must be closed"
    );
}

#[test]
fn a_second_sensor_does_not_restart_the_siren_or_its_delay() {
    let mut c = test_with_v3();
    c.siren = SirenOptions {
        silent: Some(false),
        delay: 10,
        duration: 60,
    };
    let mut d = Driver::new(c);
    d.arm(ArmMode::Away);
    d.trip(3);
    d.secs(5.0);
    d.trip(4);
    d.secs(12.0);
    d.trip(5);
    d.secs(100.0);
    assert_eq!(
        sirens(&d),
        [(10_000, Some(true)), (70_000, None)],
        "one start 10 s after the alert, one stop 60 s later"
    );
}

#[test]
fn the_default_siren_sounds_fifteen_minutes() {
    let mut d = Driver::new(test_with_v3());
    d.arm(ArmMode::Away);
    d.trip(3);
    d.at(2_000_000);
    assert_eq!(sirens(&d), [(0, Some(true)), (900_000, None)]);
}

#[test]
fn disarming_a_silent_alert_says_the_siren_stopped() {
    let mut c = test_with_v3();
    c.siren.silent = Some(true);
    c.sensors.get_mut(&3).unwrap().silent = None;
    let mut d = Driver::new(c);
    d.arm(ArmMode::Away);
    d.trip(3);
    assert_eq!(sirens(&d), [(0, Some(false))], "a silent alert");
    d.secs(1.0);
    d.disarm();
    assert_eq!(sirens(&d), [(0, Some(false)), (1_000, None)]);
}

#[test]
fn an_alert_is_silent_only_while_every_sensor_in_it_is() {
    let mut c = test_with_v3();
    c.sensors.get_mut(&3).unwrap().silent = Some(true);
    let mut d = Driver::new(c);
    d.arm(ArmMode::Away);
    d.trip(3);
    assert!(d.engine.alert().unwrap().silent);
    d.trip(4);
    assert!(!d.engine.alert().unwrap().silent, "a loud sensor joined");
    assert_eq!(d.engine.alert().unwrap().alert_type, AlertType::Away);
}

#[test]
fn when_one_of_two_sensors_goes_idle_only_its_part_ends() {
    let mut d = Driver::new(test_with_v3());
    d.arm(ArmMode::Away);
    d.trip(3);
    d.secs(1.0);
    d.trip(4);
    d.secs(2.0);
    d.read(4, Reading::Idle);
    let alert = d.engine.alert().unwrap();
    let end = |s| alert.sensors.iter().find(|p| p.sensor == s).unwrap().end;
    assert_eq!((end(3), end(4)), (None, Some(2_000)));
    assert!(d.log.iter().any(|(_, e)| matches!(
        e,
        Effect::Record(Record::AlertSensorEnded {
            sensor: 4,
            time: 2_000,
            ..
        })
    )));
}

#[test]
fn any_sensor_counts_as_alerting_until_the_last_goes_idle() {
    let mut d = Driver::new(test_with_v3());
    let summaries = |effects: &[Effect]| -> Vec<bool> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::SensorsAlerting(b) => Some(*b),
                _ => None,
            })
            .collect()
    };
    assert_eq!(summaries(&d.trip(3)), [true]);
    assert_eq!(summaries(&d.trip(4)), [true]);
    assert_eq!(summaries(&d.read(3, Reading::Idle)), [true], "4 still is");
    assert_eq!(summaries(&d.read(4, Reading::Idle)), [false]);
    let mut c = test_with_v3();
    c.sensors.get_mut(&5).unwrap().enabled = false;
    let mut d = Driver::new(c);
    assert!(
        !summaries(&d.trip(5)).contains(&true),
        "a disabled sensor is not counted"
    );
}

#[test]
fn a_threshold_of_zero_alerts_on_any_activity() {
    let c = windowed(5, 0);
    let mut d = Driver::new(c);
    d.arm(ArmMode::Away);
    d.secs(1.0);
    d.trip(3);
    d.secs(1.1);
    assert_eq!(d.alert_times(3), [1_000]);
    d.read(3, Reading::Idle);
    d.secs(7.0);
    assert!(
        !d.engine.snapshot().sensors[&3].alerting,
        "no longer alerting once the activity slid out of the window"
    );
}

#[test]
fn a_period_of_zero_is_instant() {
    let mut c = windowed(0, 50);
    c.sensitivity = Some(Sensitivity {
        period: 10,
        threshold: 100,
    });
    let mut d = Driver::new(c);
    d.arm(ArmMode::Away);
    d.trip(3);
    assert_eq!(
        d.alert_times(3),
        [0],
        "neither its own window nor the global one"
    );
}

#[test]
fn activity_in_bursts_adds_up_inside_the_window() {
    let c = windowed(2, 50);
    let mut d = Driver::new(c);
    d.arm(ArmMode::Away);
    d.secs(10.0);
    d.trip(3);
    d.secs(10.6);
    d.read(3, Reading::Idle);
    d.secs(10.8);
    assert!(d.alert_times(3).is_empty(), "0.6 s of 2 s");
    d.trip(3);
    d.secs(11.1);
    assert!(d.alert_times(3).is_empty(), "0.6 + 0.3 s of 2 s");
    d.secs(12.0);
    assert_eq!(
        d.alert_times(3),
        [11_200],
        "0.6 + 0.4 s: half of the window"
    );
}

#[test]
fn a_windowed_sensor_stops_alerting_once_its_activity_slides_out() {
    let c = windowed(2, 50);
    let mut d = Driver::new(c);
    d.trip(3);
    d.secs(1.5);
    assert!(d.engine.snapshot().sensors[&3].alerting);
    d.read(3, Reading::Idle);
    d.secs(2.4);
    assert!(d.engine.snapshot().sensors[&3].alerting, "1 s of 2 s still");
    d.secs(2.6);
    assert!(!d.engine.snapshot().sensors[&3].alerting, "under half now");
    assert!(
        refused(&arm_with(&mut d, ArmMode::Away, false)).is_none(),
        "so it does not keep the house from arming"
    );
}

#[test]
fn a_swinger_limit_of_zero_means_no_limit() {
    let mut c = test_with_v3();
    c.policy = Policy {
        swinger_limit: 0,
        ..Policy::default()
    };
    let mut d = Driver::new(c);
    d.arm(ArmMode::Away);
    for i in 0..10 {
        d.secs(f64::from(i));
        d.trip(7);
        d.read(7, Reading::Idle);
    }
    assert!(!d.log.iter().any(|(_, e)| matches!(
        e,
        Effect::Record(Record::Event(Event::SwingerShutdown { .. }))
    )));
}

#[test]
fn a_disabled_output_is_never_switched() {
    let mut c = test_with_v3();
    let mut o = output(9, OutputTrigger::System, 0, 0, false);
    o.enabled = false;
    c.outputs.insert(9, o);
    let mut d = Driver::new(c);
    d.arm(ArmMode::Away);
    d.trip(3);
    assert!(!d.log.iter().any(|(_, e)| matches!(
        e,
        Effect::Output {
            output: 9,
            state: true
        }
    )));
}

#[test]
fn arm_states_are_the_contract_strings() {
    assert_eq!(
        [
            ArmState::Disarm,
            ArmState::Away,
            ArmState::Stay,
            ArmState::Mixed
        ]
        .map(ArmState::as_str),
        ["disarm", "arm_away", "arm_stay", "arm_mixed"]
    );
}

#[test]
fn origins_name_the_user_and_the_keypad() {
    assert_eq!(
        (Origin::User(3).user(), Origin::User(3).keypad()),
        (Some(3), None)
    );
    let keypad = Origin::Keypad {
        keypad: 7,
        user: Some(2),
    };
    assert_eq!((keypad.user(), keypad.keypad()), (Some(2), Some(7)));
    let card = Origin::Card { keypad: 8, user: 5 };
    assert_eq!((card.user(), card.keypad()), (Some(5), Some(8)));
    assert_eq!(
        (Origin::System.user(), Origin::System.keypad()),
        (None, None)
    );
}

#[test]
fn a_restart_tells_clients_every_area_again() {
    let mut d = Driver::new(test_with_v3());
    d.arm(ArmMode::Stay);
    let snapshot = d.engine.snapshot().clone();
    let (_, effects) = crate::engine::Engine::restore(test_with_v3(), snapshot);
    assert!(effects.contains(&Effect::AreaState {
        area: HOUSE,
        state: ArmState::Stay
    }));
}

#[test]
fn a_disarm_publishes_in_arpis_order() {
    let mut d = Driver::new(test_with_v3());
    d.arm(ArmMode::Stay);
    d.trip(3);
    let names: Vec<&str> = d
        .disarm()
        .iter()
        .filter_map(|e| match e {
            Effect::AreaState { .. } => Some("area"),
            Effect::MonitoringState(_) => Some("system"),
            Effect::ArmState(_) => Some("arm"),
            Effect::AlertState(None) => Some("alert ended"),
            Effect::Siren(None) => Some("siren"),
            _ => None,
        })
        .collect();
    assert_eq!(names, ["area", "system", "arm", "alert ended", "siren"]);
}

#[test]
fn only_enabled_sensors_of_the_area_keep_it_from_arming() {
    use super::fixtures::{config, sensor, zone};
    let mut c = config(
        &[1, 2],
        vec![zone(1, None, Some(0), Some(0))],
        vec![sensor(1, 1, 1), sensor(2, 2, 1), sensor(3, 1, 1)],
    );
    c.sensors.get_mut(&3).unwrap().enabled = false;
    let mut d = Driver::new(c);
    d.trip(2); // area 2
    d.trip(3); // area 1, disabled
    let arm_area_1 = d.send(Input::Arm {
        mode: ArmMode::Away,
        area: Some(1),
        origin: Origin::User(1),
        use_delay: false,
        force: false,
    });
    assert_eq!(refused(&arm_area_1), None);
    assert_eq!(d.engine.area_state(1), Some(ArmState::Away));
}

#[test]
fn disabling_an_alerting_sensor_tells_clients_nothing_alerts_any_more() {
    let mut d = Driver::new(test_with_v3());
    d.trip(3);
    let mut c = test_with_v3();
    c.sensors.get_mut(&3).unwrap().enabled = false;
    let effects = d.send(Input::Configure(Box::new(c)));
    assert!(
        effects.contains(&Effect::SensorsAlerting(false)),
        "{effects:?}"
    );
}

#[test]
fn the_end_of_an_exit_delay_does_not_count_a_sensor_already_in_the_alert_again() {
    let mut c = test_with_v3();
    c.zones.get_mut(&3).unwrap().away_arm_delay = Some(20);
    c.policy = Policy {
        swinger_limit: 1,
        ..Policy::default()
    };
    let mut d = Driver::new(c);
    arm_with(&mut d, ArmMode::Away, true);
    d.secs(1.0);
    d.trip(3); // no exit delay in its zone: watched from the start
    assert_eq!(d.alert_times(3), [1_000]);
    d.secs(30.0); // the exit delay of zone 3 ends while sensor 3 is still active
    assert!(!d.log.iter().any(|(_, e)| matches!(
        e,
        Effect::Record(Record::Event(Event::SwingerShutdown { .. }))
    )));
}

#[test]
fn arming_before_any_configuration_or_with_an_invalid_one_is_refused() {
    let mut e = crate::engine::Engine::new();
    let arm = Input::Arm {
        mode: ArmMode::Away,
        area: None,
        origin: Origin::User(1),
        use_delay: false,
        force: false,
    };
    assert_eq!(
        refused(&e.handle(arm.clone(), 0)),
        Some(vec![]),
        "still starting"
    );
    let mut invalid = test_with_v3();
    invalid.sensors.get_mut(&3).unwrap().area = 99;
    e.handle(Input::Configure(Box::new(invalid)), 0);
    assert_eq!(
        refused(&e.handle(arm, 0)),
        Some(vec![]),
        "invalid configuration"
    );
}
