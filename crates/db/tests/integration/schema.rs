//! The schema argus creates is ArPI's, and `schema.rs` matches the migrations.

use argus_db::migrate;
use argus_db::test_db::TestDb;
use diesel::migration::{MigrationConnection, MigrationSource};
use diesel::pg::Pg;
use diesel_migrations::MigrationHarness;

use crate::catalog;

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Applies only the baseline migration to an empty database.
fn baseline_only() -> TestDb {
    let db = TestDb::empty();
    let mut conn = db.conn();
    conn.setup().unwrap();
    let mut all = MigrationSource::<Pg>::migrations(&migrate::MIGRATIONS).unwrap();
    all.sort_by_key(|m| m.name().version().to_string());
    conn.run_migration(&*all[0]).unwrap();
    db
}

fn assert_same(actual: Vec<String>, expected: Vec<String>, what: &str) {
    let (actual, expected) = (sorted(actual), sorted(expected));
    let missing: Vec<_> = expected.iter().filter(|l| !actual.contains(l)).collect();
    let extra: Vec<_> = actual.iter().filter(|l| !expected.contains(l)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what} differ from ArPI's:\nmissing {missing:#?}\nextra {extra:#?}"
    );
}

#[test]
fn baseline_is_exactly_arpis_schema() {
    let db = baseline_only();
    let mut conn = db.conn();
    assert_same(
        catalog::columns(&mut conn),
        catalog::reference("arpi-columns.psv"),
        "columns",
    );
    assert_same(
        catalog::enums(&mut conn),
        catalog::reference("arpi-enums.psv"),
        "enum types",
    );
    assert_same(
        catalog::foreign_keys(&mut conn),
        catalog::reference("arpi-fkeys.psv"),
        "foreign keys",
    );
    let keys = sorted(catalog::keys(&mut conn));
    assert!(
        keys.contains(&"alert_sensor|p|alert_id,sensor_id".to_owned()),
        "{keys:?}"
    );
    assert!(
        keys.contains(&"alembic_version|p|version_num".to_owned()),
        "{keys:?}"
    );
    assert!(
        keys.contains(&"user|u|registration_code".to_owned()),
        "{keys:?}"
    );
    let id_keys = keys.iter().filter(|k| k.ends_with("|p|id")).count();
    assert_eq!(
        id_keys, 14,
        "every other table has an id primary key: {keys:?}"
    );
    assert_eq!(
        catalog::rows(&mut conn, "alembic_version"),
        ["(4df9df54d928)"]
    );
}

#[test]
fn later_migrations_leave_arpis_tables_as_they_are() {
    let db = TestDb::new();
    let mut conn = db.conn();
    let arpi_tables: std::collections::HashSet<String> = catalog::reference("arpi-columns.psv")
        .iter()
        .map(|l| l.split('|').next().unwrap_or_default().to_owned())
        .collect();
    let on_arpi_tables: Vec<String> = catalog::columns(&mut conn)
        .into_iter()
        .filter(|l| arpi_tables.contains(l.split('|').next().unwrap_or_default()))
        .collect();
    assert_same(
        on_arpi_tables,
        catalog::reference("arpi-columns.psv"),
        "columns of ArPI's tables",
    );
    assert_same(
        catalog::enums(&mut conn),
        catalog::reference("arpi-enums.psv"),
        "enum types",
    );
}

/// One column as `schema.rs` declares it: `table|column|udt|nullable|max length`.
fn declared_columns() -> Vec<String> {
    let source = include_str!("../../src/schema.rs");
    let mut out = Vec::new();
    let mut table = None;
    let mut sql_name = None;
    let mut max_length = String::new();
    for line in source.lines().map(str::trim) {
        if let Some(rest) = line.strip_suffix('{') {
            if let Some((name, _pk)) = rest.trim().split_once(" (") {
                if !name.contains(' ') {
                    table = Some(name.to_owned());
                }
            }
            continue;
        }
        if line == "}" {
            table = None;
            continue;
        }
        if let Some(n) = line
            .strip_prefix("#[sql_name = \"")
            .and_then(|r| r.strip_suffix("\"]"))
        {
            sql_name = Some(n.to_owned());
            continue;
        }
        if let Some(n) = line
            .strip_prefix("#[max_length = ")
            .and_then(|r| r.strip_suffix(']'))
        {
            max_length = n.to_owned();
            continue;
        }
        let (Some(t), Some((column, ty))) = (
            &table,
            line.strip_suffix(',').and_then(|l| l.split_once(" -> ")),
        ) else {
            continue;
        };
        let (nullable, ty) = match ty
            .strip_prefix("Nullable<")
            .and_then(|t| t.strip_suffix('>'))
        {
            Some(inner) => ("YES", inner),
            None => ("NO", ty),
        };
        let udt = match ty {
            "Int4" => "int4",
            "Int8" => "int8",
            "Varchar" => "varchar",
            "Bool" => "bool",
            "Timestamptz" => "timestamptz",
            "Float8" => "float8",
            "Armstates" => "armstates",
            "ChannelTypes" => "channel_types",
            "SensorContactTypes" => "sensor_contact_types",
            "SensorEolCount" => "sensor_eol_count",
            "OutputTriggerType" => "output_trigger_type",
            other => panic!("schema.rs: unmapped type {other}"),
        };
        let column = sql_name.take().unwrap_or_else(|| column.to_owned());
        out.push(format!(
            "{t}|{column}|{udt}|{nullable}|{}",
            std::mem::take(&mut max_length)
        ));
    }
    out
}

#[test]
fn schema_rs_matches_the_migrations() {
    let db = TestDb::new();
    let mut conn = db.conn();
    let in_db: Vec<String> = catalog::columns(&mut conn)
        .iter()
        .map(|l| {
            let f: Vec<&str> = l.split('|').collect();
            format!("{}|{}|{}|{}|{}", f[0], f[1], f[3], f[4], f[5])
        })
        .collect();
    let declared = declared_columns();
    assert!(
        declared.len() > 100,
        "parser found only {} columns",
        declared.len()
    );
    assert_eq!(
        sorted(declared),
        sorted(in_db),
        "crates/db/src/schema.rs drifted from migrations/"
    );
}
