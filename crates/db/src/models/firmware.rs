//! `argus_firmware`, its files and `argus_ota_job`: firmware bundles for
//! remote nodes (the files are on disk; rows hold their size and SHA-256)
//! and each node's update, `init → ready → started → succeeded | failed`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::{argus_firmware, argus_firmware_file, argus_ota_job};

/// A bundle.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = argus_firmware, check_for_backend(diesel::pg::Pg))]
pub struct FirmwareRow {
    pub id: i32,
    pub name: String,
    pub version: String,
    pub created: DateTime<Utc>,
}

/// A file of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = argus_firmware_file, check_for_backend(diesel::pg::Pg))]
pub struct FirmwareFile {
    pub firmware_id: i32,
    pub path: String,
    pub size: i64,
    pub sha256: String,
}

/// A node's update.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = argus_ota_job, check_for_backend(diesel::pg::Pg))]
pub struct OtaJob {
    pub id: i32,
    pub node_id: i32,
    pub firmware_id: i32,
    pub state: String,
    pub error: Option<String>,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
}

impl FirmwareRow {
    /// Registers a bundle.
    pub fn create(conn: &mut PgConnection, name: &str, version: &str) -> QueryResult<Self> {
        diesel::insert_into(argus_firmware::table)
            .values((
                argus_firmware::name.eq(name),
                argus_firmware::version.eq(version),
            ))
            .returning(Self::as_returning())
            .get_result(conn)
    }

    /// The bundle with this id.
    pub fn find(conn: &mut PgConnection, id: i32) -> QueryResult<Option<Self>> {
        argus_firmware::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// Records (or replaces) a file.
    pub fn put_file(conn: &mut PgConnection, file: &FirmwareFile) -> QueryResult<()> {
        diesel::insert_into(argus_firmware_file::table)
            .values(file)
            .on_conflict((argus_firmware_file::firmware_id, argus_firmware_file::path))
            .do_update()
            .set((
                argus_firmware_file::size.eq(file.size),
                argus_firmware_file::sha256.eq(&file.sha256),
            ))
            .execute(conn)
            .map(drop)
    }

    /// The bundle's files, by path.
    pub fn files(conn: &mut PgConnection, id: i32) -> QueryResult<Vec<FirmwareFile>> {
        argus_firmware_file::table
            .filter(argus_firmware_file::firmware_id.eq(id))
            .order(argus_firmware_file::path)
            .select(FirmwareFile::as_select())
            .load(conn)
    }
}

impl OtaJob {
    /// Starts an update of `node` to `firmware` (`ready`: its files exist).
    pub fn create(conn: &mut PgConnection, node: i32, firmware: i32) -> QueryResult<Self> {
        diesel::insert_into(argus_ota_job::table)
            .values((
                argus_ota_job::node_id.eq(node),
                argus_ota_job::firmware_id.eq(firmware),
                argus_ota_job::state.eq("ready"),
            ))
            .returning(Self::as_returning())
            .get_result(conn)
    }

    /// The node's update in progress (ready or started), newest first.
    pub fn active(conn: &mut PgConnection, node: i32) -> QueryResult<Option<Self>> {
        argus_ota_job::table
            .filter(argus_ota_job::node_id.eq(node))
            .filter(argus_ota_job::state.eq_any(["init", "ready", "started"]))
            .order(argus_ota_job::id.desc())
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// The node's job `id`.
    pub fn find(conn: &mut PgConnection, node: i32, id: i32) -> QueryResult<Option<Self>> {
        argus_ota_job::table
            .find(id)
            .filter(argus_ota_job::node_id.eq(node))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// Moves the job to `state` (with an error text for `failed`).
    pub fn set_state(
        conn: &mut PgConnection,
        id: i32,
        state: &str,
        error: Option<&str>,
    ) -> QueryResult<()> {
        diesel::update(argus_ota_job::table.find(id))
            .set((
                argus_ota_job::state.eq(state),
                argus_ota_job::error.eq(error),
                argus_ota_job::updated.eq(Utc::now()),
            ))
            .execute(conn)
            .map(drop)
    }
}
