//! `/api/zones/`, `/api/zone/<id>` (contract §5.5): delays validated, 409 when deleting a zone in use.

use serde_json::{json, Value};

use crate::call;
use crate::support::{config, demo_db, keys, state, user_token, LiveMonitor};

#[actix_web::test]
async fn zones_validate_delays_and_refuse_deleting_used_ones() {
    let db = demo_db();
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let admin = user_token(1, "admin", 0);

    let (status, zone) = call!(
        app,
        POST,
        "/api/zones/",
        Some(admin.as_str()),
        Some(json!({"name": "Porch", "awayAlertDelay": 20}))
    );
    assert_eq!(status, 201, "{zone}");
    assert_eq!(
        keys(&zone),
        [
            "awayAlertDelay",
            "awayArmDelay",
            "description",
            "disarmedDelay",
            "id",
            "name",
            "stayAlertDelay",
            "stayArmDelay",
            "uiOrder"
        ]
    );
    assert_eq!(
        (
            zone["awayAlertDelay"].as_i64(),
            zone["stayArmDelay"].as_i64()
        ),
        (Some(20), Some(0))
    );
    assert_eq!(zone["disarmedDelay"], Value::Null);
    let uri = format!("/api/zone/{}", zone["id"]);

    let (status, body) = call!(
        app,
        PUT,
        &uri,
        Some(admin.as_str()),
        Some(json!({"stay_alert_delay": 10, "id": 99}))
    );
    assert_eq!(
        (status, &body["stayAlertDelay"]),
        (200, &json!(10)),
        "snake_case works, other keys ignored"
    );
    let (status, _) = call!(
        app,
        PUT,
        &uri,
        Some(admin.as_str()),
        Some(json!({"stayAlertDelay": 10}))
    );
    assert_eq!(status, 204);
    let (status, body) = call!(
        app,
        PUT,
        &uri,
        Some(admin.as_str()),
        Some(json!({"awayArmDelay": -1}))
    );
    assert_eq!(
        (status, body),
        (400, json!({"error": "Delay is positive integer (>= 0)"}))
    );
    let (status, _) = call!(
        app,
        PUT,
        &uri,
        Some(admin.as_str()),
        Some(json!({"awayArmDelay": "soon"}))
    );
    assert_eq!(status, 400);

    let (status, body) = call!(app, DELETE, "/api/zone/1", admin);
    assert_eq!(status, 409, "{body}");
    let (status, _) = call!(app, DELETE, &uri, admin);
    assert_eq!(status, 204);
    let (status, _) = call!(app, DELETE, &uri, admin);
    assert_eq!(status, 404);
}
