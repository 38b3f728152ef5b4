//! Database work from async tasks: each closure runs on tokio's blocking
//! pool with a pooled connection, so no engine, IPC or keypad task ever
//! waits on PostgreSQL in its own thread. The one way the monitor queries.

use crate::counter::Count;
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

/// Database work that failed (no connection, or the query failed), for
/// `/metrics` (kept here, below the runtime that renders it).
pub static DATABASE_ERRORS: Count = Count::new();

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
    let done = tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().map_err(|e| DbError::Connection(e.to_string()))?;
        f(&mut conn).map_err(|e| DbError::Query(e.to_string()))
    })
    .await
    .map_err(|e| DbError::Task(e.to_string()))?;
    if done.is_err() {
        DATABASE_ERRORS.bump();
    }
    done
}

/// An option section as `T`: what is stored over the registry's defaults
/// (`argus_protocol::options`, the registry the server's option routes use),
/// so a never-saved section reads as its defaults. `None` only when `T` does
/// not fit the section.
pub async fn option<T: DeserializeOwned + Send + 'static>(
    pool: &DbPool,
    name: &'static str,
    section: &'static str,
) -> Result<Option<T>, DbError> {
    blocking(pool, move |conn| option_in(conn, name, section)).await
}

/// [`option`] on a connection already held (inside a transaction).
pub fn option_in<T: DeserializeOwned>(
    conn: &mut PgConnection,
    name: &str,
    section: &str,
) -> diesel::QueryResult<Option<T>> {
    let row = argus_db::models::OptionRow::find(conn, name, section)?;
    let stored: Option<serde_json::Value> = row
        .and_then(|o| o.value)
        .and_then(|v| serde_json::from_str(&v).ok());
    Ok(match argus_protocol::options::find(name, section) {
        Some(registered) => serde_json::from_value(registered.resolve(stored.as_ref())).ok(),
        None => stored.and_then(|v| serde_json::from_value(v).ok()),
    })
}

/// An `argus_event` row, written off the caller's path (best effort: a
/// failure is logged, never waited for).
pub fn record_event(
    pool: &DbPool,
    kind: &'static str,
    user: Option<i32>,
    keypad: Option<i32>,
    origin: &'static str,
    detail: Option<String>,
) {
    let pool = pool.clone();
    tokio::spawn(async move {
        let written = blocking(&pool, move |conn| {
            argus_db::records::record_event(
                conn,
                chrono::Utc::now(),
                kind,
                user,
                keypad,
                Some(origin),
                None,
                detail.as_deref(),
            )
        })
        .await;
        if let Err(e) = written {
            tracing::warn!(event = kind, error = %e, "an event was not recorded");
        }
    });
}
