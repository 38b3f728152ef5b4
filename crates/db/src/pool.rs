//! The r2d2 connection pool shared by a process.

use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, Pool, PooledConnection};
use std::time::Duration;

use crate::DbConfig;

/// A pool of PostgreSQL connections.
pub type DbPool = Pool<ConnectionManager<PgConnection>>;
/// One connection borrowed from a [`DbPool`].
pub type PooledConn = PooledConnection<ConnectionManager<PgConnection>>;

/// Builds a pool without connecting: a process starts even while PostgreSQL is
/// down, and each `get` tries again (bounded by `connection_timeout`).
pub fn build_pool(config: &DbConfig, max_size: u32) -> DbPool {
    Pool::builder()
        .max_size(max_size)
        .min_idle(Some(0))
        .connection_timeout(Duration::from_secs(3))
        .test_on_check_out(true)
        .build_unchecked(ConnectionManager::new(config.url()))
}
