//! Input PostgreSQL cannot store is the client's error, named, and loses
//! nothing: a NUL character anywhere in a JSON body is 400 naming the field.

use serde_json::json;

use crate::call;
use crate::support::{config, demo_db, state, user_token, LiveMonitor};

#[actix_web::test]
async fn a_nul_character_is_400_naming_the_field() {
    let db = demo_db();
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let admin = user_token(1, "admin", 0);
    let (status, body) = call!(
        app,
        POST,
        "/api/sensors/",
        Some(admin.as_str()),
        Some(
            json!({"name": "Ga\u{0}rage", "areaId": 1, "zoneId": 1, "channel": 9,
                    "enabled": true, "typeId": 1})
        )
    );
    assert_eq!(
        (status, body),
        (400, json!({"error": "Invalid character (NUL) in 'name'"}))
    );
    let (status, body) = call!(
        app,
        PUT,
        "/api/config/notifications/subscriptions",
        Some(admin.as_str()),
        Some(json!({"sms1": {"alert_started": true}, "note": "x\u{0}"}))
    );
    assert_eq!(
        (status, body),
        (400, json!({"error": "Invalid character (NUL) in 'note'"}))
    );
    let (status, sensors) = call!(app, GET, "/api/sensors/", admin);
    assert_eq!(status, 200);
    assert_eq!(sensors.as_array().unwrap().len(), 7, "nothing was stored");
    // Bodies without one are untouched.
    let (status, _) = call!(
        app,
        PUT,
        "/api/config/system/location",
        Some(admin.as_str()),
        Some(json!({"name": "Cottage \\u0000 (escaped text, not a NUL)"}))
    );
    assert_eq!(status, 200);
}
