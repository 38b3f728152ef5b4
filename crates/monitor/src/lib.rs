//! argus-monitor: everything that must keep working when the server, nginx or
//! PostgreSQL is down. It owns the board, decides alarms, drives the siren and
//! serves IPC to `argus-server` and `argus-sim`.
//!
//! - [`config`]: environment variables, read once in `main`.
//! - [`ipc`]: the NDJSON IPC server on a Unix socket.
//! - [`engine`]: the pure alarm engine (no I/O, no clock).
//! - [`dispatch`]: what each IPC command does.
//! - [`client`]: a blocking IPC client (`argus-sim`, tests).
//! - [`runtime`]: starts and stops the pieces above.

pub mod access;
pub mod actor;
pub mod board;
pub mod client;
pub mod clock;
pub mod config;
pub mod credentials;
pub mod dispatch;
pub mod email;
pub mod engine;
pub mod gsm;
pub mod installation;
pub mod ipc;
pub mod journal;
pub mod keypad;
pub mod live;
pub mod persist;
pub mod remote;
pub mod runtime;
pub mod sio;
pub mod ssh;
pub mod systemd;

pub use config::MonitorConfig;
pub use runtime::run;
