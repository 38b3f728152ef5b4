//! Engine effects as database writes: the runtime flags (`sensor.alert`,
//! `sensor.error`, `area.arm_state`, `output.state`) and ArPI's history rows
//! (arm sessions, disarms, alerts, events), in the order the engine made them.

use argus_db::enums::ArmState as DbArmState;

use super::Op;
use crate::engine::{ArmState, Effect, Engine, Event, Origin, Record};
use crate::installation::Installation;

/// The writes for one effect. `engine` is the engine after the input that
/// made it: a partial disarm continues the areas still armed in a new
/// session, and an alert's sensor row says whether the alert is silent.
pub fn of(effect: Effect, engine: &Engine, installation: &Installation) -> Vec<Op> {
    match effect {
        Effect::SensorAlert { sensor, alert } => vec![Op::SensorAlert(sensor, alert)],
        Effect::SensorError { sensor, error } => vec![Op::SensorError(sensor, error)],
        Effect::AreaState { area, state } => vec![Op::AreaState(area, db_arm_state(state))],
        Effect::Output { output, state } => vec![Op::OutputState(output, state)],
        Effect::Record(record) => of_record(record, engine, installation),
        _ => Vec::new(),
    }
}

fn of_record(record: Record, engine: &Engine, installation: &Installation) -> Vec<Op> {
    let mut ops = Vec::new();
    let event = |time, kind, origin: Option<&Origin>, sensor, detail| Op::Event {
        time,
        kind,
        user: origin.and_then(Origin::user),
        keypad: origin.and_then(Origin::keypad),
        origin: origin.map(origin_label),
        sensor,
        detail,
    };
    match record {
        Record::Arm {
            state,
            areas,
            origin,
            time,
            sensors,
        } => {
            ops.push(Op::Arm {
                state: db_arm_state(state),
                time,
                user: origin.user(),
                keypad: origin.keypad(),
                sensors,
            });
            ops.push(event(
                time,
                "arm",
                Some(&origin),
                None,
                Some(format!("{} areas {areas:?}", state.as_str())),
            ));
        }
        Record::Disarm {
            areas,
            origin,
            time,
            alert,
        } => {
            ops.push(Op::Disarm {
                time,
                user: origin.user(),
                keypad: origin.keypad(),
                alert,
            });
            ops.push(event(
                time,
                "disarm",
                Some(&origin),
                None,
                Some(format!("areas {areas:?}")),
            ));
            // A partial disarm: the areas still armed continue in a new session.
            let state = engine.arm_state();
            if state != ArmState::Disarm {
                let sensors = installation
                    .config
                    .sensors
                    .values()
                    .filter(|s| {
                        engine
                            .snapshot()
                            .areas
                            .get(&s.area)
                            .and_then(|a| a.mode)
                            .is_some()
                    })
                    .map(|s| (s.id, None))
                    .collect();
                ops.push(Op::Arm {
                    state: db_arm_state(state),
                    time,
                    user: origin.user(),
                    keypad: origin.keypad(),
                    sensors,
                });
            }
        }
        Record::AlertStarted(view) => {
            ops.push(Op::AlertStart {
                key: view.key,
                time: view.start,
                silent: view.silent,
            });
            ops.push(event(view.start, "alert", None, None, None));
        }
        Record::AlertSensorAdded { alert, sensor } => {
            let alert_silent = engine.alert().is_some_and(|a| a.silent);
            ops.push(Op::AlertSensor {
                key: alert,
                sensor: sensor.sensor,
                time: sensor.start,
                delay: sensor.delay,
                alert_silent,
            });
        }
        Record::AlertSensorEnded {
            alert,
            sensor,
            time,
        } => ops.push(Op::AlertSensorEnd {
            key: alert,
            sensor,
            time,
        }),
        Record::AlertEnded { alert, time } => ops.push(Op::AlertEnd { key: alert, time }),
        Record::Event(e) => {
            let now = engine.snapshot().now;
            let op = match e {
                Event::ArmRefused { origin, open } => event(
                    now,
                    "arm_refused",
                    Some(&origin),
                    None,
                    Some(format!("open sensors {open:?}")),
                ),
                Event::Bypassed { origin, sensors } => event(
                    now,
                    "bypass",
                    Some(&origin),
                    None,
                    Some(format!("sensors {sensors:?}")),
                ),
                Event::SwingerShutdown { sensor, alerts } => event(
                    now,
                    "swinger_shutdown",
                    None,
                    Some(sensor),
                    Some(format!("{alerts} alerts")),
                ),
                Event::WiringFault { sensor, short } => event(
                    now,
                    "wiring_fault",
                    None,
                    Some(sensor),
                    Some(if short { "short" } else { "cut" }.into()),
                ),
                Event::WiringRestored { sensor } => {
                    event(now, "wiring_restored", None, Some(sensor), None)
                }
                Event::InvalidConfig { reason } => {
                    event(now, "invalid_config", None, None, Some(reason))
                }
                Event::Duress { origin } => event(now, "duress", Some(&origin), None, None),
            };
            ops.push(op);
        }
    }
    ops
}

fn db_arm_state(s: ArmState) -> DbArmState {
    match s {
        ArmState::Disarm => DbArmState::Disarm,
        ArmState::Away => DbArmState::Away,
        ArmState::Stay => DbArmState::Stay,
        ArmState::Mixed => DbArmState::Mixed,
    }
}

fn origin_label(o: &Origin) -> String {
    match o {
        Origin::User(_) => "user".into(),
        Origin::Keypad { .. } => "keypad".into(),
        Origin::Card { .. } => "card".into(),
        Origin::Mqtt { .. } => "mqtt".into(),
        Origin::Sms { .. } => "sms".into(),
        Origin::Node(n) => format!("node:{n}"),
        Origin::System => "system".into(),
    }
}
