//! Test fixtures: configuration, a live monitor IPC server, the app.

use argus_db::test_db::TestDb;
use argus_monitor::dispatch::Dispatcher;
use argus_protocol::constants::{MonitoringState, PowerState};
use argus_server::state::AppState;
use argus_server::ServerConfig;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::watch;

/// A monitor IPC server in this process, with the real dispatcher.
pub struct LiveMonitor {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub task: tokio::task::JoinHandle<()>,
    _state: watch::Sender<MonitoringState>,
    _power: watch::Sender<PowerState>,
}

impl LiveMonitor {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("argus_monitor.sock");
        let (state, state_rx) = watch::channel(MonitoringState::MonitoringReady);
        let (power, power_rx) = watch::channel(PowerState::Network);
        let listener = argus_monitor::ipc::bind(&path, 0o660).unwrap();
        let task = tokio::spawn(argus_monitor::ipc::serve(
            listener,
            Arc::new(Dispatcher::new(state_rx, power_rx, true)),
        ));
        Self {
            dir,
            path,
            task,
            _state: state,
            _power: power,
        }
    }
}

pub fn config(db: &TestDb, monitor_socket: &std::path::Path) -> ServerConfig {
    let vars = [
        ("DATABASE_URL".to_owned(), db.url()),
        (
            "MONITOR_INPUT_SOCKET".to_owned(),
            monitor_socket.display().to_string(),
        ),
        ("ARGUS_IPC_TIMEOUT_MS".to_owned(), "2000".to_owned()),
        ("BOARD_VERSION".to_owned(), "2".to_owned()),
        ("SECRET".to_owned(), SECRET.to_owned()),
    ];
    ServerConfig::from_lookup(|k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
        .unwrap()
}

/// `SECRET` of the tests.
pub const SECRET: &str = "server-test-secret";

pub fn state(config: ServerConfig) -> AppState {
    let pool = argus_db::pool::build_pool(&config.db, 2);
    AppState::for_worker(pool, Arc::new(config), Arc::default())
}

/// Builds the app over `state` (a macro, as actix's service type is unnameable).
#[macro_export]
macro_rules! app {
    ($state:expr) => {
        actix_web::test::init_service(argus_server::server::app($state)).await
    };
}
