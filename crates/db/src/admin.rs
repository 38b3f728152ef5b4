//! Cluster administration: create the role and database argus uses, wipe data.

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

/// An administrative step failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Could not connect to the server.
    #[error("cannot connect to PostgreSQL: {0}")]
    Connect(#[from] diesel::ConnectionError),
    /// The server refused a statement.
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    /// A role or database name that is not a plain identifier.
    #[error("invalid identifier {0:?}: use letters, digits and underscores")]
    BadIdentifier(String),
}

/// What `init_db` created.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct InitReport {
    /// The role was missing and has been created.
    pub role_created: bool,
    /// The database was missing and has been created.
    pub database_created: bool,
}

/// Checks that a name is a plain SQL identifier, so it can be quoted safely.
pub fn checked_identifier(name: &str) -> Result<&str, AdminError> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if first_ok && name.len() <= 63 && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(name)
    } else {
        Err(AdminError::BadIdentifier(name.to_owned()))
    }
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = Bool)]
    flag: bool,
}

fn exists(conn: &mut PgConnection, sql: &str, name: &str) -> Result<bool, AdminError> {
    let row: Flag = diesel::sql_query(sql)
        .bind::<Text, _>(name)
        .get_result(conn)?;
    Ok(row.flag)
}

/// Creates `owner` (a login role) and `database` owned by it, when missing.
/// `admin` is a connection to a maintenance database as a role allowed to create
/// both. Running it again changes nothing.
pub fn init_db(
    admin: &mut PgConnection,
    database: &str,
    owner: Option<&str>,
) -> Result<InitReport, AdminError> {
    let database = checked_identifier(database)?;
    let mut report = InitReport::default();
    if let Some(owner) = owner {
        let owner = checked_identifier(owner)?;
        if !exists(
            admin,
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS flag",
            owner,
        )? {
            admin.batch_execute(&format!("CREATE ROLE \"{owner}\" LOGIN CREATEDB"))?;
            report.role_created = true;
        }
    }
    if !exists(
        admin,
        "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS flag",
        database,
    )? {
        let owner_clause = owner.map(|o| format!(" OWNER \"{o}\"")).unwrap_or_default();
        admin.batch_execute(&format!("CREATE DATABASE \"{database}\"{owner_clause}"))?;
        report.database_created = true;
    }
    Ok(report)
}

/// Tables holding data, children before parents (the order for deleting).
pub const DATA_TABLES: &[&str] = &[
    "argus_open_arm",
    "argus_ota_job",
    "argus_firmware_file",
    "argus_firmware",
    "argus_node_input",
    "argus_node_event",
    "argus_node_token",
    "argus_node",
    "argus_job_error",
    "argus_job",
    "argus_rockblock_message",
    "argus_telemetry_rule",
    "argus_telemetry_reading",
    "argus_telemetry_latest",
    "argus_telemetry_hourly",
    "alert_sensor",
    "disarm",
    "arm_sensor",
    "arm",
    "alert",
    "card",
    "output",
    "sensor",
    "keypad",
    "keypad_type",
    "sensor_type",
    "zone",
    "area",
    "option",
    "\"user\"",
    "argus_event",
];

/// Deletes every row of every data table and restarts their id sequences
/// (ArPI's `argus-data -d`). The schema and migration records stay.
pub fn wipe(conn: &mut PgConnection) -> Result<(), AdminError> {
    conn.batch_execute(&format!(
        "TRUNCATE {} RESTART IDENTITY",
        DATA_TABLES.join(", ")
    ))?;
    Ok(())
}

/// Whether the database holds any configuration (users or areas).
pub fn has_data(conn: &mut PgConnection) -> Result<bool, AdminError> {
    let row: Flag = diesel::sql_query(
        "SELECT (EXISTS (SELECT 1 FROM \"user\") OR EXISTS (SELECT 1 FROM area)) AS flag",
    )
    .get_result(conn)?;
    Ok(row.flag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_checked() {
        assert!(checked_identifier("argus").is_ok());
        assert!(checked_identifier("_t_12").is_ok());
        for bad in ["", "1abc", "a b", "a\"; DROP", "x-y"] {
            assert!(checked_identifier(bad).is_err(), "{bad}");
        }
    }
}
