//! `manage init-db` creates the role and the database, and is idempotent.

use argus_db::test_db::url_of;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::Connection;
use std::process::Command;

fn init_db(database: &str, role: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_manage"))
        .arg("init-db")
        .env_remove("DATABASE_URL")
        .env("DB_SCHEMA", database)
        .env("DB_USER", role)
        .output()
        .expect("run manage");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    text
}

#[test]
fn creates_role_and_database_once() {
    let suffix = std::process::id();
    let (database, role) = (format!("initdb_{suffix}"), format!("initrole_{suffix}"));
    let first = init_db(&database, &role);
    assert!(first.contains("created"), "{first}");
    let second = init_db(&database, &role);
    assert!(
        second.contains(&format!("database {database}: exists")),
        "{second}"
    );
    assert!(second.contains(&format!("{role} exists")), "{second}");

    let mut conn = PgConnection::establish(&url_of(&database)).unwrap();
    conn.batch_execute("SELECT 1").unwrap();
    drop(conn);
    let mut admin = PgConnection::establish(&url_of("postgres")).unwrap();
    admin
        .batch_execute(&format!("DROP DATABASE {database} WITH (FORCE)"))
        .unwrap();
    admin.batch_execute(&format!("DROP ROLE {role}")).unwrap();
}
