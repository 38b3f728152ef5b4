//! Runs the threshold rules ([`super::rules`]): readings from the intake
//! and a tick every second, on the monotonic clock. The rules and the
//! staleness limit (`telemetry/availability`) are read from PostgreSQL at
//! start and after every reload; while it is down the last ones loaded stay
//! in force, so a leak is still an alarm. What the rules decide: an alarm
//! rule drives its sensor through the engine (active while it fires, idle
//! once it clears: the 24-hour zone raises the alarm); a notify rule hands a
//! notice to the notification pipeline; a sensor unavailable or heard again
//! is an event row.

use std::time::Duration;

use argus_db::models::telemetry::Rule as RuleRow;
use argus_protocol::telemetry::Reading;
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::rules::{Action, Outcome, Rule, Rules};
use crate::engine::model::Millis;
use crate::engine::{Input, Reading as SensorReading};
use crate::interfaces::running::Running;
use crate::runtime::notify::notice;

/// `telemetry/availability`.
#[derive(Debug, Clone, Copy, Deserialize)]
struct Availability {
    stale_seconds: i64,
}

/// A rule as the table holds it, `None` when it is switched off or cannot
/// act (an alarm rule without its sensor).
pub fn rule(row: &RuleRow) -> Option<Rule> {
    let action = match (row.action.as_str(), row.alarm_sensor_id) {
        ("alarm", Some(sensor)) => Action::Alarm(sensor),
        ("notify", _) => Action::Notify,
        _ => return None,
    };
    row.enabled.then(|| Rule {
        id: row.id,
        name: row.name.clone(),
        sensor: row.sensor.clone(),
        above: row.above,
        below: row.below,
        hold: Millis::from(row.hold_seconds) * 1000,
        hysteresis: row.hysteresis,
        action,
    })
}

async fn load(r: &Running) -> Option<(Vec<Rule>, Millis)> {
    crate::db::blocking(&r.db, |c| {
        let rows = RuleRow::all(c)?;
        let stale: Option<Availability> = crate::db::option_in(c, "telemetry", "availability")?;
        diesel::QueryResult::Ok((
            rows.iter().filter_map(rule).collect(),
            stale.map_or(900, |a| a.stale_seconds) * 1000,
        ))
    })
    .await
    .ok()
}

/// Runs the rules until the intake is gone.
pub async fn run(r: Running, mut rx: mpsc::Receiver<Reading>) {
    let start = Instant::now();
    let now = move || Millis::try_from(start.elapsed().as_millis()).unwrap_or(Millis::MAX);
    let mut rules = Rules::new(Vec::new(), 900_000);
    let mut installation = r.installation.clone();
    let mut stale = true;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        if stale {
            if let Some((loaded, limit)) = load(&r).await {
                tracing::debug!(rules = loaded.len(), "telemetry rules loaded");
                rules.replace(loaded, limit);
                stale = false;
                baseline(&r, &rules).await;
            }
        }
        let outcomes = tokio::select! {
            reading = rx.recv() => match reading {
                Some(reading) => rules.reading(&reading, now()),
                None => return,
            },
            _ = tick.tick() => rules.tick(now()),
            changed = installation.changed() => {
                if changed.is_err() {
                    return;
                }
                stale = true;
                Vec::new()
            }
        };
        for outcome in outcomes {
            act(&r, outcome).await;
        }
    }
}

/// Tells the engine that the sensor of each alarm rule not firing reads
/// normal: the engine takes a sensor's first reading as its baseline, never
/// an alarm, so without this the first leak would only set the baseline.
async fn baseline(r: &Running, rules: &Rules) {
    for sensor in rules.quiet_alarm_sensors() {
        let reading = SensorReading::Idle;
        let _ = r.engine.input(Input::Sensor { sensor, reading }).await;
    }
}

async fn act(r: &Running, outcome: Outcome) {
    match outcome {
        Outcome::Fire(rule, value) => decide(r, &rule, value, true).await,
        Outcome::Clear(rule, value) => decide(r, &rule, value, false).await,
        Outcome::Unavailable(sensor) => {
            tracing::warn!(
                sensor,
                "telemetry sensor unavailable (silent past its limit)"
            );
            crate::db::record_event(
                &r.db,
                "telemetry_unavailable",
                None,
                None,
                "telemetry",
                Some(sensor),
            );
        }
        Outcome::Available(sensor) => {
            tracing::info!(sensor, "telemetry sensor heard again");
            crate::db::record_event(
                &r.db,
                "telemetry_available",
                None,
                None,
                "telemetry",
                Some(sensor),
            );
        }
    }
}

async fn decide(r: &Running, rule: &Rule, value: f64, fired: bool) {
    tracing::info!(rule = rule.id, sensor = %rule.sensor, value, fired, "telemetry rule");
    match rule.action {
        Action::Alarm(sensor) => {
            let reading = if fired {
                SensorReading::Active
            } else {
                SensorReading::Idle
            };
            if r.engine
                .input(Input::Sensor { sensor, reading })
                .await
                .is_none()
            {
                tracing::error!(rule = rule.id, "the alarm did not take a telemetry rule");
            }
        }
        Action::Notify => {
            let installation = r.installation.borrow().clone();
            let text = format!("{}: {value} ({})", rule.sensor, rule.name);
            let time = chrono::Utc::now().timestamp_millis();
            r.engine
                .notify(notice::of_telemetry(
                    &installation,
                    rule.id,
                    fired,
                    text,
                    time,
                ))
                .await;
        }
    }
}
