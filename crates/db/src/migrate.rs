//! Embedded migrations and the adoption of an existing ArPI database.
//!
//! The first migration (`arpi_baseline`) creates ArPI's schema at Alembic head
//! [`ARPI_ALEMBIC_HEAD`]; later ones are argus's own and only add. An ArPI
//! database already has the baseline, so [`adopt_arpi`] records it as applied
//! and leaves everything else, `alembic_version` included, untouched.

use diesel::connection::SimpleConnection;
use diesel::migration::{Migration, MigrationSource};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// Every migration, embedded at build time from the workspace `migrations/`.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// ArPI v2.4.0's Alembic head revision.
pub const ARPI_ALEMBIC_HEAD: &str = "4df9df54d928";

/// A migration step failed.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// The database refused a statement.
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    /// diesel's migration harness failed.
    #[error("migration failed: {0}")]
    Harness(String),
    /// `adopt-arpi` found something other than an ArPI database at its head.
    #[error("not an ArPI database at head {ARPI_ALEMBIC_HEAD}: {0}; nothing was changed")]
    NotArpi(String),
}

fn harness(e: Box<dyn std::error::Error + Send + Sync>) -> MigrateError {
    MigrateError::Harness(e.to_string())
}

/// The version of every embedded migration, oldest first.
pub fn all_versions() -> Result<Vec<String>, MigrateError> {
    let mut versions: Vec<String> = MigrationSource::<Pg>::migrations(&MIGRATIONS)
        .map_err(harness)?
        .iter()
        .map(|m| m.name().version().to_string())
        .collect();
    versions.sort();
    Ok(versions)
}

/// The version of the baseline (ArPI schema) migration.
pub fn baseline_version() -> Result<String, MigrateError> {
    all_versions()?
        .into_iter()
        .next()
        .ok_or_else(|| MigrateError::Harness("no migrations embedded".into()))
}

/// Applies every pending migration; returns the versions applied.
pub fn run_pending(conn: &mut PgConnection) -> Result<Vec<String>, MigrateError> {
    let applied = conn.run_pending_migrations(MIGRATIONS).map_err(harness)?;
    Ok(applied.iter().map(ToString::to_string).collect())
}

/// The versions not yet applied.
pub fn pending(conn: &mut PgConnection) -> Result<Vec<String>, MigrateError> {
    let pending = conn.pending_migrations(MIGRATIONS).map_err(harness)?;
    Ok(pending
        .iter()
        .map(|m| m.name().version().to_string())
        .collect())
}

/// Reverts every applied migration, newest first; returns the versions reverted.
pub fn revert_all(conn: &mut PgConnection) -> Result<Vec<String>, MigrateError> {
    let reverted = conn.revert_all_migrations(MIGRATIONS).map_err(harness)?;
    Ok(reverted.iter().map(ToString::to_string).collect())
}

/// What [`adopt_arpi`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Adoption {
    /// The baseline is now recorded as applied.
    Adopted,
    /// The baseline was already recorded; nothing changed.
    AlreadyAdopted,
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = Bool)]
    flag: bool,
}

#[derive(QueryableByName)]
struct Revision {
    #[diesel(sql_type = Text)]
    version_num: String,
}

fn table_exists(conn: &mut PgConnection, table: &str) -> Result<bool, MigrateError> {
    let row: Flag = diesel::sql_query(
        "SELECT EXISTS (SELECT 1 FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_name = $1) AS flag",
    )
    .bind::<Text, _>(table)
    .get_result(conn)?;
    Ok(row.flag)
}

/// Adopts a database that ArPI created and migrated to its head: records the
/// baseline migration as applied so that `migrate` applies only argus's own
/// later migrations. Refuses anything else, and changes nothing when it does.
pub fn adopt_arpi(conn: &mut PgConnection) -> Result<Adoption, MigrateError> {
    let baseline = baseline_version()?;
    conn.transaction(|conn| {
        if !table_exists(conn, "alembic_version")? {
            return Err(MigrateError::NotArpi("there is no alembic_version table".into()));
        }
        let revisions: Vec<Revision> =
            diesel::sql_query("SELECT version_num::text AS version_num FROM alembic_version").load(conn)?;
        let revisions: Vec<String> = revisions.into_iter().map(|r| r.version_num).collect();
        if revisions != [ARPI_ALEMBIC_HEAD] {
            return Err(MigrateError::NotArpi(format!(
                "alembic_version holds {revisions:?}; upgrade ArPI to v2.4.0 first"
            )));
        }
        for table in ["user", "area", "zone", "sensor", "alert", "arm", "disarm", "option"] {
            if !table_exists(conn, table)? {
                return Err(MigrateError::NotArpi(format!("table {table:?} is missing")));
            }
        }
        if table_exists(conn, "__diesel_schema_migrations")? {
            let applied: Flag = diesel::sql_query(
                "SELECT EXISTS (SELECT 1 FROM __diesel_schema_migrations WHERE version = $1) AS flag",
            )
            .bind::<Text, _>(&baseline)
            .get_result(conn)?;
            if applied.flag {
                return Ok(Adoption::AlreadyAdopted);
            }
        }
        conn.batch_execute(
            "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (\
             version VARCHAR(50) PRIMARY KEY NOT NULL, \
             run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
        )?;
        diesel::sql_query("INSERT INTO __diesel_schema_migrations (version) VALUES ($1)")
            .bind::<Text, _>(&baseline)
            .execute(conn)?;
        Ok(Adoption::Adopted)
    })
}
