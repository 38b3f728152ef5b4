//! `/api/areas/`, `/api/area/<id>` (contract §5.4): create, rename, 409 while armed and while used, soft delete.

use serde_json::{json, Value};

use crate::call;
use crate::support::{arm_everything, config, demo_db, keys, state, user_token, LiveMonitor};

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
