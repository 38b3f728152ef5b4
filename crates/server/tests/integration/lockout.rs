//! The lock-out under the attacks that walked around the old one: token
//! spellings, forged `X-Real-IP`, another user's success from the same
//! address, and a stolen device token used to lock its owner out. None gets
//! more than the allowed attempts at a user's PIN; the owner keeps a way in.

use actix_web::test;
use argus_protocol::jwt::{sign, DeviceClaims};
use serde_json::{json, Value};
use std::net::SocketAddr;

use crate::support::{config, demo_db, state, user_token, LiveMonitor, SECRET};

/// Wrong PINs allowed before a user's PIN locks (the policy's `free`).
const ALLOWED: usize = 5;

fn device(user_id: i64, ip: &str) -> String {
    sign(
        &DeviceClaims {
            ip: Some(ip.into()),
            origin: Some("http://localhost:4200".into()),
            user_id,
        },
        SECRET.as_bytes(),
    )
    .unwrap()
}

fn login(token: &str, pin: &str, peer: &str, real_ip: Option<&str>) -> test::TestRequest {
    let mut req = test::TestRequest::post()
        .uri("/api/user/authenticate")
        .peer_addr(peer.parse::<SocketAddr>().unwrap())
        .insert_header(("Authorization", format!("Bearer {}", token.trim())))
        .insert_header(("Origin", "http://localhost:4200"))
        .set_json(json!({ "device_token": token, "access_code": pin }));
    if let Some(ip) = real_ip {
        req = req.insert_header(("X-Real-IP", ip));
    }
    req
}

macro_rules! send {
    ($app:expr, $req:expr) => {{
        let resp = test::call_service(&$app, $req.to_request()).await;
        let body: Value = serde_json::from_slice(&test::read_body(resp).await).unwrap();
        body.get("user_token").is_some()
    }};
}

#[actix_web::test]
async fn spellings_of_one_token_share_its_counter() {
    let db = demo_db();
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let token = device(1, "10.0.0.1");
    for i in 0..12 {
        let spelled = format!("{token}{}", " ".repeat(i % 4));
        assert!(!send!(app, login(&spelled, "0000", "127.0.0.1:5000", None)));
    }
    assert!(
        !send!(app, login(&token, "1234", "127.0.0.1:5000", None)),
        "the right PIN after 12 wrong ones is refused"
    );
}

#[actix_web::test]
async fn a_forged_address_from_an_untrusted_peer_is_ignored() {
    let db = demo_db();
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    // A fresh device token each time too: only the user's counter holds.
    for i in 0..12 {
        let token = device(1, &format!("10.0.0.{i}"));
        let forged = format!("10.9.{i}.1");
        assert!(!send!(
            app,
            login(&token, "0000", "192.0.2.10:5000", Some(&forged))
        ));
    }
    let token = device(1, "10.0.0.99");
    assert!(!send!(app, login(&token, "1234", "192.0.2.10:5000", None)));
    let admin = user_token(1, "admin", 0);
    let listed = test::TestRequest::get()
        .uri("/api/lockouts")
        .insert_header(("Authorization", format!("Bearer {admin}")))
        .to_request();
    let listed: Value = test::call_and_read_body_json(&app, listed).await;
    let kinds: Vec<(&str, &str)> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["locked_for"].as_u64() > Some(0))
        .map(|v| (v["kind"].as_str().unwrap(), v["id"].as_str().unwrap_or("")))
        .collect();
    assert!(kinds.contains(&("address", "192.0.2.10")), "{listed}");
    assert!(
        !kinds.iter().any(|(_, id)| id.starts_with("10.9.")),
        "the forged header was not believed: {listed}"
    );
}

#[actix_web::test]
async fn another_users_success_does_not_reset_the_count() {
    let db = demo_db();
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let attacker = device(2, "10.0.0.2");
    let owner = device(1, "10.0.0.1");
    let mut wrong = 0;
    for round in 0..3 {
        for _ in 0..2 {
            assert!(!send!(
                app,
                login(&attacker, "0000", "127.0.0.1:5000", None)
            ));
            wrong += 1;
        }
        assert!(
            send!(app, login(&owner, "1234", "127.0.0.1:5000", None)),
            "round {round}: the owner logs in"
        );
    }
    assert!(wrong > ALLOWED);
    assert!(
        !send!(app, login(&attacker, "1111", "127.0.0.1:5000", None)),
        "user 2's PIN is locked after {wrong} wrong tries"
    );
}

#[actix_web::test]
async fn a_stolen_device_token_cannot_lock_its_owner_out_for_good() {
    let db = demo_db();
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let phone = device(1, "10.0.0.1");
    assert!(send!(app, login(&phone, "1234", "127.0.0.1:5000", None)));
    // Another device of the same user (a token registered elsewhere) guesses.
    let stolen = device(1, "203.0.113.5");
    for _ in 0..20 {
        assert!(!send!(
            app,
            login(&stolen, "0000", "127.0.0.1:5000", Some("203.0.113.5"))
        ));
    }
    assert!(!send!(
        app,
        login(&stolen, "1234", "127.0.0.1:5000", Some("203.0.113.5"))
    ));
    assert!(
        send!(app, login(&phone, "1234", "127.0.0.1:5000", None)),
        "the owner's own phone is not held by the attacker's failures"
    );
    // A copy of the phone's own token shares its counter: an administrator
    // clears it (the keypad also still disarms: tests/tests/offline.rs).
    for _ in 0..ALLOWED + 2 {
        assert!(!send!(
            app,
            login(&phone, "0000", "127.0.0.1:5000", Some("203.0.113.5"))
        ));
    }
    assert!(!send!(app, login(&phone, "1234", "127.0.0.1:5000", None)));
    let admin = user_token(1, "admin", 0);
    let cleared = test::TestRequest::delete()
        .uri("/api/lockouts?user_id=1")
        .insert_header(("Authorization", format!("Bearer {admin}")))
        .to_request();
    let cleared: Value = test::call_and_read_body_json(&app, cleared).await;
    assert!(cleared["cleared"].as_u64() >= Some(1), "{cleared}");
    assert!(send!(app, login(&phone, "1234", "127.0.0.1:5001", None)));
}
