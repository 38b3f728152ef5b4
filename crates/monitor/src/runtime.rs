//! Starts the monitor's tasks and stops them on SIGTERM or Ctrl-C.

use anyhow::Context;
use argus_protocol::constants::{MonitoringState, PowerState};
use std::sync::Arc;
use tokio::sync::watch;

use crate::dispatch::Dispatcher;
use crate::{ipc, MonitorConfig};

/// Runs the monitor until a termination signal arrives.
pub async fn run(config: MonitorConfig) -> anyhow::Result<()> {
    let (state_tx, state_rx) = watch::channel(MonitoringState::MonitoringStartup);
    let (_power_tx, power_rx) = watch::channel(PowerState::Network);

    let listener = ipc::bind(&config.ipc_socket, config.ipc_mode)
        .with_context(|| format!("binding the IPC socket {}", config.ipc_socket.display()))?;
    let dispatcher = Arc::new(Dispatcher::new(state_rx, power_rx, config.use_simulator));
    let ipc_task = tokio::spawn(ipc::serve(listener, dispatcher));
    state_tx.send_replace(MonitoringState::MonitoringReady);
    tracing::info!(
        ipc.socket = %config.ipc_socket.display(),
        board.version = config.board_version,
        board.simulated = config.use_simulator,
        "argus-monitor ready"
    );

    shutdown_signal().await?;
    state_tx.send_replace(MonitoringState::MonitoringStopped);
    ipc_task.abort();
    let _ = std::fs::remove_file(&config.ipc_socket);
    tracing::info!("argus-monitor stopped");
    Ok(())
}

/// Resolves on SIGTERM or SIGINT.
pub async fn shutdown_signal() -> anyhow::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    Ok(())
}
