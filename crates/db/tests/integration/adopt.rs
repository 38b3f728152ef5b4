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

/// ArPI's files as its installer leaves them under the home directory.
fn arpi_home(secret: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let etc = home.path().join(".local/etc/arpi-server");
    std::fs::create_dir_all(&etc).unwrap();
    std::fs::write(
        etc.join("config.env"),
        "# ArPI\nexport BOARD_VERSION=3\nSAMPLE_RATE=100\nexport GSM_PORT=/dev/ttyS0\nLOG_LEVEL=DEBUG\n",
    )
    .unwrap();
    std::fs::write(
        home.path().join("secrets.env"),
        format!(
            "export SECRET=\"{secret}\"\nexport SALT=\"salt with spaces\"\nGOOGLE_API=not-ours\n"
        ),
    )
    .unwrap();
    home
}

fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn adopting_with_arpis_home_carries_its_secret_and_settings_and_keeps_argus_own_lines() {
    let db = TestDb::empty();
    db.conn().batch_execute(ARPI_SCHEMA).unwrap();
    let secret = "arpi's secret that signed every token";
    let home = arpi_home(secret);
    let etc = tempfile::tempdir().unwrap();
    let ours = "# generated by install.sh\nSECRET=argus-generated\nMCP_SECRET=mcp\n";
    std::fs::write(etc.path().join("secrets.env"), ours).unwrap();
    std::fs::write(
        etc.path().join("config.env"),
        "ARGUS_CORS_ORIGINS=https://alarm.home\nBOARD_VERSION=2\n",
    )
    .unwrap();
    let args = [
        "adopt-arpi",
        "--arpi-home",
        home.path().to_str().unwrap(),
        "--etc",
        etc.path().to_str().unwrap(),
    ];

    let out = manage(&db, &args);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains(secret), "values are never printed");
    assert!(text(&out).contains("SECRET, SALT"), "{}", text(&out));
    let secrets = argus_db::adopt_env::parse(
        &std::fs::read_to_string(etc.path().join("secrets.env")).unwrap(),
    );
    let value = |list: &[(String, String)], k: &str| {
        list.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    };
    assert_eq!(value(&secrets, "SECRET").as_deref(), Some(secret));
    assert_eq!(value(&secrets, "SALT").as_deref(), Some("salt with spaces"));
    assert_eq!(value(&secrets, "MCP_SECRET").as_deref(), Some("mcp"));
    assert_eq!(value(&secrets, "GOOGLE_API"), None, "only what argus reads");
    assert_eq!(mode(&etc.path().join("secrets.env")), 0o640);
    let before = etc.path().join("secrets.env.before-adopt");
    assert_eq!(std::fs::read_to_string(&before).unwrap(), ours);
    assert_eq!(mode(&before), 0o600);
    let config = argus_db::adopt_env::parse(
        &std::fs::read_to_string(etc.path().join("config.env")).unwrap(),
    );
    assert_eq!(value(&config, "BOARD_VERSION").as_deref(), Some("3"));
    assert_eq!(value(&config, "SAMPLE_RATE").as_deref(), Some("100"));
    assert_eq!(value(&config, "GSM_PORT").as_deref(), Some("/dev/ttyS0"));
    assert_eq!(
        value(&config, "ARGUS_CORS_ORIGINS").as_deref(),
        Some("https://alarm.home")
    );
    assert_eq!(value(&config, "LOG_LEVEL"), None);
    assert!(
        migrate::pending(&mut db.conn()).unwrap().len() < migrate::all_versions().unwrap().len()
    );

    let files = |dir: &std::path::Path| {
        ["secrets.env", "secrets.env.before-adopt", "config.env"]
            .map(|f| std::fs::read_to_string(dir.join(f)).unwrap())
    };
    let adopted = files(etc.path());
    let again = manage(&db, &args);
    assert!(again.status.success(), "{}", text(&again));
    assert_eq!(
        text(&again).matches("nothing changed").count(),
        3,
        "{}",
        text(&again)
    );
    assert_eq!(files(etc.path()), adopted, "a second run changes nothing");

    let fresh = TestDb::empty();
    fresh.conn().batch_execute(ARPI_SCHEMA).unwrap();
    let etc = tempfile::tempdir().unwrap();
    let mut files_only = args.to_vec();
    files_only[4] = etc.path().to_str().unwrap();
    files_only.push("--files-only");
    let out = manage(&fresh, &files_only);
    assert!(out.status.success(), "{}", text(&out));
    assert!(etc.path().join("secrets.env").exists());
    assert_eq!(
        migrate::pending(&mut fresh.conn()).unwrap().len(),
        migrate::all_versions().unwrap().len(),
        "--files-only leaves the database"
    );
}

#[test]
fn adopting_from_a_home_without_arpis_secret_changes_nothing() {
    let db = TestDb::empty();
    db.conn().batch_execute(ARPI_SCHEMA).unwrap();
    let home = tempfile::tempdir().unwrap();
    let etc = tempfile::tempdir().unwrap();
    std::fs::write(etc.path().join("secrets.env"), "SECRET=argus\n").unwrap();
    let before = snapshot(&db);
    let out = manage(
        &db,
        &[
            "adopt-arpi",
            "--arpi-home",
            home.path().to_str().unwrap(),
            "--etc",
            etc.path().to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("has no SECRET"), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(etc.path().join("secrets.env")).unwrap(),
        "SECRET=argus\n"
    );
    assert_eq!(std::fs::read_dir(etc.path()).unwrap().count(), 1);
    assert_eq!(snapshot(&db), before);
}
