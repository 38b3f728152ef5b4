//! `/api/sensors/`, `/api/sensor/<id>` (contract §5.6, §16.1): channel conflicts, reference resets.

use argus_db::schema::sensor;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::call;
use crate::support::{arm_everything, config, demo_db, keys, state, user_token, LiveMonitor};

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
