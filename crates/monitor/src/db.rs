//! Database work from async tasks: each closure runs on tokio's blocking
//! pool with a pooled connection, so no engine, IPC or keypad task ever
//! waits on PostgreSQL in its own thread. The one way the monitor queries.

use argus_db::DbPool;
use diesel::pg::PgConnection;
use serde::de::DeserializeOwned;
use std::fmt::Display;

/// Why a piece of database work did not complete.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No connection (PostgreSQL down, pool exhausted).
    #[error("no database connection: {0}")]
    Connection(String),
    /// The work itself failed.
    #[error("{0}")]
    Query(String),
    /// The blocking task panicked or was cancelled.
    #[error("the database task failed: {0}")]
    Task(String),
}

/// Runs `f` with a connection from `pool` on the blocking pool.
pub async fn blocking<T, E>(
    pool: &DbPool,
    f: impl FnOnce(&mut PgConnection) -> Result<T, E> + Send + 'static,
) -> Result<T, DbError>
where
    T: Send + 'static,
    E: Display,
{
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().map_err(|e| DbError::Connection(e.to_string()))?;
        f(&mut conn).map_err(|e| DbError::Query(e.to_string()))
    })
    .await
    .map_err(|e| DbError::Task(e.to_string()))?
}

/// An option section's stored JSON as `T` (`None` when never saved or not
/// readable as `T`, so the section's defaults apply).
pub async fn option<T: DeserializeOwned + Send + 'static>(
    pool: &DbPool,
    name: &'static str,
    section: &'static str,
) -> Result<Option<T>, DbError> {
    let row = blocking(pool, move |conn| {
        argus_db::models::OptionRow::find(conn, name, section)
    })
    .await?;
    Ok(row
        .and_then(|o| o.value)
        .and_then(|v| serde_json::from_str(&v).ok()))
}
