//! `manage adopt-arpi` takes over an ArPI database without touching its data,
//! and refuses anything else without changing it.

use argus_db::migrate;
use argus_db::test_db::TestDb;
use diesel::connection::SimpleConnection;
use std::process::{Command, Output};

use crate::catalog;

const ARPI_SCHEMA: &str =
    include_str!("../../../../migrations/2024-03-14-000000_arpi_baseline/up.sql");

fn manage(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_manage"))
        .args(args)
        .env("DATABASE_URL", db.url())
        .output()
        .expect("run manage")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Everything a test can compare to show "nothing changed": schema plus every table's rows.
fn snapshot(db: &TestDb) -> Vec<String> {
    let mut conn = db.conn();
    let mut all = catalog::fingerprint(&mut conn);
    let tables: Vec<String> = catalog::columns(&mut conn)
        .iter()
        .map(|l| l.split('|').next().unwrap_or_default().to_owned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    for t in tables {
        all.extend(catalog::rows(&mut conn, &format!("\"{t}\"")));
    }
    all
}

const ARPI_DATA: &str = r#"
INSERT INTO "user" (id, name, email, role, access_code, fourkey_code) VALUES
    (12345678, 'Owner', 'o@example.org', 'admin', '$2b$12$abcdefghijklmnopqrstuuH7m3yVxXqg5b2V6cHq0lB9m0Bq2m9a', 'x');
INSERT INTO area (name, arm_state, deleted) VALUES ('House', 'DISARM', false);
INSERT INTO zone (name, description, away_alert_delay, stay_alert_delay, away_arm_delay, stay_arm_delay, deleted)
    VALUES ('Door', 'Entry', 20, 10, 30, 0, false);
INSERT INTO sensor_type (name, description) VALUES ('Open', 'Detect opening');
INSERT INTO sensor (channel, name, zone_id, area_id, type_id, ui_hidden) VALUES (2, 'Front door', 1, 1, 1, false);
INSERT INTO alert (start_time, end_time, silent) VALUES ('2026-01-02 03:04:05+00', '2026-01-02 03:10:00+00', false);
INSERT INTO arm (type, time, user_id) VALUES ('AWAY', '2026-01-02 03:00:00+00', 12345678);
INSERT INTO disarm (time, user_id, alert_id, arm_id) VALUES ('2026-01-02 03:10:00+00', 12345678, 1, 1);
INSERT INTO option (name, section, value) VALUES ('syren', 'timing', '{"silent": false, "delay": 0, "duration": 0}');
"#;

#[test]
fn adopts_an_arpi_database_and_keeps_its_data() {
    let db = TestDb::empty();
    db.conn().batch_execute(ARPI_SCHEMA).unwrap();
    db.conn().batch_execute(ARPI_DATA).unwrap();
    let arpi_tables = [
        "\"user\"",
        "area",
        "zone",
        "sensor_type",
        "sensor",
        "alert",
        "arm",
        "disarm",
        "option",
        "alembic_version",
    ];
    let before: Vec<Vec<String>> = arpi_tables
        .iter()
        .map(|t| catalog::rows(&mut db.conn(), t))
        .collect();

    let adopted = manage(&db, &["adopt-arpi"]);
    assert!(adopted.status.success(), "{}", text(&adopted));
    assert!(text(&adopted).contains("adopted"));
    let pending = migrate::pending(&mut db.conn()).unwrap();
    assert_eq!(
        pending,
        migrate::all_versions().unwrap()[1..],
        "only argus's own migrations are pending"
    );

    let migrated = manage(&db, &["migrate"]);
    assert!(migrated.status.success(), "{}", text(&migrated));
    assert!(migrate::pending(&mut db.conn()).unwrap().is_empty());

    let after: Vec<Vec<String>> = arpi_tables
        .iter()
        .map(|t| catalog::rows(&mut db.conn(), t))
        .collect();
    assert_eq!(before, after, "ArPI's data is untouched");
    assert_eq!(
        catalog::rows(&mut db.conn(), "alembic_version"),
        ["(4df9df54d928)"]
    );
    assert!(catalog::columns(&mut db.conn())
        .iter()
        .any(|l| l.starts_with("argus_event|")));

    let again = manage(&db, &["adopt-arpi"]);
    assert!(again.status.success(), "{}", text(&again));
    assert!(text(&again).contains("already adopted"));
}

#[test]
fn refuses_an_unrelated_database_and_changes_nothing() {
    let db = TestDb::empty();
    db.conn().batch_execute("CREATE TABLE inventory (id serial PRIMARY KEY, item text); INSERT INTO inventory (item) VALUES ('lamp');").unwrap();
    let before = snapshot(&db);
    let out = manage(&db, &["adopt-arpi"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("not an ArPI database"),
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("nothing was changed"), "{}", text(&out));
    assert_eq!(snapshot(&db), before);
}

#[test]
fn refuses_an_older_arpi_revision_and_changes_nothing() {
    let db = TestDb::empty();
    db.conn().batch_execute(ARPI_SCHEMA).unwrap();
    db.conn()
        .batch_execute("UPDATE alembic_version SET version_num = '710d6b5f7f5b'")
        .unwrap();
    let before = snapshot(&db);
    let out = manage(&db, &["adopt-arpi"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("710d6b5f7f5b"), "{}", text(&out));
    assert_eq!(snapshot(&db), before);
}
