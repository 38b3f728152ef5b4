//! ArPI's rules and the ones argus adds, one test each.

use argus_protocol::constants::{MonitoringState, PowerState};

use super::super::model::{
    ArmMode, Millis, OpenSensorPolicy, OutputTrigger, Sensitivity, SirenOptions,
    DEFAULT_SIREN_SECONDS, MAX_SIREN_SECONDS,
};
use super::super::{
    AlertType, ArmState, Effect, Engine, Event, Input, Notification, Origin, Reading, Record,
};
use super::fixtures::{config, live_01, output, sensor, test_with_v3, zone, Driver, HOUSE};

fn has(effects: &[Effect], f: impl Fn(&Effect) -> bool) -> bool {
    effects.iter().any(f)
}

#[test]
fn startup_then_ready_and_initial_events() {
    let mut e = Engine::new();
    assert_eq!(e.monitoring_state(), MonitoringState::MonitoringStartup);
    let effects = e.handle(Input::Configure(Box::new(test_with_v3())), 0);
    assert!(effects.contains(&Effect::MonitoringState(MonitoringState::MonitoringReady)));
    assert!(effects.contains(&Effect::ArmState(ArmState::Disarm)));
    assert!(effects.contains(&Effect::AreaState {
        area: HOUSE,
        state: ArmState::Disarm
    }));
}

#[test]
fn exit_delay_from_every_client_and_timing_to_the_millisecond() {
    let mut c = live_01();
    for z in c.zones.values_mut() {
        z.away_arm_delay = Some(if z.id == 5 { 30 } else { 0 });
    }
    let mut d = Driver::new(c);
    d.secs(10.0);
    d.send(Input::Arm {
        mode: ArmMode::Away,
        area: None,
        origin: Origin::User(2),
        use_delay: true,
        force: false,
    });
    assert_eq!(
        d.engine.monitoring_state(),
        MonitoringState::MonitoringArmDelay
    );
    // The front door (zone 5, exit delay 30 s) may be open while leaving.
    d.secs(15.0);
    d.trip(3);
    d.read(3, Reading::Idle);
    d.at(39_999);
    assert!(d.alert_times(3).is_empty());
    assert_eq!(
        d.engine.monitoring_state(),
        MonitoringState::MonitoringArmDelay
    );
    d.at(40_000);
    assert_eq!(
        d.engine.monitoring_state(),
        MonitoringState::MonitoringArmed
    );
    // A zone without exit delay is watched from the start of the exit delay.
    let mut c = live_01();
    c.zones.get_mut(&5).unwrap().away_arm_delay = Some(30);
    let mut d = Driver::new(c);
    d.send(Input::Arm {
        mode: ArmMode::Away,
        area: None,
        origin: Origin::User(2),
        use_delay: true,
        force: false,
    });
    d.secs(1.0);
    d.trip(5);
    assert_eq!(d.alert_times(5), [1000]);
}

#[test]
fn door_left_open_at_the_end_of_the_exit_delay_starts_the_entry_delay() {
    let mut c = live_01();
    c.zones.get_mut(&5).unwrap().away_arm_delay = Some(30);
    let mut d = Driver::new(c);
    d.send(Input::Arm {
        mode: ArmMode::Away,
        area: None,
        origin: Origin::User(2),
        use_delay: true,
        force: false,
    });
    d.secs(5.0);
    d.trip(3);
    d.secs(30.0);
    assert_eq!(
        d.engine.monitoring_state(),
        MonitoringState::MonitoringAlertDelay
    );
    d.secs(70.0);
    assert_eq!(d.alert_times(3), [70_000], "30 s exit + 40 s entry delay");
}

#[test]
fn during_an_entry_delay_other_sensors_use_their_alert_delays() {
    let mut c = live_01();
    for z in c.zones.values_mut() {
        z.away_arm_delay = Some(60);
    }
    let mut d = Driver::new(c);
    d.arm(ArmMode::Away);
    d.secs(1.0);
    d.trip(3); // front door: 40 s entry delay
    d.secs(2.0);
    d.trip(5); // living room: alert delay 0 (its arm delay of 60 s must not apply)
    assert_eq!(d.alert_times(5), [2000]);
    d.secs(41.0);
    assert_eq!(
        d.alert_times(3),
        [41_000],
        "the door joins when its own delay ends"
    );
    assert_eq!(d.engine.alert().unwrap().sensors.len(), 2);
}

#[test]
fn mixed_arming_and_system_arm_skips_areas_without_sensors() {
    let c = config(
        &[1, 2, 3],
        vec![zone(1, None, Some(0), Some(0))],
        vec![sensor(1, 1, 1), sensor(2, 2, 1)],
    );
    let mut d = Driver::new(c);
    d.send(Input::Arm {
        mode: ArmMode::Away,
        area: Some(1),
        origin: Origin::User(1),
        use_delay: false,
        force: false,
    });
    assert_eq!(d.engine.arm_state(), ArmState::Away);
    let effects = d.send(Input::Arm {
        mode: ArmMode::Stay,
        area: Some(2),
        origin: Origin::User(1),
        use_delay: false,
        force: false,
    });
    assert_eq!(d.engine.arm_state(), ArmState::Mixed);
    assert!(effects.contains(&Effect::ArmState(ArmState::Mixed)));
    assert!(has(&effects, |e| matches!(
        e,
        Effect::Record(Record::Arm {
            state: ArmState::Mixed,
            ..
        })
    )));
    d.disarm();
    d.arm(ArmMode::Away);
    assert_eq!(
        d.engine.area_state(3),
        Some(ArmState::Disarm),
        "an area without sensors is not armed"
    );
    assert_eq!(d.engine.area_state(1), Some(ArmState::Away));
    assert_eq!(d.engine.area_state(2), Some(ArmState::Away));
}

#[test]
fn an_alert_ends_only_on_disarm() {
    let mut d = Driver::new(test_with_v3());
    d.arm(ArmMode::Away);
    d.trip(3);
    d.read(3, Reading::Idle);
    d.secs(3600.0);
    let alert = d.engine.alert().expect("still open");
    assert_eq!(alert.sensors[0].end, Some(0), "the sensor's own part ended");
    assert_eq!(alert.end, None);
    let effects = d.disarm();
    assert!(d.engine.alert().is_none());
    assert!(has(&effects, |e| matches!(
        e,
        Effect::Record(Record::Disarm { alert: Some(1), .. })
    )));
    assert!(has(&effects, |e| matches!(
        e,
        Effect::Notify(Notification::AlertStopped { alert: 1, .. })
    )));
    assert!(effects.contains(&Effect::AlertState(None)));
    assert_eq!(
        d.engine.monitoring_state(),
        MonitoringState::MonitoringReady
    );
}

#[test]
fn one_open_alert_collects_sensors_and_notifies_once() {
    let mut d = Driver::new(test_with_v3());
    d.arm(ArmMode::Away);
    let first = d.trip(3);
    let second = d.trip(4);
    assert!(has(&first, |e| matches!(
        e,
        Effect::Record(Record::AlertStarted(_))
    )));
    assert!(has(&first, |e| matches!(
        e,
        Effect::Notify(Notification::AlertStarted { sensor: 3, .. })
    )));
    assert!(!has(&second, |e| matches!(
        e,
        Effect::Record(Record::AlertStarted(_)) | Effect::Notify(_)
    )));
    let alert = d.engine.alert().unwrap();
    assert_eq!(
        alert.sensors.iter().map(|s| s.sensor).collect::<Vec<_>>(),
        [3, 4]
    );
    assert_eq!(alert.alert_type, AlertType::Away);
}

#[test]
fn sabotage_while_disarmed_and_disarm_resets_it() {
    let mut d = Driver::new(test_with_v3());
    let effects = d.trip(7);
    assert!(effects.contains(&Effect::MonitoringState(
        MonitoringState::MonitoringSabotage
    )));
    assert_eq!(d.engine.alert().unwrap().alert_type, AlertType::Sabotage);
    let effects = d.disarm();
    assert!(has(
        &effects,
        |e| matches!(e, Effect::Record(Record::Disarm { areas, alert: Some(_), .. }) if areas.is_empty())
    ));
    assert_eq!(
        d.engine.monitoring_state(),
        MonitoringState::MonitoringReady
    );
    // Still open: it does not re-trigger until it closes and opens again.
    d.secs(10.0);
    assert!(d.engine.alert().is_none());
    d.read(7, Reading::Idle);
    d.trip(7);
    assert!(d.engine.alert().is_some());
}

#[test]
fn disarm_while_disarmed_is_ignored() {
    let mut d = Driver::new(test_with_v3());
    let effects = d.disarm();
    assert!(!has(&effects, |e| matches!(e, Effect::Record(_))));
}

#[test]
fn siren_tri_state_rule() {
    // (option, sensor flags) -> loud?
    let cases = [
        (None, vec![Some(false)], true),
        (None, vec![Some(true)], false),
        (None, vec![None], true),
        (None, vec![Some(true), Some(false)], true),
        (Some(true), vec![Some(true)], false),
        (Some(true), vec![None], false),
        (Some(true), vec![Some(true), Some(false)], true),
        (Some(false), vec![Some(true)], true),
    ];
    for (option, flags, loud) in cases {
        let sensors = (1..=flags.len() as i32)
            .map(|i| sensor(i, HOUSE, 1))
            .collect();
        let mut c = config(&[HOUSE], vec![zone(1, None, Some(0), Some(0))], sensors);
        for (i, flag) in flags.iter().enumerate() {
            c.sensors.get_mut(&(i as i32 + 1)).unwrap().silent = *flag;
        }
        c.siren.silent = option;
        let mut d = Driver::new(c);
        d.arm(ArmMode::Away);
        for i in 1..=flags.len() as i32 {
            d.trip(i);
        }
        let sounded = !d.times(|e| *e == Effect::Siren(Some(true))).is_empty();
        assert_eq!(sounded, loud, "option {option:?}, flags {flags:?}");
        if !loud {
            assert_eq!(
                d.times(|e| *e == Effect::Siren(Some(false))).len(),
                1,
                "a silent alert is announced once"
            );
        }
    }
}

fn siren_run(siren: SirenOptions) -> (Vec<Millis>, Vec<Millis>) {
    let mut c = test_with_v3();
    c.siren = siren;
    let mut d = Driver::new(c);
    d.secs(1.0);
    d.arm(ArmMode::Away);
    d.trip(3);
    d.secs(4000.0);
    (
        d.times(|e| *e == Effect::Siren(Some(true))),
        d.times(|e| *e == Effect::Siren(None)),
    )
}

#[test]
fn siren_delay_default_cap_and_hard_maximum() {
    let (on, off) = siren_run(SirenOptions {
        silent: Some(false),
        delay: 10,
        duration: 60,
    });
    assert_eq!((on, off), (vec![11_000], vec![71_000]));
    let (on, off) = siren_run(SirenOptions {
        silent: Some(false),
        delay: 0,
        duration: 0,
    });
    assert_eq!(
        off[0] - on[0],
        Millis::from(DEFAULT_SIREN_SECONDS) * 1000,
        "0 means the 15-minute default"
    );
    let (on, off) = siren_run(SirenOptions {
        silent: Some(false),
        delay: 0,
        duration: 3 * 3600,
    });
    assert_eq!(
        off[0] - on[0],
        Millis::from(MAX_SIREN_SECONDS) * 1000,
        "never more than 20 minutes"
    );
}

#[test]
fn siren_stops_on_disarm_and_not_before_its_delay() {
    let mut c = test_with_v3();
    c.siren = SirenOptions {
        silent: Some(false),
        delay: 30,
        duration: 0,
    };
    let mut d = Driver::new(c);
    d.arm(ArmMode::Away);
    d.trip(3);
    d.secs(10.0);
    let effects = d.disarm();
    assert!(!effects.contains(&Effect::Siren(Some(true))));
    d.secs(100.0);
    assert!(
        d.times(|e| *e == Effect::Siren(Some(true))).is_empty(),
        "disarmed within the delay: never sounds"
    );
}

#[test]
fn outputs_follow_area_system_and_button_triggers() {
    let mut c = test_with_v3();
    c.outputs
        .insert(1, output(1, OutputTrigger::Area(HOUSE), 2, 0, false));
    c.outputs
        .insert(2, output(2, OutputTrigger::System, 0, 5, false));
    c.outputs
        .insert(3, output(3, OutputTrigger::Button, 0, 0, true));
    let mut d = Driver::new(c);
    d.secs(10.0);
    d.arm(ArmMode::Away);
    d.secs(20.0);
    let on = |d: &Driver, id| {
        d.times(|e| {
            *e == Effect::Output {
                output: id,
                state: true,
            }
        })
    };
    let off = |d: &Driver, id| {
        d.times(|e| {
            *e == Effect::Output {
                output: id,
                state: false,
            }
        })
    };
    assert_eq!(on(&d, 1), [12_000], "area output after its 2 s delay");
    assert_eq!(
        (on(&d, 2), off(&d, 2)),
        (vec![10_000], vec![15_000]),
        "system output for 5 s"
    );
    d.disarm();
    d.secs(30.0);
    assert_eq!(off(&d, 1), [22_000], "back to default after the delay");
    d.send(Input::Button {
        output: 3,
        pressed: true,
    });
    assert_eq!(off(&d, 3), [30_000]);
    d.send(Input::Button {
        output: 3,
        pressed: false,
    });
    assert_eq!(on(&d, 3), [30_000]);
}

#[test]
fn outputs_start_at_their_default_state_and_channel_0_is_refused() {
    let mut c = test_with_v3();
    c.outputs
        .insert(4, output(4, OutputTrigger::Button, 0, 0, true));
    let mut e = Engine::new();
    let effects = e.handle(Input::Configure(Box::new(c.clone())), 0);
    assert!(effects.contains(&Effect::Output {
        output: 4,
        state: true
    }));
    c.outputs.get_mut(&4).unwrap().channel = Some(0);
    let mut e = Engine::new();
    let effects = e.handle(Input::Configure(Box::new(c)), 0);
    assert_eq!(
        e.monitoring_state(),
        MonitoringState::MonitoringInvalidConfig
    );
    assert!(has(&effects, |e| matches!(
        e,
        Effect::Record(Record::Event(Event::InvalidConfig { .. }))
    )));
}

#[test]
fn sensitivity_windows_per_sensor_global_and_instant() {
    // Global window 2 s / 50 %: a 0.5 s blip is filtered, 1 s alerts.
    let mut c = test_with_v3();
    c.sensitivity = Some(Sensitivity {
        period: 2,
        threshold: 50,
    });
    let mut d = Driver::new(c.clone());
    d.arm(ArmMode::Away);
    d.secs(1.0);
    d.trip(3);
    d.secs(1.5);
    d.read(3, Reading::Idle);
    d.secs(10.0);
    assert!(d.alert_times(3).is_empty(), "a 0.5 s blip is filtered");
    d.trip(3);
    d.secs(12.0);
    assert_eq!(d.alert_times(3), [11_000]);
    // A threshold without a period is instant, whatever the global setting.
    c.sensors.get_mut(&4).unwrap().monitor_threshold = Some(100);
    let mut d = Driver::new(c.clone());
    d.arm(ArmMode::Away);
    d.trip(4);
    assert_eq!(d.alert_times(4), [0]);
    // A per-sensor window wins over the global one.
    c.sensors.get_mut(&5).unwrap().monitor_period = Some(1);
    c.sensors.get_mut(&5).unwrap().monitor_threshold = Some(100);
    let mut d = Driver::new(c);
    d.arm(ArmMode::Away);
    d.trip(5);
    d.secs(1.0);
    assert_eq!(d.alert_times(5), [1000]);
}

/// The live events of `effects` by name, in order.
fn live_names(effects: &[Effect]) -> Vec<&'static str> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::SensorsAlerting(_) => Some("sensors_state_change"),
            Effect::SensorsError(_) => Some("sensors_error_change"),
            Effect::AlertState(_) => Some("alert_state_change"),
            Effect::MonitoringState(_) => Some("system_state_change"),
            Effect::Siren(_) => Some("syren_state_change"),
            Effect::ArmState(_) => Some("arm_state_change"),
            Effect::AreaState { .. } => Some("area_state_change"),
            _ => None,
        })
        .collect()
}

#[test]
fn a_trip_while_armed_publishes_in_arpis_order() {
    let mut d = Driver::new(test_with_v3());
    d.arm(ArmMode::Stay);
    let effects = d.trip(3);
    assert_eq!(
        live_names(&effects),
        [
            "sensors_state_change",
            "sensors_error_change",
            "alert_state_change",
            "system_state_change",
            "syren_state_change"
        ]
    );
    assert!(effects.contains(&Effect::SensorsError(false)));
    // A second sensor joining changes no summary; ArPI still sends both.
    let effects = d.trip(4);
    assert_eq!(
        live_names(&effects)[..2],
        ["sensors_state_change", "sensors_error_change"]
    );
    // Nothing changed, nothing sent.
    assert!(live_names(&d.read(4, Reading::Active)).is_empty());
}

#[test]
fn wiring_fault_is_a_tamper_when_armed_and_a_fault_when_disarmed() {
    let mut d = Driver::new(test_with_v3());
    let effects = d.read(4, Reading::Cut);
    assert!(effects.contains(&Effect::SensorError {
        sensor: 4,
        error: true
    }));
    assert!(effects.contains(&Effect::SensorsError(true)));
    assert!(has(&effects, |e| matches!(
        e,
        Effect::Record(Record::Event(Event::WiringFault {
            sensor: 4,
            short: false
        }))
    )));
    assert!(has(&effects, |e| matches!(
        e,
        Effect::Notify(Notification::WiringFault { sensor: 4 })
    )));
    assert!(d.engine.alert().is_none());
    d.read(4, Reading::Idle);
    assert!(d.log.iter().any(|(_, e)| *e == Effect::SensorsError(false)));

    let mut d = Driver::new(test_with_v3());
    d.arm(ArmMode::Stay);
    d.read(2, Reading::Short); // zone "Stay": ignored when armed stay, but a short is a tamper
    assert_eq!(d.alert_times(2), [0]);
}

#[test]
fn ready_to_arm_refuses_with_the_open_sensors_or_forces_a_bypass() {
    let mut d = Driver::new(test_with_v3());
    d.trip(3);
    d.trip(2);
    assert_eq!(
        d.engine.open_sensors(HOUSE, ArmMode::Stay, false),
        [3],
        "sensor 2 is ignored in stay"
    );
    let effects = d.arm(ArmMode::Away);
    assert!(effects.contains(&Effect::ArmRefused { open: vec![2, 3] }));
    assert_eq!(d.engine.arm_state(), ArmState::Disarm);
    let effects = d.send(Input::Arm {
        mode: ArmMode::Away,
        area: None,
        origin: Origin::User(1),
        use_delay: false,
        force: true,
    });
    assert!(has(
        &effects,
        |e| matches!(e, Effect::Record(Record::Event(Event::Bypassed { sensors, .. })) if *sensors == [2, 3])
    ));
    assert_eq!(d.engine.arm_state(), ArmState::Away);
    d.read(3, Reading::Idle);
    d.trip(3);
    d.secs(60.0);
    assert!(d.engine.alert().is_none(), "bypassed for this armed period");
    d.trip(4);
    assert!(d.engine.alert().is_some(), "other sensors still protect");
    // The policy can make forcing the default.
    let mut c = test_with_v3();
    c.policy.open_sensors = OpenSensorPolicy::Force;
    let mut d = Driver::new(c);
    d.trip(3);
    d.arm(ArmMode::Away);
    assert_eq!(d.engine.arm_state(), ArmState::Away);
}

#[test]
fn swinger_shutdown_after_the_limit_until_disarm() {
    let mut c = test_with_v3();
    c.policy.swinger_limit = 3;
    let mut d = Driver::new(c);
    d.arm(ArmMode::Away);
    for i in 0..6 {
        d.secs(f64::from(i) * 10.0);
        d.trip(1); // 5 s entry delay each time
        d.secs(f64::from(i) * 10.0 + 1.0);
        d.read(1, Reading::Idle);
        d.disarm_area_only_entry_delays();
    }
    let shutdowns = d.times(|e| {
        matches!(
            e,
            Effect::Record(Record::Event(Event::SwingerShutdown {
                sensor: 1,
                alerts: 3
            }))
        )
    });
    assert_eq!(shutdowns.len(), 1);
    assert_eq!(d.engine.snapshot().areas[&HOUSE].alerts[&1], 3);
    d.disarm();
    d.arm(ArmMode::Away);
    d.trip(1);
    d.secs(100.0);
    assert_eq!(d.alert_times(1).len(), 2, "counted afresh after a disarm");
}

impl Driver {
    /// Lets an entry delay run out and the alert open (the swinger test counts alerts).
    fn disarm_area_only_entry_delays(&mut self) {
        let now = self.now;
        self.at(now + 6000);
    }
}

#[test]
fn duress_disarms_like_any_disarm_and_raises_a_private_alarm() {
    let run = |duress: bool| {
        let mut d = Driver::new(test_with_v3());
        d.arm(ArmMode::Away);
        d.trip(1);
        d.secs(2.0);
        let effects = d.send(Input::Disarm {
            area: None,
            origin: Origin::Keypad {
                keypad: 1,
                user: Some(2),
            },
            duress,
        });
        (effects, d.engine.snapshot().clone())
    };
    let (normal, s1) = run(false);
    let (forced, s2) = run(true);
    let visible: Vec<Effect> = forced.iter().filter(|e| e.is_visible()).cloned().collect();
    assert_eq!(visible, normal);
    assert_eq!(s1, s2);
    assert!(has(&forced, |e| matches!(
        e,
        Effect::Notify(Notification::Duress { .. })
    )));
    assert!(has(&forced, |e| matches!(
        e,
        Effect::Record(Record::Event(Event::Duress { .. }))
    )));
}

#[test]
fn power_changes_are_published_and_notified() {
    let mut d = Driver::new(test_with_v3());
    let effects = d.send(Input::Power(PowerState::Network));
    assert_eq!(effects, [Effect::Power(PowerState::Network)]);
    d.now = 1_000;
    let effects = d.send(Input::Power(PowerState::Battery));
    assert!(
        effects.contains(&Effect::Notify(Notification::PowerOutageStarted {
            since: 1_000
        }))
    );
    d.now = 2_000;
    assert!(d.send(Input::Power(PowerState::Battery)).is_empty());
    d.now = 5_000;
    let effects = d.send(Input::Power(PowerState::Network));
    assert!(
        effects.contains(&Effect::Notify(Notification::PowerOutageStopped {
            since: 1_000
        })),
        "the end names the outage it ends"
    );
}

#[test]
fn records_carry_the_origin() {
    let mut d = Driver::new(test_with_v3());
    let origin = Origin::Card { keypad: 1, user: 2 };
    let effects = d.send(Input::Arm {
        mode: ArmMode::Stay,
        area: None,
        origin: origin.clone(),
        use_delay: false,
        force: false,
    });
    assert!(has(
        &effects,
        |e| matches!(e, Effect::Record(Record::Arm { origin: o, .. }) if *o == origin)
    ));
    let effects = d.send(Input::Disarm {
        area: None,
        origin: Origin::Mqtt { user: Some(1) },
        duress: false,
    });
    assert!(has(&effects, |e| matches!(
        e,
        Effect::Record(Record::Disarm {
            origin: Origin::Mqtt { user: Some(1) },
            ..
        })
    )));
}

#[test]
fn restart_keeps_state_and_raises_no_false_alarm() {
    // Armed, one sensor active (bypassed by force), another idle.
    let mut d = Driver::new(test_with_v3());
    d.trip(3);
    d.send(Input::Arm {
        mode: ArmMode::Away,
        area: None,
        origin: Origin::User(1),
        use_delay: false,
        force: true,
    });
    d.secs(5.0);
    let snapshot = d.engine.snapshot().clone();
    let (mut e, _) = Engine::restore(test_with_v3(), snapshot.clone());
    assert_eq!(e.snapshot(), &snapshot);
    assert_eq!(e.arm_state(), ArmState::Away);
    // The same readings as before the restart: nothing happens.
    let mut effects = e.handle(
        Input::Sensor {
            sensor: 3,
            reading: Reading::Active,
        },
        6000,
    );
    effects.extend(e.handle(
        Input::Sensor {
            sensor: 4,
            reading: Reading::Idle,
        },
        6000,
    ));
    assert!(e.alert().is_none(), "{effects:?}");
    // A sensor that changed while the process was down alerts.
    e.handle(
        Input::Sensor {
            sensor: 5,
            reading: Reading::Active,
        },
        6000,
    );
    assert!(e.alert().is_some());
}

#[test]
fn restart_continues_an_entry_delay_and_an_alert() {
    let mut d = Driver::new(test_with_v3());
    d.arm(ArmMode::Away);
    d.secs(1.0);
    d.trip(1); // 5 s entry delay, due at 6 s
    d.secs(3.0);
    let (mut e, effects) = Engine::restore(test_with_v3(), d.engine.snapshot().clone());
    assert!(effects.contains(&Effect::MonitoringState(
        MonitoringState::MonitoringAlertDelay
    )));
    assert_eq!(e.next_deadline(), Some(6000));
    e.handle(Input::Tick, 6000);
    assert!(
        e.alert().is_some(),
        "the entry delay ran out across the restart"
    );
    let (e2, effects) = Engine::restore(test_with_v3(), e.snapshot().clone());
    assert!(effects.contains(&Effect::MonitoringState(MonitoringState::MonitoringAlert)));
    assert_eq!(e2.alert(), e.alert());
}

#[test]
fn unknown_to_active_never_alerts_by_itself() {
    let mut e = Engine::new();
    e.handle(Input::Configure(Box::new(test_with_v3())), 0);
    e.handle(
        Input::Arm {
            mode: ArmMode::Away,
            area: None,
            origin: Origin::System,
            use_delay: false,
            force: false,
        },
        0,
    );
    let effects = e.handle(
        Input::Sensor {
            sensor: 3,
            reading: Reading::Active,
        },
        10,
    );
    assert!(e.alert().is_none(), "{effects:?}");
    assert!(effects.contains(&Effect::SensorAlert {
        sensor: 3,
        alert: true
    }));
}
