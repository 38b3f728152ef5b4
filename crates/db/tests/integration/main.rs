//! Integration tests of argus-db against a real PostgreSQL (started by scripts/test.sh).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod adopt;
mod backup;
mod catalog;
mod init_db;
mod jobs;
mod lockout;
mod migrations;
mod outbox;
mod pool;
mod schema;
mod seeds;
mod telemetry;
