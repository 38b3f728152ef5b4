//! The authorisation matrix (contract §3.4, §16.2), generated from the one
//! route table: every route × {no token, device token, expired user token,
//! user token, admin token} gives the guard's status and body, or passes the
//! guard. The monitor is unreachable here, so nothing reaches the machine.

use argus_server::routes::table::{Auth, ROUTES};
use serde_json::{json, Value};

use crate::support::{config, demo_db, device_token, state, user_token};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Client {
    Anonymous,
    Device,
    ExpiredUser,
    User,
    Admin,
}

const CLIENTS: [Client; 5] = [
    Client::Anonymous,
    Client::Device,
    Client::ExpiredUser,
    Client::User,
    Client::Admin,
];

/// The guard's refusal, or `None` when the guard lets the request through.
fn refusal(auth: Auth, client: Client) -> Option<(u16, &'static str)> {
    use Client::*;
    match (auth, client) {
        (Auth::None, _) => None,
        (Auth::Device, Anonymous) => Some((403, "missing device token")),
        (Auth::Device, _) => None,
        (Auth::User | Auth::Admin, Anonymous) => {
            Some((403, "operation not permitted (missing token)"))
        }
        // A device token has no timestamp: ArPI answers "token expired".
        (Auth::User | Auth::Admin, Device | ExpiredUser) => Some((401, "token expired")),
        (Auth::User, User | Admin) => None,
        (Auth::Admin, User) => Some((403, "operation not permitted (role)")),
        (Auth::Admin, Admin) => None,
        // None of these is a node's token.
        (Auth::Node, Anonymous) => Some((401, "missing node token")),
        (Auth::Node, _) => Some((401, "invalid node token")),
    }
}

/// Every body a guard answers with.
const GUARD_ERRORS: [&str; 9] = [
    "missing device token",
    "invalid device token",
    "operation not permitted (missing token)",
    "operation not permitted (wrong token)",
    "token expired",
    "operation not permitted (role)",
    "missing node token",
    "invalid node token",
    "token of another node",
];

#[actix_web::test]
async fn every_route_and_every_kind_of_caller() {
    let db = demo_db();
    let app = crate::app!(state(config(
        &db,
        std::path::Path::new("/nonexistent/argus.sock")
    )));
    let tokens = [
        None,
        Some(device_token(1)),
        Some(user_token(1, "admin", 16 * 60)),
        Some(user_token(2, "user", 0)),
        Some(user_token(1, "admin", 0)),
    ];
    let mut failures = Vec::new();
    let mut cells = 0;
    for route in ROUTES {
        let uri = route
            .path
            .replace("{id}", "999999")
            .replace("{name}", "syren")
            .replace("{section}", "timing");
        for (client, token) in CLIENTS.iter().zip(&tokens) {
            let mut req = actix_web::test::TestRequest::default()
                .method(actix_web::http::Method::from_bytes(route.method.as_bytes()).unwrap())
                .uri(&uri);
            if let Some(t) = token {
                req = req.insert_header(("Authorization", format!("Bearer {t}")));
            }
            if route.method == "POST" || route.method == "PUT" {
                req = req.set_json(json!({}));
            }
            let resp = actix_web::test::call_service(&app, req.to_request()).await;
            let status = resp.status().as_u16();
            let raw = actix_web::test::read_body(resp).await;
            let body: Value = serde_json::from_slice(&raw).unwrap_or(Value::Null);
            let error = body
                .get("error")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let refused_by_guard =
                (status == 401 || status == 403) && GUARD_ERRORS.contains(&error);
            let ok = match refusal(route.auth, *client) {
                Some((want_status, want_error)) => status == want_status && error == want_error,
                None => !refused_by_guard && raw.as_ref() != b"Invalid route",
            };
            cells += 1;
            if !ok {
                failures.push(format!(
                    "{} {} as {client:?}: got {status} {body}, expected {:?}",
                    route.method,
                    route.path,
                    refusal(route.auth, *client)
                        .map_or("through the guard".to_owned(), |r| format!("{r:?}"))
                ));
            }
        }
    }
    assert_eq!(cells, ROUTES.len() * CLIENTS.len());
    assert!(
        failures.is_empty(),
        "{} of {cells} cells wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[actix_web::test]
async fn tokens_signed_with_another_secret_are_refused() {
    let db = demo_db();
    let app = crate::app!(state(config(
        &db,
        std::path::Path::new("/nonexistent/argus.sock")
    )));
    let claims = argus_server::auth::UserClaims {
        id: 1,
        name: "x".into(),
        role: "admin".into(),
        origin: None,
        timestamp: argus_server::auth::now_seconds(),
    };
    let forged = argus_protocol::jwt::sign(&claims, b"another secret").unwrap();
    let (status, body) = crate::call!(app, GET, "/api/users", forged);
    assert_eq!(
        (status, body),
        (
            403,
            json!({"error": "operation not permitted (wrong token)"})
        )
    );
    let (status, body) = crate::call!(app, GET, "/api/power", forged);
    assert_eq!(
        (status, body),
        (403, json!({"error": "invalid device token"}))
    );
}

/// Tokens are stateless, but a deleted user's tokens stop working and a
/// changed role applies at once (ArPI honoured both until SECRET changed).
#[actix_web::test]
async fn tokens_follow_the_user_table() {
    let db = demo_db();
    let app = crate::app!(state(config(
        &db,
        std::path::Path::new("/nonexistent/argus.sock")
    )));
    let admin = user_token(1, "admin", 0);
    let (status, _) = crate::call!(
        app,
        POST,
        "/api/users",
        Some(admin.as_str()),
        Some(json!({"name": "Temp", "role": "admin", "accessCode": "1357"}))
    );
    assert_eq!(status, 200);
    let (_, users) = crate::call!(app, GET, "/api/users", admin);
    let id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "Temp")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (temp_device, temp_user) = (device_token(id), user_token(id, "admin", 0));
    let (status, _) = crate::call!(app, GET, "/api/keypadtypes", temp_user);
    assert_eq!(status, 200);

    let (status, _) = crate::call!(
        app,
        PUT,
        &format!("/api/user/{id}"),
        Some(admin.as_str()),
        Some(json!({"role": "user"}))
    );
    assert_eq!(status, 200);
    let (status, body) = crate::call!(app, GET, "/api/keypadtypes", temp_user);
    assert_eq!(
        (status, body),
        (403, json!({"error": "operation not permitted (role)"})),
        "demoted at once"
    );
    let (status, _) = crate::call!(app, GET, "/api/sensors/", temp_user);
    assert_eq!(status, 200, "still a user");

    let (status, _) = crate::call!(app, DELETE, &format!("/api/user/{id}"), admin);
    assert_eq!(status, 200);
    let (status, body) = crate::call!(app, GET, "/api/sensors/", temp_user);
    assert_eq!(
        (status, body),
        (
            403,
            json!({"error": "operation not permitted (wrong token)"})
        )
    );
    let (status, body) = crate::call!(app, GET, "/api/power", temp_device);
    assert_eq!(
        (status, body),
        (403, json!({"error": "invalid device token"}))
    );
}
