//! The server's IPC client against a monitor's IPC endpoint.

use argus_protocol::Command;
use argus_server::ipc_client::{IpcClient, IpcError};
use std::sync::Arc;
use std::time::Duration;

use crate::support::LiveMonitor;

#[actix_web::test]
async fn concurrent_calls_share_one_connection() {
    let monitor = LiveMonitor::start();
    let client = Arc::new(IpcClient::new(monitor.path.clone(), Duration::from_secs(5)));
    let calls: Vec<_> = (0..100)
        .map(|i| {
            let client = Arc::clone(&client);
            async move {
                let command = if i % 2 == 0 {
                    Command::MonitorGetState
                } else {
                    Command::PowerGetState
                };
                let expected = if i % 2 == 0 {
                    "monitoring_ready"
                } else {
                    "network"
                };
                let reply = client.call(command).await.unwrap();
                assert_eq!(reply.value.unwrap()["state"], expected);
            }
        })
        .collect();
    for call in calls {
        call.await;
    }
}

#[actix_web::test]
async fn unreachable_monitor_is_an_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let client = IpcClient::new(dir.path().join("none.sock"), Duration::from_secs(1));
    assert!(matches!(
        client.call(Command::MonitorGetState).await,
        Err(IpcError::Unreachable(_))
    ));
}

#[actix_web::test]
async fn reconnects_after_the_monitor_restarts() {
    let monitor = LiveMonitor::start();
    let client = IpcClient::new(monitor.path.clone(), Duration::from_secs(2));
    assert!(client.call(Command::MonitorGetState).await.unwrap().result);

    monitor.task.abort();
    let _ = (&mut { monitor.task }).await;
    // The old server is gone: its socket is closed and a new one takes the path.
    let _task = crate::support::serve(
        &monitor.path,
        argus_protocol::constants::MonitoringState::MonitoringArmed,
        argus_protocol::constants::PowerState::Battery,
    );

    // The first call may find the stale connection closed; the next one reconnects.
    let first = client.call(Command::MonitorGetState).await;
    let reply = match first {
        Ok(r) => r,
        Err(_) => client.call(Command::MonitorGetState).await.unwrap(),
    };
    assert_eq!(reply.value.unwrap()["state"], "monitoring_armed");
}
