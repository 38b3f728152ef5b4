//! What every handler shares: the database pool, the monitor client and the
//! configuration. Cheap to clone.

use argus_db::DbPool;
use std::sync::Arc;

use crate::ipc_client::IpcClient;
use crate::ServerConfig;

/// Shared handler state.
#[derive(Debug, Clone)]
pub struct AppState {
    /// PostgreSQL.
    pub db: DbPool,
    /// The monitor (one connection per HTTP worker).
    pub monitor: Arc<IpcClient>,
    /// Configuration.
    pub config: Arc<ServerConfig>,
}

impl AppState {
    /// State for one worker: shares the pool and configuration, opens its own
    /// monitor connection lazily.
    pub fn for_worker(db: DbPool, config: Arc<ServerConfig>) -> Self {
        let monitor = Arc::new(IpcClient::new(
            config.monitor_socket.clone(),
            config.ipc_timeout,
        ));
        Self {
            db,
            monitor,
            config,
        }
    }
}
