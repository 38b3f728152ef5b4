//! Database access for handlers: every query runs on actix's blocking pool,
//! writes inside one transaction, and diesel's errors become [`ApiError`]s
//! (constraint violations are the client's fault, never a 500).

use actix_web::web;
use diesel::pg::PgConnection;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::Connection;

use crate::error::ApiError;
use crate::state::AppState;

impl From<DieselError> for ApiError {
    fn from(e: DieselError) -> Self {
        match &e {
            DieselError::NotFound => Self::NotFound("Not found".into()),
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                Self::Conflict(format!(
                    "Referenced by or referring to another object ({})",
                    info.constraint_name().unwrap_or("constraint")
                ))
            }
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                Self::Conflict(format!(
                    "Already exists ({})",
                    info.constraint_name().unwrap_or("constraint")
                ))
            }
            DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            ) => Self::DatabaseUnavailable(e.to_string()),
            _ => Self::Internal(e.to_string()),
        }
    }
}

/// Runs a read on the blocking pool.
pub async fn query<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&mut PgConnection) -> diesel::QueryResult<T> + Send + 'static,
) -> Result<T, ApiError> {
    let pool = state.db.clone();
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
    state: &AppState,
    f: impl FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let pool = state.db.clone();
    web::block(move || -> Result<T, ApiError> {
        let mut pooled = pool
            .get()
            .map_err(|e| ApiError::DatabaseUnavailable(e.to_string()))?;
        let conn: &mut PgConnection = &mut pooled;
        conn.transaction(f)
    })
    .await?
}
