//! Set-up several subjects share: the demo dataset with some option
//! sections saved.
#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use argus_db::models::NewOption;
use argus_db::schema::option;
use argus_db::seed::{seed, Dataset};
use argus_db::test_db::TestDb;
use diesel::prelude::*;
use serde_json::Value;

/// Saves `(name, section, value)` option sections.
pub fn set_options(conn: &mut PgConnection, options: &[(&str, &str, Value)]) {
    for (name, section, value) in options {
        diesel::insert_into(option::table)
            .values(NewOption {
                name,
                section,
                value: Some(value.to_string()),
            })
            .execute(conn)
            .unwrap();
    }
}

/// A database with the demo dataset and `options` saved.
pub fn demo_with(options: &[(&str, &str, Value)]) -> TestDb {
    let db = TestDb::new();
    let mut conn = db.conn();
    seed(&mut conn, Dataset::Demo, false).unwrap();
    set_options(&mut conn, options);
    db
}

/// The id of the sensor called `name`.
pub fn sensor_id(db: &TestDb, name: &str) -> i64 {
    argus_e2e::count(
        &db.url(),
        &format!("SELECT generate_series(1, id) FROM sensor WHERE name = '{name}'"),
    )
}

/// The option sections that make `broker` argus's MQTT broker (external, no TLS).
pub fn external_broker(broker: &argus_e2e::Mosquitto) -> Vec<(&'static str, &'static str, Value)> {
    vec![
        (
            "mqtt",
            "connection",
            serde_json::json!({"enabled": true, "external": true}),
        ),
        (
            "mqtt",
            "external_publish",
            serde_json::json!({"hostname": "127.0.0.1", "port": broker.port, "tls_enabled": false}),
        ),
    ]
}
