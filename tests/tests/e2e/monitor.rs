//! The real monitor with the simulated board, `argus-sim` and PostgreSQL:
//! alarms, records, restarts after SIGKILL, and a database outage.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use argus_db::seed::{seed, Dataset};
use argus_db::test_db::TestDb;
use argus_e2e::{count, wait_until, Argus, Cluster, WAIT};
use argus_protocol::ipc::{ArmRequest, DisarmRequest};
use argus_protocol::Command;
use diesel::prelude::*;
use std::time::Duration;

fn arm_away() -> Command {
    Command::MonitorArmAway(ArmRequest {
        user_id: Some(1),
        ..ArmRequest::default()
    })
}

fn disarm() -> Command {
    Command::MonitorDisarm(DisarmRequest {
        user_id: Some(1),
        ..DisarmRequest::default()
    })
}

fn demo() -> TestDb {
    let db = TestDb::new();
    seed(&mut db.conn(), Dataset::Demo, false).unwrap();
    db
}

fn wait_state(argus: &Argus, state: &str) {
    argus.wait_state(state);
}

#[test]
fn a_tripped_sensor_raises_the_alert_and_the_siren_and_the_rows_land() {
    let db = demo();
    let argus = Argus::start(db.url());
    assert_eq!(argus.state(), "monitoring_ready");
    assert!(argus.ipc(arm_away()).result);
    assert_eq!(argus.state(), "monitoring_armed");
    assert!(!argus.siren());

    argus.sim(&["input", "CH03", "active"]); // Test room 2, zone "No delay"
    wait_state(&argus, "monitoring_alert");
    assert!(
        wait_until(WAIT, || argus.siren()),
        "argus-sim outputs shows the siren"
    );

    let url = db.url();
    assert!(wait_until(WAIT, || count(
        &url,
        "SELECT 1 FROM alert_sensor WHERE sensor_id = 4"
    ) == 1));
    assert_eq!(
        count(
            &url,
            "SELECT 1 FROM arm WHERE type = 'AWAY' AND user_id = 1"
        ),
        1
    );
    assert_eq!(
        count(&url, "SELECT 1 FROM arm_sensor"),
        7,
        "a snapshot of every sensor"
    );
    assert_eq!(count(&url, "SELECT 1 FROM alert WHERE end_time IS NULL"), 1);
    assert_eq!(
        count(&url, "SELECT 1 FROM area WHERE arm_state = 'AWAY'"),
        1
    );
    assert!(wait_until(WAIT, || count(
        &url,
        "SELECT 1 FROM sensor WHERE id = 4 AND alert"
    ) == 1));

    assert!(argus.ipc(disarm()).result);
    wait_state(&argus, "monitoring_ready");
    assert!(wait_until(WAIT, || !argus.siren()));
    assert!(wait_until(WAIT, || count(
        &url,
        "SELECT 1 FROM disarm WHERE alert_id IS NOT NULL AND arm_id IS NOT NULL"
    ) == 1));
    assert!(wait_until(WAIT, || count(
        &url,
        "SELECT 1 FROM alert WHERE end_time IS NOT NULL"
    ) == 1));
}

#[test]
fn arming_with_an_open_sensor_is_refused_with_its_list() {
    let db = demo();
    let argus = Argus::start(db.url());
    argus.sim(&["input", "CH04", "active"]); // Test room 3 (NO contact)
    assert!(wait_until(WAIT, || {
        let r = argus.ipc(arm_away());
        !r.result
            && r.value
                .is_some_and(|v| v["open_sensors"][0]["id"] == serde_json::json!(5))
    }));
    assert_eq!(argus.state(), "monitoring_ready");
}

#[test]
fn sigkill_while_armed_in_an_entry_delay_and_in_an_alert() {
    let db = demo();
    let url = db.url();
    let mut argus = Argus::start(db.url());
    assert!(argus.ipc(arm_away()).result);

    // Armed: back armed, nothing else.
    argus.kill_monitor();
    argus.start_monitor();
    assert_eq!(argus.state(), "monitoring_armed");
    assert!(!argus.siren());
    assert_eq!(count(&url, "SELECT 1 FROM alert"), 0, "no false alarm");

    // In the entry delay of Test room (A side of CH01, 5 s): the delay continues.
    argus.sim(&["input", "CH01", "0.584"]);
    wait_state(&argus, "monitoring_alert_delay");
    let journal = argus.dir.path().join("state/monitor-state.json");
    assert!(wait_until(WAIT, || std::fs::read_to_string(&journal)
        .is_ok_and(|j| j.contains("\"pending\":{"))));
    argus.kill_monitor();
    argus.start_monitor();
    let state = argus.state();
    assert!(
        state == "monitoring_alert_delay" || state == "monitoring_alert",
        "{state}"
    );
    wait_state(&argus, "monitoring_alert");
    assert!(wait_until(WAIT, || count(
        &url,
        "SELECT 1 FROM alert_sensor WHERE sensor_id = 1"
    ) == 1));

    // In the alert: it continues, the same alert row, the siren back on (Test room is silent, so make it loud).
    argus.sim(&["input", "CH03", "active"]);
    assert!(wait_until(WAIT, || count(
        &url,
        "SELECT 1 FROM alert_sensor"
    ) == 2));
    assert!(wait_until(WAIT, || argus.siren()));
    argus.kill_monitor();
    argus.start_monitor();
    assert_eq!(argus.state(), "monitoring_alert");
    assert!(
        wait_until(WAIT, || argus.siren()),
        "the siren sounds again after the restart"
    );
    assert_eq!(
        count(&url, "SELECT 1 FROM alert"),
        1,
        "the same alert continues"
    );
    assert_eq!(count(&url, "SELECT 1 FROM alert WHERE end_time IS NULL"), 1);

    assert!(argus.ipc(disarm()).result);
    assert!(wait_until(WAIT, || count(
        &url,
        "SELECT 1 FROM alert WHERE end_time IS NOT NULL"
    ) == 1));
}

#[test]
fn with_postgresql_down_the_alarm_still_works_and_every_record_arrives_once_in_order() {
    let cluster = Cluster::start(5433);
    let url = cluster.url("postgres");
    {
        let mut conn = PgConnection::establish(&url).unwrap();
        argus_db::migrate::run_pending(&mut conn).unwrap();
        seed(&mut conn, Dataset::Demo, false).unwrap();
    }
    let argus = Argus::start(url.clone());
    cluster.pg_stop();

    assert!(argus.ipc(arm_away()).result, "arming needs no database");
    argus.sim(&["input", "CH03", "active"]);
    wait_state(&argus, "monitoring_alert");
    assert!(wait_until(WAIT, || argus.siren()));
    assert!(argus.ipc(disarm()).result);
    wait_state(&argus, "monitoring_ready");

    cluster.pg_start();
    assert!(
        wait_until(Duration::from_secs(30), || count(
            &url,
            "SELECT 1 FROM disarm"
        ) == 1),
        "records arrive"
    );
    assert_eq!(count(&url, "SELECT 1 FROM arm"), 1);
    assert_eq!(count(&url, "SELECT 1 FROM alert"), 1);
    assert_eq!(count(&url, "SELECT 1 FROM alert_sensor"), 1);
    assert_eq!(count(&url, "SELECT 1 FROM disarm d JOIN arm a ON a.id = d.arm_id JOIN alert al ON al.id = d.alert_id"), 1);
    assert_eq!(
        // (Other kinds, e.g. `mqtt_status` for the absent broker, are not these records.)
        count(
            &url,
            "SELECT 1 FROM argus_event WHERE kind IN ('arm', 'alert', 'disarm')"
        ),
        3,
        "arm, alert, disarm, once each"
    );
    assert_eq!(
        count(&url, "SELECT 1 FROM argus_event e1, argus_event e2, argus_event e3 WHERE e1.kind = 'arm' AND e2.kind = 'alert' AND e3.kind = 'disarm' AND e1.id < e2.id AND e2.id < e3.id"),
        1,
        "in order"
    );
}

#[test]
fn clock_requests_are_validated_and_never_reach_a_shell() {
    let db = demo();
    let argus = Argus::start(db.url());
    let set = |timezone: Option<&str>, datetime: Option<&str>| {
        argus.ipc(Command::MonitorSetClock {
            timezone: timezone.map(Into::into),
            datetime: datetime.map(Into::into),
        })
    };
    assert!(
        set(Some("Europe/Budapest"), Some("2026-11-24 10:00:00")).result,
        "simulated board: validated, clock untouched"
    );
    for (zone, datetime) in [
        (Some("Mars/Olympus"), None),
        (Some("UTC; reboot"), None),
        (Some("../../etc/shadow"), None),
        (None, Some("soon")),
    ] {
        let reply = set(zone, datetime);
        assert!(!reply.result);
        assert!(reply.is_invalid(), "the request's fault, not the machine's");
        assert_eq!(
            reply.message.as_deref(),
            Some("Failed to update date/time and zone")
        );
    }
    assert!(argus.ipc(Command::MonitorSyncClock).result);
}

#[test]
fn a_configuration_reload_takes_new_sensors_into_account() {
    use argus_db::schema::sensor;
    let db = demo();
    let url = db.url();
    let argus = Argus::start(db.url());
    // A new sensor on CH07 in the "No delay" zone (id 1), area House (id 1), type Motion.
    let mut conn = PgConnection::establish(&url).unwrap();
    diesel::insert_into(sensor::table)
        .values((
            sensor::channel.eq(6),
            sensor::name.eq("Attic"),
            sensor::zone_id.eq(1),
            sensor::area_id.eq(1),
            sensor::type_id.eq(1),
            sensor::ui_hidden.eq(false),
        ))
        .execute(&mut conn)
        .unwrap();
    assert!(argus.ipc(Command::MonitorUpdateConfig).result);
    assert_eq!(argus.state(), "monitoring_ready");
    assert!(argus.ipc(arm_away()).result);
    argus.sim(&["input", "CH07", "active"]);
    wait_state(&argus, "monitoring_alert");
    assert!(wait_until(WAIT, || count(
        &url,
        "SELECT 1 FROM alert_sensor s JOIN sensor x ON x.id = s.sensor_id WHERE x.name = 'Attic'"
    ) == 1));
}

#[test]
fn system_changing_commands_leave_a_simulated_installation_alone() {
    let db = demo();
    let argus = Argus::start(db.url());
    for command in [Command::UpdateSsh, Command::MonitorUpdateSecureConnection] {
        let reply = argus.ipc(command);
        assert!(reply.result);
        assert!(reply.message.unwrap().contains("not managed here"));
    }
    assert!(argus.ipc(Command::MonitorUpdateKeypad).result);
    assert!(
        argus
            .ipc(Command::SendTestSyren { duration: Some(1) })
            .result
    );
    assert_eq!(
        argus.state(),
        "monitoring_ready",
        "IPC answers while the siren test runs"
    );
    assert!(wait_until(WAIT, || argus.siren()), "the siren test sounds");
    assert!(wait_until(WAIT, || !argus.siren()), "and stops by itself");
}
