//! Each seed dataset holds exactly what the contract lists.

use argus_db::enums::{ArmState, ChannelType, ContactType, EolCount};
use argus_db::hash::{normalize_registration_code, verify_secret};
use argus_db::models::{Area, Keypad, KeypadType, OptionRow, Sensor, SensorType, User, Zone};
use argus_db::seed::{seed, Dataset, SeedError};
use argus_db::test_db::TestDb;
use diesel::pg::PgConnection;

fn seeded(dataset: Dataset) -> (TestDb, PgConnection) {
    let db = TestDb::new();
    let mut conn = db.conn();
    seed(&mut conn, dataset, false).unwrap();
    (db, conn)
}

/// `(name, role, pin, registration code)` checked against the stored hashes.
fn assert_users(conn: &mut PgConnection, expected: &[(i32, &str, &str, &str, Option<&str>)]) {
    let users = User::all(conn).unwrap();
    assert_eq!(users.len(), expected.len());
    for (u, &(id, name, role, pin, code)) in users.iter().zip(expected) {
        assert_eq!((u.id, u.name.as_str(), u.role.as_str()), (id, name, role));
        assert!(u.access_code.starts_with("$2b$12$"), "bcrypt $2b$ cost 12");
        assert!(
            verify_secret(pin, &u.access_code, None).ok(),
            "{name}'s PIN"
        );
        assert!(
            verify_secret(&pin[..4], &u.fourkey_code, None).ok(),
            "{name}'s four-key code"
        );
        assert_eq!(u.email.as_deref(), Some(""));
        match (code, &u.registration_code) {
            (Some(c), Some(stored)) => {
                assert!(verify_secret(&normalize_registration_code(c), stored, None).ok());
                assert!(u.registration_expiry.is_none());
            }
            (None, None) => {}
            other => panic!("{name}: registration code {other:?}"),
        }
    }
}

fn assert_common(conn: &mut PgConnection, keypad_types: &[&str], keypad_type: &str) {
    let types: Vec<(i32, Option<String>, Option<String>)> = SensorType::all(conn)
        .unwrap()
        .into_iter()
        .map(|t| (t.id, t.name, t.description))
        .collect();
    let expected = [
        (1, "Motion", "Detect motion"),
        (2, "Tamper", "Detect sabotage"),
        (3, "Open", "Detect opening"),
        (4, "Break", "Detect glass break"),
    ];
    assert_eq!(
        types,
        expected.map(|(i, n, d)| (i, Some(n.to_owned()), Some(d.to_owned())))
    );
    let kt = KeypadType::all(conn).unwrap();
    assert_eq!(
        kt.iter()
            .map(|k| k.name.clone().unwrap_or_default())
            .collect::<Vec<_>>(),
        keypad_types
    );
    let keypads = Keypad::all(conn).unwrap();
    assert_eq!(keypads.len(), 1);
    assert_eq!(keypads[0].enabled, Some(true));
    let kind = kt.iter().find(|k| k.id == keypads[0].type_id).unwrap();
    assert_eq!(kind.name.as_deref(), Some(keypad_type));
    if let Some(dsc) = kt.iter().find(|k| k.name.as_deref() == Some("DSC")) {
        assert_eq!(
            (dsc.id, dsc.description.as_deref()),
            (1, Some("DSC keybus (DSC PC-1555RKZ)"))
        );
    }
    let areas = Area::all(conn).unwrap();
    assert_eq!(areas.len(), 1);
    assert_eq!(
        (areas[0].name.as_str(), areas[0].arm_state),
        ("House", ArmState::Disarm)
    );
}

type ZoneRow<'a> = (&'a str, Option<i32>, Option<i32>, Option<i32>, &'a str);

fn assert_zones(conn: &mut PgConnection, expected: &[ZoneRow]) {
    let zones = Zone::all(conn).unwrap();
    let actual: Vec<ZoneRow> = zones
        .iter()
        .map(|z| {
            (
                z.name.as_str(),
                z.disarmed_delay,
                z.away_alert_delay,
                z.stay_alert_delay,
                z.description.as_str(),
            )
        })
        .collect();
    assert_eq!(actual, expected);
    for z in &zones {
        assert_eq!(
            (z.away_arm_delay, z.stay_arm_delay),
            (Some(0), Some(0)),
            "{}",
            z.name
        );
    }
}

type SensorRow<'a> = (
    i32,
    ChannelType,
    ContactType,
    EolCount,
    &'a str,
    Option<&'a str>,
    i32,
    &'a str,
    bool,
);

fn assert_sensors(conn: &mut PgConnection, expected: &[SensorRow]) {
    let zones = Zone::all(conn).unwrap();
    let sensors = Sensor::all(conn).unwrap();
    let actual: Vec<SensorRow> = sensors
        .iter()
        .map(|s| {
            let zone = zones.iter().find(|z| z.id == s.zone_id).unwrap();
            (
                s.channel.unwrap(),
                s.channel_type,
                s.sensor_contact_type,
                s.sensor_eol_count,
                s.name.as_str(),
                s.description.as_deref(),
                s.type_id,
                zone.name.as_str(),
                s.silent_alert.unwrap(),
            )
        })
        .collect();
    assert_eq!(actual, expected);
    for s in &sensors {
        assert!(s.enabled && !s.deleted && !s.alert && !s.error && !s.ui_hidden);
        assert_eq!(
            (s.monitor_period, s.monitor_threshold, s.reference_value),
            (None, Some(100), None),
            "ArPI's stored defaults: instant, ignoring the global window"
        );
    }
}

use ChannelType::{Basic, ChannelA, ChannelB, Normal};
use ContactType::{Nc, No};
use EolCount::{Double, Single};

#[test]
fn prod() {
    let (_db, mut conn) = seeded(Dataset::Prod);
    assert_users(
        &mut conn,
        &[(1, "Administrator", "admin", "1234", Some("ABCD1234"))],
    );
    assert_common(&mut conn, &["DSC", "WIEGAND"], "WIEGAND");
    assert_zones(&mut conn, &[]);
    assert_sensors(&mut conn, &[]);
    let options = OptionRow::all(&mut conn).unwrap();
    assert_eq!(options.len(), 1);
    assert_eq!(
        (options[0].name.as_str(), options[0].section.as_str()),
        ("network", "access")
    );
    let value: serde_json::Value =
        serde_json::from_str(options[0].value.as_deref().unwrap()).unwrap();
    assert_eq!(
        value,
        serde_json::json!({"service_enabled": true, "restrict_local_network": false, "password_authentication_enabled": true})
    );
}

fn assert_test_with_v3(conn: &mut PgConnection) {
    assert_users(
        conn,
        &[
            (1, "Administrator", "admin", "1234", Some("ABCD1234")),
            (2, "Chuck Norris", "user", "1111", None),
        ],
    );
    assert_common(conn, &["DSC", "WIEGAND"], "WIEGAND");
    assert_zones(
        conn,
        &[
            ("No delay", None, Some(0), Some(0), "Alert with no delay"),
            ("Tamper", Some(0), Some(0), Some(0), "Sabotage alert"),
            (
                "Away/stay delayed",
                None,
                Some(5),
                Some(5),
                "Alert delayed when armed AWAY or STAY",
            ),
            (
                "Stay delayed",
                None,
                Some(0),
                Some(5),
                "Alert delayed when armed STAY",
            ),
            ("Stay", None, Some(0), None, "No alert when armed STAY"),
        ],
    );
    assert_sensors(
        conn,
        &[
            (
                0,
                ChannelA,
                Nc,
                Single,
                "Test room",
                Some("Test room movement sensor"),
                1,
                "Away/stay delayed",
                true,
            ),
            (
                0,
                ChannelB,
                Nc,
                Single,
                "Test room 0",
                Some("Test room 0 door sensor"),
                3,
                "Stay",
                false,
            ),
            (
                1,
                Basic,
                Nc,
                Single,
                "Test room 1",
                Some("Test room 1 movement sensor"),
                1,
                "No delay",
                false,
            ),
            (
                2,
                Normal,
                Nc,
                Single,
                "Test room 2",
                Some("Test room 2 movement sensor"),
                1,
                "No delay",
                false,
            ),
            (
                3,
                Normal,
                No,
                Single,
                "Test room 3",
                Some("Test room 3 movement sensor"),
                1,
                "No delay",
                false,
            ),
            (
                4,
                Normal,
                Nc,
                Double,
                "Test room 4",
                Some("Test room 4 movement sensor"),
                1,
                "No delay",
                false,
            ),
            (
                5,
                Normal,
                Nc,
                Single,
                "Tamper",
                Some("Sabotage wire"),
                2,
                "Tamper",
                false,
            ),
        ],
    );
    assert!(OptionRow::all(conn).unwrap().is_empty());
}

#[test]
fn test_with_v3() {
    let (_db, mut conn) = seeded(Dataset::TestWithV3);
    assert_test_with_v3(&mut conn);
}

#[test]
fn demo_is_test_with_v3() {
    let (_db, mut conn) = seeded(Dataset::Demo);
    assert_test_with_v3(&mut conn);
}

#[test]
fn test_with_v2() {
    let (_db, mut conn) = seeded(Dataset::TestWithV2);
    assert_users(
        &mut conn,
        &[
            (1, "Administrator", "admin", "1234", Some("ABCD1234")),
            (2, "Chuck Norris", "user", "1111", None),
        ],
    );
    assert_common(&mut conn, &["DSC", "WIEGAND"], "WIEGAND");
    assert_zones(
        &mut conn,
        &[
            ("No delay", None, Some(0), Some(0), "Alert with no delay"),
            ("Tamper", Some(0), Some(0), Some(0), "Sabotage alert"),
            (
                "Away/stay delayed",
                None,
                Some(10),
                Some(10),
                "Alert delayed when armed AWAY or STAY",
            ),
            (
                "Stay delayed",
                None,
                Some(0),
                Some(10),
                "Alert delayed when armed STAY",
            ),
            ("Stay", None, Some(0), None, "No alert when armed STAY"),
        ],
    );
    assert_sensors(
        &mut conn,
        &[
            (
                0,
                ChannelA,
                Nc,
                Single,
                "Test room",
                Some("Test room movement sensor"),
                1,
                "Away/stay delayed",
                true,
            ),
            (
                1,
                ChannelB,
                Nc,
                Single,
                "Test room 0",
                Some("Test room 0 door sensor"),
                3,
                "Away/stay delayed",
                false,
            ),
            (
                2,
                Basic,
                Nc,
                Single,
                "Tamper",
                Some("Sabotage wire"),
                2,
                "Tamper",
                false,
            ),
        ],
    );
}

#[test]
fn live_01() {
    let (_db, mut conn) = seeded(Dataset::Live01);
    assert_users(
        &mut conn,
        &[
            (1, "Administrator", "admin", "1234", None),
            (2, "Chuck.Norris", "user", "1111", None),
        ],
    );
    assert_common(&mut conn, &["DSC"], "DSC");
    assert_zones(
        &mut conn,
        &[
            ("No delay", None, Some(0), Some(0), "Alert with no delay"),
            (
                "Away delayed",
                None,
                Some(20),
                Some(0),
                "Alert delayed when armed AWAY",
            ),
            (
                "Stay delayed",
                None,
                Some(0),
                Some(20),
                "Alert delayed when armed STAY",
            ),
            ("Stay", None, Some(0), None, "No alert when armed STAY"),
            (
                "Away/Stay delayed",
                None,
                Some(40),
                Some(20),
                "Alert delayed when armed AWAY/STAY",
            ),
            ("Tamper", Some(0), Some(0), Some(0), "Sabotage alert"),
        ],
    );
    let s = |ch, name, ty, zone| (ch, Normal, Nc, Single, name, None, ty, zone, false);
    assert_sensors(
        &mut conn,
        &[
            s(0, "Garage", 1, "Away/Stay delayed"),
            s(1, "Hall", 1, "Away/Stay delayed"),
            s(2, "Front door", 3, "Away/Stay delayed"),
            s(3, "Kitchen", 1, "Stay delayed"),
            s(4, "Living room", 1, "No delay"),
            s(5, "Children's room", 1, "Stay"),
            s(6, "Bedroom", 1, "Stay"),
            s(7, "Tamper", 2, "Tamper"),
        ],
    );
}

#[test]
fn admin_registration_really_resets_the_pin() {
    let (_db, mut conn) = seeded(Dataset::Live01);
    argus_db::models::User::set_access_code(&mut conn, 1, "x", "y").unwrap();
    seed(&mut conn, Dataset::AdminRegistration, false).unwrap();
    let admin = User::find(&mut conn, 1).unwrap();
    assert!(verify_secret("1234", &admin.access_code, None).ok());
    assert!(verify_secret("abcd", admin.registration_code.as_deref().unwrap(), None).ok());
}

#[test]
fn seeding_twice_is_refused_unless_wiped() {
    let (_db, mut conn) = seeded(Dataset::Prod);
    assert!(matches!(
        seed(&mut conn, Dataset::Demo, false),
        Err(SeedError::NotEmpty)
    ));
    seed(&mut conn, Dataset::Demo, true).unwrap();
    assert_test_with_v3(&mut conn);
}
