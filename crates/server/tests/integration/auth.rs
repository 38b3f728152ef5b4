//! Registration, PIN login, lock-out and the token guards (contract §3).

use actix_web::test;
use argus_db::seed::{seed, Dataset};
use argus_db::test_db::TestDb;
use serde_json::{json, Value};

use crate::support::{config, state, LiveMonitor};

macro_rules! call {
    ($app:expr, $req:expr) => {{
        let resp = test::call_service(&$app, $req.to_request()).await;
        let status = resp.status().as_u16();
        let renewed = resp.headers().get("user-token").is_some();
        let body: Value =
            serde_json::from_slice(&test::read_body(resp).await).unwrap_or(Value::Null);
        (status, body, renewed)
    }};
}

fn register(code: &str) -> test::TestRequest {
    test::TestRequest::post()
        .uri("/api/user/register_device")
        .insert_header(("Origin", "http://localhost:4200"))
        .set_json(json!({ "registration_code": code }))
}

fn authenticate(device: &str, pin: Value) -> test::TestRequest {
    test::TestRequest::post()
        .uri("/api/user/authenticate")
        .insert_header(("Authorization", format!("Bearer {device}")))
        .insert_header(("Origin", "http://localhost:4200"))
        .set_json(json!({ "device_token": device, "access_code": pin }))
}

fn demo() -> TestDb {
    let db = TestDb::new();
    seed(&mut db.conn(), Dataset::Demo, false).unwrap();
    db
}

#[actix_web::test]
async fn register_then_login_then_the_code_is_spent() {
    let db = demo();
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let (status, body, _) = call!(app, register("abcd-1234"));
    assert_eq!(status, 200, "{body}");
    let device = body["device_token"].as_str().unwrap().to_owned();

    let (status, body, _) = call!(app, authenticate(&device, json!("1234")));
    assert_eq!(status, 200);
    assert!(body["user_token"]
        .as_str()
        .is_some_and(|t| t.split('.').count() == 3));
    let (status, body, _) = call!(app, authenticate(&device, json!(1234)));
    assert_eq!(
        (status, body.get("user_token").is_some()),
        (200, true),
        "a numeric PIN works too"
    );
    let (status, body, _) = call!(app, authenticate(&device, json!("9999")));
    assert_eq!(
        (status, body),
        (200, json!(false)),
        "a wrong PIN is 200 false"
    );

    let (status, body, _) = call!(app, register("ABCD1234"));
    assert_eq!(
        (status, body),
        (
            400,
            json!({"error": "Failed to register device", "reason": "User not found"})
        ),
        "single use"
    );
}

#[actix_web::test]
async fn registration_errors() {
    let db = demo();
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let no_origin = test::TestRequest::post()
        .uri("/api/user/register_device")
        .set_json(json!({"registration_code": "ABCD1234"}));
    let (status, body, _) = call!(app, no_origin);
    assert_eq!(
        (status, body["reason"].as_str()),
        (400, Some("Missing Origin header"))
    );
    let (status, body, _) = call!(app, register(""));
    assert_eq!(
        (status, body["reason"].as_str()),
        (400, Some("Missing registration code"))
    );
}

#[actix_web::test]
async fn five_wrong_pins_lock_out_the_device() {
    let db = demo();
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let (_, body, _) = call!(app, register("ABCD1234"));
    let device = body["device_token"].as_str().unwrap().to_owned();
    for _ in 0..5 {
        let (_, body, _) = call!(app, authenticate(&device, json!("0000")));
        assert_eq!(body, json!(false));
    }
    let (status, body, _) = call!(app, authenticate(&device, json!("1234")));
    assert_eq!(
        (status, body),
        (200, json!(false)),
        "locked out: even the right PIN is refused"
    );
    let events: i64 = {
        use argus_db::schema::argus_event;
        use diesel::prelude::*;
        argus_event::table
            .filter(argus_event::kind.eq("lockout"))
            .count()
            .get_result(&mut db.conn())
            .unwrap()
    };
    assert_eq!(events, 1, "the lock-out is recorded");
}

#[actix_web::test]
async fn guards_answer_with_the_contract_bodies() {
    let db = demo();
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let (_, body, _) = call!(app, register("ABCD1234"));
    let device = body["device_token"].as_str().unwrap().to_owned();
    let get = |uri: &str, token: Option<&str>| {
        let mut r = test::TestRequest::get().uri(uri);
        if let Some(t) = token {
            r = r.insert_header(("Authorization", format!("Bearer {t}")));
        }
        r
    };
    let put = |uri: &str, token: Option<&str>| {
        let mut r = test::TestRequest::put().uri(uri);
        if let Some(t) = token {
            r = r.insert_header(("Authorization", format!("Bearer {t}")));
        }
        r
    };
    assert_eq!(
        call!(app, get("/api/monitoring/state", None)).1,
        json!({"error": "missing device token"})
    );
    assert_eq!(
        call!(app, get("/api/monitoring/state", Some("x.y.z"))).1,
        json!({"error": "invalid device token"})
    );
    let (status, body, renewed) = call!(app, get("/api/monitoring/state", Some(&device)));
    assert_eq!(
        (status, body, renewed),
        (200, json!({"state": "monitoring_ready"}), false)
    );

    let (status, body, _) = call!(app, put("/api/monitoring/disarm", None));
    assert_eq!(
        (status, body),
        (
            403,
            json!({"error": "operation not permitted (missing token)"})
        )
    );
    let (status, body, _) = call!(app, put("/api/monitoring/disarm", Some(&device)));
    assert_eq!(
        (status, body),
        (401, json!({"error": "token expired"})),
        "a device token is no user token"
    );
    let (status, body, _) = call!(app, put("/api/monitoring/disarm", Some("a.b.c")));
    assert_eq!(
        (status, body),
        (
            403,
            json!({"error": "operation not permitted (wrong token)"})
        )
    );

    let (_, body, _) = call!(app, authenticate(&device, json!("1234")));
    let user = body["user_token"].as_str().unwrap().to_owned();
    let (status, body, renewed) = call!(
        app,
        put("/api/monitoring/arm?type=arm_sideways", Some(&user))
    );
    assert_eq!(
        (status, body, renewed),
        (
            400,
            json!({"error": "Unknown arm type (arm_sideways): use type=arm_away or type=arm_stay"}),
            false
        )
    );
    let (status, body, _) = call!(app, get("/api/monitoring/arm", Some(&device)));
    assert_eq!((status, body), (200, json!({"type": "disarm"})));
    let (status, body, _) = call!(app, get("/api/power", Some(&device)));
    assert_eq!((status, body), (200, json!({"state": "network"})));
    let (status, body, _) = call!(app, get("/api/monitoring/isAlert", Some(&device)));
    assert_eq!((status, body), (200, json!(false)));
}

/// An ArPI database may still hold `sha256(code:SALT)` PINs: they log in
/// (with ArPI's `SALT`) and are replaced by bcrypt on that first login.
#[actix_web::test]
async fn a_legacy_pin_logs_in_and_is_upgraded() {
    use argus_db::hash::{is_bcrypt, legacy_hash};
    use argus_db::models::User;
    let db = demo();
    User::set_access_code(
        &mut db.conn(),
        2,
        &legacy_hash("1111", "pepper"),
        &legacy_hash("1111", "pepper"),
    )
    .unwrap();
    let monitor = LiveMonitor::start();
    let mut cfg = config(&db, &monitor.path);
    cfg.salt = Some(argus_server::config::Secret("pepper".into()));
    let app = crate::app!(state(cfg));
    let device = crate::support::device_token(2);

    let (status, body, _) = call!(app, authenticate(&device, json!("1112")));
    assert_eq!((status, body), (200, json!(false)));
    assert!(!is_bcrypt(
        &User::find(&mut db.conn(), 2).unwrap().access_code
    ));
    let (status, body, _) = call!(app, authenticate(&device, json!("1111")));
    assert_eq!(status, 200);
    assert!(body["user_token"].is_string());
    let upgraded = User::find(&mut db.conn(), 2).unwrap();
    assert!(is_bcrypt(&upgraded.access_code) && is_bcrypt(&upgraded.fourkey_code));
    assert!(argus_db::hash::verify_secret("1111", &upgraded.access_code, None).ok());
    let (status, body, _) = call!(app, authenticate(&device, json!("1111")));
    assert_eq!(status, 200, "and keeps working: {body}");
}
