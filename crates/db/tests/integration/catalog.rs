//! Reads a database's catalogue in the formats of `tests/arpi-schema/*.psv`.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

fn lines(conn: &mut PgConnection, sql: &str) -> Vec<String> {
    diesel::sql_query(sql)
        .load::<Line>(conn)
        .expect("catalogue query")
        .into_iter()
        .map(|l| l.line)
        .collect()
}

/// Tables that are bookkeeping of the migration tools, not schema.
const HIDDEN: &str = "('__diesel_schema_migrations')";

/// `table|column|data type|udt|nullable|max length|default`, ordered by table and column.
pub fn columns(conn: &mut PgConnection) -> Vec<String> {
    lines(
        conn,
        &format!(
            "SELECT concat_ws('|', table_name, column_name, data_type, udt_name, is_nullable, \
             coalesce(character_maximum_length::text, ''), coalesce(column_default, '')) AS line \
             FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT IN {HIDDEN} \
             ORDER BY table_name, column_name"
        ),
    )
}

/// `type|label,label,…` in sort order.
pub fn enums(conn: &mut PgConnection) -> Vec<String> {
    lines(
        conn,
        "SELECT t.typname || '|' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS line \
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname ORDER BY t.typname",
    )
}

/// `table|column|referenced table|referenced column`, ordered.
pub fn foreign_keys(conn: &mut PgConnection) -> Vec<String> {
    lines(
        conn,
        "SELECT concat_ws('|', cl.relname, a.attname, rcl.relname, ra.attname) AS line \
         FROM pg_constraint c \
         JOIN pg_class cl ON cl.oid = c.conrelid \
         JOIN pg_class rcl ON rcl.oid = c.confrelid \
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
         JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1] \
         WHERE c.contype = 'f' ORDER BY 1",
    )
}

/// `table|p or u|columns` for primary keys and unique constraints.
pub fn keys(conn: &mut PgConnection) -> Vec<String> {
    lines(
        conn,
        &format!(
            "SELECT concat_ws('|', cl.relname, c.contype, \
             (SELECT string_agg(a.attname, ',' ORDER BY a.attname) FROM pg_attribute a \
              WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey))) AS line \
             FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid \
             JOIN pg_namespace n ON n.oid = cl.relnamespace \
             WHERE c.contype IN ('p', 'u') AND n.nspname = 'public' AND cl.relname NOT IN {HIDDEN} ORDER BY 1"
        ),
    )
}

/// Everything above plus indexes: a fingerprint for "the same schema".
pub fn fingerprint(conn: &mut PgConnection) -> Vec<String> {
    let mut all = columns(conn);
    all.extend(enums(conn));
    all.extend(foreign_keys(conn));
    all.extend(keys(conn));
    all.extend(lines(
        conn,
        "SELECT indexdef AS line FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname",
    ));
    all
}

/// A committed reference file, without trailing blank lines.
pub fn reference(name: &str) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/arpi-schema")
        .join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// Rows of `table` (sorted text), to show data is untouched.
pub fn rows(conn: &mut PgConnection, table: &str) -> Vec<String> {
    lines(
        conn,
        &format!("SELECT t::text AS line FROM {table} t ORDER BY 1"),
    )
}
