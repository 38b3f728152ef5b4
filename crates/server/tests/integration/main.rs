//! Integration tests of argus-server: in-process HTTP against a real database
//! and an IPC endpoint speaking the monitor's protocol. A file per route module
//! (`areas.rs` tests `routes/areas.rs`), plus the cross-cutting suites: `auth`,
//! `matrix` (every route × every caller), `input` (bad input), `catalog` (listings).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod areas;
mod arms;
mod auth;
mod cards;
mod catalog;
mod generic;
mod health;
mod input;
mod ipc_client;
mod keypads;
mod lockout;
mod matrix;
mod outputs;
mod sensors;
mod settings;
mod ssh_keys;
mod support;
mod users;
mod zones;
