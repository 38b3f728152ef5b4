//! argus's database layer: ArPI's schema (`schema`), typed enums and rows
//! (`enums`, `models`), the connection pool, embedded migrations and adoption of
//! an existing ArPI database (`migrate`) and of its environment files
//! (`adopt_env`), cluster administration (`admin`),
//! credential hashing (`hash`), the shared lock-out counters (`lockout`),
//! ArPI's seed datasets (`seed`) and the
//! monitor's runtime writes (`records`); and what both processes share
//! about running: `logging`, `systemd` (readiness and the watchdog).
//!
//! Everything here is synchronous diesel; async callers run it on a blocking
//! pool (`web::block` in the server, `spawn_blocking` in the monitor).

pub mod admin;
pub mod adopt_env;
pub mod backup;
pub mod config;
pub mod enums;
pub mod hash;
pub mod lockout;
pub mod logging;
pub mod migrate;
pub mod models;
pub mod pool;
pub mod records;
pub mod schema;
pub mod seed;
pub mod status;
pub mod systemd;
#[cfg(feature = "test-support")]
pub mod test_db;

pub use config::DbConfig;
pub use pool::{DbPool, PooledConn};
