//! `/api/arms` and `/api/arms/count` (contract §5.3, §16 item 15): ArPI's
//! order (open sessions first, then by disarm time), the session shape, and
//! every filter, including the three ArPI ignored.

use argus_db::enums::ArmState;
use argus_db::schema::{alert, alert_sensor, arm, arm_sensor, disarm};
use chrono::{DateTime, Duration, Local, TimeZone, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::call;
use crate::support::{config, demo_db, state, user_token, LiveMonitor};

fn at(hours: i64) -> DateTime<Utc> {
    let t0 = Local.with_ymd_and_hms(2024, 1, 10, 9, 0, 0).unwrap();
    (t0 + Duration::hours(hours)).with_timezone(&Utc)
}

fn new_arm(
    conn: &mut PgConnection,
    kind: ArmState,
    hours: i64,
    user: i32,
    alert_id: Option<i32>,
) -> i32 {
    diesel::insert_into(arm::table)
        .values((
            arm::type_.eq(kind),
            arm::time.eq(at(hours)),
            arm::user_id.eq(user),
            arm::alert_id.eq(alert_id),
        ))
        .returning(arm::id)
        .get_result(conn)
        .unwrap()
}

fn new_disarm(
    conn: &mut PgConnection,
    arm_id: Option<i32>,
    hours: i64,
    user: i32,
    keypad: Option<i32>,
    alert_id: Option<i32>,
) {
    diesel::insert_into(disarm::table)
        .values((
            disarm::arm_id.eq(arm_id),
            disarm::time.eq(at(hours)),
            disarm::user_id.eq(user),
            disarm::keypad_id.eq(keypad),
            disarm::alert_id.eq(alert_id),
        ))
        .execute(conn)
        .unwrap();
}

/// Session 1: away by 1, alert, disarmed by 2 on keypad 1. Session 2: stay
/// by 2, disarmed by 2. A disarm without an arm (by 1). Session 3: away by 1,
/// still open.
fn history(db: &argus_db::test_db::TestDb) {
    let conn = &mut db.conn();
    let alert_id: i32 = diesel::insert_into(alert::table)
        .values((
            alert::start_time.eq(at(0) + Duration::minutes(30)),
            alert::end_time.eq(at(1)),
            alert::silent.eq(false),
        ))
        .returning(alert::id)
        .get_result(conn)
        .unwrap();
    diesel::insert_into(alert_sensor::table)
        .values((
            alert_sensor::alert_id.eq(alert_id),
            alert_sensor::sensor_id.eq(3),
            alert_sensor::channel.eq(1),
            alert_sensor::type_id.eq(1),
            alert_sensor::name.eq("Test room 1"),
            alert_sensor::start_time.eq(at(0) + Duration::minutes(30)),
        ))
        .execute(conn)
        .unwrap();
    let first = new_arm(conn, ArmState::Away, 0, 1, Some(alert_id));
    for (sensor, minutes) in [(3, 0), (4, 0), (3, 10)] {
        diesel::insert_into(arm_sensor::table)
            .values((
                arm_sensor::arm_id.eq(first),
                arm_sensor::sensor_id.eq(sensor),
                arm_sensor::channel.eq(sensor - 2),
                arm_sensor::type_id.eq(1),
                arm_sensor::name.eq(format!("S{sensor}")),
                arm_sensor::description.eq(if sensor == 3 { "" } else { "described" }),
                arm_sensor::timestamp.eq(at(0) + Duration::minutes(minutes)),
                arm_sensor::delay.eq(0),
                arm_sensor::enabled.eq(true),
            ))
            .execute(conn)
            .unwrap();
    }
    new_disarm(conn, Some(first), 1, 2, Some(1), Some(alert_id));
    let second = new_arm(conn, ArmState::Stay, 2, 2, None);
    new_disarm(conn, Some(second), 3, 2, None, None);
    new_disarm(conn, None, 4, 1, None, None);
    new_arm(conn, ArmState::Away, 5, 1, None);
}

/// `(arm type, disarm user)` of a session.
type Brief = (Option<String>, Option<i64>);

/// `(arm type, disarm user)` of each session, to compare orders compactly.
fn summary(list: &Value) -> Vec<Brief> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["arm"]["type"].as_str().map(str::to_owned),
                s["disarm"]["userId"].as_i64(),
            )
        })
        .collect()
}

fn s(arm: Option<&str>, disarm_user: Option<i64>) -> Brief {
    (arm.map(str::to_owned), disarm_user)
}

#[actix_web::test]
async fn sessions_come_in_arpis_order_with_their_alerts_and_sensor_changes() {
    let db = demo_db();
    history(&db);
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let user = user_token(2, "user", 0);

    let (status, all) = call!(
        app,
        GET,
        "/api/arms?has_alert=null&user_id=null&limit=10&offset=0",
        user
    );
    assert_eq!(status, 200, "{all}");
    assert_eq!(
        summary(&all),
        [
            s(Some("arm_away"), None),
            s(None, Some(1)),
            s(Some("arm_stay"), Some(2)),
            s(Some("arm_away"), Some(2))
        ],
        "open first, then newest disarm first"
    );
    assert!(all[0].get("disarm").is_none() && all[1].get("arm").is_none());
    let first = &all[3];
    assert_eq!(
        first["arm"],
        json!({"type": "arm_away", "time": "2024-01-10 09:00:00", "keypadId": null, "userId": 1})
    );
    assert_eq!(
        first["disarm"],
        json!({"time": "2024-01-10 10:00:00", "keypadId": 1, "userId": 2})
    );
    assert_eq!(first["alert"]["alertType"], "alert_away");
    assert_eq!(first["alert"]["sensors"][0]["name"], "Test room 1");
    let changes = first["sensorChanges"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "grouped by timestamp");
    assert_eq!(changes[0]["timestamp"], "2024-01-10 09:00:00");
    assert_eq!(changes[0]["sensors"].as_array().unwrap().len(), 2);
    let mut keys: Vec<&String> = changes[0]["sensors"][0]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "channel",
            "delay",
            "description",
            "enabled",
            "name",
            "sensorId",
            "timestamp",
            "typeId"
        ]
    );
    assert_eq!(
        changes[0]["sensors"][0]["description"], "S3",
        "an empty description shows the name"
    );
    assert_eq!(all[2]["sensorChanges"], json!([]));

    let (_, page) = call!(app, GET, "/api/arms?limit=2&offset=1", user);
    assert_eq!(
        summary(&page),
        [s(None, Some(1)), s(Some("arm_stay"), Some(2))]
    );
    let (_, page) = call!(app, GET, "/api/arms?limit=10&offset=3", user);
    assert_eq!(summary(&page), [s(Some("arm_away"), Some(2))]);
    let (_, count) = call!(app, GET, "/api/arms/count", user);
    assert_eq!(count, json!(4));
}

#[actix_web::test]
async fn every_filter_applies_to_the_list_and_the_count() {
    let db = demo_db();
    history(&db);
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let user = user_token(2, "user", 0);
    let cases: [(&str, Vec<Brief>); 9] = [
        ("has_alert=true", vec![s(Some("arm_away"), Some(2))]),
        (
            "has_alert=false",
            vec![
                s(Some("arm_away"), None),
                s(None, Some(1)),
                s(Some("arm_stay"), Some(2)),
            ],
        ),
        (
            "user_id=1",
            vec![
                s(Some("arm_away"), None),
                s(None, Some(1)),
                s(Some("arm_away"), Some(2)),
            ],
        ),
        ("keypad_id=1", vec![s(Some("arm_away"), Some(2))]),
        ("arm_type=disarm", vec![s(None, Some(1))]),
        ("arm_type=arm_stay", vec![s(Some("arm_stay"), Some(2))]),
        (
            "start=2024-01-10&end=2024-01-10",
            vec![
                s(Some("arm_away"), None),
                s(None, Some(1)),
                s(Some("arm_stay"), Some(2)),
                s(Some("arm_away"), Some(2)),
            ],
        ),
        ("start=2024-01-11", vec![]),
        ("end=2024-01-09", vec![]),
    ];
    for (filter, expected) in cases {
        let (status, list) = call!(app, GET, &format!("/api/arms?{filter}"), user);
        assert_eq!(status, 200, "{filter}: {list}");
        assert_eq!(summary(&list), expected, "{filter}");
        let (_, count) = call!(app, GET, &format!("/api/arms/count?{filter}"), user);
        assert_eq!(count, json!(expected.len()), "count with {filter}");
    }
    for bad in [
        "has_alert=maybe",
        "user_id=x",
        "start=10/01/2024",
        "arm_type=arm_sideways",
        "limit=5000",
    ] {
        let (status, body) = call!(app, GET, &format!("/api/arms?{bad}"), user);
        assert_eq!(status, 400, "{bad}");
        assert!(body["error"].is_string());
    }
}

#[actix_web::test]
async fn the_open_session_table_follows_every_writer() {
    let db = demo_db();
    let conn = &mut db.conn();
    let open = |conn: &mut PgConnection| -> Vec<i32> {
        argus_db::schema::argus_open_arm::table
            .order(argus_db::schema::argus_open_arm::arm_id)
            .select(argus_db::schema::argus_open_arm::arm_id)
            .load(conn)
            .unwrap()
    };
    let a = new_arm(conn, ArmState::Away, 0, 1, None);
    let b = new_arm(conn, ArmState::Stay, 1, 1, None);
    assert_eq!(open(conn), [a, b]);
    new_disarm(conn, Some(a), 2, 1, None, None);
    assert_eq!(open(conn), [b]);
    diesel::update(disarm::table.filter(disarm::arm_id.eq(a)))
        .set(disarm::arm_id.eq(b))
        .execute(conn)
        .unwrap();
    assert_eq!(
        open(conn),
        [a],
        "re-pointing a disarm reopens the old session"
    );
    diesel::delete(disarm::table).execute(conn).unwrap();
    assert_eq!(open(conn), [a, b]);
    diesel::delete(arm::table.find(a)).execute(conn).unwrap();
    assert_eq!(open(conn), [b]);
}

/// `/api/alerts` (newest first, argus's `limit`/`offset`) and `/api/alert`
/// (the open one): each alert's type comes from its arm session.
#[actix_web::test]
async fn alerts_carry_the_type_of_their_arm_session() {
    let db = demo_db();
    history(&db);
    {
        let conn = &mut db.conn();
        // A sabotage alert (closed by the arm-less disarm at 13:00) and an
        // alert still open during the open session (armed away at 14:00).
        for (start, end) in [(3, Some(4)), (6, None)] {
            diesel::insert_into(alert::table)
                .values((
                    alert::start_time.eq(at(start) + Duration::minutes(30)),
                    alert::end_time.eq(end.map(at)),
                    alert::silent.eq(false),
                ))
                .execute(conn)
                .unwrap();
        }
    }
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let user = user_token(2, "user", 0);
    let device = crate::support::device_token(2);

    let (status, alerts) = call!(app, GET, "/api/alerts", user);
    assert_eq!(status, 200, "{alerts}");
    let types: Vec<&str> = alerts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["alertType"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        ["alert_away", "alert_sabotage", "alert_away"],
        "newest first"
    );
    let mut keys: Vec<&String> = alerts[2].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "alertType",
            "endTime",
            "id",
            "sensors",
            "silent",
            "startTime"
        ]
    );
    assert_eq!(alerts[2]["sensors"][0]["name"], "Test room 1");
    assert_eq!(alerts[0]["endTime"], Value::Null);

    let (_, page) = call!(app, GET, "/api/alerts?limit=1&offset=1", user);
    assert_eq!(page.as_array().map(Vec::len), Some(1));
    assert_eq!(page[0]["alertType"], "alert_sabotage");
    let (status, _) = call!(app, GET, "/api/alerts?limit=-1", user);
    assert_eq!(status, 400);

    let (status, open) = call!(app, GET, "/api/alert", device);
    assert_eq!((status, &open["alertType"]), (200, &json!("alert_away")));
    assert_eq!(open["endTime"], Value::Null);
}
