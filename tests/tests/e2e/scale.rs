//! Two `argus-server` instances on one database (what a load balancer in
//! front of several would see): a token issued through one works on the
//! other; a user deleted or demoted through one is refused or limited by the
//! other without waiting for its cache to age (a trigger on `user` sends
//! `NOTIFY`; the cache's own refresh is a minute, longer than this test
//! waits); wrong PINs sent to both are counted once, in PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use argus_e2e::{http_with, wait_until, Argus, WAIT};
use serde_json::json;

use crate::support::demo_with;

fn get(addr: &str, path: &str, bearer: &str) -> u16 {
    http_with(addr, "GET", path, &[("Authorization", bearer)], None).status
}

/// A user token for user `id` with `role`, as `Bearer <token>`.
fn user_bearer(id: i64, name: &str, role: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let token = argus_protocol::jwt::sign(
        &json!({"id": id, "name": name, "role": role, "origin": "http://localhost:4200", "timestamp": now}),
        argus_e2e::TEST_SECRET.as_bytes(),
    )
    .unwrap();
    format!("Bearer {token}")
}

/// Logs in with the demo administrator's device and `pin`: a user token or not.
fn login(addr: &str, device: &str, pin: &str) -> bool {
    let body = json!({"device_token": device, "access_code": pin}).to_string();
    let bearer = format!("Bearer {device}");
    let r = http_with(
        addr,
        "POST",
        "/api/user/authenticate",
        &[
            ("Authorization", &bearer),
            ("Origin", "http://localhost:4200"),
            ("Content-Type", "application/json"),
        ],
        Some(&body),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    r.json().get("user_token").is_some()
}

#[test]
fn wrong_pins_sent_to_two_instances_are_counted_once() {
    let db = demo_with(&[]);
    let argus = Argus::start(db.url());
    let (_a, a) = argus.start_server();
    let (_b, b) = argus.start_server();
    let device = argus_e2e::device_token(1, "http://localhost:4200");
    assert!(login(&a, &device, "1234"), "the right PIN logs in");
    // Five wrong PINs, alternating as a round-robin balancer sends them:
    // three reach A and two reach B. Counted per process, neither would lock.
    for i in 0..5 {
        assert!(!login(if i % 2 == 0 { &a } else { &b }, &device, "0000"));
    }
    for addr in [&a, &b] {
        assert!(
            !login(addr, &device, "1234"),
            "{addr} lets the right PIN through after five wrong ones on both"
        );
    }
    let admin = argus_e2e::admin_bearer();
    let listed = http_with(
        &b,
        "GET",
        "/api/lockouts",
        &[("Authorization", &admin)],
        None,
    );
    assert_eq!(listed.status, 200, "{}", listed.body);
    let device_counter = listed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["kind"] == "device")
        .cloned()
        .unwrap_or_else(|| panic!("{}", listed.body));
    assert_eq!(device_counter["failures"], 5, "{}", listed.body);
    assert!(device_counter["locked_for"].as_u64().unwrap() > 0);
    let cleared = http_with(
        &a,
        "DELETE",
        "/api/lockouts?user_id=1",
        &[("Authorization", &admin)],
        None,
    );
    assert_eq!(cleared.status, 200, "{}", cleared.body);
    assert!(
        login(&b, &device, "1234"),
        "cleared through A, B lets the owner in"
    );
}

#[test]
fn a_user_promoted_or_demoted_through_one_instance_has_the_new_role_on_the_other_at_once() {
    let db = demo_with(&[]);
    let argus = Argus::start(db.url());
    let (_a, a) = argus.start_server();
    let (_b, b) = argus.start_server();
    let admin = argus_e2e::admin_bearer();
    let chuck = user_bearer(2, "Chuck Norris", "admin");
    let me = http_with(&a, "GET", "/api/user/2", &[("Authorization", &admin)], None);
    assert_eq!(me.status, 200, "{}", me.body);
    let role = |role: &str| {
        let mut user = me.json();
        user["role"] = json!(role);
        let body = user.to_string();
        let r = http_with(
            &a,
            "PUT",
            "/api/user/2",
            &[
                ("Authorization", &admin),
                ("Content-Type", "application/json"),
            ],
            Some(&body),
        );
        assert_eq!(r.status, 200, "{}", r.body);
    };
    assert_eq!(
        get(&b, "/api/lockouts", &chuck),
        403,
        "a user's token claiming admin is limited"
    );
    role("admin");
    assert!(
        wait_until(WAIT, || get(&b, "/api/lockouts", &chuck) == 200),
        "B does not see the promotion"
    );
    role("user");
    assert!(
        wait_until(WAIT, || get(&b, "/api/lockouts", &chuck) == 403),
        "B still lets a user demoted through A act as an administrator"
    );
}

#[test]
fn a_token_from_one_instance_works_on_the_other_and_a_deleted_user_is_refused_by_both_at_once() {
    let db = demo_with(&[]);
    let argus = Argus::start(db.url());
    let (_a, a) = argus.start_server();
    let (_b, b) = argus.start_server();
    let admin = argus_e2e::admin_bearer();
    let chuck = argus_protocol::jwt::sign(
        &json!({"id": 2, "name": "Chuck Norris", "role": "user", "origin": "http://localhost:4200",
                "timestamp": std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()}),
        argus_e2e::TEST_SECRET.as_bytes(),
    )
    .unwrap();
    let chuck = format!("Bearer {chuck}");
    for addr in [&a, &b] {
        assert_eq!(get(addr, "/api/sensors/", &chuck), 200, "{addr}");
        assert_eq!(get(addr, "/api/users", &admin), 200, "{addr}");
    }
    // Deleted through A; B has him cached from the request above.
    let deleted = http_with(
        &a,
        "DELETE",
        "/api/user/2",
        &[("Authorization", &admin)],
        None,
    );
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert!(
        wait_until(WAIT, || get(&b, "/api/sensors/", &chuck) != 200),
        "B still serves a user A deleted"
    );
    let refused = http_with(
        &b,
        "GET",
        "/api/sensors/",
        &[("Authorization", &chuck)],
        None,
    );
    assert!(
        matches!(refused.status, 401 | 403),
        "{} {}",
        refused.status,
        refused.body
    );
    assert_eq!(
        get(&a, "/api/sensors/", &chuck),
        refused.status,
        "both refuse alike"
    );
}
