//! Benchmark (not a test): time from a sensor reading to the engine's
//! decision, in process, on the `test_with_v3` layout while armed.
//! `cargo run --release -p argus-monitor --example engine_latency`

use argus_monitor::engine::model::{ArmMode, Config, Sensor, Zone};
use argus_monitor::engine::{Engine, Input, Origin, Reading};
use std::time::Instant;

fn config() -> Config {
    let zone = |id, disarmed, away, stay| Zone {
        id,
        disarmed_delay: disarmed,
        away_alert_delay: away,
        stay_alert_delay: stay,
        away_arm_delay: Some(0),
        stay_arm_delay: Some(0),
    };
    let sensor = |id, zone| Sensor {
        id,
        area: 1,
        zone,
        enabled: true,
        silent: Some(false),
        monitor_period: None,
        monitor_threshold: None,
    };
    Config {
        areas: vec![1],
        zones: [
            zone(1, None, Some(0), Some(0)),
            zone(2, Some(0), Some(0), Some(0)),
            zone(3, None, Some(5), Some(5)),
        ]
        .into_iter()
        .map(|z| (z.id, z))
        .collect(),
        sensors: [
            sensor(1, 3),
            sensor(2, 1),
            sensor(3, 1),
            sensor(4, 1),
            sensor(5, 1),
            sensor(6, 1),
            sensor(7, 2),
        ]
        .into_iter()
        .map(|s| (s.id, s))
        .collect(),
        ..Config::default()
    }
}

fn percentile(sorted: &[u128], p: f64) -> u128 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    const ROUNDS: usize = 100_000;
    let mut engine = Engine::new();
    let mut now = 1_700_000_000_000i64;
    engine.handle(Input::Configure(Box::new(config())), now);
    for s in 1..=7 {
        engine.handle(
            Input::Sensor {
                sensor: s,
                reading: Reading::Idle,
            },
            now,
        );
    }
    engine.handle(
        Input::Arm {
            mode: ArmMode::Away,
            area: None,
            origin: Origin::System,
            use_delay: false,
            force: false,
        },
        now,
    );
    let mut samples = Vec::with_capacity(ROUNDS);
    for i in 0..ROUNDS {
        now += 10;
        let reading = if i % 2 == 0 {
            Reading::Active
        } else {
            Reading::Idle
        };
        let start = Instant::now();
        let effects = engine.handle(Input::Sensor { sensor: 3, reading }, now);
        samples.push(start.elapsed().as_nanos());
        std::hint::black_box(effects);
        if i % 1000 == 999 {
            // Disarm and re-arm so alerts keep opening (the expensive path).
            engine.handle(
                Input::Disarm {
                    area: None,
                    origin: Origin::System,
                    duress: false,
                },
                now,
            );
            engine.handle(
                Input::Arm {
                    mode: ArmMode::Away,
                    area: None,
                    origin: Origin::System,
                    use_delay: false,
                    force: false,
                },
                now,
            );
        }
    }
    samples.sort_unstable();
    println!(
        "engine decision (sensor reading -> effects), {ROUNDS} readings: p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        percentile(&samples, 0.5) as f64 / 1000.0,
        percentile(&samples, 0.99) as f64 / 1000.0,
        *samples.last().unwrap_or(&0) as f64 / 1000.0
    );
}
