//! schemathesis (PyPI) fuzzes the real server from `/api/openapi.json` with
//! an administrator's token, bounded in time: no request may make it answer
//! 5xx. `scripts/test.sh` installs schemathesis into `tests/schemathesis/.venv`.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use argus_db::seed::{seed, Dataset};
use argus_db::test_db::TestDb;
use argus_e2e::{Argus, TEST_SECRET};
use std::path::Path;
use std::process::Command;

/// The fuzzing budget, seconds.
const MAX_TIME: &str = "60";

#[test]
fn fuzzing_the_documented_api_never_gets_a_server_error() {
    let schemathesis =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("schemathesis/.venv/bin/schemathesis");
    assert!(
        schemathesis.exists(),
        "{} is missing: run scripts/test.sh (it installs tests/schemathesis/requirements.txt)",
        schemathesis.display()
    );
    let db = TestDb::new();
    seed(&mut db.conn(), Dataset::Demo, false).unwrap();
    let argus = Argus::start(db.url());
    let (_server, addr) = argus.start_server();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // Valid for the whole run (the server renews in a header schemathesis ignores).
    let admin = argus_protocol::jwt::sign(
        &serde_json::json!({"id": 1, "name": "Administrator", "role": "admin",
                            "origin": "http://localhost:4200", "timestamp": now + 600}),
        TEST_SECRET.as_bytes(),
    )
    .unwrap();
    let out = Command::new(&schemathesis)
        .args(["run", &format!("http://{addr}/api/openapi.json")])
        .args(["--header", &format!("Authorization: Bearer {admin}")])
        .args(["--checks", "not_a_server_error", "--max-time", MAX_TIME])
        .args(["--workers", "2", "--seed", "1", "--no-color"])
        .env("SCHEMATHESIS_HOOKS", "")
        .current_dir(argus.dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let tail: Vec<&str> = stdout.lines().rev().take(40).collect();
    eprintln!("{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
