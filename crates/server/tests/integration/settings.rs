//! Option sections and the rest of `/api/config` (contract §5.9, §6, §16):
//! defaults, masked secrets, the static registry, 409 while armed, the
//! public facts; the clock; CORS; `openapi.json`.

use argus_db::models::OptionRow;
use argus_db::schema::area;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::call;
use crate::support::{config, demo_db, state, user_token, LiveMonitor, SECRET};

fn stored(db: &argus_db::test_db::TestDb, name: &str, section: &str) -> Value {
    let row = OptionRow::find(&mut db.conn(), name, section)
        .unwrap()
        .unwrap();
    serde_json::from_str(row.value.as_deref().unwrap()).unwrap()
}

/// ArPI's config dataclasses (`monitor/config/models.py`) as a never-saved
/// section shows them, and argus's additions (a `duress` column per
/// subscription row, the webhook, power and SIA sections); secrets are
/// `null` until saved, then masked.
fn arpi_defaults() -> Vec<(&'static str, &'static str, Value)> {
    let subscription = json!({"alert_started": false, "alert_stopped": false,
        "power_outage_started": false, "power_outage_stopped": false, "duress": false,
        "node_offline": false, "node_online": false, "telemetry": false});
    vec![
        (
            "syren",
            "timing",
            json!({"silent": false, "delay": 0, "duration": 0}),
        ),
        (
            "alert",
            "sensitivity",
            json!({"monitor_period": null, "monitor_threshold": null}),
        ),
        (
            "notifications",
            "smtp",
            json!({"enabled": false, "smtp_hostname": null,
            "smtp_port": null, "smtp_username": null, "smtp_password": null,
            "email_address_1": null, "email_address_2": null}),
        ),
        (
            "notifications",
            "gsm",
            json!({"enabled": false, "pin_code": null,
            "phone_number_1": null, "phone_number_2": null}),
        ),
        (
            "notifications",
            "subscriptions",
            json!({"call1": subscription, "call2": subscription,
            "sms1": subscription, "sms2": subscription, "email1": subscription,
            "email2": subscription, "satellite": subscription}),
        ),
        (
            "network",
            "dyndns",
            json!({"username": null, "password": null, "hostname": null,
            "provider": null, "restrict_host": false, "certbot_email": null}),
        ),
        (
            "network",
            "access",
            json!({"service_enabled": true, "restrict_local_network": false,
            "password_authentication_enabled": true}),
        ),
        (
            "mqtt",
            "connection",
            json!({"enabled": true, "external": false}),
        ),
        (
            "mqtt",
            "external_publish",
            json!({"hostname": null, "port": 8883, "username": null,
            "password": null, "tls_enabled": true, "tls_insecure": false, "ca_file": null}),
        ),
        (
            "system",
            "location",
            json!({"name": null, "description": null, "latitude": null,
            "longitude": null, "country": null, "city": null, "state": null, "zip_code": null,
            "address": null, "contact_name": null, "contact_phone": null,
            "contact_email": null}),
        ),
        (
            "argus",
            "policy",
            json!({"open_sensors": "refuse", "swinger_limit": 3}),
        ),
        (
            "mqtt",
            "homeassistant",
            json!({"discovery_prefix": "homeassistant", "arpi_topics": false, "force_arm": false}),
        ),
        (
            "notifications",
            "webhook",
            json!({"enabled": false, "url": null, "secret": null}),
        ),
        (
            "notifications",
            "power",
            json!({"report_delay_seconds": 60}),
        ),
        (
            "notifications",
            "satellite",
            json!({"enabled": false, "imei": null}),
        ),
        (
            "notifications",
            "sia",
            json!({"enabled": false, "account": null, "protocol": "SIA-DCS",
            "receiver_host": null, "receiver_port": null, "backup_host": null,
            "backup_port": null, "key": null, "link_test_seconds": 3600}),
        ),
        (
            "telemetry",
            "redis",
            json!({"enabled": false, "url": null, "channel": "sensor_stream"}),
        ),
        (
            "telemetry",
            "retention",
            json!({"raw_days": 30, "rollup_days": 730}),
        ),
        ("telemetry", "availability", json!({"stale_seconds": 900})),
        ("nodes", "supervision", json!({"tamper_when_armed": true})),
        (
            "nodes",
            "rockblock",
            json!({"jwt_public_key": null, "mt_url": "https://rockblock.rock7.com/rockblock/MT",
            "mt_username": null, "mt_password": null}),
        ),
    ]
}

#[actix_web::test]
async fn every_typed_section_answers_its_defaults_when_never_saved() {
    let db = demo_db();
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let admin = user_token(1, "admin", 0);
    let defaults = arpi_defaults();
    assert_eq!(
        defaults.len(),
        argus_protocol::options::SECTIONS.len(),
        "every registered section is pinned here"
    );
    for (name, section, value) in defaults {
        let path = format!("/api/config/{name}/{section}");
        let (status, body) = call!(app, GET, &path, admin);
        assert_eq!(
            (status, body),
            (
                200,
                json!({"name": name, "section": section, "value": value})
            ),
            "{path}"
        );
    }
    // Unregistered (and monitor-internal) sections: ArPI's 404 `null` on GET.
    for path in ["/api/config/foo/bar", "/api/config/mqtt/internal_publish"] {
        let (status, body) = call!(app, GET, path, admin);
        assert_eq!((status, body), (404, Value::Null), "{path}");
    }
    let (status, body) = call!(
        app,
        PUT,
        "/api/config/foo/bar",
        Some(admin.as_str()),
        Some(json!({}))
    );
    assert_eq!(
        (status, body),
        (400, json!({"error": "Unknown option (foo/bar)"}))
    );
}

#[actix_web::test]
async fn option_sections_have_defaults_and_never_show_secrets() {
    let db = demo_db();
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let admin = user_token(1, "admin", 0);

    let smtp = json!({"enabled": true, "smtp_hostname": "mail.example.org", "smtp_port": 587,
                      "smtp_username": "alarm", "smtp_password": "hunter2", "email_address_1": "a@example.org"});
    let (status, body) = call!(
        app,
        PUT,
        "/api/config/notifications/smtp",
        Some(admin.as_str()),
        Some(smtp)
    );
    assert_eq!((status, body), (200, Value::Null), "ArPI's empty 200");
    let (status, shown) = call!(app, GET, "/api/config/notifications/smtp", admin);
    assert_eq!(status, 200);
    assert_eq!(
        (shown["name"].as_str(), shown["section"].as_str()),
        (Some("notifications"), Some("smtp"))
    );
    assert_eq!(shown["value"]["smtp_password"], "******");
    assert_eq!(
        shown["value"]["email_address_2"],
        Value::Null,
        "defaults fill the rest"
    );
    assert!(!shown.to_string().contains("hunter2"));

    // The web app sends the whole form back, mask included: the password stays.
    let mut form = shown["value"].clone();
    form["smtp_port"] = json!(465);
    let (status, _) = call!(
        app,
        PUT,
        "/api/config/notifications/smtp",
        Some(admin.as_str()),
        Some(form)
    );
    assert_eq!(status, 200);
    let saved = stored(&db, "notifications", "smtp");
    assert_eq!(
        (saved["smtp_password"].as_str(), saved["smtp_port"].as_i64()),
        (Some("hunter2"), Some(465))
    );

    let (status, body) = call!(
        app,
        PUT,
        "/api/config/notifications/smtp",
        Some(admin.as_str()),
        Some(json!({"smtp_pasword": "x"}))
    );
    assert_eq!(
        (status, body),
        (400, json!({"error": "Unknown option (smtp_pasword)"}))
    );
    let (status, _) = call!(
        app,
        PUT,
        "/api/config/syren/timing",
        Some(admin.as_str()),
        Some(json!({"delay": "x"}))
    );
    assert_eq!(status, 400);

    // ArPI always answered 500 here.
    let (status, _) = call!(
        app,
        PUT,
        "/api/config/syren/timing",
        Some(admin.as_str()),
        Some(json!({"silent": false, "delay": 10, "duration": 300}))
    );
    assert_eq!(status, 200);
    assert_eq!(
        stored(&db, "syren", "timing"),
        json!({"silent": false, "delay": 10, "duration": 300})
    );
    let (_, shown) = call!(app, GET, "/api/config/mqtt/internal_read", admin);
    assert_eq!(shown["value"]["username"], "argus_reader");

    let (status, _) = call!(
        app,
        PUT,
        "/api/config/network/dyndns",
        Some(admin.as_str()),
        Some(json!({"hostname": "home.example.org", "password": "p"}))
    );
    assert_eq!(status, 200);
    let (_, shown) = call!(app, GET, "/api/config/network/dyndns", admin);
    assert_eq!(shown["value"]["password"], "******");
    let (status, installation) = call!(app, GET, "/api/config/installation");
    assert_eq!(
        (status, installation),
        (
            200,
            json!({"primaryDomain": "home.example.org", "secondaryDomain": "localhost"})
        )
    );

    let (status, name) = call!(app, GET, "/api/config/location_name");
    assert_eq!((status, name), (200, Value::Null), "ArPI: null until saved");
    call!(
        app,
        PUT,
        "/api/config/system/location",
        Some(admin.as_str()),
        Some(json!({"name": "Cottage", "latitude": 47.5}))
    );
    let (_, name) = call!(app, GET, "/api/config/location_name");
    assert_eq!(name, json!("Cottage"));

    let (status, id) = call!(app, GET, "/api/config/installation_id");
    assert_eq!(status, 200);
    let id = id.as_str().unwrap();
    assert_eq!(
        id,
        argus_server::routes::config_tools::installation_hash(SECRET)
    );
    assert!(
        id.len() == 64
            && id
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    );

    let (status, body) = call!(app, GET, "/api/config/public_access", admin);
    assert_eq!((status, body), (200, json!(false)));

    diesel::update(area::table)
        .set(area::arm_state.eq(argus_db::enums::ArmState::Stay))
        .execute(&mut db.conn())
        .unwrap();
    let (status, body) = call!(
        app,
        PUT,
        "/api/config/syren/timing",
        Some(admin.as_str()),
        Some(json!({"delay": 0}))
    );
    assert_eq!(
        (status, body),
        (
            409,
            json!({"error": "Configuration changes are not allowed currently"})
        )
    );
    for test in [
        "test_email",
        "test_webhook",
        "test_sms",
        "test_call",
        "test_syren",
    ] {
        let (status, body) = call!(app, GET, &format!("/api/config/{test}"), admin);
        assert_eq!(
            (status, body),
            (
                403,
                json!({"result": false, "message": "Testing is not allowed currently."})
            ),
            "{test}"
        );
    }
}

#[actix_web::test]
async fn clock_cors_and_the_openapi_document() {
    let db = demo_db();
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let admin = user_token(1, "admin", 0);

    let (status, clock) = call!(app, GET, "/api/clock", admin);
    assert_eq!(status, 200);
    let mut keys: Vec<&String> = clock.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "hw",
            "network",
            "system",
            "timezone",
            "uptime",
            "uptime_mcp",
            "uptime_monitor",
            "uptime_nginx",
            "uptime_server"
        ]
    );
    let system = clock["system"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_str(system, "%Y-%m-%d %H:%M:%S %z").is_ok(),
        "{system}"
    );
    let (status, _) = call!(
        app,
        PUT,
        "/api/clock",
        Some(admin.as_str()),
        Some(json!({}))
    );
    assert_eq!(status, 400);
    let (status, _) = call!(app, PUT, "/api/clock");
    assert_eq!(status, 403, "ArPI let anyone set the clock");
    let (status, _) = call!(app, GET, "/api/config/test_syren?duration=600", admin);
    assert_eq!(status, 400, "bounded");

    let req = actix_web::test::TestRequest::default()
        .method(actix_web::http::Method::OPTIONS)
        .uri("/api/version")
        .insert_header(("Origin", "http://localhost:4200"))
        .insert_header(("Access-Control-Request-Method", "GET"));
    let resp = actix_web::test::call_service(&app, req.to_request()).await;
    assert_eq!(resp.status().as_u16(), 204);
    assert_eq!(
        resp.headers().get("access-control-allow-origin").unwrap(),
        "http://localhost:4200"
    );
    let req = actix_web::test::TestRequest::get()
        .uri("/api/areas/")
        .insert_header(("Origin", "http://localhost:4200"))
        .insert_header(("Authorization", format!("Bearer {admin}")));
    let resp = actix_web::test::call_service(&app, req.to_request()).await;
    assert_eq!(
        resp.headers().get("access-control-expose-headers").unwrap(),
        "User-Token"
    );
    assert!(resp.headers().contains_key("user-token"));

    let (status, doc) = call!(app, GET, "/api/openapi.json");
    assert_eq!(status, 200);
    let documented: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|m| m.as_object().unwrap().len())
        .sum();
    assert_eq!(documented, argus_server::routes::table::ROUTES.len());

    let (status, body) = call!(
        app,
        POST,
        "/api/areas/",
        Some(admin.as_str()),
        Some(json!("not an object"))
    );
    assert_eq!(status, 400, "{body}");
    let req = actix_web::test::TestRequest::post()
        .uri("/api/areas/")
        .insert_header(("Authorization", format!("Bearer {admin}")))
        .insert_header(("Content-Type", "application/json"))
        .set_payload("{broken");
    let resp = actix_web::test::call_service(&app, req.to_request()).await;
    assert_eq!(
        resp.status().as_u16(),
        400,
        "malformed JSON is the client's error"
    );
}

/// Every route of the table is served: no request to it reaches the
/// "Invalid route" fallback (the other direction, every handler being in
/// the table, is a unit test of `openapi`).
#[actix_web::test]
async fn every_documented_route_is_served() {
    let db = demo_db();
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    for route in argus_server::routes::table::ROUTES {
        let uri = route
            .path
            .replace("{id}", "999999")
            .replace("{name}", "syren")
            .replace("{section}", "timing");
        let req = actix_web::test::TestRequest::default()
            .method(actix_web::http::Method::from_bytes(route.method.as_bytes()).unwrap())
            .uri(&uri);
        let resp = actix_web::test::call_service(&app, req.to_request()).await;
        let status = resp.status().as_u16();
        let body = actix_web::test::read_body(resp).await;
        assert!(
            !(status == 404 && body.as_ref() == b"Invalid route"),
            "{} {} is not served",
            route.method,
            route.path
        );
    }
    let (status, body) = call!(app, GET, "/api/nothing/here");
    assert_eq!((status, body), (404, json!("Invalid route")));
}
