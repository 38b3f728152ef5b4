//! Test fixtures: configuration, a monitor's IPC endpoint, the app.

use argus_db::test_db::TestDb;
use argus_protocol::constants::{MonitoringState, PowerState};
use argus_protocol::framing::{decode, encode};
use argus_protocol::{Command, LineReader, Reply, Request, Response};
use argus_server::state::AppState;
use argus_server::ServerConfig;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};

/// A monitor's IPC endpoint in this process, speaking the protocol crate's
/// NDJSON: it answers the state queries and refuses every other command as
/// a monitor without its engine does. The server and the real monitor meet
/// in `tests/` (the e2e suite); here the server is tested on its own.
pub struct LiveMonitor {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub task: tokio::task::JoinHandle<()>,
}

impl LiveMonitor {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("argus_monitor.sock");
        let task = serve(&path, MonitoringState::MonitoringReady, PowerState::Network);
        Self { dir, path, task }
    }
}

/// Serves `path` until the task is aborted (which closes every connection).
pub fn serve(
    path: &Path,
    state: MonitoringState,
    power: PowerState,
) -> tokio::task::JoinHandle<()> {
    let _ = std::fs::remove_file(path);
    let listener = UnixListener::bind(path).unwrap();
    tokio::spawn(async move {
        let mut connections = tokio::task::JoinSet::new();
        while let Ok((stream, _)) = listener.accept().await {
            connections.spawn(connection(stream, state, power));
        }
    })
}

async fn connection(stream: UnixStream, state: MonitoringState, power: PowerState) {
    let (mut reader, mut writer) = stream.into_split();
    let mut lines = LineReader::new();
    while let Ok(n @ 1..) = reader.read(lines.buffer()).await {
        let mut out = Vec::new();
        for frame in lines.filled(n) {
            let Ok(request) = frame.and_then(|line| decode::<Request>(&line)) else {
                continue;
            };
            let reply = answer(request.command, state, power);
            out.extend(
                encode(&Response {
                    id: Some(request.id),
                    reply,
                })
                .unwrap(),
            );
        }
        if writer.write_all(&out).await.is_err() {
            return;
        }
    }
}

fn answer(command: Command, state: MonitoringState, power: PowerState) -> Reply {
    match command {
        Command::MonitorGetState => Reply::ok_value(serde_json::json!({ "state": state })),
        Command::PowerGetState => Reply::ok_value(serde_json::json!({ "state": power })),
        other => Reply::error(format!("{} needs a running monitor", other.action())),
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
    let pool = argus_db::pool::build_untested_pool(&config.db, 2);
    AppState::for_worker(pool, Arc::new(config), Arc::default())
}

/// Builds the app over `state` (a macro, as actix's service type is unnameable).
#[macro_export]
macro_rules! app {
    ($state:expr) => {
        actix_web::test::init_service(argus_server::server::app($state)).await
    };
}

/// A user token for `id` with `role`, issued now (or `age` seconds ago).
pub fn user_token(id: i64, role: &str, age: i64) -> String {
    let claims = argus_server::auth::UserClaims {
        id,
        name: "t".into(),
        role: role.into(),
        origin: None,
        timestamp: argus_server::auth::now_seconds() - age,
    };
    argus_protocol::jwt::sign(&claims, SECRET.as_bytes()).unwrap()
}

/// A device token of user `id` (ArPI's claim set).
pub fn device_token(id: i64) -> String {
    let claims = argus_protocol::jwt::DeviceClaims {
        ip: Some("127.0.0.1".into()),
        origin: Some("http://localhost:4200".into()),
        user_id: id,
    };
    argus_protocol::jwt::sign(&claims, SECRET.as_bytes()).unwrap()
}

/// The test_with_v3 dataset in a fresh database.
pub fn demo_db() -> TestDb {
    let db = TestDb::new();
    argus_db::seed::seed(&mut db.conn(), argus_db::seed::Dataset::Demo, false).unwrap();
    db
}

/// Sends `METHOD uri` with an optional bearer token and JSON body; gives
/// `(status, body)` where a non-JSON body is a JSON string and an empty one
/// `Null`.
#[macro_export]
macro_rules! call {
    ($app:expr, $method:ident, $uri:expr) => {
        $crate::call!($app, $method, $uri, None::<&str>, None::<serde_json::Value>)
    };
    ($app:expr, $method:ident, $uri:expr, $token:expr) => {
        $crate::call!(
            $app,
            $method,
            $uri,
            Some($token.as_str()),
            None::<serde_json::Value>
        )
    };
    ($app:expr, $method:ident, $uri:expr, $token:expr, $body:expr) => {{
        let mut req = actix_web::test::TestRequest::default()
            .method(actix_web::http::Method::$method)
            .uri($uri);
        let token: Option<&str> = $token;
        if let Some(t) = token {
            req = req.insert_header(("Authorization", format!("Bearer {t}")));
        }
        let body: Option<serde_json::Value> = $body;
        if let Some(b) = body {
            req = req.set_json(b);
        }
        let resp = actix_web::test::call_service(&$app, req.to_request()).await;
        let status = resp.status().as_u16();
        let bytes = actix_web::test::read_body(resp).await;
        let body: serde_json::Value = if bytes.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                serde_json::Value::String(String::from_utf8_lossy(&bytes).into_owned())
            })
        };
        (status, body)
    }};
}

/// The sorted keys of a JSON object.
pub fn keys(v: &serde_json::Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

/// Every area armed away, straight in the table (the server's armed rule reads it).
pub fn arm_everything(db: &TestDb) {
    use argus_db::schema::area;
    use diesel::prelude::*;
    diesel::update(area::table)
        .set(area::arm_state.eq(argus_db::enums::ArmState::Away))
        .execute(&mut db.conn())
        .unwrap();
}
