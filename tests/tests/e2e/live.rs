//! Socket.IO with a real client (npm `socket.io-client`): device-token
//! authentication and ArPI's event sequence, over polling and WebSocket.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use argus_db::seed::{seed, Dataset};
use argus_db::test_db::TestDb;
use argus_e2e::{Argus, LiveClient, TEST_SECRET};
use argus_protocol::ipc::{ArmRequest, DisarmRequest};
use argus_protocol::jwt::{sign, DeviceClaims};
use argus_protocol::Command;
use serde_json::{json, Value};

const PAGE: &str = "http://localhost:4200";

fn device_token(secret: &str, origin: &str) -> String {
    device_token_of(1, secret, origin)
}

fn device_token_of(user_id: i64, secret: &str, origin: &str) -> String {
    sign(
        &DeviceClaims {
            ip: Some("127.0.0.1".into()),
            origin: Some(origin.into()),
            user_id,
        },
        secret.as_bytes(),
    )
    .unwrap()
}

fn system() -> (TestDb, Argus) {
    let db = TestDb::new();
    seed(&mut db.conn(), Dataset::Demo, false).unwrap();
    let argus = Argus::start(db.url());
    (db, argus)
}

/// The contract's events only, in order.
fn contract_events(events: Vec<(String, Vec<Value>)>) -> Vec<(String, Vec<Value>)> {
    const NAMES: [&str; 7] = [
        "sensors_state_change",
        "sensors_error_change",
        "area_state_change",
        "system_state_change",
        "arm_state_change",
        "alert_state_change",
        "syren_state_change",
    ];
    events
        .into_iter()
        .filter(|(n, _)| NAMES.contains(&n.as_str()))
        .collect()
}

fn arm_stay_trip_disarm(transport: &str) {
    let (_db, argus) = system();
    let client = LiveClient::connect(
        &argus.live_addr(),
        &device_token(TEST_SECRET, PAGE),
        &format!("{PAGE}/en/"),
        transport,
    );
    let (name, args) = client.next();
    assert_eq!(name, "connected", "{args:?}");
    if transport != "both" {
        assert_eq!(args, [json!(transport)]);
    }
    // A client is told the state as it joins.
    let initial = contract_events(client.until("sensors_error_change"));
    assert_eq!(
        initial[..3]
            .iter()
            .map(|(n, a)| (n.as_str(), a[0].clone()))
            .collect::<Vec<_>>(),
        [
            ("system_state_change", json!("monitoring_ready")),
            ("arm_state_change", json!("disarm")),
            ("area_state_change", initial[2].1[0].clone()),
        ]
    );
    assert_eq!(initial[2].1[0]["armState"], "disarm");

    assert!(
        argus
            .ipc(Command::MonitorArmStay(ArmRequest {
                user_id: Some(1),
                ..ArmRequest::default()
            }))
            .result
    );
    let armed = contract_events(client.until("arm_state_change"));
    let names: Vec<&str> = armed.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "area_state_change",
            "system_state_change",
            "arm_state_change"
        ]
    );
    assert_eq!(armed[0].1[0]["armState"], "arm_stay");
    assert_eq!(armed[0].1[0]["name"], "House");
    assert_eq!(armed[1].1, [json!("monitoring_armed")]);
    assert_eq!(armed[2].1, [json!("arm_stay")]);

    argus.sim(&["input", "CH03", "active"]);
    let alert = contract_events(client.until("syren_state_change"));
    let names: Vec<&str> = alert.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "sensors_state_change",
            "sensors_error_change",
            "alert_state_change",
            "system_state_change",
            "syren_state_change"
        ],
        "contract §2.3: the sensor events come before the alert events"
    );
    assert_eq!(
        (&alert[0].1, &alert[1].1),
        (&vec![json!(true)], &vec![json!(false)])
    );
    let alert = &alert[2..];
    let payload = &alert[0].1[0];
    assert_eq!(payload["alertType"], "alert_stay");
    assert_eq!(payload["sensors"][0]["name"], "Test room 2");
    assert_eq!(payload["endTime"], Value::Null);
    assert_eq!(
        (
            &payload["sensors"][0]["monitorThreshold"],
            &payload["sensors"][0]["monitorPeriod"]
        ),
        (&json!(100), &Value::Null),
        "the seeded sensor's stored threshold"
    );
    assert_eq!(alert[1].1, [json!("monitoring_alert")]);
    assert_eq!(alert[2].1, [json!(true)]);

    assert!(
        argus
            .ipc(Command::MonitorDisarm(DisarmRequest {
                user_id: Some(1),
                ..DisarmRequest::default()
            }))
            .result
    );
    let disarmed = contract_events(client.until("syren_state_change"));
    let names: Vec<&str> = disarmed.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "area_state_change",
            "system_state_change",
            "arm_state_change",
            "alert_state_change",
            "syren_state_change"
        ]
    );
    assert_eq!(disarmed[1].1, [json!("monitoring_ready")]);
    assert_eq!(disarmed[2].1, [json!("disarm")]);
    assert!(
        disarmed[3].1.is_empty(),
        "an ended alert goes out with no argument, not null"
    );
    assert!(
        disarmed[4].1.is_empty(),
        "a stopped siren goes out with no argument"
    );
}

#[test]
fn event_sequence_over_polling() {
    arm_stay_trip_disarm("polling");
}

#[test]
fn event_sequence_over_websocket() {
    arm_stay_trip_disarm("websocket");
}

#[test]
fn event_sequence_with_upgrade() {
    arm_stay_trip_disarm("both");
}

#[test]
fn clients_without_a_valid_token_or_origin_are_refused() {
    let (_db, argus) = system();
    let addr = argus.live_addr();
    for (token, referer) in [
        (String::new(), format!("{PAGE}/")),
        ("not.a.token".to_owned(), format!("{PAGE}/")),
        (device_token("another-secret", PAGE), format!("{PAGE}/")),
        (
            device_token(TEST_SECRET, PAGE),
            "http://evil.example/".to_owned(),
        ),
        // Signed correctly, but for a user who does not exist (deleted).
        (device_token_of(999, TEST_SECRET, PAGE), format!("{PAGE}/")),
    ] {
        let client = LiveClient::connect(&addr, &token, &referer, "polling");
        let (name, _) = client.next();
        assert_eq!(name, "connect_error", "token {token:?} from {referer}");
    }
}

/// Opens an Engine.IO polling session and joins the namespace, then never
/// polls again: a client that stops reading.
fn stalled_client(addr: &str, token: &str) {
    use std::io::{Read, Write};
    let exchange = |request: String| -> String {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    let headers = format!("Host: {addr}\r\nReferer: {PAGE}/\r\nConnection: close\r\n");
    let open = exchange(format!(
        "GET /socket.io/?EIO=4&transport=polling&token={token} HTTP/1.1\r\n{headers}\r\n"
    ));
    let body = open.split("\r\n\r\n").nth(1).unwrap();
    let handshake: Value = serde_json::from_str(body.trim_start_matches('0')).unwrap();
    let sid = handshake["sid"].as_str().unwrap();
    let join = exchange(format!(
        "POST /socket.io/?EIO=4&transport=polling&token={token}&sid={sid} HTTP/1.1\r\n{headers}Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n40"
    ));
    assert!(join.starts_with("HTTP/1.1 200"), "{join}");
}

#[test]
fn a_client_that_stops_reading_delays_nobody() {
    let (_db, argus) = system();
    let token = device_token(TEST_SECRET, PAGE);
    stalled_client(&argus.live_addr(), &token);
    let client = LiveClient::connect(&argus.live_addr(), &token, &format!("{PAGE}/"), "websocket");
    assert_eq!(client.next().0, "connected");
    client.until("sensors_error_change"); // the state as it joins
                                          // Far more events than a client's buffer holds (128 packets).
    for i in 0..200 {
        let level = if i % 2 == 0 { "active" } else { "idle" };
        argus.sim(&["input", "CH03", level]);
        let (name, args) = client.until("sensors_state_change").pop().unwrap();
        assert_eq!(
            (name.as_str(), args),
            ("sensors_state_change", vec![json!(i % 2 == 0)])
        );
    }
    assert_eq!(argus.state(), "monitoring_ready");
}

/// A client that connects during an alert (a phone opening the app because
/// the siren sounds) is told the alert and the states at once.
#[test]
fn a_client_joining_during_an_alert_is_told_at_once() {
    let (_db, argus) = system();
    assert!(argus.arm(false));
    let first = LiveClient::connect(
        &argus.live_addr(),
        &device_token(TEST_SECRET, PAGE),
        &format!("{PAGE}/"),
        "polling",
    );
    assert_eq!(first.next().0, "connected");
    argus.sim(&["input", "CH03", "active"]);
    first.until("syren_state_change");

    let late = LiveClient::connect(
        &argus.live_addr(),
        &device_token(TEST_SECRET, PAGE),
        &format!("{PAGE}/en/"),
        "polling",
    );
    assert_eq!(late.next().0, "connected");
    let told = contract_events(late.until("syren_state_change"));
    let find = |name: &str| {
        told.iter()
            .find(|(n, _)| n == name)
            .map(|(_, a)| a.clone())
            .unwrap_or_else(|| panic!("{name} missing from {told:?}"))
    };
    assert_eq!(find("system_state_change"), [json!("monitoring_alert")]);
    assert_eq!(find("arm_state_change"), [json!("arm_away")]);
    assert_eq!(find("area_state_change")[0]["armState"], "arm_away");
    assert_eq!(find("sensors_state_change"), [json!(true)]);
    let alert = &find("alert_state_change")[0];
    assert_eq!(
        (
            alert["alertType"].as_str(),
            alert["sensors"][0]["name"].as_str()
        ),
        (Some("alert_away"), Some("Test room 2"))
    );
    assert_eq!(find("syren_state_change"), [json!(true)]);
}
