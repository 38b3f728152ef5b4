//! argus-monitor: everything that must keep working when the server, nginx or
//! PostgreSQL is down. It owns the board, decides alarms, drives the siren and
//! serves IPC to `argus-server` and `argus-sim`.
//!
//! Grouped by job; each group's module lists its parts:
//!
//! - [`engine`]: the pure alarm engine (no I/O, no clock).
//! - [`runtime`]: the engine actor and what its effects become (live events,
//!   database writes, the journal), systemd's watchdog.
//! - [`interfaces`]: the ways in: IPC and its dispatch, Socket.IO, the keypad
//!   and card reader, the simulator's commands.
//! - [`devices`]: the board, the GSM modem, the keypad's logic, the clock.
//! - [`services`]: e-mail, SSH and remote access (and, next, notifications,
//!   MQTT and remote nodes).
//! - [`installation`]: the configuration as the monitor runs it, with the
//!   PIN and card hashes.
//! - [`config`]: environment variables, read once in `main`.
//! - [`db`]: the one way to query PostgreSQL from a task.
//! - [`counter`]: the growing counts `/metrics` reads, for any layer.
//! - [`start`]: starts the pieces and stops them.

pub mod config;
pub mod counter;
pub mod db;
pub mod devices;
pub mod engine;
pub mod installation;
pub mod interfaces;
pub mod runtime;
pub mod services;
pub mod start;

pub use config::MonitorConfig;
pub use start::run;
