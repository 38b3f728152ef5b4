//! The keypad and card reader of the simulated board (`argus-sim keys|card`):
//! arming codes, PINs of any length, lock-out, card learning and disarming
//! by card, with the records naming the keypad and the user.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use argus_db::schema::{card, disarm, user};
use argus_db::seed::{seed, Dataset};
use argus_db::test_db::TestDb;
use argus_e2e::{wait_until, Argus, LiveClient, TEST_SECRET};
use argus_protocol::jwt::{sign, DeviceClaims};
use diesel::prelude::*;
use serde_json::{json, Value};
use std::time::Duration;

fn outcomes(argus: &Argus, keys: &str) -> Value {
    let out: Value = serde_json::from_str(&argus.sim(&["keys", keys])).unwrap();
    out["outcomes"].clone()
}

fn demo() -> TestDb {
    let db = TestDb::new();
    seed(&mut db.conn(), Dataset::Demo, false).unwrap();
    db
}

#[test]
fn arming_codes_pins_and_lock_out() {
    let db = demo();
    let argus = Argus::start(db.url());
    assert_eq!(outcomes(&argus, "#1"), json!(["armed"]));
    assert_eq!(argus.state(), "monitoring_armed");
    assert_eq!(
        outcomes(&argus, "1111#"),
        json!(["disarmed"]),
        "Chuck Norris's PIN"
    );
    assert_eq!(argus.state(), "monitoring_ready");
    let mut conn = db.conn();
    assert!(wait_until(Duration::from_secs(20), || {
        disarm::table
            .filter(disarm::user_id.eq(2))
            .filter(disarm::keypad_id.is_not_null())
            .count()
            .get_result::<i64>(&mut conn)
            .unwrap_or(0)
            == 1
    }));

    assert_eq!(outcomes(&argus, "#2"), json!(["armed"]));
    assert_eq!(
        outcomes(&argus, "9999#9999#9999#9999#"),
        json!(["wrong_pin", "wrong_pin", "wrong_pin", "wrong_pin"])
    );
    assert_eq!(outcomes(&argus, "9999#"), json!(["wrong_pin_locked_out"]));
    assert_eq!(
        outcomes(&argus, "1234#"),
        json!(["locked_out"]),
        "even the right PIN waits out the lock-out"
    );
    assert_eq!(argus.state(), "monitoring_armed");
}

#[test]
fn a_learnt_card_disarms_and_a_duplicate_is_refused() {
    let db = demo();
    let argus = Argus::start(db.url());
    let token = sign(
        &DeviceClaims {
            ip: None,
            origin: Some("http://localhost:4200".into()),
            user_id: 1,
        },
        TEST_SECRET.as_bytes(),
    )
    .unwrap();
    let live = LiveClient::connect(
        &argus.live_addr(),
        &token,
        "http://localhost:4200/",
        "websocket",
    );
    assert_eq!(live.next().0, "connected");

    let mut conn = db.conn();
    // As `PUT /api/user/2/register_card` does: the window in the database,
    // then the monitor told.
    let open_window = |conn: &mut PgConnection| {
        diesel::update(user::table.find(2))
            .set(
                user::card_registration_expiry
                    .eq(chrono::Utc::now() + chrono::Duration::seconds(60)),
            )
            .execute(conn)
            .unwrap();
        assert!(
            argus
                .ipc(argus_protocol::Command::MonitorRegisterCard)
                .result
        );
    };
    open_window(&mut conn);
    assert_eq!(
        serde_json::from_str::<Value>(&argus.sim(&["card", "0012345678"])).unwrap()["outcome"],
        "registered"
    );
    assert_eq!(
        live.until("card_registered").last().unwrap().1,
        [json!(true)]
    );
    assert_eq!(
        card::table
            .filter(card::user_id.eq(2))
            .count()
            .get_result::<i64>(&mut conn)
            .unwrap(),
        1
    );

    open_window(&mut conn);
    assert_eq!(
        serde_json::from_str::<Value>(&argus.sim(&["card", "0012345678"])).unwrap()["outcome"],
        "duplicate"
    );
    assert_eq!(
        live.until("card_registered").last().unwrap().1,
        [json!(false)]
    );

    assert_eq!(
        serde_json::from_str::<Value>(&argus.sim(&["card", "0012345678"])).unwrap()["outcome"],
        "ignored_while_disarmed"
    );
    assert_eq!(outcomes(&argus, "#1"), json!(["armed"]));
    assert_eq!(
        serde_json::from_str::<Value>(&argus.sim(&["card", "0012345678"])).unwrap()["outcome"],
        "disarmed"
    );
    assert_eq!(argus.state(), "monitoring_ready");
    assert_eq!(
        serde_json::from_str::<Value>(&argus.sim(&["card", "999"])).unwrap()["outcome"],
        "unknown_card"
    );
}
