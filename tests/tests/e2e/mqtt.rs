//! Home Assistant over MQTT, against a real mosquitto and paho-mqtt standing
//! in for Home Assistant: discovery, states that follow the alarm, commands
//! with a code under the lock-out, and a broker that dies and comes back.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use argus_e2e::{count, wait_until, Argus, HomeAssistant, Mosquitto, TestCa};
use serde_json::{json, Value};
use std::time::Duration;

use crate::support::{demo_with, external_broker, sensor_id};

const SYSTEM: &str = "argus/panel/system/state";
const SET: &str = "argus/panel/system/set";

fn system(broker: &Mosquitto) -> (argus_db::test_db::TestDb, Argus) {
    let mut options = external_broker(broker);
    options.push(("mqtt", "homeassistant", json!({"arpi_topics": true})));
    let db = demo_with(&options);
    let argus = Argus::start(db.url());
    (db, argus)
}

/// Waits until each `(topic, payload)` has been seen, in any order.
fn until_all(ha: &HomeAssistant, wanted: &[(&str, &str)]) {
    let mut missing = wanted.to_vec();
    while !missing.is_empty() {
        let m = ha.next();
        missing.retain(|(t, p)| !(m["topic"] == *t && m["payload"] == *p));
    }
}

/// Every discovery config of the demo dataset, each checked for the fields
/// Home Assistant's MQTT schema needs (by topic).
fn discovery(
    ha: &HomeAssistant,
    db: &argus_db::test_db::TestDb,
) -> std::collections::BTreeMap<String, Value> {
    // The system, its one area, every enabled sensor, the siren and mains.
    let sensors = count(
        &db.url(),
        "SELECT 1 FROM sensor WHERE enabled AND NOT deleted",
    );
    let expected = usize::try_from(sensors).unwrap() + 4;
    let mut configs: std::collections::BTreeMap<String, Value> = std::collections::BTreeMap::new();
    while configs.len() < expected {
        let m = ha.next();
        let topic = m["topic"].as_str().unwrap().to_owned();
        if topic.starts_with("homeassistant/") && topic.ends_with("/config") {
            configs.insert(
                topic,
                serde_json::from_str(m["payload"].as_str().unwrap()).unwrap(),
            );
        }
    }
    const CLASSES: [&str; 10] = [
        "motion",
        "tamper",
        "opening",
        "sound",
        "smoke",
        "moisture",
        "heat",
        "safety",
        "power",
        "connectivity",
    ];
    for (topic, c) in &configs {
        for field in ["name", "unique_id", "state_topic", "availability_topic"] {
            assert!(c[field].is_string(), "{topic}: {field} in {c}");
        }
        assert_eq!(c["device"]["identifiers"], json!(["argus"]), "{topic}");
        assert_eq!(
            (
                c["payload_available"].as_str(),
                c["payload_not_available"].as_str()
            ),
            (Some("online"), Some("offline"))
        );
        if topic.contains("/alarm_control_panel/") {
            assert!(
                c["command_topic"].as_str().unwrap().ends_with("/set"),
                "{topic}"
            );
            assert_eq!(c["code"], "REMOTE_CODE");
            assert!(c["supported_features"].is_array());
        } else {
            assert!(
                CLASSES.contains(&c["device_class"].as_str().unwrap()),
                "{topic}: {c}"
            );
            assert_eq!(
                (c["payload_on"].as_str(), c["payload_off"].as_str()),
                (Some("ON"), Some("OFF"))
            );
        }
    }
    let ids: std::collections::BTreeSet<&str> = configs
        .values()
        .filter_map(|c| c["unique_id"].as_str())
        .collect();
    assert_eq!(ids.len(), configs.len(), "unique ids");
    configs
}

fn command(ha: &mut HomeAssistant, action: &str, code: &str) {
    ha.publish(
        SET,
        &json!({"action": action, "code": code}).to_string(),
        false,
    );
}

fn events(db: &argus_db::test_db::TestDb, detail: &str) -> i64 {
    count(
        &db.url(),
        &format!("SELECT 1 FROM argus_event WHERE kind = 'mqtt_command' AND detail = '{detail}'"),
    )
}

#[test]
fn home_assistant_discovers_follows_and_commands_the_alarm() {
    let broker = Mosquitto::start();
    let mut ha = HomeAssistant::connect(&broker);
    // A command left retained on the broker reaches argus when it
    // subscribes (MQTT marks it retained then): it must not arm.
    ha.publish(
        SET,
        &json!({"action": "ARM_AWAY", "code": "1234"}).to_string(),
        true,
    );
    let (db, argus) = system(&broker);

    let configs = discovery(&ha, &db);
    let panel = &configs["homeassistant/alarm_control_panel/argus/system/config"];
    assert_eq!(panel["unique_id"], "argus_system");
    assert_eq!(panel["command_topic"], SET);
    assert_eq!(panel["state_topic"], SYSTEM);
    assert_eq!(panel["code"], "REMOTE_CODE");
    assert_eq!(panel["availability_topic"], "argus/availability");
    assert_eq!(panel["device"]["identifiers"], json!(["argus"]));
    let room = sensor_id(&db, "Test room 2");
    let sensor = &configs[&format!("homeassistant/binary_sensor/argus/sensor_{room}/config")];
    assert_eq!(
        (sensor["name"].as_str(), sensor["device_class"].as_str()),
        (Some("Test room 2"), Some("motion"))
    );
    ha.until(SYSTEM, "disarmed");
    assert!(wait_until(Duration::from_secs(20), || events(
        &db,
        "retained commands are ignored"
    ) == 1));
    assert_eq!(
        argus.state(),
        "monitoring_ready",
        "the retained command did not arm"
    );
    ha.publish(SET, "", true); // clears it from the broker (argus sees an empty command)
                               // Home Assistant started later finds it all retained.
    let late = HomeAssistant::connect(&broker);
    let kept = late.next_on("homeassistant/alarm_control_panel/argus/system/config");
    assert_eq!(kept["retain"], true);
    let state = late.next_on(SYSTEM);
    assert_eq!(
        (state["payload"].as_str(), state["retain"].as_bool()),
        (Some("disarmed"), Some(true))
    );
    drop(late);

    command(&mut ha, "ARM_AWAY", "1234");
    until_all(
        &ha,
        &[
            (SYSTEM, "armed_away"),
            ("arpi/alarm_control_panel/house/state", "armed_away"),
        ],
    );
    // Who armed it, as a Home Assistant started now finds it (retained).
    let late = HomeAssistant::connect(&broker);
    let attributes = late.next_on("argus/panel/system/attributes");
    let attributes: Value = serde_json::from_str(attributes["payload"].as_str().unwrap()).unwrap();
    assert_eq!(
        (
            attributes["changed_by"].as_str(),
            attributes["changed_via"].as_str()
        ),
        (Some("Administrator"), Some("mqtt")),
        "{attributes}"
    );
    assert_eq!(attributes["next_state"], Value::Null, "no delay runs");
    drop(late);
    argus.sim(&["input", "CH03", "active"]);
    let sensor_state = format!("argus/sensor/{room}/state");
    until_all(&ha, &[(&sensor_state, "ON"), (SYSTEM, "triggered")]);

    // Refused, and recorded: a wrong code, garbage, no code.
    command(&mut ha, "DISARM", "9999");
    ha.publish(SET, "{not json", false);
    ha.publish(SET, "DISARM", false);
    assert!(wait_until(Duration::from_secs(20), || {
        events(&db, "wrong code") == 1
            && events(&db, "not a command") == 2
            && events(&db, "a code is required") == 1
    }));
    assert_eq!(
        argus.state(),
        "monitoring_alert",
        "nothing of that disarmed"
    );

    command(&mut ha, "DISARM", "1234");
    ha.until(SYSTEM, "disarmed");
    argus.sim(&["input", "CH03", "idle"]);

    // Arming with a sensor open is refused, and the panel's attributes say why.
    argus.sim(&["input", "CH03", "active"]);
    command(&mut ha, "ARM_AWAY", "1234");
    loop {
        let m = ha.next_on("argus/panel/system/attributes");
        let attributes: Value = serde_json::from_str(m["payload"].as_str().unwrap()).unwrap();
        let last = &attributes["last_command"];
        if last["result"] == "refused" && last["action"] == "ARM_AWAY" {
            assert_eq!(
                attributes["last_command"]["reason"],
                "not armed: open sensors: Test room 2"
            );
            break;
        }
    }
    argus.sim(&["input", "CH03", "idle"]);

    // Five wrong codes (the disarm's success cleared the counter): the right
    // one is then refused too, as a PIN would be.
    for _ in 0..5 {
        command(&mut ha, "ARM_HOME", "0000");
    }
    assert!(wait_until(Duration::from_secs(20), || events(
        &db,
        "wrong code"
    ) == 6));
    command(&mut ha, "ARM_HOME", "1234");
    assert!(wait_until(Duration::from_secs(20), || events(
        &db,
        "too many wrong codes; locked out"
    ) == 1));
    assert_eq!(argus.state(), "monitoring_ready");
}

#[test]
fn a_broker_that_dies_and_returns_gets_discovery_and_the_state_again() {
    let mut broker = Mosquitto::start();
    let ha = HomeAssistant::connect(&broker);
    let (db, argus) = system(&broker);
    ha.until(SYSTEM, "disarmed");
    drop(ha);

    broker.stop();
    // The alarm works meanwhile.
    assert!(argus.arm(false));
    argus.sim(&["input", "CH03", "active"]);
    argus.wait_state("monitoring_alert");
    assert!(argus.siren(), "the siren sounds without a broker");
    let status = || {
        argus
            .ipc(argus_protocol::Command::MqttGetStatus)
            .value
            .unwrap_or_default()
    };
    assert!(
        wait_until(Duration::from_secs(30), || status()["connected"] == false
            && status()["last_error"].is_string()),
        "{}",
        status()
    );

    // A fresh broker knows nothing (no persistence): argus tells it all again.
    broker.restart();
    let ha = HomeAssistant::connect(&broker);
    let mut discovered = false;
    let mut missing = vec![
        ("argus/availability", "online"),
        (SYSTEM, "triggered"),
        ("argus/siren/state", "ON"),
    ];
    while !missing.is_empty() || !discovered {
        let m = ha.next();
        discovered |= m["topic"] == "homeassistant/alarm_control_panel/argus/system/config";
        missing.retain(|(t, p)| !(m["topic"] == *t && m["payload"] == *p));
    }
    assert!(wait_until(Duration::from_secs(20), || count(
        &db.url(),
        "SELECT 1 FROM argus_event WHERE kind = 'mqtt_status' AND detail = 'disconnected'"
    ) >= 1));
    assert!(wait_until(Duration::from_secs(20), || status()
        ["connected"]
        == true));
}

fn mqtt_status(argus: &Argus) -> Value {
    argus
        .ipc(argus_protocol::Command::MqttGetStatus)
        .value
        .unwrap_or_default()
}

/// Runs `sql` and tells the monitor, as a save in the web app does.
fn change_and_reload(db: &argus_db::test_db::TestDb, argus: &Argus, sql: &str) {
    use diesel::prelude::*;
    diesel::sql_query(sql).execute(&mut db.conn()).unwrap();
    assert!(
        argus
            .ipc(argus_protocol::Command::MonitorUpdateConfig)
            .result
    );
}

/// Saves `mqtt/external_publish` and tells the monitor.
fn use_broker(db: &argus_db::test_db::TestDb, argus: &Argus, broker: &Value) {
    change_and_reload(
        db,
        argus,
        &format!(
            "UPDATE option SET value = '{broker}' WHERE name = 'mqtt' AND section = 'external_publish'"
        ),
    );
}

#[test]
fn tls_to_the_broker_is_verified_by_a_ca_file_or_accepts_any_certificate_when_insecure() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new(dir.path(), "broker-ca");
    let stranger = TestCa::new(dir.path(), "other-ca");
    let broker = Mosquitto::start_tls(&ca.issue("broker"));
    let ha = HomeAssistant::connect(&broker);
    let tls = |extra: Value| {
        let mut b = json!({"hostname": "localhost", "port": broker.tls_port, "tls_enabled": true});
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    let db = demo_with(&[
        (
            "mqtt",
            "connection",
            json!({"enabled": true, "external": true}),
        ),
        (
            "mqtt",
            "external_publish",
            tls(json!({"ca_file": stranger.cert})),
        ),
    ]);
    let argus = Argus::start(db.url());

    // Another authority's certificate: refused, and said where people look.
    assert!(
        wait_until(Duration::from_secs(30), || mqtt_status(&argus)
            ["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("certificate"))),
        "{}",
        mqtt_status(&argus)
    );
    assert_eq!(mqtt_status(&argus)["connected"], false);
    assert!(wait_until(Duration::from_secs(20), || {
        count(
        &db.url(),
        "SELECT 1 FROM argus_event WHERE kind = 'mqtt_status' AND detail LIKE 'cannot connect:%certificate%'"
    ) == 1
    }));

    // Its own authority: connected over TLS (HA, on the plain listener, sees it).
    use_broker(&db, &argus, &tls(json!({"ca_file": ca.cert})));
    ha.until(SYSTEM, "disarmed");
    assert!(wait_until(Duration::from_secs(20), || mqtt_status(&argus)
        ["connected"]
        == true));

    // Insecure (ArPI's way with its self-signed broker): any certificate.
    use_broker(&db, &argus, &tls(json!({"tls_insecure": true})));
    ha.until("argus/availability", "offline");
    ha.until("argus/availability", "online");
    assert!(wait_until(Duration::from_secs(20), || mqtt_status(&argus)
        ["connected"]
        == true));
}

#[test]
fn home_assistant_coming_online_gets_discovery_again_and_a_disabled_sensor_is_removed() {
    let broker = Mosquitto::start();
    let mut ha = HomeAssistant::connect(&broker);
    let (db, argus) = system(&broker);
    let room = sensor_id(&db, "Test room 2");
    let config = format!("homeassistant/binary_sensor/argus/sensor_{room}/config");
    assert!(!ha.next_on(&config)["payload"].as_str().unwrap().is_empty());

    // Home Assistant restarted: its birth message asks for everything again.
    ha.publish("homeassistant/status", "online", false);
    let again = ha.next_on(&config);
    assert!(!again["payload"].as_str().unwrap().is_empty());

    // Disabled in the web app: its discovery is withdrawn (an empty retained config).
    change_and_reload(
        &db,
        &argus,
        &format!("UPDATE sensor SET enabled = false WHERE id = {room}"),
    );
    // (A live subscriber sees MQTT's retain flag unset, whatever the publisher sent.)
    assert_eq!(ha.next_on(&config)["payload"], "");
    let late = HomeAssistant::connect(&broker);
    let panel = late.next_on("homeassistant/alarm_control_panel/argus/system/config");
    assert_eq!(panel["retain"], true, "the rest stays announced");
}

#[test]
fn a_zigbee2mqtt_door_sensor_is_an_alarm_sensor_and_its_availability_is_supervised() {
    use diesel::prelude::*;
    let broker = Mosquitto::start();
    let mut device = HomeAssistant::connect(&broker); // paho, publishing as Zigbee2MQTT would
    let db = demo_with(&external_broker(&broker));
    diesel::sql_query(
        "INSERT INTO sensor (channel, channel_type, sensor_contact_type, sensor_eol_count, alert, error, \
             enabled, deleted, name, zone_id, area_id, type_id, ui_hidden) \
         SELECT NULL, channel_type, sensor_contact_type, sensor_eol_count, false, false, true, false, \
             'Garage door', zone_id, area_id, type_id, false FROM sensor WHERE name = 'Test room 2'",
    )
    .execute(&mut db.conn())
    .unwrap();
    let door = sensor_id(&db, "Garage door");
    diesel::sql_query(
        "INSERT INTO argus_node (name, heartbeat_seconds, timeout_seconds, mqtt_availability) \
         VALUES ('garage', 60, 86400, 'zigbee2mqtt/garage/availability')",
    )
    .execute(&mut db.conn())
    .unwrap();
    diesel::sql_query(format!(
        "INSERT INTO argus_node_input (node_id, input, sensor_id, mqtt_topic, json_pointer, active_value) \
         SELECT id, 'contact', {door}, 'zigbee2mqtt/garage', '/contact', 'false' FROM argus_node"
    ))
    .execute(&mut db.conn())
    .unwrap();
    let argus = Argus::start(db.url());
    ha_until_connected(&device);
    device.publish(
        "zigbee2mqtt/garage/availability",
        r#"{"state":"online"}"#,
        true,
    );
    device.publish(
        "zigbee2mqtt/garage",
        r#"{"battery":100,"contact":true,"linkquality":120}"#,
        true,
    );
    assert!(wait_until(Duration::from_secs(20), || count(
        &db.url(),
        "SELECT 1 FROM argus_event WHERE kind = 'node_online' AND detail = 'garage'"
    ) == 1));
    assert!(argus.arm(false));

    // The door opens: Zigbee2MQTT says contact false.
    device.publish(
        "zigbee2mqtt/garage",
        r#"{"battery":100,"contact":false,"linkquality":118}"#,
        true,
    );
    argus.wait_state("monitoring_alert");
    assert!(argus.siren());
    assert!(
        argus
            .ipc(argus_protocol::Command::MonitorDisarm(Default::default()))
            .result
    );

    // The coordinator loses it: offline at once, an event.
    device.publish(
        "zigbee2mqtt/garage/availability",
        r#"{"state":"offline"}"#,
        true,
    );
    assert!(wait_until(Duration::from_secs(20), || count(
        &db.url(),
        "SELECT 1 FROM argus_event WHERE kind = 'node_offline' AND detail = 'garage'"
    ) == 1));
}

/// Waits until argus's session announced itself (so it is subscribed).
fn ha_until_connected(ha: &HomeAssistant) {
    ha.until("argus/availability", "online");
}
