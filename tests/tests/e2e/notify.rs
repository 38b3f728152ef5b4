//! Notifications end to end: an alert reaches every subscribed contact by
//! SMS and call (a SIM900-like modem on a pseudo-terminal), e-mail (an SMTP
//! server on loopback) and webhook (Python's http.server checking the
//! HMAC), once each, through modem faults, a monitor killed with SIGKILL and
//! PostgreSQL stopped during the alert.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use argus_db::seed::{seed, Dataset};
use argus_e2e::{
    count, wait_until, Argus, Cluster, FakeModem, SiaReceiver, SmtpSink, WebhookReceiver,
};
use diesel::prelude::*;
use serde_json::{json, Value};
use std::time::Duration;

use crate::support::{demo_with, set_options};

const PHONE1: &str = "+36301112222";
const PHONE2: &str = "+36203334444";
const LONG: Duration = Duration::from_secs(30);

fn gsm() -> (&'static str, &'static str, Value) {
    (
        "notifications",
        "gsm",
        json!({"enabled": true, "phone_number_1": PHONE1, "phone_number_2": PHONE2}),
    )
}

fn subscriptions(rows: Value) -> (&'static str, &'static str, Value) {
    ("notifications", "subscriptions", rows)
}

fn location() -> (&'static str, &'static str, Value) {
    ("system", "location", json!({"name": "Holiday home"}))
}

/// Quick retries, so a test sees several attempts in well under a second.
fn quick(modem_path: &str) -> Vec<(&'static str, String)> {
    vec![
        ("GSM_PORT", modem_path.to_owned()),
        ("ARGUS_NOTIFY_RETRY_MS", "100".into()),
    ]
}

/// Armed away, "Test room 2" (no delay) trips: an alert.
fn raise_alert(argus: &Argus) {
    assert!(argus.arm(false));
    argus.sim(&["input", "CH03", "active"]);
    argus.wait_state("monitoring_alert");
}

fn disarm() -> argus_protocol::Command {
    argus_protocol::Command::MonitorDisarm(argus_protocol::ipc::DisarmRequest {
        user_id: Some(1),
        ..Default::default()
    })
}

fn outbox(url: &str, sql_where: &str) -> i64 {
    count(
        url,
        &format!("SELECT 1 FROM argus_outbox WHERE {sql_where}"),
    )
}

#[test]
fn an_alert_goes_out_by_sms_call_email_and_webhook_once_each() {
    let sink = SmtpSink::with_login("alarm", "s3cret");
    let hook = WebhookReceiver::start("hook-secret", 0);
    let db = demo_with(&[
        gsm(),
        location(),
        subscriptions(json!({
            "sms1": {"alert_started": true, "alert_stopped": true},
            "call1": {"alert_started": true}, "call2": {"alert_started": true},
            "email1": {"alert_started": true},
        })),
        (
            "notifications",
            "smtp",
            json!({"enabled": true, "smtp_hostname": "127.0.0.1", "smtp_port": sink.port,
                    "smtp_username": "alarm", "smtp_password": "s3cret",
                    "email_address_1": "owner@example.org"}),
        ),
        (
            "notifications",
            "webhook",
            json!({"enabled": true, "url": hook.url, "secret": "hook-secret"}),
        ),
    ]);
    let modem = FakeModem::start();
    let argus = Argus::start_with(db.url(), quick(&modem.path));
    raise_alert(&argus);

    let sms = modem.next_of("sms");
    assert_eq!(sms["number"], PHONE1);
    let text = sms["text"].as_str().unwrap();
    assert!(text.starts_with("Alarm at Holiday home\n"), "{text}");
    assert!(text.contains("Sensors: Test room 2"), "{text}");
    assert!(text.contains("Time: "), "{text}");
    assert!(!text.contains("None"));
    assert_eq!(modem.next_of("call"), PHONE1, "call 1 acknowledges with 1");

    let (login, mail) = sink.next_with_login();
    assert_eq!(login.as_deref(), Some("alarm"), "it logged in");
    assert!(mail.contains("To: owner@example.org"), "{mail}");
    assert!(
        mail.contains("Subject: [ArPI] Alarm at Holiday home"),
        "{mail}"
    );
    assert!(mail.contains("Test room 2"), "{mail}");

    let post = hook.next();
    assert_eq!(post["valid"], true, "{post}");
    assert_eq!(post["body"]["event"], "alert_started");
    assert_eq!(post["body"]["location"], "Holiday home");
    assert_eq!(post["body"]["sensors"], json!(["Test room 2"]));
    let key = post["key"].as_str().unwrap();
    assert!(key.ends_with(":alert_started:webhook1"), "{key}");

    assert!(wait_until(LONG, || outbox(
        &db.url(),
        "channel = 'call' AND slot = 2 AND state = 'skipped'"
    ) == 1));
    assert!(argus.ipc(disarm()).result);
    let ended = modem.next_of("sms");
    assert!(
        ended["text"]
            .as_str()
            .unwrap()
            .starts_with("Alarm ended at Holiday home"),
        "{ended}"
    );
    assert_eq!(hook.next()["body"]["event"], "alert_stopped");
    assert!(wait_until(LONG, || outbox(&db.url(), "state = 'pending'") == 0));
    assert_eq!(
        outbox(&db.url(), "state = 'sent'"),
        6,
        "sms×2, call 1, e-mail, webhook×2"
    );
    assert!(
        modem
            .drain()
            .iter()
            .all(|e| e.get("sms").is_none() && e.get("call").is_none()),
        "nothing twice"
    );
}

#[test]
fn a_callee_pressing_another_digit_neither_acknowledges_nor_disarms() {
    let db = demo_with(&[
        gsm(),
        subscriptions(json!({"call1": {"alert_started": true}, "call2": {"alert_started": true}})),
    ]);
    // Call 1 presses 5 (not an acknowledgement, not a PIN); call 2 acknowledges.
    let modem = FakeModem::start_with(&["--dtmf", &format!("{PHONE1}=5")]);
    let argus = Argus::start_with(db.url(), quick(&modem.path));
    raise_alert(&argus);
    assert_eq!(modem.next_of("call"), PHONE1);
    assert_eq!(
        modem.next_of("call"),
        PHONE2,
        "escalated to the second number"
    );
    assert!(wait_until(LONG, || outbox(
        &db.url(),
        "channel = 'call' AND slot = 2 AND state = 'sent'"
    ) == 1));
    assert!(wait_until(LONG, || outbox(
        &db.url(),
        "channel = 'call' AND slot = 1 AND state = 'skipped' AND attempts = 1"
    ) == 1));
    assert_eq!(argus.state(), "monitoring_alert", "digits never disarm");
}

/// What the fake modem can do wrong: refuse, lack a network, babble, say
/// nothing (the driver's 10 s prompt timeout), hang up its terminal.
const FAULTS: [&str; 5] = ["error", "no_network", "garbage", "silence", "close"];

#[test]
fn every_modem_fault_is_retried_until_the_sms_goes_out() {
    let db = demo_with(&[
        gsm(),
        subscriptions(json!({"sms1": {"alert_started": true}})),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("modem");
    let mut modem = FakeModem::start_with(&["--link", link.to_str().unwrap()]);
    for fault in FAULTS {
        modem.fault(fault, 1);
    }
    let argus = Argus::start_with(db.url(), quick(&modem.path));
    raise_alert(&argus);
    for fault in FAULTS {
        assert_eq!(modem.next_of("fault"), fault);
    }
    let sms = modem.next_of("sms");
    assert_eq!(sms["number"], PHONE1, "delivered after every fault");
    assert!(wait_until(LONG, || outbox(
        &db.url(),
        "state = 'sent' AND attempts = 6"
    ) == 1));
    let error = count(
        &db.url(),
        "SELECT 1 FROM argus_outbox WHERE last_error IS NOT NULL",
    );
    assert_eq!(error, 1, "the last error is kept");
}

#[test]
fn a_monitor_killed_before_it_could_send_sends_once_after_the_restart() {
    let db = demo_with(&[
        gsm(),
        subscriptions(json!({"sms1": {"alert_started": true, "alert_stopped": true}})),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("modem");
    // No modem behind the link yet: every attempt fails.
    let mut argus = Argus::start_with(db.url(), quick(link.to_str().unwrap()));
    raise_alert(&argus);
    assert!(wait_until(LONG, || outbox(
        &db.url(),
        "state = 'pending' AND attempts >= 2"
    ) == 1));
    argus.kill_monitor();

    let modem = FakeModem::start_with(&["--link", link.to_str().unwrap()]);
    argus.start_monitor();
    let sms = modem.next_of("sms");
    assert!(sms["text"].as_str().unwrap().starts_with("Alarm"), "{sms}");
    argus.ipc(disarm());
    let next = modem.next_of("sms");
    assert!(
        next["text"].as_str().unwrap().starts_with("Alarm ended"),
        "the alert was not sent twice: {next}"
    );
    assert!(wait_until(LONG, || outbox(&db.url(), "state = 'sent'") == 2));
}

#[test]
fn an_alert_while_postgresql_is_down_is_told_once_it_is_back() {
    let cluster = Cluster::start(5436);
    let url = cluster.url("postgres");
    {
        let mut conn = PgConnection::establish(&url).unwrap();
        argus_db::migrate::run_pending(&mut conn).unwrap();
        seed(&mut conn, Dataset::Demo, false).unwrap();
        set_options(
            &mut conn,
            &[
                gsm(),
                subscriptions(json!({"sms1": {"alert_started": true}})),
            ],
        );
    }
    let modem = FakeModem::start();
    let mut argus = Argus::start_with(url.clone(), quick(&modem.path));
    cluster.pg_stop();
    raise_alert(&argus);
    // The notice is only in the journal now; a restart must not lose it.
    let journal = argus.dir.path().join("state/monitor-state.json");
    assert!(wait_until(LONG, || std::fs::read_to_string(&journal)
        .is_ok_and(|j| j.contains("\"kind\":\"AlertStarted\""))));
    argus.kill_monitor();
    argus.start_monitor();
    cluster.pg_start();
    let sms = modem.next_of("sms");
    assert!(
        sms["text"].as_str().unwrap().contains("Test room 2"),
        "{sms}"
    );
    assert!(wait_until(LONG, || outbox(&url, "state = 'sent'") == 1));
    assert_eq!(outbox(&url, "true"), 1, "queued once");
}

#[test]
fn a_webhook_that_keeps_failing_ends_failed_with_an_event() {
    let hook = WebhookReceiver::start("s", 100);
    let db = demo_with(&[(
        "notifications",
        "webhook",
        json!({"enabled": true, "url": hook.url, "secret": "s"}),
    )]);
    let mut env = quick("/nonexistent");
    env.push(("ARGUS_NOTIFY_ATTEMPTS", "3".into()));
    let argus = Argus::start_with(db.url(), env);
    raise_alert(&argus);
    for _ in 0..3 {
        assert!(hook.next().get("refused").is_some());
    }
    assert!(wait_until(LONG, || outbox(
        &db.url(),
        "state = 'failed' AND attempts = 3"
    ) == 1));
    assert_eq!(
        count(
            &db.url(),
            "SELECT 1 FROM argus_event WHERE kind = 'notification_failed' AND detail LIKE 'webhook1 alert_started%'"
        ),
        1
    );
}

#[test]
fn a_power_outage_is_reported_only_once_it_outlasts_the_delay() {
    let centre = SiaReceiver::start("BEEF", None);
    let db = demo_with(&[
        gsm(),
        subscriptions(
            json!({"sms1": {"power_outage_started": true, "power_outage_stopped": true}}),
        ),
        (
            "notifications",
            "power",
            json!({"report_delay_seconds": 60}),
        ),
        (
            "notifications",
            "sia",
            json!({"enabled": true, "account": "BEEF", "receiver_host": "127.0.0.1",
                    "receiver_port": centre.port, "link_test_seconds": 0}),
        ),
    ]);
    let modem = FakeModem::start();
    let argus = Argus::start_with(db.url(), quick(&modem.path));
    argus.sim(&["power", "mains"]);
    // A blip: back within the delay, nothing is sent.
    argus.sim(&["power", "battery"]);
    argus.sim(&["power", "mains"]);
    // A real outage: reported after a minute, its end at once.
    argus.sim(&["power", "battery"]);
    let started = std::time::Instant::now();
    let sms = modem.next_of_within("sms", Duration::from_secs(90));
    assert!(
        started.elapsed() >= Duration::from_secs(59),
        "{:?}",
        started.elapsed()
    );
    assert!(
        sms["text"].as_str().unwrap().starts_with("Power outage"),
        "{sms}"
    );
    let lost = centre.next();
    assert_eq!(
        (lost["code"].as_str(), lost["account"].as_str()),
        (Some("AT"), Some("BEEF")),
        "the centre hears of it after the delay too, and not of the blip"
    );
    argus.sim(&["power", "mains"]);
    let back = modem.next_of("sms");
    assert!(
        back["text"].as_str().unwrap().starts_with("Power restored"),
        "{back}"
    );
    assert_eq!(centre.next()["code"], "AR");
    assert_eq!(
        outbox(&db.url(), "true"),
        4,
        "SMS and SIA, start and end: the blip left no row"
    );
}

#[test]
fn a_slow_test_answers_at_once_and_its_results_follow_as_an_event() {
    let hook = WebhookReceiver::start("t", 0);
    let db = demo_with(&[
        gsm(),
        (
            "notifications",
            "webhook",
            json!({"enabled": true, "url": hook.url, "secret": "t"}),
        ),
    ]);
    let mut modem = FakeModem::start();
    let argus = Argus::start_with(db.url(), quick(&modem.path));
    let page = "http://localhost:4200";
    let token = argus_e2e::device_token(1, page);
    let browser = argus_e2e::LiveClient::connect(
        &argus.live_addr(),
        &token,
        &format!("{page}/"),
        "websocket",
    );

    // Fast: the webhook's answer is in the reply, in ArPI's shape.
    let reply = argus.ipc(argus_protocol::Command::SendTestWebhook);
    assert_eq!(reply.other, Some(json!({"webhook": true})), "{reply:?}");
    let post = hook.next();
    assert_eq!(
        (post["valid"].as_bool(), post["body"]["event"].as_str()),
        (Some(true), Some("test"))
    );

    // Slow: the modem stays silent for the first number (the driver waits 10 s).
    modem.fault("silence", 1);
    let asked = std::time::Instant::now();
    let reply = argus.ipc(argus_protocol::Command::SendTestSms);
    assert!(
        asked.elapsed() < Duration::from_secs(5),
        "{:?}",
        asked.elapsed()
    );
    assert!(reply.result);
    assert!(reply.message.unwrap().contains("running"));
    let results = loop {
        let (name, args) = browser.next();
        if name == "notification_test" && args[0]["test"] == "sms" {
            break args[0].clone();
        }
    };
    assert_eq!(
        results["results"],
        json!({"phone1": false, "phone2": true}),
        "{results}"
    );
    assert!(wait_until(LONG, || {
        count(
        &db.url(),
        "SELECT 1 FROM argus_event WHERE kind = 'notification_test' AND detail = 'sms: phone1 failed, phone2 sent'"
    ) == 1
    }));
}

#[test]
fn sms_commands_from_a_configured_number_arm_disarm_and_answer() {
    let db = demo_with(&[gsm()]);
    let mut modem = FakeModem::start();
    let mut env = quick(&modem.path);
    env.push(("ARGUS_SMS_POLL_MS", "200".into()));
    let argus = Argus::start_with(db.url(), env);
    let answer = |modem: &FakeModem| modem.next_of("sms");

    // The same line written another way; the admin's PIN.
    modem.receive("06301112222", "1234 ARM");
    let reply = answer(&modem);
    assert_eq!(
        (reply["number"].as_str(), reply["text"].as_str()),
        (Some("06301112222"), Some("Armed away"))
    );
    argus.wait_state("monitoring_armed");
    modem.receive(PHONE2, "1234 status");
    assert_eq!(answer(&modem)["text"], "Status: armed");

    modem.receive(PHONE1, "9999 DISARM");
    assert_eq!(answer(&modem)["text"], "Wrong PIN");
    // A stranger with the right PIN is recorded and ignored.
    modem.receive("+36709998888", "1234 DISARM");
    assert!(
        wait_until(LONG, || count(
            &db.url(),
            "SELECT 1 FROM argus_event WHERE kind = 'sms_ignored' AND detail = 'unknown sender'"
        ) == 3),
        "the stranger and the two messages already on the SIM"
    );
    assert_eq!(
        argus.state(),
        "monitoring_armed",
        "neither the wrong PIN nor the stranger disarmed"
    );

    modem.receive(PHONE1, "1234 DISARM");
    assert_eq!(answer(&modem)["text"], "Disarmed");
    assert_eq!(argus.state(), "monitoring_ready");
    assert!(
        modem.drain().iter().all(|e| e.get("sms").is_none()),
        "the stranger got no answer"
    );

    // Five more wrong PINs from the same number lock it out, the right one too.
    for _ in 0..5 {
        modem.receive(PHONE1, "0000 ARM");
        assert_eq!(answer(&modem)["text"], "Wrong PIN");
    }
    modem.receive(PHONE1, "1234 ARM");
    assert_eq!(
        answer(&modem)["text"],
        "Too many wrong PINs; try again later"
    );
    assert_eq!(argus.state(), "monitoring_ready");
    assert_eq!(
        count(
            &db.url(),
            "SELECT 1 FROM argus_event WHERE kind = 'sms_command' AND user_id = 1"
        ),
        3,
        "armed, status, disarmed: each by the PIN's owner"
    );
}
