//! Users (contract §5.1, §16): create, validate, update, delete; registration codes; MCP tokens.

use argus_db::hash::verify_secret;
use argus_db::models::User;
use argus_db::schema::{arm, card, user};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::call;
use crate::support::{config, demo_db, state, user_token, LiveMonitor};

fn pin_of(db: &argus_db::test_db::TestDb, id: i32) -> String {
    User::find(&mut db.conn(), id).unwrap().access_code
}

#[actix_web::test]
async fn users_are_created_validated_updated_and_deleted() {
    let db = demo_db();
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let admin = user_token(1, "admin", 0);
    let chuck = user_token(2, "user", 0);

    for (body, error) in [
        (
            json!({"name": "", "role": "user", "accessCode": "1234"}),
            "Incorrect 'user name' field length (0)",
        ),
        (
            json!({"name": "Ann", "role": "root", "accessCode": "1234"}),
            "Unknown role (root)",
        ),
        (
            json!({"name": "Ann", "role": "user", "accessCode": "12"}),
            "Access code length (>=4, <=12)",
        ),
        (
            json!({"name": "Ann", "role": "user", "accessCode": "12ab"}),
            "Access code only number",
        ),
        (
            json!({"name": "Ann", "role": "user", "accessCode": "1234", "email": "nope"}),
            "Invalid 'email' format",
        ),
    ] {
        let (status, body) = call!(app, POST, "/api/users", Some(admin.as_str()), Some(body));
        assert_eq!((status, body), (400, json!({ "error": error })));
    }
    let (status, _) = call!(
        app,
        POST,
        "/api/users",
        Some(chuck.as_str()),
        Some(json!({"name": "Ann", "role": "user", "accessCode": "5678"}))
    );
    assert_eq!(status, 403, "admin only");
    let (status, body) = call!(
        app,
        POST,
        "/api/users",
        Some(admin.as_str()),
        Some(json!({"name": "Ann", "role": "user", "accessCode": "5678", "comment": "neighbour"}))
    );
    assert_eq!((status, body), (200, Value::Null));
    let ann: User = user::table
        .filter(user::name.eq("Ann"))
        .select(User::as_select())
        .first(&mut db.conn())
        .unwrap();
    assert!(verify_secret("5678", &ann.access_code, None).ok());
    assert!(verify_secret("5678", &ann.fourkey_code, None).ok());
    let ann_uri = format!("/api/user/{}", ann.id);

    // Yourself: name yes, role no, PIN only with the old one.
    let (status, body) = call!(
        app,
        PUT,
        "/api/user/2",
        Some(chuck.as_str()),
        Some(json!({"name": "Chuck"}))
    );
    assert_eq!((status, body), (200, Value::Null));
    let (status, _) = call!(
        app,
        PUT,
        "/api/user/2",
        Some(chuck.as_str()),
        Some(json!({"name": "Chuck"}))
    );
    assert_eq!(status, 204, "unchanged");
    let (status, body) = call!(
        app,
        PUT,
        "/api/user/2",
        Some(chuck.as_str()),
        Some(json!({"role": "admin"}))
    );
    assert_eq!(
        (status, body),
        (403, json!({"error": "Cannot change user role"}))
    );
    let (status, body) = call!(
        app,
        PUT,
        "/api/user/2",
        Some(chuck.as_str()),
        Some(json!({"newAccessCode": "2222", "oldAccessCode": "9999"}))
    );
    assert_eq!(
        (status, body),
        (400, json!({"error": "Invalid old access code"}))
    );
    let (status, _) = call!(
        app,
        PUT,
        "/api/user/2",
        Some(chuck.as_str()),
        Some(json!({"newAccessCode": "22", "oldAccessCode": "1111"}))
    );
    assert_eq!(status, 400);
    let (status, _) = call!(
        app,
        PUT,
        "/api/user/2",
        Some(chuck.as_str()),
        Some(json!({"newAccessCode": "2222", "oldAccessCode": "1111"}))
    );
    assert_eq!(status, 200);
    assert!(verify_secret("2222", &pin_of(&db, 2), None).ok());
    let (status, body) = call!(
        app,
        PUT,
        &ann_uri,
        Some(chuck.as_str()),
        Some(json!({"name": "Eve"}))
    );
    assert_eq!((status, body), (401, json!({"error": "Unauthorized"})));

    // An admin changes others without their PIN, and roles.
    let (status, _) = call!(
        app,
        PUT,
        &ann_uri,
        Some(admin.as_str()),
        Some(json!({"newAccessCode": "4444", "role": "admin", "email": "ann@example.org"}))
    );
    assert_eq!(status, 200);
    assert!(verify_secret("4444", &pin_of(&db, ann.id), None).ok());
    let (_, shown) = call!(app, GET, &ann_uri, admin);
    assert_eq!(
        (shown["role"].as_str(), shown["email"].as_str()),
        (Some("admin"), Some("ann@example.org"))
    );
    let (status, _) = call!(
        app,
        PUT,
        "/api/user/999",
        Some(admin.as_str()),
        Some(json!({"name": "x"}))
    );
    assert_eq!(status, 404);

    // Cards go with the user; arm history keeps a user.
    diesel::insert_into(card::table)
        .values((
            card::code.eq("x"),
            card::user_id.eq(ann.id),
            card::enabled.eq(true),
        ))
        .execute(&mut db.conn())
        .unwrap();
    let (status, body) = call!(app, DELETE, &ann_uri, admin);
    assert_eq!((status, body), (200, Value::Null));
    let cards: i64 = card::table.count().get_result(&mut db.conn()).unwrap();
    assert_eq!(cards, 0);
    diesel::insert_into(arm::table)
        .values((
            arm::type_.eq(argus_db::enums::ArmState::Away),
            arm::time.eq(chrono::Utc::now()),
            arm::user_id.eq(2),
        ))
        .execute(&mut db.conn())
        .unwrap();
    let (status, body) = call!(app, DELETE, "/api/user/2", admin);
    assert_eq!(status, 409, "{body}");
    let (status, body) = call!(app, DELETE, "/api/user/1", admin);
    assert_eq!(
        (status, body),
        (409, json!({"error": "The last admin cannot be removed"}))
    );
    let (status, _) = call!(app, DELETE, "/api/user/999", admin);
    assert_eq!(status, 404);
}

#[actix_web::test]
async fn registration_codes_are_single_and_register_a_device() {
    let db = demo_db();
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let chuck = user_token(2, "user", 0);

    let (status, body) = call!(app, GET, "/api/user/1/registration_code", chuck);
    assert_eq!((status, body), (401, json!({"error": "Unauthorized"})));
    let (status, body) = call!(app, GET, "/api/user/2/registration_code?expiry=600", chuck);
    assert_eq!(status, 200, "{body}");
    let code = body["code"].as_str().unwrap().to_owned();
    assert!(code.len() == 12 && code.bytes().all(|b| b.is_ascii_hexdigit()));
    let (status, body) = call!(app, GET, "/api/user/2/registration_code", chuck);
    assert_eq!(
        (status, body),
        (400, json!({"error": "Already has registration code"}))
    );
    let (_, shown) = call!(app, GET, "/api/user/2", chuck);
    assert_eq!(shown["hasRegistrationCode"], true);
    assert!(shown["registrationExpiry"].is_string());

    let req = actix_web::test::TestRequest::post()
        .uri("/api/user/register_device")
        .insert_header(("Origin", "http://localhost:4200"))
        .set_json(json!({ "registration_code": code.to_lowercase() }));
    let resp = actix_web::test::call_service(&app, req.to_request()).await;
    assert_eq!(
        resp.status().as_u16(),
        200,
        "the new code registers a device"
    );

    let (status, _) = call!(app, GET, "/api/user/2/registration_code", chuck);
    assert_eq!(status, 200, "spent, so a new one may be made");
    let (status, body) = call!(app, DELETE, "/api/user/2/registration_code", chuck);
    assert_eq!((status, body), (200, Value::Null));
    let (_, shown) = call!(app, GET, "/api/user/2", chuck);
    assert_eq!(shown["hasRegistrationCode"], false);
    let (status, _) = call!(app, GET, "/api/user/2/registration_code?expiry=soon", chuck);
    assert_eq!(status, 400);
    let admin = user_token(1, "admin", 0);
    let (status, _) = call!(app, DELETE, "/api/user/999/registration_code", admin);
    assert_eq!(status, 404);
}

#[actix_web::test]
async fn mcp_tokens_are_bounded_and_revocable() {
    let db = demo_db();
    let monitor = LiveMonitor::start();
    let admin = user_token(1, "admin", 0);
    let unconfigured = crate::app!(state(config(&db, &monitor.path)));
    let (status, _) = call!(unconfigured, POST, "/api/user/2/mcp_token?ttl=60", admin);
    assert_eq!(status, 409, "no MCP_SECRET, no tokens");

    let mut cfg = config(&db, &monitor.path);
    cfg.mcp_secret = Some(argus_server::config::Secret("mcp-secret".into()));
    let app = crate::app!(state(cfg));
    let (status, _) = call!(app, POST, "/api/user/2/mcp_token", admin);
    assert_eq!(status, 400, "tokens without expiry are refused");
    let (status, token) = call!(app, POST, "/api/user/2/mcp_token?ttl=3600", admin);
    assert_eq!(status, 200);
    let claims: argus_server::routes::users::codes::McpClaims =
        argus_protocol::jwt::verify(token.as_str().unwrap(), b"mcp-secret").unwrap();
    assert_eq!((claims.id, claims.ttl), (2, 3600));
    let key: Option<String> = user::table
        .find(2)
        .select(user::mcp_key)
        .first(&mut db.conn())
        .unwrap();
    assert_eq!(key.as_deref(), Some(claims.secret.as_str()));
    let (_, has) = call!(app, GET, "/api/user/2/mcp_token", admin);
    assert_eq!(has, json!({"has_mcp_token": true}));
    let (status, _) = call!(app, DELETE, "/api/user/2/mcp_token", admin);
    assert_eq!(status, 200);
    let (_, has) = call!(app, GET, "/api/user/2/mcp_token", admin);
    assert_eq!(has, json!({"has_mcp_token": false}));
    let (status, _) = call!(app, GET, "/api/user/999/mcp_token", admin);
    assert_eq!(status, 404);
}
