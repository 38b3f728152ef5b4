//! A panel's JSON attributes, pure: the sensors alerting in it, who armed
//! or disarmed it last and by what means, the delay running (the state that
//! follows and the seconds left when the state was published) and what the
//! panel's last command did. Home Assistant shows them on the panel's card.

use serde_json::{json, Value};

use super::discovery::Panel;
use crate::engine::{ArmState, Delay, Millis, Origin};
use crate::installation::Installation;
use crate::runtime::view::StateView;

/// The attributes of `panel` at `now`.
pub fn panel(
    panel: Panel,
    state: &StateView,
    installation: &Installation,
    last_command: Option<&Value>,
    now: Millis,
) -> Value {
    let in_panel = |sensor: &i32| match panel {
        Panel::System => true,
        Panel::Area(a) => installation
            .config
            .sensors
            .get(sensor)
            .is_some_and(|c| c.area == a),
    };
    let alerting: Vec<&str> = state
        .alerting
        .iter()
        .filter(|s| in_panel(s))
        .filter_map(|s| installation.sensors.get(s).map(|i| i.name.as_str()))
        .collect();
    let (origin, delay, arm) = match panel {
        Panel::System => (
            state.changed_by.system.as_ref(),
            soonest(state.delays.values()),
            state.system,
        ),
        Panel::Area(a) => (
            state.changed_by.areas.get(&a),
            state.delays.get(&a).copied(),
            state.areas.get(&a).copied().unwrap_or(ArmState::Disarm),
        ),
    };
    let (changed_by, changed_via) = origin.map_or((None, None), |o| {
        let (who, via) = describe(o, installation);
        (who, Some(via))
    });
    json!({
        "alerting_sensors": alerting,
        "monitoring_state": state.monitoring.as_str(),
        "changed_by": changed_by,
        "changed_via": changed_via,
        "next_state": delay.map(|d| next_state(d, arm)),
        "delay_left": delay.map(|d| seconds_left(d.ends, now)),
        "delay_ends": delay.map(|d| argus_protocol::wire::local_time_ms(d.ends)),
        "last_command": last_command,
    })
}

/// An entry delay first (an alarm is coming), then the exit delay that ends first.
fn soonest<'a>(delays: impl Iterator<Item = &'a Delay>) -> Option<Delay> {
    delays.copied().min_by_key(|d| (!d.alarm, d.ends))
}

fn next_state(delay: Delay, arm: ArmState) -> &'static str {
    match (delay.alarm, arm) {
        (true, _) => "triggered",
        (false, ArmState::Away) => "armed_away",
        (false, _) => "armed_home",
    }
}

/// Whole seconds, rounded up, never below zero.
fn seconds_left(ends: Millis, now: Millis) -> i64 {
    ((ends - now).max(0) + 999) / 1000
}

/// Who (the user's name when known) and by what means.
fn describe(origin: &Origin, installation: &Installation) -> (Option<String>, &'static str) {
    let via = match origin {
        Origin::User(_) => "web",
        Origin::Keypad { .. } => "keypad",
        Origin::Card { .. } => "card",
        Origin::Mqtt { .. } => "mqtt",
        Origin::Sms { .. } => "sms",
        Origin::Node(_) => "node",
        Origin::System => "system",
    };
    let who = match origin {
        Origin::Node(node) => Some(node.clone()),
        other => other
            .user()
            .and_then(|u| installation.credentials.user_name(u))
            .map(str::to_owned),
    };
    (who, via)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::installation::credentials::Credentials;
    use crate::runtime::view::ChangedBy;
    use argus_protocol::constants::MonitoringState;

    fn view() -> StateView {
        StateView {
            monitoring: MonitoringState::MonitoringArmDelay,
            system: ArmState::Away,
            areas: [(1, ArmState::Away), (2, ArmState::Disarm)].into(),
            alerting: Default::default(),
            siren: false,
            power: None,
            delays: [(
                1,
                Delay {
                    ends: 10_500,
                    alarm: false,
                },
            )]
            .into(),
            changed_by: ChangedBy {
                areas: [(1, Origin::Mqtt { user: Some(7) })].into(),
                system: Some(Origin::Mqtt { user: Some(7) }),
            },
        }
    }

    fn installation() -> Installation {
        Installation {
            credentials: Credentials::of(&[(7, "admin", "1234")], &[]),
            ..Installation::default()
        }
    }

    #[test]
    fn an_exit_delay_says_what_follows_and_how_long_it_lasts() {
        let a = panel(Panel::Area(1), &view(), &installation(), None, 1_000);
        assert_eq!(a["next_state"], "armed_away");
        assert_eq!(a["delay_left"], 10, "9.5 s rounds up");
        assert_eq!(a["changed_by"], "user 7");
        assert_eq!(a["changed_via"], "mqtt");
        let quiet = panel(Panel::Area(2), &view(), &installation(), None, 1_000);
        assert_eq!(quiet["next_state"], Value::Null);
        assert_eq!(quiet["delay_left"], Value::Null);
        assert_eq!(quiet["changed_by"], Value::Null);
    }

    #[test]
    fn the_system_panel_shows_an_entry_delay_before_any_exit_delay() {
        let mut v = view();
        v.delays.insert(
            2,
            Delay {
                ends: 20_000,
                alarm: true,
            },
        );
        let a = panel(Panel::System, &v, &installation(), None, 30_000);
        assert_eq!(a["next_state"], "triggered");
        assert_eq!(a["delay_left"], 0, "never negative");
    }

    #[test]
    fn an_unknown_user_is_named_only_by_the_means() {
        let mut v = view();
        v.changed_by.system = Some(Origin::Keypad {
            keypad: 1,
            user: None,
        });
        let a = panel(Panel::System, &v, &installation(), None, 0);
        assert_eq!(a["changed_by"], Value::Null);
        assert_eq!(a["changed_via"], "keypad");
    }
}
