//! `/api/keypad/<id>` (contract §5.8): update, create on PUT, delete.

use serde_json::json;

use crate::call;
use crate::support::{config, demo_db, keys, state, user_token, LiveMonitor};

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
