//! Two `argus-server` instances on one database (what a load balancer in
//! front of several would see): a token issued through one works on the
//! other, and a user deleted through one is refused by the other without
//! waiting for its cache to age (a trigger on `user` sends `NOTIFY`; the
//! cache's own refresh is a minute, longer than this test waits).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use argus_e2e::{http_with, wait_until, Argus, WAIT};
use serde_json::json;

use crate::support::demo_with;

fn get(addr: &str, path: &str, bearer: &str) -> u16 {
    http_with(addr, "GET", path, &[("Authorization", bearer)], None).status
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
