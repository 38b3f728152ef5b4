//! The cross-process suite in one test binary: each module starts the real
//! `argus-server` and `argus-monitor` (from `target/debug`) with the
//! harness in `src/lib.rs`, against real PostgreSQL, nginx, SMTP, a
//! pseudo-terminal modem and npm/PyPI clients. Run with
//! `cargo test -p argus-e2e` after `cargo build --workspace --bins`.

mod deploy;
mod email;
mod flood;
mod gsm;
mod keypad;
mod live;
mod metrics;
mod monitor;
mod mqtt;
mod nginx;
mod nodes;
mod notify;
mod offline;
mod package;
mod repository;
mod scale;
mod schemathesis;
mod sia;
mod support;
mod system;
mod telemetry;
