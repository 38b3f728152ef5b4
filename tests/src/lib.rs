//! Harness for cross-process tests: starts the real `argus-server` and
//! `argus-monitor` binaries on a private database and sockets, waits for the
//! log line that says each is ready (no sleeps), and speaks plain HTTP/1.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long a process may take to become ready.
pub const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// A built binary of this workspace (`scripts/test.sh` builds them first).
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is not built; run `cargo build --workspace --bins` (scripts/test.sh does)",
        path.display()
    );
    path
}

/// A running argus process whose output is collected line by line.
pub struct Process {
    child: Child,
    lines: mpsc::Receiver<String>,
    /// Every line seen so far.
    pub log: Vec<String>,
}

impl Process {
    /// Starts `binary` with `env` added to a cleared-down environment.
    pub fn start(binary: &Path, env: &[(&str, String)]) -> Self {
        Self::start_args(binary, &[], env)
    }

    /// As [`Process::start`], with arguments.
    pub fn start_args(binary: &Path, args: &[&str], env: &[(&str, String)]) -> Self {
        let mut command = Command::new(binary);
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", argus_db::logging::DEFAULT_FILTER)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        for var in ["PGHOST", "PGPORT", "PGUSER"] {
            if let Ok(v) = std::env::var(var) {
                command.env(var, v);
            }
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", binary.display()));
        let (tx, lines) = mpsc::channel();
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Self {
            child,
            lines,
            log: Vec::new(),
        }
    }

    /// Waits for a line containing `needle`; panics with the log on timeout or exit.
    pub fn wait_for(&mut self, needle: &str) -> String {
        let deadline = std::time::Instant::now() + READY_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.log.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no line containing {needle:?}; output so far:\n{}",
                    self.log.join("\n")
                ),
            }
        }
    }

    /// Sends SIGTERM and waits for the exit; returns whether it exited cleanly.
    pub fn terminate(&mut self) -> bool {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        self.child.wait().map(|s| s.success()).unwrap_or(false)
    }

    /// Every line it printed, once it has exited (after [`Process::terminate`]).
    pub fn rest_of_log(&mut self) -> Vec<String> {
        while let Ok(line) = self.lines.recv_timeout(READY_TIMEOUT) {
            self.log.push(line);
        }
        self.log.clone()
    }

    /// Its resident memory in KiB (`VmRSS`).
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    /// Kills the process outright (SIGKILL).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The value of `key=` in a log line.
pub fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let start = line.find(&format!("{key}="))? + key.len() + 1;
    line[start..].split_whitespace().next()
}

/// A parsed HTTP response.
#[derive(Debug)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Header lines, lower-cased names.
    pub headers: Vec<(String, String)>,
    /// Body bytes as text.
    pub body: String,
}

impl HttpResponse {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A minimal HTTP/1.1 request (one connection per request, `Connection: close`).
pub fn http(addr: &str, method: &str, path: &str, body: Option<&str>) -> HttpResponse {
    http_with(addr, method, path, &[], body)
}

/// As [`http`], with extra request headers.
pub fn http_with(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> HttpResponse {
    let mut stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok();
    let body = body.unwrap_or_default();
    let extra: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{extra}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .unwrap_or_else(|e| panic!("write: {e}"));
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .unwrap_or_else(|e| panic!("read: {e}"));
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut head_lines = head.lines();
    let status = head_lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line: {head}"));
    let headers = head_lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    HttpResponse {
        status,
        headers,
        body: body.to_owned(),
    }
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes; returns
/// whether it held. For conditions with no event to wait on (rows in another
/// process's database), never for a fixed delay.
pub fn wait_until(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        if condition() {
            return true;
        }
        if std::time::Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A private PostgreSQL cluster this test can stop and start (initdb runs as
/// the `postgres` user when the tests run as root, as initdb refuses root).
pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

impl Cluster {
    fn as_owner(&self, program: &Path) -> Command {
        if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    }

    /// Creates and starts a cluster listening only on a Unix socket.
    pub fn start(port: u16) -> Self {
        let bin = postgres_bindir();
        let dir = tempfile::Builder::new()
            .prefix("argus-pg-")
            .tempdir_in("/tmp")
            .unwrap_or_else(|e| panic!("tempdir: {e}"));
        if is_root() {
            let _ = Command::new("chown")
                .arg("postgres:")
                .arg(dir.path())
                .status();
        }
        let cluster = Self { dir, bin, port };
        let data = cluster.dir.path().join("data");
        let ok = cluster
            .as_owner(&cluster.bin.join("initdb"))
            .args(["-D"])
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "initdb failed");
        cluster.pg_start();
        cluster
    }

    /// The socket directory (`PGHOST`).
    pub fn host(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// A URL for `database` on this cluster.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgresql:///{database}?host={}&port={}&user=postgres",
            self.host().display(),
            self.port
        )
    }

    /// Starts the server (waits until it accepts connections).
    pub fn pg_start(&self) {
        let opts = format!(
            "-c listen_addresses='' -c unix_socket_directories='{}' -c port={} -c fsync=off",
            self.dir.path().display(),
            self.port
        );
        let ok = self
            .as_owner(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-o", &opts, "-w", "-l"])
            .arg(self.dir.path().join("log"))
            .arg("start")
            .stdout(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "pg_ctl start failed");
    }

    /// Stops the server (fast shutdown, waits).
    pub fn pg_stop(&self) {
        let _ = self
            .as_owner(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "fast", "-w", "stop"])
            .stdout(Stdio::null())
            .status();
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.pg_stop();
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

fn postgres_bindir() -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path().join("bin"))
                .filter(|p| p.join("initdb").exists())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs.pop()
        .unwrap_or_else(|| PathBuf::from("/usr/local/bin"))
}

/// `SECRET` of the processes the tests start.
pub const TEST_SECRET: &str = "argus-test-secret";

/// A signed admin user token for the demo's Administrator (user 1), from
/// the web app's origin, as `Bearer <token>`.
pub fn admin_bearer() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let claims = serde_json::json!({"id": 1, "name": "Administrator", "role": "admin",
        "origin": "http://localhost:4200", "timestamp": now});
    let token = argus_protocol::jwt::sign(&claims, TEST_SECRET.as_bytes())
        .unwrap_or_else(|e| panic!("signing: {e}"));
    format!("Bearer {token}")
}

/// A device token of `user_id` signed with [`TEST_SECRET`], registered from
/// `127.0.0.1` by a page at `origin`.
pub fn device_token(user_id: i64, origin: &str) -> String {
    let claims = argus_protocol::jwt::DeviceClaims {
        ip: Some("127.0.0.1".into()),
        origin: Some(origin.into()),
        user_id,
    };
    argus_protocol::jwt::sign(&claims, TEST_SECRET.as_bytes())
        .unwrap_or_else(|e| panic!("signing: {e}"))
}

/// The monitor and server of one test, on their own sockets.
pub struct Argus {
    /// Where sockets and the journal live.
    pub dir: tempfile::TempDir,
    /// The database URL.
    pub db_url: String,
    /// The monitor process.
    pub monitor: Option<Process>,
    /// Extra environment for the monitor.
    pub extra_env: Vec<(&'static str, String)>,
}

impl Argus {
    /// A system over `db_url` (migrated and seeded by the caller); starts the monitor.
    pub fn start(db_url: String) -> Self {
        Self::start_with(db_url, Vec::new())
    }

    /// As [`Argus::start`], with extra environment for the monitor.
    pub fn start_with(db_url: String, extra_env: Vec<(&'static str, String)>) -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let mut argus = Self {
            dir,
            db_url,
            monitor: None,
            extra_env,
        };
        argus.start_monitor();
        argus
    }

    /// The IPC socket.
    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("argus_monitor.sock")
    }

    /// The monitor's environment.
    pub fn monitor_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("DATABASE_URL", self.db_url.clone()),
            ("MONITOR_INPUT_SOCKET", self.socket().display().to_string()),
            ("USE_SIMULATOR", "true".into()),
            ("BOARD_VERSION", "3".into()),
            ("ARGUS_LIVE_BIND", "127.0.0.1:0".into()),
            (
                "ARGUS_STATE_DIR",
                self.dir.path().join("state").display().to_string(),
            ),
            ("SECRET", TEST_SECRET.into()),
        ]
        .into_iter()
        .chain(self.extra_env.iter().cloned())
        .collect()
    }

    /// (Re)starts the monitor and waits until it is ready.
    pub fn start_monitor(&mut self) -> String {
        let mut p = Process::start(&binary("argus-monitor"), &self.monitor_env());
        let line = p.wait_for("argus-monitor ready");
        self.monitor = Some(p);
        line
    }

    /// The Socket.IO address from the monitor's log.
    pub fn live_addr(&self) -> String {
        self.monitor
            .as_ref()
            .and_then(|p| {
                p.log
                    .iter()
                    .find(|l| l.contains("live events listening"))
                    .cloned()
            })
            .and_then(|l| field(&l, "addr").map(str::to_owned))
            .unwrap_or_default()
    }

    /// Starts an `argus-server` on a free loopback port against this
    /// system's database and monitor; the process and its address.
    pub fn start_server(&self) -> (Process, String) {
        let env = [
            ("DATABASE_URL", self.db_url.clone()),
            ("MONITOR_INPUT_SOCKET", self.socket().display().to_string()),
            ("ARGUS_BIND", "127.0.0.1:0".to_owned()),
            ("ARGUS_WORKERS", "2".to_owned()),
            ("SECRET", TEST_SECRET.to_owned()),
            // Never the machine's SSH keys or certificates.
            (
                "ARGUS_AUTHORIZED_KEYS",
                self.dir
                    .path()
                    .join("authorized_keys")
                    .display()
                    .to_string(),
            ),
            (
                "ARGUS_PUBLIC_CERT",
                self.dir.path().join("fullchain.pem").display().to_string(),
            ),
            (
                "ARGUS_FIRMWARE_DIR",
                self.dir.path().join("firmware").display().to_string(),
            ),
        ];
        let mut server = Process::start(&binary("argus-server"), &env);
        let line = server.wait_for("argus-server listening");
        let addr = field(&line, "addr").unwrap_or_default().to_owned();
        (server, addr)
    }

    /// Kills the monitor with SIGKILL.
    pub fn kill_monitor(&mut self) {
        if let Some(mut p) = self.monitor.take() {
            p.kill();
        }
    }

    /// One IPC call.
    pub fn ipc(&self, command: argus_protocol::Command) -> argus_protocol::Reply {
        let mut c = argus_monitor::interfaces::client::BlockingClient::connect(
            &self.socket(),
            Duration::from_secs(10),
        )
        .unwrap_or_else(|e| panic!("IPC connect: {e}"));
        c.call(command).unwrap_or_else(|e| panic!("IPC call: {e}"))
    }

    /// Runs `argus-sim` with `args`; returns its standard output.
    pub fn sim(&self, args: &[&str]) -> String {
        let out = Command::new(binary("argus-sim"))
            .arg("--socket")
            .arg(self.socket())
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("argus-sim: {e}"));
        assert!(
            out.status.success(),
            "argus-sim {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The monitoring state.
    pub fn state(&self) -> String {
        let reply = self.ipc(argus_protocol::Command::MonitorGetState);
        reply
            .value
            .and_then(|v| v["state"].as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// Whether the siren output is on, as `argus-sim outputs` shows it.
    pub fn siren(&self) -> bool {
        let v: serde_json::Value =
            serde_json::from_str(&self.sim(&["outputs"])).unwrap_or_default();
        v["siren"] == serde_json::Value::Bool(true)
    }
}

/// How long an e2e test waits for something asynchronous (a row, a state).
pub const WAIT: Duration = Duration::from_secs(20);

/// The number of rows `sql` returns on `url`, or -1 while the database
/// cannot answer (for [`wait_until`]).
pub fn count(url: &str, sql: &str) -> i64 {
    use diesel::prelude::*;
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let Ok(mut conn) = diesel::PgConnection::establish(url) else {
        return -1;
    };
    diesel::sql_query(format!("SELECT count(*) AS n FROM ({sql}) q"))
        .get_result::<N>(&mut conn)
        .map_or(-1, |r| r.n)
}

impl Argus {
    /// Arms the whole system away (or stay) as user 1; whether the monitor accepted.
    pub fn arm(&self, stay: bool) -> bool {
        let request = argus_protocol::ipc::ArmRequest {
            user_id: Some(1),
            ..Default::default()
        };
        let command = if stay {
            argus_protocol::Command::MonitorArmStay(request)
        } else {
            argus_protocol::Command::MonitorArmAway(request)
        };
        self.ipc(command).result
    }

    /// Waits (at most [`WAIT`]) for the monitoring state; panics with the last one.
    pub fn wait_state(&self, state: &str) {
        assert!(
            wait_until(WAIT, || self.state() == state),
            "state {} instead of {state}",
            self.state()
        );
    }
}

/// A real Socket.IO client (npm `socket.io-client`, `tests/sio/listen.mjs`).
pub struct LiveClient {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl LiveClient {
    /// Connects to `addr` with `token` and `referer` over `transport`
    /// (`polling`, `websocket` or `both`).
    pub fn connect(addr: &str, token: &str, referer: &str, transport: &str) -> Self {
        Self::connect_url(&format!("http://{addr}"), token, referer, transport, None)
    }

    /// As [`Self::connect`], to `url` (`https://…` trusting `ca`'s
    /// certificates besides the system's).
    pub fn connect_url(
        url: &str,
        token: &str,
        referer: &str,
        transport: &str,
        ca: Option<&Path>,
    ) -> Self {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("sio/listen.mjs");
        let mut command = Command::new("node");
        if let Some(ca) = ca {
            command.env("NODE_EXTRA_CA_CERTS", ca);
        }
        let mut child = command
            .arg(script)
            .args([url, token, referer, transport])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("node: {e} (scripts/test.sh installs it)"));
        let (tx, lines) = mpsc::channel();
        if let Some(out) = child.stdout.take() {
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Self { child, lines }
    }

    /// The next event as `(name, args)`.
    pub fn next(&self) -> (String, Vec<serde_json::Value>) {
        let line = self
            .lines
            .recv_timeout(READY_TIMEOUT)
            .unwrap_or_else(|_| panic!("no Socket.IO event within {READY_TIMEOUT:?}"));
        let v: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let name = v["event"].as_str().unwrap_or_default().to_owned();
        let args = v["args"].as_array().cloned().unwrap_or_default();
        (name, args)
    }

    /// Events until (and including) the first named `last`.
    pub fn until(&self, last: &str) -> Vec<(String, Vec<serde_json::Value>)> {
        let mut seen = Vec::new();
        loop {
            let event = self.next();
            let done = event.0 == last;
            seen.push(event);
            if done {
                return seen;
            }
        }
    }
}

impl Drop for LiveClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

mod certs;
mod peers;
pub use certs::{ServerCert, TestCa};
pub use peers::{
    FakeModem, HomeAssistant, Mosquitto, Redis, Rock7Mt, SiaReceiver, SmtpSink, WebhookReceiver,
    WsNode,
};
