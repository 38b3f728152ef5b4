//! Database access for handlers: every query runs on actix's blocking pool,
//! writes inside one transaction; diesel's errors become [`ApiError`]s
//! (`error.rs`). Both take the pool alone, so anything holding one can use them.

use actix_web::web;
use diesel::pg::PgConnection;
use diesel::Connection;

use crate::error::ApiError;
use argus_db::DbPool;

/// Runs a read on the blocking pool.
pub async fn query<T: Send + 'static>(
    pool: &DbPool,
    f: impl FnOnce(&mut PgConnection) -> diesel::QueryResult<T> + Send + 'static,
) -> Result<T, ApiError> {
    let pool = pool.clone();
    web::block(move || -> Result<T, ApiError> {
        let mut conn = pool
            .get()
            .map_err(|e| ApiError::DatabaseUnavailable(e.to_string()))?;
        f(&mut conn).map_err(ApiError::from)
    })
    .await?
}

/// Runs `f` in one transaction on the blocking pool; any error rolls it back.
pub async fn transact<T: Send + 'static>(
    pool: &DbPool,
    f: impl FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let pool = pool.clone();
    web::block(move || -> Result<T, ApiError> {
        let mut pooled = pool
            .get()
            .map_err(|e| ApiError::DatabaseUnavailable(e.to_string()))?;
        let conn: &mut PgConnection = &mut pooled;
        conn.transaction(f)
    })
    .await?
}
