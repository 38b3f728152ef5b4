//! Plain-text routes and ArPI's unknown-route answer.

use actix_web::test;
use argus_db::test_db::TestDb;

use crate::support::{config, state};

#[actix_web::test]
async fn version_is_text_with_the_git_sha() {
    let db = TestDb::new();
    let app = crate::app!(state(config(&db, "/nonexistent.sock".as_ref())));
    let resp = test::call_service(
        &app,
        test::TestRequest::get().uri("/api/version").to_request(),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert!(resp
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/"));
    let body = String::from_utf8(test::read_body(resp).await.to_vec()).unwrap();
    let (version, sha) = body.split_once(':').unwrap();
    assert_eq!(version, concat!("v", env!("CARGO_PKG_VERSION")));
    assert!(
        sha == "unknown" || (sha.len() == 7 && sha.chars().all(|c| c.is_ascii_hexdigit())),
        "{body}"
    );
}

#[actix_web::test]
async fn board_version_comes_from_the_environment() {
    let db = TestDb::new();
    let app = crate::app!(state(config(&db, "/nonexistent.sock".as_ref())));
    let resp = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/api/board_version")
            .to_request(),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(test::read_body(resp).await, "2");
}

#[actix_web::test]
async fn unknown_routes_answer_invalid_route() {
    let db = TestDb::new();
    let app = crate::app!(state(config(&db, "/nonexistent.sock".as_ref())));
    for uri in ["/api/nothing", "/", "/api/version/extra"] {
        let resp = test::call_service(&app, test::TestRequest::get().uri(uri).to_request()).await;
        assert_eq!(resp.status(), 404, "{uri}");
        assert_eq!(test::read_body(resp).await, "Invalid route", "{uri}");
    }
}
