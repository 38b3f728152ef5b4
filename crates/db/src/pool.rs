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

/// How long a REST request waits for a connection: with PostgreSQL down it
/// answers 503 this quickly (a connection over the Unix socket takes a few
/// milliseconds; a healthy pool hands one out at once).
pub const REST_CONNECTION_TIMEOUT: Duration = Duration::from_millis(250);

/// As [`build_pool`], without the test on borrowing: one round trip less per
/// request. After a PostgreSQL restart a broken connection fails its query
/// once and is discarded (the REST server answers that request with 503).
/// Waits at most [`REST_CONNECTION_TIMEOUT`] for a connection.
/// Prepared statements use generic plans (see [`GenericPlans`]).
pub fn build_untested_pool(config: &DbConfig, max_size: u32) -> DbPool {
    builder(max_size)
        .connection_timeout(REST_CONNECTION_TIMEOUT)
        .test_on_check_out(false)
        .connection_customizer(Box::new(GenericPlans))
        .build_unchecked(ConnectionManager::new(config.url()))
}

/// Sets `plan_cache_mode = force_generic_plan` on each new connection. With
/// bind parameters PostgreSQL otherwise plans a statement anew on every
/// execution whenever it estimates a custom plan cheaper (a `LIMIT $1` is
/// enough), which made keeping statements prepared pointless; the queries
/// of the REST server are index lookups whose generic plans are the same.
#[derive(Debug, Clone, Copy)]
pub struct GenericPlans;

impl diesel::r2d2::CustomizeConnection<PgConnection, diesel::r2d2::Error> for GenericPlans {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        use diesel::connection::SimpleConnection;
        conn.batch_execute("SET plan_cache_mode = force_generic_plan")
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

fn builder(max_size: u32) -> diesel::r2d2::Builder<ConnectionManager<PgConnection>> {
    Pool::builder()
        .max_size(max_size)
        .min_idle(Some(0))
        .connection_timeout(Duration::from_secs(3))
}
