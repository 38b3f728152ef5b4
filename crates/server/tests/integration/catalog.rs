//! Configuration listings with the contract's JSON shapes (§7).

use actix_web::test;
use argus_db::seed::{seed, Dataset};
use argus_db::test_db::TestDb;
use argus_protocol::jwt;
use argus_server::auth::{now_seconds, UserClaims};
use serde_json::Value;

use crate::support::{config, keys, state, LiveMonitor, SECRET};

fn token(id: i64, role: &str) -> String {
    let claims = UserClaims {
        id,
        name: "t".into(),
        role: role.into(),
        origin: None,
        timestamp: now_seconds(),
    };
    jwt::sign(&claims, SECRET.as_bytes()).unwrap()
}

macro_rules! get {
    ($app:expr, $uri:expr, $token:expr) => {{
        let req = test::TestRequest::get()
            .uri($uri)
            .insert_header(("Authorization", format!("Bearer {}", $token)));
        let resp = test::call_service(&$app, req.to_request()).await;
        let status = resp.status().as_u16();
        let renewed = resp.headers().contains_key("user-token");
        let body: Value =
            serde_json::from_slice(&test::read_body(resp).await).unwrap_or(Value::Null);
        (status, body, renewed)
    }};
}

fn sorted(list: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|s| (*s).to_owned()).collect();
    v.sort();
    v
}

#[actix_web::test]
async fn listings_have_the_contract_shapes() {
    let db = TestDb::new();
    seed(&mut db.conn(), Dataset::Demo, false).unwrap();
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let user = token(2, "user");

    let (status, areas, renewed) = get!(app, "/api/areas/", user);
    assert_eq!(
        (status, renewed),
        (200, true),
        "user routes renew the token"
    );
    assert_eq!(
        keys(&areas[0]),
        sorted(&["id", "name", "armState", "uiOrder"])
    );
    assert_eq!(areas[0]["armState"], "disarm");

    let (_, zones, _) = get!(app, "/api/zones/", user);
    assert_eq!(zones.as_array().unwrap().len(), 5);
    assert_eq!(
        keys(&zones[0]),
        sorted(&[
            "id",
            "name",
            "description",
            "disarmedDelay",
            "awayAlertDelay",
            "stayAlertDelay",
            "awayArmDelay",
            "stayArmDelay",
            "uiOrder"
        ])
    );

    let (_, sensors, _) = get!(app, "/api/sensors/", user);
    assert_eq!(sensors.as_array().unwrap().len(), 7);
    assert_eq!(
        keys(&sensors[0]),
        sorted(&[
            "id",
            "name",
            "description",
            "channel",
            "channelType",
            "sensorContactType",
            "sensorEolCount",
            "alert",
            "error",
            "zoneId",
            "areaId",
            "typeId",
            "enabled",
            "silentAlert",
            "monitorPeriod",
            "monitorThreshold",
            "uiOrder",
            "uiHidden"
        ])
    );
    assert_eq!(sensors[0]["channel"], 0, "ordered by channel");
    for s in sensors.as_array().unwrap() {
        assert_eq!(
            (&s["monitorPeriod"], &s["monitorThreshold"]),
            (&serde_json::Value::Null, &serde_json::json!(100)),
            "a seeded sensor shows what ArPI's seed stores: {s}"
        );
    }
    let (_, alerting, _) = get!(app, "/api/sensors/?alerting=true", user);
    assert_eq!(alerting, serde_json::json!([]));

    let (_, types, _) = get!(app, "/api/sensortypes", user);
    assert_eq!(
        types[0],
        serde_json::json!({"id": 1, "name": "Motion", "description": "Detect motion"})
    );
    let (_, keypads, _) = get!(app, "/api/keypads/", user);
    assert_eq!(keys(&keypads[0]), sorted(&["id", "typeId", "enabled"]));

    let (status, body, _) = get!(app, "/api/keypadtypes", user);
    assert_eq!(
        (status, body),
        (
            403,
            serde_json::json!({"error": "operation not permitted (role)"})
        )
    );
    let (status, types, _) = get!(app, "/api/keypadtypes", token(1, "admin"));
    assert_eq!((status, types.as_array().unwrap().len()), (200, 2));
}

#[actix_web::test]
async fn users_are_shown_without_secrets_and_only_to_whom_they_may_be() {
    let db = TestDb::new();
    seed(&mut db.conn(), Dataset::Demo, false).unwrap();
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let chuck = token(2, "user");

    let (status, users, _) = get!(app, "/api/users", chuck);
    assert_eq!(status, 200);
    assert_eq!(
        keys(&users[0]),
        sorted(&[
            "id",
            "name",
            "email",
            "hasRegistrationCode",
            "hasCard",
            "registrationExpiry",
            "role",
            "comment"
        ])
    );
    assert_eq!(users[0]["role"], "admin", "ordered by role");
    assert_eq!(users[0]["hasRegistrationCode"], true);
    let text = users.to_string();
    assert!(!text.contains("$2b$"), "no hash leaves the server");

    let (status, me, _) = get!(app, "/api/user/2", chuck);
    assert_eq!((status, me["name"].as_str()), (200, Some("Chuck Norris")));
    let (status, body, _) = get!(app, "/api/user/1", chuck);
    assert_eq!(
        (status, body),
        (401, serde_json::json!({"error": "Unauthorized"}))
    );
    let (status, body, _) = get!(app, "/api/user/77", token(1, "admin"));
    assert_eq!(
        (status, body),
        (404, serde_json::json!({"error": "User not found"}))
    );
    let (status, body, _) = get!(app, "/api/user/1/name", chuck);
    assert_eq!((status, body), (200, serde_json::json!("Administrator")));
    let (status, _, _) = get!(app, "/api/user/77/name", chuck);
    assert_eq!(status, 404, "ArPI answered 500 here");
}

#[actix_web::test]
async fn the_event_log_filters_and_pages_for_admins_only() {
    let db = TestDb::new();
    let mut conn = db.conn();
    seed(&mut conn, Dataset::Demo, false).unwrap();
    for kind in ["arm", "alert", "disarm", "lockout", "arm"] {
        argus_db::records::record_event(
            &mut conn,
            chrono::Utc::now(),
            kind,
            Some(1),
            None,
            Some("user"),
            None,
            None,
        )
        .unwrap();
    }
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let admin = token(1, "admin");

    let (status, all, _) = get!(app, "/api/events", admin);
    assert_eq!(status, 200);
    assert_eq!(all.as_array().unwrap().len(), 5);
    assert_eq!(all[0]["kind"], "arm", "newest first");
    assert_eq!(
        keys(&all[0]),
        sorted(&[
            "id", "time", "kind", "userId", "keypadId", "origin", "areaId", "sensorId", "detail"
        ])
    );
    let (_, arms, _) = get!(app, "/api/events?kind=arm", admin);
    assert_eq!(arms.as_array().unwrap().len(), 2);
    let (_, page, _) = get!(app, "/api/events?limit=2&offset=4", admin);
    assert_eq!(page.as_array().unwrap().len(), 1);
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    let (_, dated, _) = get!(
        app,
        &format!("/api/events?since={today}&until={today}"),
        admin
    );
    assert_eq!(dated.as_array().unwrap().len(), 5);
    let (status, _, _) = get!(app, "/api/events?since=yesterday", admin);
    assert_eq!(status, 400);
    let (status, _, _) = get!(app, "/api/events?limit=0", admin);
    assert_eq!(status, 400);
    let (status, _, _) = get!(app, "/api/events", token(2, "user"));
    assert_eq!(status, 403, "duress and lock-outs are for admins");
}
