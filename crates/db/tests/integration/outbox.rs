//! The notification outbox: queueing is idempotent by key, due rows come
//! oldest first, and a delivery ends sent or, after its last attempt, failed.

use argus_db::models::{NewOutbox, OutboxRow};
use argus_db::test_db::TestDb;
use chrono::{Duration, Utc};

fn message<'a>(key: &'a str) -> NewOutbox<'a> {
    NewOutbox {
        key,
        kind: "alert_started",
        channel: "sms",
        slot: 1,
        recipient: "+3611",
        body: "Alarm: Kitchen",
    }
}

#[test]
fn queueing_an_event_twice_keeps_one_row_per_key() {
    let db = TestDb::new();
    let mut conn = db.conn();
    let rows = [message("alert-1:sms1"), message("alert-1:email1")];
    assert_eq!(OutboxRow::enqueue(&mut conn, &rows).unwrap(), 2);
    assert_eq!(
        OutboxRow::enqueue(&mut conn, &rows).unwrap(),
        0,
        "a restart queues the same event again: nothing doubles"
    );
    let due = OutboxRow::due(&mut conn, &["sms"], Utc::now() + Duration::seconds(1), 10).unwrap();
    let keys: Vec<&str> = due.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["alert-1:sms1", "alert-1:email1"]);
    assert!(
        !format!("{due:?}").contains("+3611"),
        "recipients never logged"
    );
}

#[test]
fn a_retry_waits_its_turn_and_sent_or_failed_rows_are_no_longer_due() {
    let db = TestDb::new();
    let mut conn = db.conn();
    OutboxRow::enqueue(&mut conn, &[message("a"), message("b")]).unwrap();
    let now = Utc::now() + Duration::seconds(1);
    let due = OutboxRow::due(&mut conn, &["sms"], now, 10).unwrap();
    let (a, b) = (due[0].id, due[1].id);

    OutboxRow::mark_attempt_failed(
        &mut conn,
        a,
        "no network",
        now,
        Some(now + Duration::seconds(30)),
    )
    .unwrap();
    OutboxRow::mark_sent(&mut conn, b, now).unwrap();
    assert!(OutboxRow::due(&mut conn, &["sms"], now, 10)
        .unwrap()
        .is_empty());

    let later = OutboxRow::due(&mut conn, &["sms"], now + Duration::seconds(30), 10).unwrap();
    assert_eq!(later.len(), 1);
    assert_eq!(
        (later[0].attempts, later[0].last_error.as_deref()),
        (1, Some("no network"))
    );

    OutboxRow::mark_attempt_failed(&mut conn, a, "no network", now, None).unwrap();
    assert!(
        OutboxRow::due(&mut conn, &["sms"], now + Duration::days(1), 10)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn each_lane_sees_its_channels_and_an_acknowledged_call_skips_the_other_number() {
    let db = TestDb::new();
    let mut conn = db.conn();
    let call = |key, slot| NewOutbox {
        channel: "call",
        slot,
        ..message(key)
    };
    let rows = [
        call("alert-9:alert_started:call1", 1),
        call("alert-9:alert_started:call2", 2),
        call("alert-8:alert_started:call2", 2),
        message("alert-9:alert_started:sms1"),
    ];
    OutboxRow::enqueue(&mut conn, &rows).unwrap();
    let now = Utc::now() + Duration::seconds(1);
    assert_eq!(
        OutboxRow::due(&mut conn, &["sms"], now, 10).unwrap().len(),
        1
    );
    let calls = OutboxRow::due(&mut conn, &["call"], now, 10).unwrap();
    assert_eq!(calls.len(), 3);
    assert!(OutboxRow::next_due(&mut conn, &["call"]).unwrap().is_some());
    assert_eq!(OutboxRow::next_due(&mut conn, &["webhook"]).unwrap(), None);
    assert_eq!(calls[0].event_prefix(), "alert-9:alert_started:");

    OutboxRow::mark_sent(&mut conn, calls[0].id, now).unwrap();
    assert_eq!(
        OutboxRow::skip_other_calls(&mut conn, &calls[0]).unwrap(),
        1,
        "only this event's call 2"
    );
    let left = OutboxRow::due(&mut conn, &["call", "sms"], now, 10).unwrap();
    let keys: Vec<&str> = left.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(
        keys,
        ["alert-8:alert_started:call2", "alert-9:alert_started:sms1"]
    );
    assert_eq!(OutboxRow::backlog(&mut conn).unwrap(), 2);
}
