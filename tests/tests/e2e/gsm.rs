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
