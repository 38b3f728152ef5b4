//! The IPC server over a real Unix socket: round trips, bad input, hang-ups,
//! many clients at once.

use argus_monitor::interfaces::client::BlockingClient;
use argus_monitor::interfaces::dispatch::Dispatcher;
use argus_monitor::interfaces::ipc;
use argus_protocol::constants::{MonitoringState, PowerState};
use argus_protocol::{Command, Response, MAX_FRAME_LEN};
use serde_json::json;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

struct Server {
    _dir: tempfile::TempDir,
    path: PathBuf,
    _state: watch::Sender<MonitoringState>,
    _power: watch::Sender<PowerState>,
}

fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run/argus_monitor.sock");
    let (state, state_rx) = watch::channel(MonitoringState::MonitoringReady);
    let (power, power_rx) = watch::channel(PowerState::Battery);
    let listener = ipc::bind(&path, 0o660).unwrap();
    tokio::spawn(ipc::serve(
        listener,
        Arc::new(Dispatcher::new(state_rx, power_rx, false)),
    ));
    Server {
        _dir: dir,
        path,
        _state: state,
        _power: power,
    }
}

fn client(server: &Server) -> BlockingClient {
    BlockingClient::connect(&server.path, Duration::from_secs(10)).unwrap()
}

/// Sends raw bytes and reads one response line.
fn raw_exchange(stream: &mut UnixStream, bytes: &[u8]) -> Response {
    stream.write_all(bytes).unwrap();
    let mut line = String::new();
    BufReader::new(stream.try_clone().unwrap())
        .read_line(&mut line)
        .unwrap();
    serde_json::from_str(&line).unwrap()
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn round_trip_and_socket_mode() {
    let server = start();
    let mode = std::fs::metadata(&server.path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o660);
    let mut c = client(&server);
    let (state, power) = blocking(move || {
        (
            c.call(Command::MonitorGetState).unwrap(),
            c.call(Command::PowerGetState).unwrap(),
        )
    })
    .await;
    assert!(state.result);
    assert_eq!(state.value, Some(json!({"state": "monitoring_ready"})));
    assert_eq!(power.value, Some(json!({"state": "battery"})));
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_and_unknown_lines_get_error_replies_and_the_connection_lives_on() {
    let server = start();
    let path = server.path.clone();
    blocking(move || {
        let mut s = UnixStream::connect(&path).unwrap();
        let r = raw_exchange(&mut s, b"this is not json\n");
        assert_eq!(r.id, None);
        assert!(!r.reply.result);
        assert!(r.reply.message.unwrap().starts_with("invalid request"));

        let r = raw_exchange(&mut s, b"{\"id\": 5, \"action\": \"rm_rf\"}\n");
        assert_eq!(r.id, Some(5));
        assert_eq!(r.reply.message.as_deref(), Some("Unknown command: rm_rf"));

        let r = raw_exchange(&mut s, b"{\"id\": 6, \"action\": \"activate_output\"}\n");
        assert_eq!(r.id, Some(6));
        assert!(r.reply.message.unwrap().contains("output_id"));

        let r = raw_exchange(&mut s, b"{\"id\": 7, \"action\": \"monitor_get_state\"}\n");
        assert_eq!((r.id, r.reply.result), (Some(7), true));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_line_is_refused_without_buffering_it_all() {
    let server = start();
    let path = server.path.clone();
    blocking(move || {
        let mut s = UnixStream::connect(&path).unwrap();
        let mut big = vec![b'x'; MAX_FRAME_LEN * 4];
        big.push(b'\n');
        let r = raw_exchange(&mut s, &big);
        assert_eq!(r.id, None);
        assert!(r.reply.message.unwrap().contains("longer than"));
        let r = raw_exchange(&mut s, b"{\"id\": 1, \"action\": \"monitor_get_state\"}\n");
        assert!(r.reply.result);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn peer_hang_up_does_not_hurt_the_server() {
    let server = start();
    let path = server.path.clone();
    blocking(move || {
        {
            let mut s = UnixStream::connect(&path).unwrap();
            s.write_all(b"{\"id\": 1, \"action\": \"monitor_ge")
                .unwrap();
        }
        {
            let mut s = UnixStream::connect(&path).unwrap();
            s.write_all(b"{\"id\": 2, \"action\": \"monitor_get_state\"}\n")
                .unwrap();
            s.shutdown(std::net::Shutdown::Both).unwrap();
        }
    })
    .await;
    let mut c = client(&server);
    let reply = blocking(move || c.call(Command::MonitorGetState).unwrap()).await;
    assert!(reply.result);
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_clients_each_get_their_own_answers() {
    let server = start();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let mut c = client(&server);
        tasks.push(tokio::task::spawn_blocking(move || {
            for _ in 0..50 {
                let r = c.call(Command::MonitorGetState).unwrap();
                assert_eq!(r.value, Some(json!({"state": "monitoring_ready"})));
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pipelined_requests_on_one_connection_are_all_answered() {
    let server = start();
    let path = server.path.clone();
    blocking(move || {
        let mut s = UnixStream::connect(&path).unwrap();
        let mut batch = Vec::new();
        for id in 0..200 {
            batch.extend(
                format!("{{\"id\": {id}, \"action\": \"monitor_get_state\"}}\n").into_bytes(),
            );
        }
        s.write_all(&batch).unwrap();
        let mut seen: Vec<u64> = BufReader::new(s)
            .lines()
            .take(200)
            .map(|l| {
                serde_json::from_str::<Response>(&l.unwrap())
                    .unwrap()
                    .id
                    .unwrap()
            })
            .collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..200).collect::<Vec<_>>());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn simulator_commands_are_refused_without_the_simulator() {
    let server = start();
    let mut c = client(&server);
    let reply = blocking(move || {
        c.call(Command::Sim(argus_protocol::SimCommand::Outputs))
            .unwrap()
    })
    .await;
    assert!(!reply.result);
    assert!(reply.message.unwrap().contains("USE_SIMULATOR"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_socket_file_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.sock");
    std::fs::write(&path, b"stale").unwrap();
    let listener = ipc::bind(&path, 0o600).unwrap();
    drop(listener);
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
}
