//! Reports to an alarm receiving centre over SIA DC-09, against pysiaalarm's
//! receiver (the library behind Home Assistant's SIA integration): plain
//! SIA-DCS and AES-encrypted Contact ID, every event with its code, account,
//! area and zone or user; a primary that refuses (NAK) or hangs up hands over to
//! the backup and nothing is lost.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use argus_db::test_db::TestDb;
use argus_e2e::{count, wait_until, Argus, SiaReceiver};
use argus_protocol::ipc::DisarmRequest;
use argus_protocol::Command;
use diesel::prelude::*;
use serde_json::{json, Value};
use std::time::Duration;

use crate::support::{demo_with, sensor_id};

fn system(sia: Value) -> (TestDb, Argus) {
    let db = demo_with(&[("notifications", "sia", sia)]);
    let argus = Argus::start_with(
        db.url(),
        vec![
            ("ARGUS_NOTIFY_RETRY_MS", "100".into()),
            ("GSM_PORT", "/nonexistent".into()),
        ],
    );
    (db, argus)
}

/// Arm away (user 1), trip "Test room 2" (area 1, no delay): closing, burglary.
fn arm_and_trip(argus: &Argus) {
    assert!(argus.arm(false));
    argus.sim(&["input", "CH03", "active"]);
    argus.wait_state("monitoring_alert");
}

/// The centre's next event; on a timeout the monitor's log is printed,
/// so a failure says what the SIA lane saw.
fn next_or_log(argus: &mut Argus, centre: &SiaReceiver) -> Value {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| centre.next())).unwrap_or_else(|_| {
        if let Some(monitor) = argus.monitor.as_mut() {
            for line in monitor.rest_of_log() {
                eprintln!("monitor: {line}");
            }
        }
        panic!("no SIA event arrived")
    })
}

/// Disarm (user 1): the alarm's restore and the opening, in either order.
fn disarm(argus: &mut Argus, centre: &SiaReceiver) -> std::collections::BTreeMap<String, Value> {
    let reply = argus.ipc(Command::MonitorDisarm(DisarmRequest {
        user_id: Some(1),
        ..DisarmRequest::default()
    }));
    assert!(reply.result, "{reply:?}");
    (0..2)
        .map(|_| next_or_log(argus, centre))
        .map(|e| (e["code"].as_str().unwrap_or_default().to_owned(), e))
        .collect()
}

#[test]
fn every_event_reaches_the_centre_in_sia_dcs_with_its_code_area_and_number() {
    let centre = SiaReceiver::start("1234", None);
    let (db, mut argus) = system(json!({"enabled": true, "account": "1234",
        "receiver_host": "127.0.0.1", "receiver_port": centre.port, "link_test_seconds": 3600}));
    let test = centre.next_code("RP");
    assert_eq!(
        test["account"], "1234",
        "the link test comes first, at start-up"
    );
    arm_and_trip(&argus);
    let zone = format!("{:03}", sensor_id(&db, "Test room 2"));
    let closing = centre.next_code("CL");
    assert_eq!(
        (closing["ri"].as_str(), closing["message"].as_str()),
        (Some("1"), Some("001")),
        "area 1 (the demo's only one), user 1"
    );
    let burglary = centre.next_code("BA");
    assert_eq!(burglary["account"], "1234");
    assert_eq!(burglary["ri"], "1", "area 1");
    assert_eq!(burglary["message"], zone, "the sensor's number");
    assert_eq!(burglary["encrypted"], false);
    let ended = disarm(&mut argus, &centre);
    assert_eq!(ended["OP"]["message"], "001", "disarmed by user 1");
    assert_eq!(ended["BR"]["message"], zone, "{ended:?}");
    assert!(wait_until(Duration::from_secs(20), || count(
        &db.url(),
        "SELECT 1 FROM argus_outbox WHERE channel = 'sia' AND state = 'sent'"
    ) == 4));
}

#[test]
fn encrypted_contact_id_reaches_the_backup_when_the_primary_refuses() {
    const KEY: &str = "0123456789ABCDEF0123456789ABCDEF";
    // The primary knows another account: it NAKs every message.
    let refusing = SiaReceiver::start("9999", Some(KEY));
    let backup = SiaReceiver::start("ABC", Some(KEY));
    let (db, mut argus) = system(
        json!({"enabled": true, "account": "abc", "protocol": "ADM-CID",
        "key": KEY, "receiver_host": "127.0.0.1", "receiver_port": refusing.port,
        "backup_host": "127.0.0.1", "backup_port": backup.port, "link_test_seconds": 0}),
    );
    arm_and_trip(&argus);
    let zone = format!("{:03}", sensor_id(&db, "Test room 2"));
    let closing = backup.next_code("CL");
    assert_eq!(closing["encrypted"], true);
    assert_eq!(closing["account"], "ABC");
    let burglary = backup.next_code("BA");
    assert_eq!(burglary["ri"], zone, "Contact ID's zone field");
    let ended = disarm(&mut argus, &backup);
    assert_eq!(ended["OP"]["ri"], "001", "disarmed by user 1");
    assert!(
        ended.contains_key("BH"),
        "pysiaalarm reads Contact ID 3130 as BH, burglary restore: {ended:?}"
    );
    assert!(wait_until(Duration::from_secs(20), || count(
        &db.url(),
        "SELECT 1 FROM argus_outbox WHERE channel = 'sia' AND state = 'sent'"
    ) == 4));
}

#[test]
fn tamper_water_and_stay_arming_have_their_own_codes() {
    let centre = SiaReceiver::start("1234", None);
    let db = demo_with(&[(
        "notifications",
        "sia",
        json!({"enabled": true, "account": "1234", "receiver_host": "127.0.0.1",
            "receiver_port": centre.port, "link_test_seconds": 0}),
    )]);
    // "Test room 4" (CH05, no delay) becomes a water sensor.
    let mut conn = db.conn();
    for sql in [
        "INSERT INTO sensor_type (id, name, description) VALUES (5, 'Water leak', 'Detect water')",
        "UPDATE sensor SET type_id = 5 WHERE name = 'Test room 4'",
    ] {
        diesel::sql_query(sql).execute(&mut conn).unwrap();
    }
    let mut argus = Argus::start_with(db.url(), vec![("ARGUS_NOTIFY_RETRY_MS", "100".into())]);

    // The sabotage wire cut while disarmed: a tamper alarm.
    argus.sim(&["input", "CH06", "active"]);
    argus.wait_state("monitoring_sabotage");
    let tamper = centre.next_code("TA");
    assert_eq!(
        tamper["message"],
        format!("{:03}", sensor_id(&db, "Tamper"))
    );
    argus.sim(&["input", "CH06", "idle"]);
    let ended = disarm(&mut argus, &centre);
    assert!(ended.contains_key("TR"), "{ended:?}");

    // Armed stay, the water sensor trips.
    assert!(argus.arm(true));
    let stay = centre.next_code("NL");
    assert_eq!(stay["message"], "001", "armed stay by user 1");
    argus.sim(&["input", "CH05", "active"]);
    let water = centre.next_code("WA");
    assert_eq!(
        water["message"],
        format!("{:03}", sensor_id(&db, "Test room 4"))
    );
    let ended = disarm(&mut argus, &centre);
    assert!(
        ended.contains_key("WR") && ended.contains_key("OP"),
        "{ended:?}"
    );
}

#[test]
fn a_primary_that_hangs_up_hands_over_to_the_backup() {
    // Not a killed receiver: its port could be reused by another test's
    // server. This one accepts and hangs up at once, for the whole test.
    let primary = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = primary.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in primary.incoming() {
            drop(stream);
        }
    });
    let backup = SiaReceiver::start("1234", None);
    let (db, mut argus) = system(json!({"enabled": true, "account": "1234",
        "receiver_host": "127.0.0.1", "receiver_port": port,
        "backup_host": "127.0.0.1", "backup_port": backup.port, "link_test_seconds": 0}));
    arm_and_trip(&argus);
    let closing = next_or_log(&mut argus, &backup);
    assert_eq!(closing["code"], "CL", "{closing}");
    backup.next_code("BA");
    assert!(
        wait_until(Duration::from_secs(20), || count(
            &db.url(),
            "SELECT 1 FROM argus_outbox WHERE channel = 'sia' AND state = 'sent' AND attempts = 1"
        ) == 2),
        "each went out at its first attempt, through the backup"
    );
}
