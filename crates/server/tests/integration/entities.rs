//! Conformance of the configuration writes (contract §5.4–5.8, §16.1):
//! areas, zones, sensors, outputs and keypads — success shapes, 204 when
//! unchanged, 409 while armed and for conflicts, 400 for invalid input.

use argus_db::schema::{area, sensor};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::call;
use crate::support::{config, demo_db, state, user_token, LiveMonitor};

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

fn arm_everything(db: &argus_db::test_db::TestDb) {
    diesel::update(area::table)
        .set(area::arm_state.eq(argus_db::enums::ArmState::Away))
        .execute(&mut db.conn())
        .unwrap();
}

#[actix_web::test]
async fn areas_are_created_renamed_guarded_and_deleted() {
    let db = demo_db();
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let admin = user_token(1, "admin", 0);
    let user = user_token(2, "user", 0);

    let (status, created) = call!(
        app,
        POST,
        "/api/areas/",
        Some(admin.as_str()),
        Some(json!({"name": "Garage"}))
    );
    assert_eq!(status, 201, "{created}");
    assert_eq!(keys(&created), ["armState", "id", "name", "uiOrder"]);
    assert_eq!(created["armState"], "disarm");
    let id = created["id"].as_i64().unwrap();

    let (status, _) = call!(
        app,
        POST,
        "/api/areas/",
        Some(admin.as_str()),
        Some(json!({"name": "x".repeat(33)}))
    );
    assert_eq!(status, 400);
    let (status, body) = call!(
        app,
        POST,
        "/api/areas/",
        Some(admin.as_str()),
        Some(json!({}))
    );
    assert_eq!(status, 400, "{body}");
    assert!(body["error"].is_string());

    let uri = format!("/api/area/{id}");
    let (status, body) = call!(app, GET, &uri, admin);
    assert_eq!((status, body["name"].as_str()), (200, Some("Garage")));
    let (status, _) = call!(app, GET, &uri, user);
    assert_eq!(status, 403, "admin only");
    let (status, body) = call!(
        app,
        PUT,
        &uri,
        Some(admin.as_str()),
        Some(json!({"name": "Barn"}))
    );
    assert_eq!((status, body["name"].as_str()), (200, Some("Barn")));
    let (status, body) = call!(
        app,
        PUT,
        &uri,
        Some(admin.as_str()),
        Some(json!({"name": "Barn"}))
    );
    assert_eq!((status, body), (204, Value::Null), "unchanged");

    let (status, _) = call!(
        app,
        PUT,
        "/api/areas/reorder",
        Some(admin.as_str()),
        Some(json!([{"id": id, "uiOrder": 7}]))
    );
    assert_eq!(status, 200);
    let (_, body) = call!(app, GET, &uri, admin);
    assert_eq!(body["uiOrder"], 7);

    // The demo's first area has sensors: 409 names them, nothing is deleted.
    let (status, body) = call!(app, DELETE, "/api/area/1", admin);
    assert_eq!(status, 409, "{body}");
    assert!(body["error"].as_str().unwrap().contains("sensors"));

    let (status, _) = call!(app, DELETE, &uri, admin);
    assert_eq!(status, 204);
    let (status, body) = call!(app, GET, &uri, admin);
    assert_eq!((status, body), (404, json!({"error": "Area not found"})));
    let (status, body) = call!(app, GET, "/api/area/abc", admin);
    assert_eq!(
        (status, body),
        (
            400,
            json!({"error": "Invalid 'id': expected a whole number (1 to 2147483647), got 'abc'"})
        ),
        "ArPI: 404 Invalid route"
    );
    let (status, body) = call!(app, GET, "/api/area/99999999999", admin);
    assert_eq!(
        (
            status,
            body["error"]
                .as_str()
                .unwrap_or_default()
                .starts_with("Invalid 'id'")
        ),
        (400, true),
        "past i32: {body}"
    );

    arm_everything(&db);
    let (status, body) = call!(
        app,
        POST,
        "/api/areas/",
        Some(admin.as_str()),
        Some(json!({"name": "Late"}))
    );
    assert_eq!(
        (status, body),
        (
            409,
            json!({"error": "Configuration changes are not allowed in the current state"})
        )
    );
}

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

#[actix_web::test]
async fn sensors_check_channels_and_reset_references() {
    let db = demo_db();
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let admin = user_token(1, "admin", 0);
    let device = crate::support::device_token(1);
    let new = |channel: i64, kind: &str| {
        json!({"name": "Hall", "areaId": 1, "zoneId": 1, "channel": channel, "channelType": kind,
               "enabled": true, "typeId": 1})
    };

    // Channel 1 is a basic input of the demo; channel 0 holds channel_a and channel_b.
    let (status, body) = call!(
        app,
        POST,
        "/api/sensors/",
        Some(admin.as_str()),
        Some(new(1, "basic"))
    );
    assert_eq!(
        (status, body),
        (
            409,
            json!({"error": "Channel conflict with existing sensors"})
        )
    );
    let (status, _) = call!(
        app,
        POST,
        "/api/sensors/",
        Some(admin.as_str()),
        Some(new(0, "channel_a"))
    );
    assert_eq!(status, 409);
    let (status, body) = call!(
        app,
        POST,
        "/api/sensors/",
        Some(admin.as_str()),
        Some(new(15, "basic"))
    );
    assert_eq!(status, 400, "channels are 0..INPUT_NUMBER-1: {body}");
    let (status, _) = call!(
        app,
        POST,
        "/api/sensors/",
        Some(admin.as_str()),
        Some(json!({"name": "x"}))
    );
    assert_eq!(status, 400);
    let mut unknown_zone = new(9, "basic");
    unknown_zone["zoneId"] = json!(999);
    let (status, body) = call!(
        app,
        POST,
        "/api/sensors/",
        Some(admin.as_str()),
        Some(unknown_zone)
    );
    assert_eq!(
        (status, body),
        (400, json!({"error": "Unknown zone (999)"}))
    );

    let (status, created) = call!(
        app,
        POST,
        "/api/sensors/",
        Some(admin.as_str()),
        Some(new(9, "basic"))
    );
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        keys(&created),
        [
            "alert",
            "areaId",
            "channel",
            "channelType",
            "description",
            "enabled",
            "error",
            "id",
            "monitorPeriod",
            "monitorThreshold",
            "name",
            "sensorContactType",
            "sensorEolCount",
            "silentAlert",
            "typeId",
            "uiHidden",
            "uiOrder",
            "zoneId"
        ]
    );
    assert_eq!(
        (
            created["sensorContactType"].as_str(),
            created["sensorEolCount"].as_str()
        ),
        (Some("NO"), Some("single"))
    );
    assert_eq!(
        (&created["monitorThreshold"], &created["monitorPeriod"]),
        (&json!(100), &Value::Null),
        "what ArPI stores for a sensor created without the field"
    );
    let id = created["id"].as_i64().unwrap();
    let uri = format!("/api/sensor/{id}");

    diesel::update(sensor::table.find(i32::try_from(id).unwrap()))
        .set(sensor::reference_value.eq(Some(0.5)))
        .execute(&mut db.conn())
        .unwrap();
    let (status, _) = call!(
        app,
        PUT,
        &uri,
        Some(admin.as_str()),
        Some(json!({"channel": 1}))
    );
    assert_eq!(status, 409, "moving onto a used channel");
    let (status, body) = call!(
        app,
        PUT,
        &uri,
        Some(admin.as_str()),
        Some(json!({"channel": 10, "monitorThreshold": 50}))
    );
    assert_eq!(
        (status, &body["channel"], &body["monitorThreshold"]),
        (200, &json!(10), &json!(50))
    );
    let reference: Option<f64> = sensor::table
        .find(i32::try_from(id).unwrap())
        .select(sensor::reference_value)
        .first(&mut db.conn())
        .unwrap();
    assert_eq!(reference, None, "a new channel clears the reference");
    let (status, _) = call!(
        app,
        PUT,
        &uri,
        Some(admin.as_str()),
        Some(json!({"monitorThreshold": 101}))
    );
    assert_eq!(status, 400);
    let (status, _) = call!(
        app,
        PUT,
        &uri,
        Some(admin.as_str()),
        Some(json!({"channel": 10}))
    );
    assert_eq!(status, 204);

    // The references are cleared, then the monitor's reload reply is passed
    // on (this test's monitor has no engine, so it refuses the reload).
    let reference_of = |id: i32| -> Option<f64> {
        sensor::table
            .find(id)
            .select(sensor::reference_value)
            .first(&mut db.conn())
            .unwrap()
    };
    diesel::update(sensor::table)
        .set(sensor::reference_value.eq(Some(0.5)))
        .execute(&mut db.conn())
        .unwrap();
    let (status, _) = call!(app, PUT, &format!("{uri}/reset-reference"), admin);
    assert!(status == 200 || status == 500, "{status}");
    assert_eq!(
        (reference_of(i32::try_from(id).unwrap()), reference_of(1)),
        (None, Some(0.5))
    );
    let (status, _) = call!(app, PUT, "/api/sensors/reset-references", admin);
    assert!(status == 200 || status == 500, "{status}");
    assert_eq!(reference_of(1), None);
    let (status, _) = call!(app, PUT, "/api/sensor/999/reset-reference", admin);
    assert_eq!(status, 404);

    let (status, body) = call!(app, GET, "/api/sensor/alert", device);
    assert_eq!((status, body), (200, json!(false)));
    diesel::update(sensor::table.find(i32::try_from(id).unwrap()))
        .set(sensor::alert.eq(true))
        .execute(&mut db.conn())
        .unwrap();
    let (_, body) = call!(app, GET, "/api/sensor/alert", device);
    assert_eq!(body, json!(true));
    let (_, body) = call!(
        app,
        GET,
        &format!("/api/sensor/alert?sensorId={id}"),
        device
    );
    assert_eq!(body, json!(true));
    let (_, body) = call!(app, GET, "/api/sensor/alert?sensorId=1", device);
    assert_eq!(body, json!(false));
    let (_, body) = call!(app, GET, "/api/sensor/error", device);
    assert_eq!(body, json!(false));

    let (status, _) = call!(app, DELETE, &uri, admin);
    assert_eq!(status, 204);
    let (status, body) = call!(app, GET, &uri, admin);
    assert_eq!((status, body), (404, json!({"error": "Sensor not found"})));

    arm_everything(&db);
    let (status, body) = call!(
        app,
        PUT,
        "/api/sensor/1",
        Some(admin.as_str()),
        Some(json!({"name": "Moved"}))
    );
    assert_eq!(
        (status, body),
        (
            409,
            json!({"error": "Configuration changes are not allowed currently"})
        )
    );
}

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

#[actix_web::test]
async fn keypads_are_updated_created_and_deleted() {
    let db = demo_db();
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let admin = user_token(1, "admin", 0);

    let (status, keypad) = call!(app, GET, "/api/keypad/1", admin);
    assert_eq!(status, 200, "{keypad}");
    assert_eq!(keys(&keypad), ["enabled", "id", "typeId"]);
    let (status, body) = call!(
        app,
        PUT,
        "/api/keypad/1",
        Some(admin.as_str()),
        Some(json!({"enabled": true}))
    );
    assert_eq!((status, body), (409, json!({"error": "No changes made"})));
    let (status, _) = call!(
        app,
        PUT,
        "/api/keypad/1",
        Some(admin.as_str()),
        Some(json!({"enabled": false}))
    );
    assert_ne!(status, 409);
    let (_, keypad) = call!(app, GET, "/api/keypad/1", admin);
    assert_eq!(keypad["enabled"], false);

    let (status, body) = call!(
        app,
        PUT,
        "/api/keypad/5",
        Some(admin.as_str()),
        Some(json!({"typeId": 99}))
    );
    assert_eq!(
        (status, body),
        (400, json!({"error": "Unknown keypad type (99)"}))
    );
    let (status, _) = call!(
        app,
        PUT,
        "/api/keypad/5",
        Some(admin.as_str()),
        Some(json!({"typeId": keypad["typeId"]}))
    );
    assert_ne!(status, 409);
    let (status, created) = call!(app, GET, "/api/keypad/5", admin);
    assert_eq!(
        (status, &created["typeId"]),
        (200, &keypad["typeId"]),
        "PUT creates"
    );

    let (status, _) = call!(app, DELETE, "/api/keypad/5", admin);
    assert_ne!(status, 404);
    let (status, _) = call!(app, GET, "/api/keypad/5", admin);
    assert_eq!(status, 404, "ArPI's delete was a no-op; argus deletes");
    let (status, _) = call!(app, DELETE, "/api/keypad/5", admin);
    assert_eq!(status, 404);
}
