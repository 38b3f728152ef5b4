//! The test e-mail through the monitor's IPC, to a local SMTP server.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use argus_db::models::NewOption;
use argus_db::schema::option;
use argus_db::seed::{seed, Dataset};
use argus_db::test_db::TestDb;
use argus_e2e::{Argus, SmtpSink};
use argus_protocol::Command;
use diesel::prelude::*;
use serde_json::json;

#[test]
fn the_test_email_reaches_both_addresses_with_the_location() {
    let sink = SmtpSink::start();
    let db = TestDb::new();
    let mut conn = db.conn();
    seed(&mut conn, Dataset::Demo, false).unwrap();
    let smtp = json!({"enabled": true, "smtp_hostname": "127.0.0.1", "smtp_port": sink.port, "smtp_username": "",
        "smtp_password": "", "email_address_1": "one@example.org", "email_address_2": "two@example.org"});
    let options = [
        NewOption {
            name: "notifications",
            section: "smtp",
            value: Some(smtp.to_string()),
        },
        NewOption {
            name: "system",
            section: "location",
            value: Some(json!({"name": "Holiday home"}).to_string()),
        },
    ];
    diesel::insert_into(option::table)
        .values(&options[..])
        .execute(&mut conn)
        .unwrap();
    let argus = Argus::start(db.url());

    let reply = argus.ipc(Command::SendTestEmail);
    assert!(reply.result, "{reply:?}");
    assert_eq!(reply.other, Some(json!({"email1": true, "email2": true})));
    let (to, data) = sink.next();
    assert_eq!(to, ["one@example.org"]);
    assert!(
        data.contains("Subject: [ArPI] [Test] Test message"),
        "{data}"
    );
    assert!(data.contains("Location: Holiday home"), "{data}");
    assert_eq!(sink.next().0, ["two@example.org"]);
}

#[test]
fn an_unreachable_server_is_reported_per_address() {
    let db = TestDb::new();
    let mut conn = db.conn();
    seed(&mut conn, Dataset::Demo, false).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port(); // closed again at once
    let smtp = json!({"enabled": true, "smtp_hostname": "127.0.0.1", "smtp_port": port, "email_address_1": "one@example.org"});
    diesel::insert_into(option::table)
        .values(NewOption {
            name: "notifications",
            section: "smtp",
            value: Some(smtp.to_string()),
        })
        .execute(&mut conn)
        .unwrap();
    let argus = Argus::start(db.url());
    let reply = argus.ipc(Command::SendTestEmail);
    assert!(!reply.result);
    assert_eq!(reply.message.as_deref(), Some("Error in email sending!"));
    assert_eq!(reply.other, Some(json!({"email1": false, "email2": false})));
}
