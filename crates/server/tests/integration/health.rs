//! `/api/health` reports the database and the monitor.

use actix_web::test;
use argus_db::test_db::TestDb;
use serde_json::Value;

use crate::support::{config, state, LiveMonitor};

macro_rules! health {
    ($app:expr) => {{
        let resp = test::call_service(
            &$app,
            test::TestRequest::get().uri("/api/health").to_request(),
        )
        .await;
        let status = resp.status().as_u16();
        let body: Value = test::read_body_json(resp).await;
        (status, body)
    }};
}

#[actix_web::test]
async fn both_up() {
    let db = TestDb::new();
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let (status, body) = health!(app);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"]["up"], true);
    assert_eq!(body["database"]["pending_migrations"], 0);
    assert_eq!(body["monitor"]["up"], true);
    assert_eq!(body["monitor"]["state"], "monitoring_ready");
}

#[actix_web::test]
async fn monitor_down() {
    let db = TestDb::new();
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.dir.path().join("absent.sock"))));
    let (status, body) = health!(app);
    assert_eq!(status, 503);
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["database"]["up"], true);
    assert_eq!(body["monitor"]["up"], false);
}

#[actix_web::test]
async fn database_down() {
    let db = TestDb::new();
    let monitor = LiveMonitor::start();
    let mut cfg = config(&db, &monitor.path);
    cfg.db = argus_db::DbConfig::from_url(argus_db::test_db::url_of("no_such_database_here"));
    let app = crate::app!(state(cfg));
    let (status, body) = health!(app);
    assert_eq!(status, 503);
    assert_eq!(body["database"]["up"], false);
    assert_eq!(body["monitor"]["up"], true);
}
