//! Test SMS, test call and the SMS inbox through the monitor's IPC, against
//! a SIM900-like modem on a pseudo-terminal.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use argus_db::models::NewOption;
use argus_db::schema::option;
use argus_db::seed::{seed, Dataset};
use argus_db::test_db::TestDb;
use argus_e2e::{Argus, FakeModem};
use argus_protocol::Command;
use diesel::prelude::*;
use serde_json::json;

fn system(gsm: Option<serde_json::Value>) -> (TestDb, FakeModem, Argus) {
    let db = TestDb::new();
    let mut conn = db.conn();
    seed(&mut conn, Dataset::Demo, false).unwrap();
    if let Some(value) = gsm {
        diesel::insert_into(option::table)
            .values(NewOption {
                name: "notifications",
                section: "gsm",
                value: Some(value.to_string()),
            })
            .execute(&mut conn)
            .unwrap();
    }
    let modem = FakeModem::start();
    let argus = Argus::start_with(db.url(), vec![("GSM_PORT", modem.path.clone())]);
    (db, modem, argus)
}

#[test]
fn test_sms_and_call_reach_both_numbers() {
    let gsm = json!({"enabled": true, "pin_code": "", "phone_number_1": "+36301112222", "phone_number_2": "+36203334444"});
    let (_db, modem, argus) = system(Some(gsm));
    let reply = argus.ipc(Command::SendTestSms);
    assert!(reply.result, "{reply:?}");
    assert_eq!(reply.message.as_deref(), Some(""));
    assert_eq!(reply.other, Some(json!({"phone1": true, "phone2": true})));
    assert_eq!(
        modem.next(),
        json!({"sms": {"number": "+36301112222", "text": "ArPI Test Message"}})
    );
    assert_eq!(
        modem.next(),
        json!({"sms": {"number": "+36203334444", "text": "ArPI Test Message"}})
    );

    let reply = argus.ipc(Command::MakeTestCall);
    assert!(reply.result, "{reply:?}");
    assert_eq!(reply.other, Some(json!({"phone1": true, "phone2": true})));

    let inbox = argus.ipc(Command::GetSmsMessages);
    let list = inbox.value.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["idx"], 1);
    assert_eq!(list[0]["text"], "Hello argus");
    assert!(
        argus
            .ipc(Command::DeleteSmsMessage { message_id: 1 })
            .result
    );
    assert_eq!(
        argus
            .ipc(Command::GetSmsMessages)
            .value
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn gsm_disabled_is_a_clear_refusal() {
    let (_db, _modem, argus) = system(None);
    let reply = argus.ipc(Command::SendTestSms);
    assert!(!reply.result);
    assert_eq!(
        reply.message.as_deref(),
        Some("GSM notifications are not enabled")
    );
    assert!(reply.is_conflict(), "a state, not a fault (REST: 409)");
}

#[test]
fn the_modem_health_follows_the_network_and_a_vanished_port_and_comes_back() {
    let db = crate::support::demo_with(&[(
        "notifications",
        "gsm",
        json!({"enabled": true, "phone_number_1": "+36301112222"}),
    )]);
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("modem");
    let link = link.to_str().unwrap();
    let mut modem = FakeModem::start_with(&["--link", link]);
    let argus = Argus::start_with(
        db.url(),
        vec![
            ("GSM_PORT", link.to_owned()),
            ("ARGUS_GSM_CHECK_MS", "200".into()),
        ],
    );
    let status = |want: &dyn Fn(&serde_json::Value) -> bool| {
        let mut last = json!(null);
        let seen = argus_e2e::wait_until(std::time::Duration::from_secs(30), || {
            last = argus.ipc(Command::GsmGetStatus).value.unwrap_or_default();
            want(&last)
        });
        assert!(seen, "{last}");
        last
    };
    let up = status(&|s| s["reachable"] == true);
    assert_eq!(
        (
            up["registration"].as_str(),
            up["signal"].as_u64(),
            up["signal_dbm"].as_i64()
        ),
        (Some("home"), Some(20), Some(-73))
    );
    modem.network(false);
    status(&|s| s["registration"] == "searching" && s["signal"].is_null());
    modem.network(true);
    status(&|s| s["registration"] == "home");

    drop(modem);
    let down = status(&|s| s["reachable"] == false);
    assert!(down["last_error"].is_string(), "{down}");
    let _back = FakeModem::start_with(&["--link", link]);
    status(&|s| s["reachable"] == true && s["registration"] == "home");
    let changes = argus_e2e::count(
        &db.url(),
        "SELECT 1 FROM argus_event WHERE kind = 'gsm_status'",
    );
    assert!(changes >= 5, "up, searching, home, down, up: {changes}");
}
