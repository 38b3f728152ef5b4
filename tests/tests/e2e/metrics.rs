//! `/metrics` on the monitor's live listener: Prometheus's own parser
//! (PyPI `prometheus-client`) reads it, and it follows what happens: the
//! state after arming, every decision the engine took, IPC requests; and
//! the server's, which says whether the monitor and the database answer.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::io::Write;
use std::process::{Command, Stdio};

use argus_e2e::{http, Argus};
use serde_json::Value;

use crate::support::demo_with;

fn scrape(argus: &Argus) -> Value {
    parse(&argus.live_addr())
}

/// `/metrics` at `addr`, through Prometheus's parser.
fn parse(addr: &str) -> Value {
    let response = http(addr, "GET", "/metrics", None);
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(
        response.header("content-type"),
        Some("text/plain; version=0.0.4")
    );
    let python = concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/python");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/metrics/parse.py");
    let mut parser = Command::new(python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tests/.venv (scripts/test.sh installs prometheus-client)");
    parser
        .stdin
        .take()
        .unwrap()
        .write_all(response.body.as_bytes())
        .unwrap();
    let out = parser.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "does not parse: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        response.body
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_monitors_metrics_parse_as_prometheus_text_and_follow_the_alarm() {
    let db = demo_with(&[]);
    let argus = Argus::start(db.url());
    let before = scrape(&argus);
    assert_eq!(
        before["argus_monitoring_state{state=monitoring_ready}"], 1.0,
        "{before}"
    );
    assert_eq!(before["argus_telemetry_accepted_total{source=rest}"], 0.0);
    let decisions = before["argus_engine_decision_seconds_count"]
        .as_f64()
        .unwrap();

    // The board's first levels count too.
    let sensor_events = before["argus_sensor_events_total"].as_f64().unwrap();
    argus.sim(&["input", "CH03", "active"]);
    argus.sim(&["input", "CH03", "idle"]);
    assert!(
        argus_e2e::wait_until(std::time::Duration::from_secs(10), || {
            scrape(&argus)["argus_sensor_events_total"] == sensor_events + 2.0
        }),
        "both readings counted"
    );

    assert!(argus.arm(false));
    argus.wait_state("monitoring_armed");
    argus.sim(&["reading", "attic", "21.5"]);
    let after = scrape(&argus);
    assert_eq!(
        after["argus_monitoring_state{state=monitoring_armed}"], 1.0,
        "{after}"
    );
    assert!(
        after["argus_engine_decision_seconds_count"]
            .as_f64()
            .unwrap()
            > decisions
    );
    assert!(
        after["argus_ipc_request_seconds_count"].as_f64().unwrap()
            > before["argus_ipc_request_seconds_count"].as_f64().unwrap()
    );
    assert_eq!(after["argus_telemetry_accepted_total{source=rest}"], 1.0);
    assert_eq!(after["argus_database_errors_total"], 0.0);
    assert_eq!(after["argus_notifications_failed_total"], 0.0);
    assert_eq!(
        after["argus_engine_decision_seconds_bucket{le=+Inf}"],
        after["argus_engine_decision_seconds_count"],
        "every decision is in a bucket"
    );
}

#[test]
fn the_servers_metrics_parse_and_say_what_the_monitor_and_the_database_say() {
    let db = demo_with(&[]);
    let mut argus = Argus::start(db.url());
    let (_server, addr) = argus.start_server();
    let up = parse(&addr);
    assert_eq!(
        (
            up["argus_monitor_up"].as_f64(),
            up["argus_database_up"].as_f64()
        ),
        (Some(1.0), Some(1.0)),
        "{up}"
    );
    assert_eq!(
        up["argus_monitoring_state{state=monitoring_ready}"], 1.0,
        "{up}"
    );
    assert_eq!(up["argus_notification_queue_depth"], 0.0);
    argus.kill_monitor();
    let down = parse(&addr);
    assert_eq!(down["argus_monitor_up"], 0.0, "{down}");
    assert!(down
        .get("argus_monitoring_state{state=monitoring_ready}")
        .is_none());
}

/// `manage status` against a running system, then with its monitor killed.
#[test]
fn manage_status_summarises_the_running_system_and_says_what_stopped() {
    let db = demo_with(&[]);
    let mut argus = Argus::start(db.url());
    let (_server, addr) = argus.start_server();
    let status = |argus: &Argus| {
        let out = Command::new(argus_e2e::binary("manage"))
            .args(["status", "--server", &addr, "--monitor", &argus.live_addr()])
            .env("DATABASE_URL", db.url())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        (out.status.code(), text)
    };
    let says = |text: &str, what: &str| {
        text.lines()
            .find(|l| l.starts_with(what))
            .unwrap_or_else(|| panic!("no {what}: {text}"))[what.len()..]
            .trim()
            .to_owned()
    };
    let (code, up) = status(&argus);
    assert_eq!(code, Some(0), "{up}");
    assert_eq!(says(&up, "database"), "answers; migrations: none pending");
    assert_eq!(
        says(&up, "server"),
        "answers; it sees the monitor up, the database up"
    );
    assert_eq!(says(&up, "monitor"), "answers; monitoring_ready");
    assert_eq!(says(&up, "modem"), "not enabled");
    assert_eq!(says(&up, "nodes"), "0 of 0 online");

    let live = argus.live_addr();
    argus.kill_monitor();
    let out = Command::new(argus_e2e::binary("manage"))
        .args(["status", "--server", &addr, "--monitor", &live])
        .env("DATABASE_URL", db.url())
        .output()
        .unwrap();
    let down = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(3), "{down}");
    assert!(
        says(&down, "monitor").starts_with("does not answer"),
        "{down}"
    );
    assert_eq!(
        says(&down, "server"),
        "answers; it sees the monitor DOWN, the database up"
    );
}
