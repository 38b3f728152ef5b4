//! argus-server: ArPI's REST API, stateless between requests, so several
//! instances may serve one database. It reads and writes configuration in
//! PostgreSQL and asks the monitor (over IPC) for everything live.
//!
//! - [`auth`]: device and user tokens, the guards and `User-Token` renewal.
//! - [`config`]: environment variables, read once in `main`.
//! - [`cors`]: `OPTIONS` and cross-origin headers.
//! - [`directory`]: users and roles as the token guards see them.
//! - [`error`]: [`error::ApiError`], the one mapping from failures to statuses.
//! - [`ipc_client`]: a multiplexed, persistent IPC connection to the monitor.
//! - [`openapi`]: the route table and the OpenAPI document made from it.
//! - [`prepared`]: run-time SQL with bind parameters, so PostgreSQL plans it once.
//! - [`routes`]: every route, mounted under `/api`.
//! - [`store`]: queries and transactions on the blocking pool.
//! - [`state`]: [`state::AppState`], what handlers share.
//! - [`server`]: binds TCP or a Unix socket and runs.
//! - [`services`]: what routes share (the armed rule, configuration writes,
//!   monitor replies, JSON shapes); routes never import each other.

pub mod auth;
pub mod config;
pub mod cors;
pub mod directory;
pub mod error;
pub mod ipc_client;
pub mod lockout;
pub mod openapi;
pub mod prepared;
pub mod routes;
pub mod server;
pub mod services;
pub mod state;
pub mod storable;
pub mod store;

pub use config::ServerConfig;
pub use server::run;

/// `vX.Y.Z:<git sha>`, the body of `GET /api/version`.
pub const VERSION: &str = concat!("v", env!("CARGO_PKG_VERSION"), ":", env!("ARGUS_GIT_SHA"));
