//! Telemetry storage on a real PostgreSQL: a batch stores each reading once,
//! folds it into its hour, and moves the latest value forward only; history
//! reads buckets from the raw readings or the roll-ups; retention forgets.

use argus_db::models::telemetry::{self, NewRule, Rule};
use argus_db::test_db::TestDb;
use argus_protocol::telemetry::Reading;
use chrono::{DateTime, Duration, TimeZone, Utc};

fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap() + Duration::minutes(minutes)
}

fn reading(sensor: &str, minutes: i64, value: f64) -> Reading {
    Reading {
        sensor: sensor.into(),
        value,
        unit: Some("°C".into()),
        time: at(minutes),
    }
}

#[test]
fn a_batch_stores_each_reading_once_and_the_latest_only_moves_forward() {
    let db = TestDb::new();
    let mut conn = db.conn();
    let first = telemetry::store(
        &mut conn,
        &[
            reading("attic", 0, 20.0),
            reading("attic", 5, 21.5),
            reading("cellar", 1, 8.0),
        ],
    )
    .unwrap();
    assert_eq!(first.inserted, 3);
    let mut moved: Vec<(String, f64)> = first
        .latest
        .iter()
        .map(|l| (l.sensor.clone(), l.value))
        .collect();
    moved.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(moved, vec![("attic".into(), 21.5), ("cellar".into(), 8.0)]);

    // A repeat is not stored again; a late, older reading is stored but is not the latest.
    let late = telemetry::store(
        &mut conn,
        &[reading("attic", 5, 21.5), reading("attic", 2, 30.0)],
    )
    .unwrap();
    assert_eq!(late.inserted, 1);
    assert!(late.latest.is_empty(), "{late:?}");
    let latest = telemetry::latest(&mut conn).unwrap();
    assert_eq!(
        latest
            .iter()
            .map(|l| (l.sensor.as_str(), l.value, l.time))
            .collect::<Vec<_>>(),
        vec![("attic", 21.5, at(5)), ("cellar", 8.0, at(1))]
    );
    assert_eq!(latest[0].unit.as_deref(), Some("°C"));
    assert!(telemetry::store(&mut conn, &[]).unwrap().latest.is_empty());
}

#[test]
fn history_reads_buckets_from_raw_readings_or_hourly_roll_ups() {
    let db = TestDb::new();
    let mut conn = db.conn();
    // Two hours of one reading a minute, 10.0 rising by 0.1; sent in two batches that share an hour.
    let all: Vec<Reading> = (0..120)
        .map(|m| reading("room", m, 10.0 + m as f64 / 10.0))
        .collect();
    telemetry::store(&mut conn, &all[..70]).unwrap();
    telemetry::store(&mut conn, &all[70..]).unwrap();

    let quarter = telemetry::history(&mut conn, "room", at(0), at(30), 900).unwrap();
    assert_eq!(quarter.len(), 2);
    assert_eq!((quarter[0].start, quarter[0].count), (at(0), 15));
    assert!((quarter[0].min - 10.0).abs() < 1e-9 && (quarter[0].max - 11.4).abs() < 1e-9);
    assert!((quarter[1].avg - 12.2).abs() < 1e-9, "{:?}", quarter[1]);

    let hours = telemetry::history(&mut conn, "room", at(0), at(180), 3600).unwrap();
    assert_eq!(
        hours.iter().map(|b| (b.start, b.count)).collect::<Vec<_>>(),
        vec![(at(0), 60), (at(60), 60)]
    );
    assert!((hours[1].min - 16.0).abs() < 1e-9 && (hours[1].max - 21.9).abs() < 1e-9);
    assert!((hours[1].avg - 18.95).abs() < 1e-9, "{:?}", hours[1]);
    let two_hours = telemetry::history(&mut conn, "room", at(0), at(180), 7200).unwrap();
    assert_eq!(two_hours.len(), 1);
    assert_eq!(two_hours[0].count, 120);

    // Retention: raw readings before 11:00 go, the roll-ups stay until their own limit.
    let gone = telemetry::prune(&mut conn, at(60), at(0)).unwrap();
    assert_eq!(gone, 60);
    assert_eq!(
        telemetry::history(&mut conn, "room", at(0), at(120), 60)
            .unwrap()
            .len(),
        60
    );
    assert_eq!(
        telemetry::history(&mut conn, "room", at(0), at(180), 3600)
            .unwrap()
            .len(),
        2
    );
    telemetry::prune(&mut conn, at(0), at(60)).unwrap();
    assert_eq!(
        telemetry::history(&mut conn, "room", at(0), at(180), 3600)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn rules_are_created_replaced_and_deleted_and_the_table_refuses_a_rule_without_a_threshold() {
    let db = TestDb::new();
    let mut conn = db.conn();
    let mut rule = NewRule {
        name: "Freezing cellar".into(),
        sensor: "cellar".into(),
        above: None,
        below: Some(3.0),
        hold_seconds: 60,
        hysteresis: 0.5,
        action: "notify".into(),
        alarm_sensor_id: None,
        enabled: true,
    };
    let created = Rule::create(&mut conn, &rule).unwrap();
    rule.below = Some(2.0);
    let replaced = Rule::update(&mut conn, created.id, &rule).unwrap().unwrap();
    assert_eq!(replaced.below, Some(2.0));
    assert_eq!(Rule::all(&mut conn).unwrap(), vec![replaced]);
    assert!(Rule::update(&mut conn, created.id + 1, &rule)
        .unwrap()
        .is_none());
    rule.below = None;
    assert!(Rule::create(&mut conn, &rule).is_err());
    assert!(Rule::delete(&mut conn, created.id).unwrap());
    assert!(!Rule::delete(&mut conn, created.id).unwrap());
}
