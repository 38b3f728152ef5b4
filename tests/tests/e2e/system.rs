//! The real binaries together: a seeded database, the monitor with the
//! simulated board, the server on TCP.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use argus_db::seed::{seed, Dataset};
use argus_db::test_db::TestDb;
use argus_e2e::{binary, field, http, Process};

struct System {
    _db: TestDb,
    dir: tempfile::TempDir,
    monitor: Process,
    server: Process,
    addr: String,
}

fn start() -> System {
    let db = TestDb::new();
    seed(&mut db.conn(), Dataset::Demo, false).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ipc = dir.path().join("argus_monitor.sock").display().to_string();
    let common = [
        ("DATABASE_URL", db.url()),
        ("MONITOR_INPUT_SOCKET", ipc),
        ("BOARD_VERSION", "3".to_owned()),
    ];
    let mut monitor_env = common.to_vec();
    monitor_env.extend([
        ("USE_SIMULATOR", "true".to_owned()),
        ("ARGUS_LIVE_BIND", "127.0.0.1:0".to_owned()),
        ("ARGUS_STATE_DIR", dir.path().display().to_string()),
    ]);
    let mut monitor = Process::start(&binary("argus-monitor"), &monitor_env);
    monitor.wait_for("argus-monitor ready");
    let mut server_env = common.to_vec();
    server_env.push(("ARGUS_BIND", "127.0.0.1:0".to_owned()));
    server_env.push(("ARGUS_WORKERS", "2".to_owned()));
    server_env.push(("SECRET", argus_e2e::TEST_SECRET.to_owned()));
    let mut server = Process::start(&binary("argus-server"), &server_env);
    let line = server.wait_for("argus-server listening");
    let addr = field(&line, "addr").unwrap().to_owned();
    System {
        _db: db,
        dir,
        monitor,
        server,
        addr,
    }
}

impl System {
    /// A request with these headers.
    fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> argus_e2e::HttpResponse {
        argus_e2e::http_with(&self.addr, method, path, headers, body)
    }

    /// Registers a device with the demo administrator's code, as the web app does.
    fn register_device(&self) -> String {
        let registered = self.call(
            "POST",
            "/api/user/register_device",
            &[("Origin", "http://localhost:4200")],
            Some(r#"{"registration_code":"ABCD1234"}"#),
        );
        assert_eq!(registered.status, 200, "{}", registered.body);
        registered.json()["device_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Logs in on `device` with the administrator's PIN: the user token.
    fn login(&self, device: &str) -> String {
        let login = self.call(
            "POST",
            "/api/user/authenticate",
            &[
                ("Origin", "http://localhost:4200"),
                ("Authorization", &format!("Bearer {device}")),
            ],
            Some(&format!(
                r#"{{"device_token":"{device}","access_code":"1234"}}"#
            )),
        );
        assert_eq!(login.status, 200, "{}", login.body);
        login.json()["user_token"].as_str().unwrap().to_owned()
    }

    /// The web app's way in; the user token's `Authorization` value.
    fn login_admin(&self) -> String {
        format!("Bearer {}", self.login(&self.register_device()))
    }

    /// `argus-sim` against this system's monitor.
    fn sim(&self, args: &[&str]) {
        let sim = std::process::Command::new(binary("argus-sim"))
            .arg("--socket")
            .arg(self.dir.path().join("argus_monitor.sock"))
            .args(args)
            .output()
            .unwrap();
        assert!(sim.status.success(), "{sim:?}");
    }
}

#[test]
fn the_system_comes_up_answers_and_stops_cleanly() {
    let mut sys = start();
    let version = http(&sys.addr, "GET", "/api/version", None);
    assert_eq!(version.status, 200);
    assert!(
        version
            .body
            .starts_with(concat!("v", env!("CARGO_PKG_VERSION"), ":")),
        "{}",
        version.body
    );

    let health = http(&sys.addr, "GET", "/api/health", None);
    assert_eq!(health.status, 200, "{}", health.body);
    let body = health.json();
    assert_eq!(body["database"]["up"], true);
    assert_eq!(body["monitor"]["up"], true);
    assert_eq!(body["monitor"]["state"], "monitoring_ready");

    assert!(sys.server.terminate(), "server exits cleanly on SIGTERM");
    assert!(sys.monitor.terminate(), "monitor exits cleanly on SIGTERM");
    assert!(
        !sys.dir.path().join("argus_monitor.sock").exists(),
        "the IPC socket is removed"
    );
}

#[test]
fn health_reports_a_dead_monitor() {
    let mut sys = start();
    sys.monitor.kill();
    let health = http(&sys.addr, "GET", "/api/health", None);
    assert_eq!(health.status, 503);
    assert_eq!(health.json()["monitor"]["up"], false);
    assert_eq!(health.json()["database"]["up"], true);
}

#[test]
fn the_server_refuses_a_database_with_pending_migrations() {
    let db = TestDb::empty();
    let dir = tempfile::tempdir().unwrap();
    let mut server = Process::start(
        &binary("argus-server"),
        &[
            ("DATABASE_URL", db.url()),
            ("ARGUS_BIND", "127.0.0.1:0".to_owned()),
            (
                "MONITOR_INPUT_SOCKET",
                dir.path().join("m.sock").display().to_string(),
            ),
        ],
    );
    server.wait_for("manage migrate");
    assert!(!server.terminate());
}

#[test]
fn the_web_apps_login_and_arming_flow() {
    let sys = start();
    let device = sys.register_device();
    let bearer = format!("Bearer {device}");
    let user = sys.login(&device);
    let as_user = format!("Bearer {user}");
    let referer = ("Referer", "http://localhost:4200/en/");

    let armed = sys.call(
        "PUT",
        "/api/monitoring/arm?type=arm_away",
        &[("Authorization", &as_user), referer],
        None,
    );
    assert_eq!((armed.status, armed.json()), (200, serde_json::json!({})));
    let renewed = armed
        .header("user-token")
        .expect("User-Token renewal header")
        .to_owned();
    assert_eq!(
        renewed.split('.').count(),
        3,
        "a JWT (identical to the old one within the same second)"
    );
    let state = sys.call(
        "GET",
        "/api/monitoring/state",
        &[("Authorization", &bearer)],
        None,
    );
    assert_eq!(state.json()["state"], "monitoring_armed");

    // Trip a sensor: the open alert shows in /api/alert once the monitor has stored it.
    sys.sim(&["input", "CH03", "active"]);
    let wait = std::time::Duration::from_secs(20);
    let open_alert = || {
        sys.call("GET", "/api/alert", &[("Authorization", &bearer)], None)
            .json()
    };
    // The alert row and its sensors arrive through the monitor's write queue, in that order.
    assert!(argus_e2e::wait_until(wait, || {
        open_alert()["sensors"][0]["monitorThreshold"] == 100
    }));
    let alert = open_alert();
    assert_eq!(alert["alertType"], "alert_away");
    assert_eq!(alert["sensors"][0]["name"], "Test room 2");
    assert_eq!(alert["endTime"], serde_json::Value::Null);
    assert_eq!(
        alert["sensors"][0]["monitorThreshold"], 100,
        "copied from the seeded sensor, as ArPI"
    );

    let with_renewed = format!("Bearer {renewed}");
    let disarmed = sys.call(
        "PUT",
        "/api/monitoring/disarm",
        &[("Authorization", &with_renewed)],
        None,
    );
    assert_eq!(disarmed.status, 200, "the renewed token works");
    let state = sys.call(
        "GET",
        "/api/monitoring/state",
        &[("Authorization", &bearer)],
        None,
    );
    assert_eq!(state.json()["state"], "monitoring_ready");
    // The arm history lists the session with its alert once the disarm is stored.
    let history = || {
        sys.call(
            "GET",
            "/api/arms?limit=1",
            &[("Authorization", &with_renewed)],
            None,
        )
        .json()
    };
    assert!(argus_e2e::wait_until(wait, || history()[0]["disarm"].is_object()));
    let session = &history()[0];
    assert_eq!(
        session["alert"]["sensors"][0]["monitorThreshold"], 100,
        "{session}"
    );
}

/// 50 wrong PINs at once, each from its own device and address, all answer
/// `200 false`: the user's counter is charged before any check, so five run
/// bcrypt and the rest are refused unchecked. Meanwhile other requests are
/// served: `/api/version` and a user's `/api/sensors/` return while PIN
/// checks are still running. How long they
/// take under this load is measured by `scripts/bench.sh`, not asserted.
#[test]
fn wrong_pins_do_not_hold_up_other_requests() {
    use argus_e2e::http_with;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Barrier};
    let sys = start();
    let secret = argus_e2e::TEST_SECRET.as_bytes();
    let answered = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(Barrier::new(51));
    let attempts: Vec<_> = (0..50)
        .map(|i| {
            let device = argus_protocol::jwt::sign(
                &argus_protocol::jwt::DeviceClaims {
                    ip: Some(format!("10.0.0.{i}")),
                    origin: Some("http://localhost:4200".into()),
                    user_id: 1,
                },
                secret,
            )
            .unwrap();
            let (addr, answered, barrier) = (
                sys.addr.clone(),
                Arc::clone(&answered),
                Arc::clone(&barrier),
            );
            std::thread::spawn(move || {
                let bearer = format!("Bearer {device}");
                let ip = format!("10.0.0.{i}");
                barrier.wait();
                let reply = http_with(
                    &addr,
                    "POST",
                    "/api/user/authenticate",
                    &[
                        ("Origin", "http://localhost:4200"),
                        ("Authorization", &bearer),
                        ("X-Real-IP", &ip),
                    ],
                    Some(&format!(
                        r#"{{"device_token":"{device}","access_code":"9999"}}"#
                    )),
                );
                answered.fetch_add(1, Ordering::SeqCst);
                (reply.status, reply.body)
            })
        })
        .collect();
    let user = argus_protocol::jwt::sign(
        &serde_json::json!({"id": 2, "name": "Chuck Norris", "role": "user", "origin": null,
                            "timestamp": std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()}),
        secret,
    )
    .unwrap();
    barrier.wait();
    let version = http(&sys.addr, "GET", "/api/version", None);
    let sensors = http_with(
        &sys.addr,
        "GET",
        "/api/sensors/",
        &[("Authorization", &format!("Bearer {user}"))],
        None,
    );
    let done_meanwhile = answered.load(Ordering::SeqCst);
    assert_eq!(
        (version.status, sensors.status),
        (200, 200),
        "{}",
        sensors.body
    );
    assert_eq!(sensors.json().as_array().map(Vec::len), Some(7));
    assert!(
        done_meanwhile < 50,
        "other requests waited for every PIN check"
    );
    for attempt in attempts {
        assert_eq!(attempt.join().unwrap(), (200, "false".to_owned()));
    }
}

/// Configuration written over REST reaches the running monitor: a sensor
/// created through the API raises an alert once its area is armed through
/// the API; configuration is refused while armed; a button output created
/// through the API is pressed through the monitor.
#[test]
fn configuration_written_over_rest_reaches_the_monitor() {
    use argus_e2e::http_with;
    use serde_json::json;
    let sys = start();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let admin = argus_protocol::jwt::sign(
        &json!({"id": 1, "name": "Administrator", "role": "admin", "origin": null, "timestamp": now}),
        argus_e2e::TEST_SECRET.as_bytes(),
    )
    .unwrap();
    let bearer = format!("Bearer {admin}");
    let call = |method: &str, path: &str, body: Option<serde_json::Value>| {
        let body = body.map(|b| b.to_string());
        http_with(
            &sys.addr,
            method,
            path,
            &[("Authorization", &bearer)],
            body.as_deref(),
        )
    };

    let created = call(
        "POST",
        "/api/sensors/",
        Some(
            json!({"name": "Garage", "areaId": 1, "zoneId": 1, "channel": 9, "channelType": "normal",
                    "sensorContactType": "NC", "enabled": true, "typeId": 1}),
        ),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let armed = call("PUT", "/api/area/arm?area_id=1&type=arm_away", None);
    assert_eq!(
        (armed.status, armed.json()),
        (200, json!({})),
        "{}",
        armed.body
    );
    let refused = call(
        "PUT",
        &format!("/api/sensor/{}", created.json()["id"]),
        Some(json!({"name": "Shed"})),
    );
    assert_eq!(refused.status, 409);

    sys.sim(&["input", "CH10", "active"]);
    let alerting = || call("GET", "/api/alert", None).json()["sensors"][0]["name"] == "Garage";
    assert!(
        argus_e2e::wait_until(std::time::Duration::from_secs(20), alerting),
        "the new sensor raised the alert: the monitor reloaded"
    );
    let disarmed = call("PUT", "/api/area/disarm?area_id=1", None);
    assert_eq!(disarmed.status, 200, "{}", disarmed.body);
    // The monitor answers once journalled; the `area` row follows through its write queue.
    assert!(argus_e2e::wait_until(
        std::time::Duration::from_secs(20),
        || { call("GET", "/api/monitoring/arm", None).json()["type"] == "disarm" }
    ));

    let button = call(
        "POST",
        "/api/outputs/",
        Some(
            json!({"name": "Gate", "description": "gate opener", "channel": 3, "triggerType": "button",
                    "areaId": null, "delay": 0, "duration": 0, "defaultState": false, "enabled": true}),
        ),
    );
    assert_eq!(button.status, 201, "{}", button.body);
    let pressed = call(
        "PUT",
        &format!("/api/output/{}/activate", button.json()["id"]),
        None,
    );
    assert_eq!(
        (pressed.status, pressed.json()),
        (200, json!({})),
        "{}",
        pressed.body
    );

    // A time zone the monitor refuses is the client's error, not a 500.
    let zone = call(
        "PUT",
        "/api/clock",
        Some(json!({"timezone": "Mars/Olympus_Mons"})),
    );
    assert_eq!(zone.status, 400, "{}", zone.body);
    assert_eq!(zone.json()["error"], "Failed to update date/time and zone");
    let time = call("PUT", "/api/clock", Some(json!({"datetime": "yesterday"})));
    assert_eq!(time.status, 400, "{}", time.body);
}

/// What the web app's Notifications, Network, Siren and Location pages read
/// (`configService.getOption` in ArPI's web app), on a fresh demo seed that
/// saved none of them: each answers 200 with the fields the page shows.
#[test]
fn the_web_apps_settings_pages_find_every_section() {
    // What the MQTT page shows of each broker.
    const BROKER: &[&str] = &[
        "hostname",
        "port",
        "username",
        "password",
        "tls_enabled",
        "tls_insecure",
    ];
    let sys = start();
    let admin = sys.login_admin();
    let auth = [("Authorization", admin.as_str())];
    let pages: [(&str, &[&str]); 11] = [
        (
            "notifications/smtp",
            &[
                "enabled",
                "smtp_hostname",
                "smtp_port",
                "smtp_username",
                "smtp_password",
                "email_address_1",
                "email_address_2",
            ],
        ),
        (
            "notifications/gsm",
            &["enabled", "pin_code", "phone_number_1", "phone_number_2"],
        ),
        (
            "notifications/subscriptions",
            &["call1", "call2", "sms1", "sms2", "email1", "email2"],
        ),
        (
            "system/location",
            &[
                "name",
                "address",
                "contact_name",
                "contact_phone",
                "contact_email",
                "latitude",
                "longitude",
            ],
        ),
        (
            "network/dyndns",
            &[
                "username",
                "password",
                "hostname",
                "provider",
                "restrict_host",
                "certbot_email",
            ],
        ),
        (
            "network/access",
            &[
                "service_enabled",
                "restrict_local_network",
                "password_authentication_enabled",
            ],
        ),
        ("mqtt/connection", &["enabled", "external"]),
        ("mqtt/internal_read", BROKER),
        ("mqtt/external_publish", BROKER),
        ("syren/timing", &["silent", "delay", "duration"]),
        (
            "alert/sensitivity",
            &["monitor_period", "monitor_threshold"],
        ),
    ];
    for (section, fields) in pages {
        let reply = sys.call("GET", &format!("/api/config/{section}"), &auth, None);
        assert_eq!(reply.status, 200, "{section}: {}", reply.body);
        let value = &reply.json()["value"];
        for field in fields {
            assert!(
                value.get(field).is_some(),
                "{section} lacks {field}: {value}"
            );
        }
    }
    let mqtt = sys
        .call("GET", "/api/config/mqtt/connection", &auth, None)
        .json();
    assert_eq!(
        mqtt["value"],
        serde_json::json!({"enabled": true, "external": false})
    );
    let name = sys.call("GET", "/api/config/location_name", &[], None);
    assert_eq!((name.status, name.body.as_str()), (200, "null"));
    // Tests of notifications nobody enabled: a state to report, not a fault.
    for (path, method, message) in [
        (
            "/api/config/test_sms",
            "GET",
            "GSM notifications are not enabled",
        ),
        (
            "/api/config/test_call",
            "GET",
            "GSM notifications are not enabled",
        ),
        (
            "/api/config/test_email",
            "GET",
            "E-mail notifications are not enabled",
        ),
        (
            "/api/config/sms/1",
            "DELETE",
            "GSM notifications are not enabled",
        ),
    ] {
        let reply = sys.call(method, path, &auth, None);
        assert_eq!(
            (reply.status, reply.json()),
            (409, serde_json::json!({ "error": message })),
            "{method} {path}"
        );
    }
}

/// The 409 that refuses arming with open sensors names them, with ids a
/// script can still find.
#[test]
fn arming_with_open_sensors_names_them() {
    use serde_json::json;
    let sys = start();
    let user = sys.login_admin();
    sys.sim(&["input", "CH03", "active"]); // Test room 2, sensor 4
    sys.sim(&["input", "CH04", "active"]); // Test room 3, sensor 5
    let auth = [("Authorization", user.as_str())];
    let alerting = || {
        sys.call("GET", "/api/sensors/?alerting=true", &auth, None)
            .json()
    };
    assert!(argus_e2e::wait_until(
        std::time::Duration::from_secs(20),
        || { alerting().as_array().map(Vec::len) == Some(2) }
    ));
    let refused = sys.call("PUT", "/api/monitoring/arm?type=arm_away", &auth, None);
    assert_eq!(refused.status, 409, "{}", refused.body);
    let refused = refused.json();
    assert_eq!(
        refused["open_sensors"],
        json!([{"id": 4, "name": "Test room 2", "channel": 2},
               {"id": 5, "name": "Test room 3", "channel": 3}])
    );
    let message = "Arming refused: sensors are open: Test room 2 (CH03), Test room 3 (CH04)";
    assert_eq!(
        (refused["message"].as_str(), refused["error"].as_str()),
        (Some(message), Some(message))
    );
    let state = sys.call("GET", "/api/monitoring/state", &auth, None);
    assert_eq!(state.json()["state"], "monitoring_ready");
}

/// A malformed request is the client's fault: 400, and nothing at ERROR.
#[test]
fn malformed_requests_are_answered_400_and_not_logged_as_errors() {
    use std::io::{Read, Write};
    let mut sys = start();
    let mut s = std::net::TcpStream::connect(&sys.addr).unwrap();
    s.write_all(b"GET /api/version HTTP/1.1\r\nHost: x\r\nBad\x01Header: y\r\n\r\n")
        .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    assert!(out.starts_with("HTTP/1.1 400"), "{out}");
    assert!(sys.server.terminate());
    let log = sys.server.rest_of_log();
    assert!(
        !log.iter().any(|l| l.contains("ERROR")),
        "{}",
        log.join("\n")
    );
}

#[test]
fn the_log_filter_changes_while_running_and_the_probes_answer() {
    let mut sys = start();
    let admin = sys.login_admin();
    let auth = [("Authorization", admin.as_str())];
    assert_eq!(sys.call("GET", "/api/health/live", &[], None).status, 200);
    let ready = sys.call("GET", "/api/health/ready", &[], None);
    assert_eq!(
        (ready.status, ready.json()["queue"]["backlog"].as_i64()),
        (200, Some(0)),
        "{}",
        ready.body
    );

    let debug = sys.call(
        "PUT",
        "/api/log_level",
        &auth,
        Some(r#"{"filter": "debug"}"#),
    );
    assert_eq!(
        (debug.status, debug.json()["monitor"].as_bool()),
        (200, Some(true)),
        "{}",
        debug.body
    );
    // Debug lines appear without a restart (the action only: commands may carry a PIN).
    sys.call("GET", "/api/monitoring/state", &auth, None);
    sys.monitor.wait_for("ipc command");
    let set = |body: &str| sys.call("PUT", "/api/log_level", &auth, Some(body));
    let off = set(r#"{"ENABLED": "False"}"#);
    assert_eq!(off.json()["filter"], "error", "errors stay logged");
    assert_eq!(
        sys.call("GET", "/api/log_level", &auth, None).json()["filter"],
        "error"
    );
    assert_eq!(set(r#"{"ENABLED": "maybe"}"#).status, 400);
    assert_eq!(set(r#"{"filter": "info=[[["}"#).status, 400);
    assert_eq!(set(r#"{}"#).status, 400);
}
