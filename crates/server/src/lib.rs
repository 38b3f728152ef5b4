//! argus-server: ArPI's REST API, stateless between requests, so several
//! instances may serve one database. It reads and writes configuration in
//! PostgreSQL and asks the monitor (over IPC) for everything live.
//!
//! Layers, top down: [`routes`] (handlers only, never importing each other)
//! over [`services`] (what routes share: the armed rule, configuration
//! writes, the entity skeleton, monitor replies, JSON shapes) over [`store`]
//! and `argus-db` (queries) and [`ipc_client`] (the monitor).
//!
//! - [`routes`]: every route, mounted under `/api`; `routes::table` lists them.
//! - [`services`]: what routes share.
//! - [`error`]: [`error::ApiError`], the one mapping from failures to statuses.
//! - [`auth`]: device, user and node tokens, the guards and `User-Token` renewal.
//! - [`directory`]: users and roles as the token guards see them.
//! - [`lockout`]: the process's lock-out table, client address and device identity.
//! - [`metrics`]: `GET /metrics`, Prometheus text.
//! - [`node_throttle`]: what the server remembers about busy remote nodes.
//! - [`store`]: queries and transactions on the blocking pool.
//! - [`prepared`]: run-time SQL with bind parameters, so PostgreSQL plans it once.
//! - [`ipc_client`]: a multiplexed, persistent IPC connection to the monitor.
//! - [`openapi`]: the OpenAPI document made from the route table.
//! - [`cors`], [`storable`]: `OPTIONS` and cross-origin headers; NUL refused.
//! - [`config`]: environment variables, read once in `main`.
//! - [`state`]: [`state::AppState`], what handlers share.
//! - [`server`]: binds TCP or a Unix socket and runs.

pub mod auth;
pub mod config;
pub mod cors;
pub mod directory;
pub mod error;
pub mod ipc_client;
pub mod lockout;
pub mod metrics;
pub mod node_throttle;
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
