//! Telemetry on the real binaries, a real Redis and a real mosquitto:
//! readings from sensorhub's Redis channel, from MQTT (paho-mqtt publishing
//! as a Zigbee2MQTT-style device would) and from REST land once each;
//! malformed messages, wrong types and a 1 MB payload are counted and
//! skipped while ingestion goes on; a late reading never replaces a newer
//! latest value; the latest values go out on MQTT; a leak rule raises the
//! alarm while disarmed, a notify rule only sends its message.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use argus_e2e::{
    count, wait_until, Argus, HomeAssistant, HttpResponse, LiveClient, Mosquitto, Redis,
    WebhookReceiver, WAIT,
};
use argus_protocol::telemetry::Status;
use argus_protocol::Command;
use serde_json::{json, Value};

use crate::support::{demo_with, external_broker};

struct Site {
    db: argus_db::test_db::TestDb,
    argus: Argus,
    _server: argus_e2e::Process,
    addr: String,
    admin: String,
}

fn site(redis: &Redis, broker: &Mosquitto, more: &[(&str, &str, Value)]) -> Site {
    let mut options = vec![(
        "telemetry",
        "redis",
        json!({"enabled": true, "url": redis.url(), "channel": "sensor_stream"}),
    )];
    options.extend(external_broker(broker));
    options.extend(more.iter().cloned());
    let db = demo_with(&options);
    let argus = Argus::start(db.url());
    let (server, addr) = argus.start_server();
    Site {
        db,
        argus,
        _server: server,
        addr,
        admin: argus_e2e::admin_bearer(),
    }
}

impl Site {
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> HttpResponse {
        let body = body.map(Value::to_string);
        argus_e2e::http_with(
            &self.addr,
            method,
            path,
            &[
                ("Authorization", &self.admin),
                ("Content-Type", "application/json"),
            ],
            body.as_deref(),
        )
    }

    fn status(&self) -> Status {
        let reply = self.argus.ipc(Command::TelemetryGetStatus);
        serde_json::from_value(reply.value.unwrap()).unwrap()
    }

    fn rows(&self, sql: &str) -> i64 {
        count(&self.db.url(), sql)
    }

    fn latest(&self, sensor: &str) -> Value {
        let all = self.call("GET", "/api/telemetry/latest", None).json();
        all.as_array()
            .unwrap()
            .iter()
            .find(|l| l["sensor"] == sensor)
            .cloned()
            .unwrap_or(Value::Null)
    }
}

#[test]
fn readings_from_redis_mqtt_and_rest_land_once_and_bad_messages_are_counted_and_skipped() {
    let (redis, broker) = (Redis::start(), Mosquitto::start());
    let site = site(&redis, &broker, &[]);
    assert!(
        wait_until(WAIT, || site.status().redis_connected),
        "subscribed to Redis"
    );
    let mut device = HomeAssistant::connect(&broker);

    // sensorhub's publisher: naive local time; then the same message again.
    let temperature =
        br#"{"sensor": "temperature", "value": 21.3, "timestamp": "2026-12-01 10:00:00"}"#;
    for payload in [
        &temperature[..],
        b"{not json",
        br#"{"sensor": "temperature", "value": "21.3"}"#,
    ] {
        assert_eq!(redis.publish("sensor_stream", payload), 1);
    }
    let mut big = br#"{"sensor": "temperature", "value": 1, "pad": ""#.to_vec();
    big.extend(std::iter::repeat_n(b'x', 1 << 20));
    big.extend(br#""}"#);
    redis.publish("sensor_stream", &big);
    redis.publish("sensor_stream", temperature);
    redis.publish(
        "sensor_stream",
        br#"{"sensor": "temperature", "value": 22.0, "timestamp": "2026-12-01T23:00:00Z"}"#,
    );

    // MQTT: a bare number, a device's JSON, garbage, 1 MB.
    device.publish("argus/telemetry/cellar", "7.5", false);
    device.publish(
        "argus/telemetry/bathroom",
        r#"{"value": 55, "unit": "%", "timestamp": "2026-12-01T09:00:00Z"}"#,
        false,
    );
    device.publish("argus/telemetry/cellar", "warm", false);
    device.publish("argus/telemetry/cellar", &"9".repeat(1 << 20), false);

    // REST: one good, one without a value.
    let posted = site.call(
        "POST",
        "/api/telemetry",
        Some(&json!({"readings": [
            {"sensor": "attic", "value": 30.5, "unit": "°C", "timestamp": "2026-12-01T09:00:00Z"},
            {"sensor": "attic"},
        ]})),
    );
    assert_eq!(posted.status, 202, "{}", posted.body);
    assert_eq!(posted.json()["accepted"], 1);
    assert_eq!(posted.json()["rejected"][0]["index"], 1);

    // Ingestion went on past every bad message: 2 temperature (one repeated), cellar, bathroom, attic.
    assert!(
        wait_until(WAIT, || site.rows("SELECT 1 FROM argus_telemetry_reading")
            == 5),
        "{} readings",
        site.rows("SELECT 1 FROM argus_telemetry_reading")
    );
    assert!(wait_until(WAIT, || site.status().mqtt.malformed == 2));
    let status = site.status();
    assert_eq!(
        (status.redis.accepted, status.redis.malformed),
        (3, 3),
        "{status:?}"
    );
    assert_eq!(
        (status.mqtt.accepted, status.rest.accepted),
        (2, 1),
        "{status:?}"
    );
    assert_eq!(status.stored, 5);

    // The later of the two temperatures is the latest (10:00 local is before
    // 23:00 UTC in every time zone), and a late, older one does not replace it.
    let latest = site.latest("temperature");
    assert_eq!(latest["value"], 22.0, "{latest}");
    redis.publish(
        "sensor_stream",
        br#"{"sensor": "temperature", "value": -5, "timestamp": "2026-12-01T08:00:00Z"}"#,
    );
    assert!(wait_until(WAIT, || site
        .rows("SELECT 1 FROM argus_telemetry_reading")
        == 6));
    assert_eq!(site.latest("temperature")["value"], 22.0);
    assert_eq!(site.latest("bathroom")["unit"], "%");

    // Latest values go out on MQTT, retained, one level below the inputs.
    let state = device.next_on("argus/telemetry/attic/state");
    let state: Value = serde_json::from_str(state["payload"].as_str().unwrap()).unwrap();
    assert_eq!(
        (state["value"].as_f64(), state["unit"].as_str()),
        (Some(30.5), Some("°C"))
    );

    // History and its chart.
    let history = site.call(
        "GET",
        "/api/telemetry/temperature?from=2026-11-30T00:00:00Z&to=2026-12-02T00:00:00Z&step=3600",
        None,
    );
    assert_eq!(history.status, 200, "{}", history.body);
    let buckets = history.json()["buckets"].as_array().unwrap().clone();
    let counted: i64 = buckets.iter().map(|b| b["count"].as_i64().unwrap()).sum();
    assert_eq!((buckets.len(), counted), (3, 3), "{buckets:?}");
    let chart = site.call(
        "GET",
        "/api/telemetry/temperature/chart.svg?from=2026-12-01T08:00:00Z&to=2026-12-01T10:00:00Z",
        None,
    );
    assert_eq!(chart.header("content-type"), Some("image/svg+xml"));
    assert!(chart.body.starts_with("<svg"));
    let bad = site.call("GET", "/api/telemetry/a+b", None);
    assert_eq!(bad.status, 400, "{}", bad.body);
}

#[test]
fn a_leak_rule_raises_the_alarm_while_disarmed_and_a_cold_cellar_only_notifies() {
    let (redis, broker) = (Redis::start(), Mosquitto::start());
    let hook = WebhookReceiver::start("t", 0);
    let site = site(
        &redis,
        &broker,
        &[(
            "notifications",
            "webhook",
            json!({"enabled": true, "url": hook.url, "secret": "t"}),
        )],
    );
    // The leak detector's alarm side: a sensor without a channel in the demo's 24-hour zone.
    let mut conn = site.db.conn();
    diesel::RunQueryDsl::execute(
        diesel::sql_query(
            "INSERT INTO sensor (channel, channel_type, sensor_contact_type, sensor_eol_count, \
                 alert, error, enabled, deleted, name, zone_id, area_id, type_id, ui_hidden) \
             SELECT NULL, channel_type, sensor_contact_type, sensor_eol_count, false, false, true, \
                 false, 'Sink leak', (SELECT id FROM zone WHERE name = 'Tamper'), area_id, type_id, false \
             FROM sensor WHERE channel IS NOT NULL ORDER BY id LIMIT 1",
        ),
        &mut conn,
    )
    .unwrap();
    let leak_sensor = crate::support::sensor_id(&site.db, "Sink leak");
    let reload = site.argus.ipc(Command::MonitorUpdateConfig);
    assert!(reload.result);

    let notify = site.call(
        "POST",
        "/api/telemetry/rules",
        Some(&json!({"name": "Cold cellar", "sensor": "cellar", "below": 3.0, "action": "notify"})),
    );
    assert_eq!(notify.status, 201, "{}", notify.body);
    let leak = site.call(
        "POST",
        "/api/telemetry/rules",
        Some(
            &json!({"name": "Leak", "sensor": "sink", "above": 0.5, "hold_seconds": 1,
                     "hysteresis": 0.2, "action": "alarm", "alarm_sensor_id": leak_sensor}),
        ),
    );
    assert_eq!(leak.status, 201, "{}", leak.body);
    let wired = site.call(
        "POST",
        "/api/telemetry/rules",
        Some(&json!({"name": "x", "sensor": "sink", "above": 1, "action": "alarm", "alarm_sensor_id": 1})),
    );
    assert_eq!(
        wired.status, 400,
        "a sensor with a channel is refused: {}",
        wired.body
    );
    let rules = site.call("GET", "/api/telemetry/rules", None).json();
    assert_eq!(rules.as_array().unwrap().len(), 2);

    // The cellar freezes: a message, the value live in a browser (npm's
    // socket.io-client), and the house stays disarmed.
    let page = "http://localhost:4200";
    let device = argus_protocol::jwt::sign(
        &json!({"ip": "127.0.0.1", "origin": page, "user_id": 1}),
        argus_e2e::TEST_SECRET.as_bytes(),
    )
    .unwrap();
    let browser = LiveClient::connect(
        &site.argus.live_addr(),
        &device,
        &format!("{page}/"),
        "websocket",
    );
    browser.until("sensors_error_change");
    assert_eq!(site.argus.state(), "monitoring_ready");
    site.argus
        .sim(&["reading", "cellar", "1.5", "--unit", "°C"]);
    let (_, args) = browser.until("telemetry_change").pop().unwrap();
    assert_eq!(
        (
            args[0]["sensor"].as_str(),
            args[0]["value"].as_f64(),
            args[0]["unit"].as_str()
        ),
        (Some("cellar"), Some(1.5), Some("°C")),
        "{args:?}"
    );
    let post = hook.next();
    assert_eq!(
        (post["valid"].as_bool(), post["body"]["event"].as_str()),
        (Some(true), Some("telemetry_alarm")),
        "{post}"
    );
    let text = post["body"]["text"].as_str().unwrap();
    assert!(
        text.contains("Reading: cellar: 1.5 (Cold cellar)"),
        "{text}"
    );
    assert_eq!(site.argus.state(), "monitoring_ready");

    // Water under the sink: held for a second (the tick fires it), the
    // 24-hour zone's alarm while disarmed (ArPI's "sabotage" state).
    site.argus.sim(&["reading", "sink", "0.9"]);
    site.argus.wait_state("monitoring_sabotage");
    let alerting = site.argus.ipc(Command::MonitorGetLive).value.unwrap();
    assert!(
        alerting["alerting"]
            .as_array()
            .unwrap()
            .contains(&json!(leak_sensor)),
        "{alerting}"
    );
}
