//! The alarm obeys its household while PostgreSQL is down: the keypad PIN
//! disarms within the entry delay, a card disarms, a new REST login (the
//! server asks the monitor) disarms, `/api/alert` shows the open alert, and
//! every record reaches the database once it is back.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use argus_db::seed::{seed, Dataset};
use argus_e2e::{count, wait_until, Argus, Cluster};
use diesel::prelude::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const ORIGIN: &str = "http://localhost:4200";

/// A cluster with the demo data, a card for Chuck Norris, a system on it,
/// and a device token registered while the database was up.
fn system(port: u16) -> (Cluster, Argus, String) {
    let cluster = Cluster::start(port);
    let url = cluster.url("postgres");
    {
        let mut conn = PgConnection::establish(&url).unwrap();
        argus_db::migrate::run_pending(&mut conn).unwrap();
        seed(&mut conn, Dataset::Demo, false).unwrap();
        diesel::insert_into(argus_db::schema::card::table)
            .values((
                argus_db::schema::card::id.eq(1),
                argus_db::schema::card::code.eq(argus_db::hash::hash_secret("0012345678").unwrap()),
                argus_db::schema::card::user_id.eq(2),
                argus_db::schema::card::enabled.eq(Some(true)),
            ))
            .execute(&mut conn)
            .unwrap();
    }
    let argus = Argus::start(url);
    let device = argus_e2e::device_token(1, ORIGIN);
    (cluster, argus, device)
}

#[test]
fn the_keypad_and_a_card_disarm_without_postgresql() {
    let (cluster, argus, _) = system(5434);
    cluster.pg_stop();

    // Armed stay, CH01 trips "Test room" (away/stay delayed: 5 s); its
    // channel-B twin is in a zone ignored when armed stay.
    assert!(argus.arm(true));
    argus.sim(&["input", "CH01", "active"]);
    argus.wait_state("monitoring_alert_delay");
    let typed = Instant::now();
    let out: Value = serde_json::from_str(&argus.sim(&["keys", "1234#"])).unwrap();
    assert_eq!(out["outcomes"], json!(["disarmed"]));
    eprintln!("keypad disarm answered in {:?}", typed.elapsed());
    assert_eq!(
        argus.state(),
        "monitoring_ready",
        "disarmed within the entry delay"
    );
    assert!(!argus.siren());

    argus.sim(&["input", "CH01", "idle"]);
    assert!(argus.arm(false));
    let out: Value = serde_json::from_str(&argus.sim(&["card", "0012345678"])).unwrap();
    assert_eq!(out["outcome"], "disarmed");
    assert_eq!(argus.state(), "monitoring_ready");
    let out: Value = serde_json::from_str(&argus.sim(&["keys", "9999#"])).unwrap();
    assert_eq!(out["outcomes"], json!(["wrong_pin"]));

    cluster.pg_start();
    let url = cluster.url("postgres");
    assert!(
        wait_until(Duration::from_secs(30), || count(
            &url,
            "SELECT 1 FROM disarm"
        ) == 2),
        "both disarms arrive"
    );
    assert_eq!(
        count(
            &url,
            "SELECT 1 FROM disarm WHERE user_id = 1 AND keypad_id IS NOT NULL"
        ),
        1
    );
    assert_eq!(
        count(&url, "SELECT 1 FROM disarm WHERE user_id = 2"),
        1,
        "the card's owner"
    );
    assert_eq!(count(&url, "SELECT 1 FROM arm"), 2);
}

#[test]
fn a_new_rest_login_disarms_and_the_alert_shows_without_postgresql() {
    let (cluster, argus, device) = system(5435);
    let (_server, addr) = argus.start_server();
    // The app lists the sensors while the database is up (the server keeps the listing).
    let admin = argus_protocol::jwt::sign(
        &json!({"id": 1, "name": "Administrator", "role": "admin", "origin": ORIGIN,
                "timestamp": std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()}),
        argus_e2e::TEST_SECRET.as_bytes(),
    )
    .unwrap();
    let listed = argus_e2e::http_with(
        &addr,
        "GET",
        "/api/sensors/",
        &[("Authorization", &format!("Bearer {admin}"))],
        None,
    );
    assert_eq!(listed.status, 200);
    assert!(argus.arm(false));
    argus.sim(&["input", "CH03", "active"]); // Test room 2: no delay
    argus.wait_state("monitoring_alert");
    cluster.pg_stop();

    let call = |method: &str, path: &str, auth: &str, body: Option<&str>| {
        argus_e2e::http_with(
            &addr,
            method,
            path,
            &[("Authorization", auth), ("Origin", ORIGIN)],
            body,
        )
    };
    let device_auth = format!("Bearer {device}");
    let started = Instant::now();
    let authenticate = |pin: &str| {
        call(
            "POST",
            "/api/user/authenticate",
            &device_auth,
            Some(&format!(
                r#"{{"device_token":"{device}","access_code":"{pin}"}}"#
            )),
        )
    };
    let login = authenticate("1234");
    assert_eq!(login.status, 200, "{}", login.body);
    eprintln!(
        "login through the monitor answered in {:?}",
        started.elapsed()
    );
    let user = format!("Bearer {}", login.json()["user_token"].as_str().unwrap());
    let wrong = authenticate("9999");
    assert_eq!((wrong.status, wrong.body.as_str()), (200, "false"));

    let alert = call("GET", "/api/alert", &user, None);
    assert_eq!(alert.status, 200, "{}", alert.body);
    assert_eq!(alert.json()["sensors"][0]["name"], "Test room 2");
    let state = call("GET", "/api/monitoring/state", &user, None);
    assert_eq!(state.json()["state"], "monitoring_alert");
    let arm = call("GET", "/api/monitoring/arm", &user, None);
    assert_eq!(arm.json(), json!({"type": "arm_away"}), "from the monitor");
    let alerting = call("GET", "/api/sensors/?alerting=true", &user, None);
    assert_eq!(alerting.status, 200, "{}", alerting.body);
    let names: Vec<String> = alerting
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(names, ["Test room 2"], "from the monitor");
    let started = Instant::now();
    let zones = call("GET", "/api/zones/", &user, None);
    assert_eq!(
        (zones.status, zones.json()),
        (503, json!({"error": "database unavailable"}))
    );
    eprintln!("503 without PostgreSQL answered in {:?}", started.elapsed());
    let server = argus_db::status::samples(&argus_e2e::http(&addr, "GET", "/metrics", None).body);
    assert_eq!(server["argus_database_up"], 0.0);
    assert!(server["argus_database_errors_total"] >= 1.0, "{server:?}");

    let disarmed = call("PUT", "/api/monitoring/disarm", &user, None);
    assert_eq!(disarmed.status, 200, "{}", disarmed.body);
    assert_eq!(argus.state(), "monitoring_ready");

    let database_errors = || {
        let metrics = argus_e2e::http(&argus.live_addr(), "GET", "/metrics", None).body;
        argus_db::status::samples(&metrics)["argus_database_errors_total"]
    };
    assert!(
        wait_until(Duration::from_secs(30), || database_errors() > 0.0),
        "/metrics counts the writes PostgreSQL refused"
    );

    cluster.pg_start();
    let url = cluster.url("postgres");
    assert!(wait_until(Duration::from_secs(30), || count(
        &url,
        "SELECT 1 FROM disarm WHERE user_id = 1 AND alert_id IS NOT NULL"
    ) == 1));
    assert_eq!(
        count(&url, "SELECT 1 FROM alert WHERE end_time IS NOT NULL"),
        1
    );
    assert_eq!(count(&url, "SELECT 1 FROM arm"), 1, "once");
}
