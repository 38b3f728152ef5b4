//! What every handler shares: the database pool, the monitor client and the
//! configuration. Cheap to clone.

use argus_db::DbPool;
use std::sync::Arc;

use crate::ipc_client::IpcClient;
use crate::ServerConfig;

/// State shared by every worker (created once per process).
#[derive(Debug)]
pub struct Shared {
    /// Failed-login counters.
    pub lockouts: crate::lockout::Lockouts,
    /// Bounds concurrent bcrypt checks (each takes ~0.2 s of CPU by design).
    pub hashing: tokio::sync::Semaphore,
    /// Users and roles for the token guards.
    pub directory: crate::directory::Directory,
    /// The last sensor listing, for `/api/sensors/` while PostgreSQL is down.
    pub sensors: std::sync::Mutex<Option<Vec<argus_db::models::Sensor>>>,
    /// Remote nodes' signs of life, written and told at a bounded rate.
    pub nodes: crate::node_throttle::Throttle,
}

impl Shared {
    /// Process-wide state with `hashing` concurrent bcrypt checks.
    pub fn new(hashing: usize) -> Self {
        Self {
            lockouts: crate::lockout::Lockouts::default(),
            hashing: tokio::sync::Semaphore::new(hashing.max(1)),
            directory: crate::directory::Directory::default(),
            sensors: std::sync::Mutex::default(),
            nodes: crate::node_throttle::Throttle::default(),
        }
    }
}

impl Shared {
    /// Waits for a turn to run bcrypt.
    pub async fn hashing_permit(
        &self,
    ) -> Result<tokio::sync::SemaphorePermit<'_>, crate::error::ApiError> {
        self.hashing
            .acquire()
            .await
            .map_err(crate::error::ApiError::internal)
    }
}

impl Default for Shared {
    fn default() -> Self {
        Self::new(2)
    }
}

/// The OpenAPI document of every route, made once when the app is built
/// (`openapi.rs` reads the route modules, so routes get it from here).
#[derive(Debug)]
pub struct ApiDocument(pub serde_json::Value);

/// Shared handler state.
#[derive(Debug, Clone)]
pub struct AppState {
    /// PostgreSQL.
    pub db: DbPool,
    /// The monitor (one connection per HTTP worker).
    pub monitor: Arc<IpcClient>,
    /// Configuration.
    pub config: Arc<ServerConfig>,
    /// Process-wide state.
    pub shared: Arc<Shared>,
}

impl AppState {
    /// What the monitor knows live (`{"arm", "alert", "alerting"}`): the answer of
    /// routes whose table is out of reach while PostgreSQL is down.
    pub async fn live(&self) -> Result<serde_json::Value, crate::error::ApiError> {
        let reply = self
            .monitor
            .call(argus_protocol::Command::MonitorGetLive)
            .await?;
        Ok(reply.value.unwrap_or_default())
    }

    /// Users or cards changed: the guards' directory is stale, and the
    /// monitor reloads its copy of the PIN and card hashes (best effort: it
    /// also reloads them with every configuration change and at start).
    pub async fn credentials_changed(&self) {
        self.shared.directory.invalidate();
        if let Err(e) = self
            .monitor
            .call(argus_protocol::Command::MonitorUpdateCredentials)
            .await
        {
            tracing::warn!(error = %e, "the monitor was not told about changed credentials");
        }
    }

    /// State for one worker: shares the pool and configuration, opens its own
    /// monitor connection lazily.
    pub fn for_worker(db: DbPool, config: Arc<ServerConfig>, shared: Arc<Shared>) -> Self {
        let monitor = Arc::new(IpcClient::new(
            config.monitor_socket.clone(),
            config.ipc_timeout,
        ));
        Self {
            db,
            monitor,
            config,
            shared,
        }
    }
}
