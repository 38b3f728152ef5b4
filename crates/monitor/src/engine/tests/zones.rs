//! Every zone profile of `test_with_v3` and `live_01`, in both arm modes:
//! ignored, immediate, or alerting exactly after its delay.

use argus_protocol::constants::MonitoringState;

use super::super::model::{ArmMode, Config, SensorId};
use super::fixtures::{live_01, test_with_v3, Driver};

/// The expected behaviour of one sensor in one mode.
fn expected(config: &Config, sensor: SensorId, mode: ArmMode) -> Option<u32> {
    let zone = &config.zones[&config.sensors[&sensor].zone];
    zone.disarmed_delay.or(zone.alert_delay(mode))
}

fn check_profile(config: Config, sensor: SensorId, mode: ArmMode, delay: Option<u32>) {
    let mut d = Driver::new(config);
    d.secs(100.0);
    d.arm(mode);
    d.secs(110.0);
    d.trip(sensor);
    match delay {
        None => {
            d.secs(400.0);
            assert!(
                d.alert_times(sensor).is_empty(),
                "sensor {sensor} is ignored in {mode:?}"
            );
            assert_eq!(
                d.engine.monitoring_state(),
                MonitoringState::MonitoringArmed
            );
        }
        Some(0) => {
            assert_eq!(
                d.alert_times(sensor),
                [110_000],
                "sensor {sensor} alerts at once in {mode:?}"
            );
            assert_eq!(
                d.engine.monitoring_state(),
                MonitoringState::MonitoringAlert
            );
        }
        Some(delay) => {
            let due = 110_000 + i64::from(delay) * 1000;
            d.at(due - 1);
            assert!(
                d.alert_times(sensor).is_empty(),
                "sensor {sensor} still in its entry delay"
            );
            assert_eq!(
                d.engine.monitoring_state(),
                MonitoringState::MonitoringAlertDelay
            );
            d.at(due);
            assert_eq!(
                d.alert_times(sensor),
                [due],
                "sensor {sensor} alerts after {delay} s in {mode:?}"
            );
            assert_eq!(
                d.engine.monitoring_state(),
                MonitoringState::MonitoringAlert
            );
        }
    }
}

#[test]
fn test_with_v3_profiles_in_both_modes() {
    let table = [
        // (sensor, away, stay) as the seed's zones say
        (1, Some(5), Some(5)),
        (2, Some(0), None),
        (3, Some(0), Some(0)),
        (6, Some(0), Some(0)),
        (7, Some(0), Some(0)),
    ];
    for (sensor, away, stay) in table {
        assert_eq!(expected(&test_with_v3(), sensor, ArmMode::Away), away);
        assert_eq!(expected(&test_with_v3(), sensor, ArmMode::Stay), stay);
        check_profile(test_with_v3(), sensor, ArmMode::Away, away);
        check_profile(test_with_v3(), sensor, ArmMode::Stay, stay);
    }
}

#[test]
fn live_01_profiles_in_both_modes() {
    let table = [
        (1, Some(40), Some(20)),
        (3, Some(40), Some(20)),
        (4, Some(0), Some(20)),
        (5, Some(0), Some(0)),
        (6, Some(0), None),
        (8, Some(0), Some(0)),
    ];
    for (sensor, away, stay) in table {
        assert_eq!(expected(&live_01(), sensor, ArmMode::Away), away);
        assert_eq!(expected(&live_01(), sensor, ArmMode::Stay), stay);
        check_profile(live_01(), sensor, ArmMode::Away, away);
        check_profile(live_01(), sensor, ArmMode::Stay, stay);
    }
}

#[test]
fn disarmed_only_24_hour_zones_alert() {
    for config in [test_with_v3(), live_01()] {
        for (&id, s) in &config.sensors {
            let mut d = Driver::new(config.clone());
            d.secs(1.0);
            d.trip(id);
            d.secs(100.0);
            let is_24h = config.zones[&s.zone].is_24h();
            assert_eq!(!d.alert_times(id).is_empty(), is_24h, "sensor {id}");
            if is_24h {
                assert_eq!(
                    d.engine.monitoring_state(),
                    MonitoringState::MonitoringSabotage
                );
                assert_eq!(
                    d.engine.alert().map(|a| a.alert_type),
                    Some(super::super::AlertType::Sabotage)
                );
            }
        }
    }
}

/// Every zone of both datasets, including those no seed sensor uses, through a probe sensor.
#[test]
fn every_zone_profile_through_a_probe_sensor() {
    for config in [test_with_v3(), live_01()] {
        for zone in config.zones.values() {
            let mut with_probe = config.clone();
            let probe = 100;
            with_probe.sensors.insert(
                probe,
                super::fixtures::sensor(probe, super::fixtures::HOUSE, zone.id),
            );
            for mode in [ArmMode::Away, ArmMode::Stay] {
                let delay = zone.disarmed_delay.or(zone.alert_delay(mode));
                check_profile(with_probe.clone(), probe, mode, delay);
            }
        }
    }
}
