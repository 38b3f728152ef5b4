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
/// down, and each `get` tries again (bounded by `connection_timeout`). Each
/// connection is tested (`SELECT 1`) when borrowed, so a restart of
/// PostgreSQL costs no failed query (the monitor's write queue).
pub fn build_pool(config: &DbConfig, max_size: u32) -> DbPool {
    builder(max_size)
        .test_on_check_out(true)
        .build_unchecked(ConnectionManager::new(config.url()))
}

/// As [`build_pool`], without the test on borrowing: one round trip less per
/// request. After a PostgreSQL restart a broken connection fails its query
/// once and is discarded (the REST server answers that request with 503).
pub fn build_untested_pool(config: &DbConfig, max_size: u32) -> DbPool {
    builder(max_size)
        .test_on_check_out(false)
        .build_unchecked(ConnectionManager::new(config.url()))
}

fn builder(max_size: u32) -> diesel::r2d2::Builder<ConnectionManager<PgConnection>> {
    Pool::builder()
        .max_size(max_size)
        .min_idle(Some(0))
        .connection_timeout(Duration::from_secs(3))
}
