//! `/api/outputs/`, `/api/output/<id>` (contract §5.7): triggers, channels, buttons.

use serde_json::{json, Value};

use crate::call;
use crate::support::{config, demo_db, keys, state, user_token, LiveMonitor};

#[actix_web::test]
async fn outputs_need_a_consistent_trigger_and_a_free_channel() {
    let db = demo_db();
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let admin = user_token(1, "admin", 0);
    let user = user_token(2, "user", 0);
    let output = |channel: i64, trigger: &str, area: Value| {
        json!({"name": "Light", "description": "porch", "channel": channel, "triggerType": trigger,
               "areaId": area, "delay": 0, "duration": 10, "defaultState": false, "enabled": true})
    };

    let (status, body) = call!(
        app,
        POST,
        "/api/outputs/",
        Some(admin.as_str()),
        Some(output(1, "area", Value::Null))
    );
    assert_eq!(
        (status, body),
        (
            400,
            json!({"error": "Area ID must be provided for AREA trigger type"})
        )
    );
    let (status, _) = call!(
        app,
        POST,
        "/api/outputs/",
        Some(admin.as_str()),
        Some(output(1, "button", json!(1)))
    );
    assert_eq!(status, 400);
    let (status, body) = call!(
        app,
        POST,
        "/api/outputs/",
        Some(admin.as_str()),
        Some(output(0, "button", Value::Null))
    );
    assert_eq!(status, 409, "channel 0 is the siren's: {body}");
    let (status, _) = call!(
        app,
        POST,
        "/api/outputs/",
        Some(admin.as_str()),
        Some(json!({"name": "x"}))
    );
    assert_eq!(status, 400, "every field is required");

    let (status, button) = call!(
        app,
        POST,
        "/api/outputs/",
        Some(admin.as_str()),
        Some(output(1, "button", Value::Null))
    );
    assert_eq!(status, 201, "{button}");
    assert_eq!(
        keys(&button),
        [
            "areaId",
            "channel",
            "defaultState",
            "delay",
            "description",
            "duration",
            "enabled",
            "id",
            "name",
            "state",
            "triggerType",
            "uiOrder"
        ]
    );
    let (status, area_output) = call!(
        app,
        POST,
        "/api/outputs/",
        Some(admin.as_str()),
        Some(output(2, "area", json!(1)))
    );
    assert_eq!(status, 201, "{area_output}");
    let (status, body) = call!(
        app,
        POST,
        "/api/outputs/",
        Some(admin.as_str()),
        Some(output(2, "system", Value::Null))
    );
    assert_eq!(
        (status, body),
        (
            409,
            json!({"error": "Channel conflict with existing outputs"})
        )
    );

    let (status, list) = call!(app, GET, "/api/outputs/", user);
    assert_eq!((status, list.as_array().map(Vec::len)), (200, Some(2)));

    let (status, body) = call!(
        app,
        PUT,
        &format!("/api/output/{}/activate", area_output["id"]),
        user
    );
    assert_eq!(
        (status, body),
        (
            409,
            json!({"error": "Only buttons can be activated manually"})
        )
    );
    let (status, _) = call!(app, PUT, "/api/output/999/activate", user);
    assert_eq!(status, 404);

    let uri = format!("/api/output/{}", button["id"]);
    let (status, body) = call!(
        app,
        PUT,
        &uri,
        Some(admin.as_str()),
        Some(json!({"duration": 30}))
    );
    assert_eq!((status, &body["duration"]), (200, &json!(30)));
    let (status, _) = call!(
        app,
        PUT,
        &uri,
        Some(admin.as_str()),
        Some(json!({"duration": 30}))
    );
    assert_eq!(status, 204);
    let (status, _) = call!(app, DELETE, &uri, admin);
    assert_eq!(status, 204);
    let (status, _) = call!(app, GET, &uri, admin);
    assert_eq!(status, 404);
}
