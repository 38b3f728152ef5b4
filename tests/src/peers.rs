//! The peers argus talks to in the suite, each a real program started per
//! test: the SIM900-like fake modem on a pseudo-terminal, aiosmtpd, a
//! webhook receiver, Rock7's MT endpoint, a WebSocket node and
//! pysiaalarm's SIA DC-09 receiver. Each prints one line (its terminal or port), then one JSON
//! object per thing it saw.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::READY_TIMEOUT;

/// The SIM900-like fake modem on a pseudo-terminal (`tests/modem/fake_modem.py`).
pub struct FakeModem {
    /// The terminal to give argus as `GSM_PORT`.
    pub path: String,
    helper: Helper,
}

impl FakeModem {
    /// Starts it.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// Starts it with arguments (`--dtmf NUMBER=DIGITS`, `--link PATH`, `--pin PIN`).
    pub fn start_with(args: &[&str]) -> Self {
        let helper = Helper::start(Path::new("python3"), "modem/fake_modem.py", args);
        Self {
            path: helper.first.clone(),
            helper,
        }
    }

    /// The next thing the modem reports.
    pub fn next(&self) -> serde_json::Value {
        self.helper.next(READY_TIMEOUT, "modem report")
    }

    /// The next report that has `key` (`sms`, `call`, `fault`), skipping others.
    pub fn next_of(&self, key: &str) -> serde_json::Value {
        self.next_of_within(key, READY_TIMEOUT)
    }

    /// [`FakeModem::next_of`], waiting at most `timeout` for each report.
    pub fn next_of_within(&self, key: &str, timeout: Duration) -> serde_json::Value {
        loop {
            let event = self.helper.next(timeout, key);
            if let Some(v) = event.get(key) {
                return v.clone();
            }
        }
    }

    /// Whatever the modem has reported and nobody read yet.
    pub fn drain(&self) -> Vec<serde_json::Value> {
        self.helper.lines.try_iter().collect()
    }

    /// Makes the next `times` messages fail with `fault` (`error`,
    /// `no_network`, `garbage`, `silence`, `close`).
    pub fn fault(&mut self, fault: &str, times: u32) {
        self.control(&serde_json::json!({"fault": fault, "times": times}));
    }

    /// The network is there (registered, a signal) or not.
    pub fn network(&mut self, up: bool) {
        self.control(&serde_json::json!({ "network": up }));
    }

    /// An SMS from `number` arrives in the modem's storage.
    pub fn receive(&mut self, number: &str, text: &str) {
        self.control(&serde_json::json!({"incoming": {"number": number, "text": text}}));
    }

    fn control(&mut self, order: &serde_json::Value) {
        self.helper.send(order);
    }
}

/// A helper process of the suite (a fake modem, a receiver) that prints one
/// line (its terminal or port) and then one JSON object per line.
struct Helper {
    child: Child,
    first: String,
    lines: mpsc::Receiver<serde_json::Value>,
}

/// The Python of `tests/.venv`, where `scripts/test.sh` installs the
/// third-party servers (`tests/py-requirements.txt`).
fn venv_python() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python")
}

impl Helper {
    fn start(python: &Path, script: &str, args: &[&str]) -> Self {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(script);
        let mut child = Command::new(python)
            .arg(&script)
            .args(args)
            // Its control input; it stops when this closes.
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "{} {} (run scripts/test.sh once): {e}",
                    python.display(),
                    script.display()
                )
            });
        let mut out = BufReader::new(child.stdout.take().unwrap_or_else(|| panic!("no stdout")));
        let mut first = String::new();
        out.read_line(&mut first)
            .unwrap_or_else(|e| panic!("{}: {e}", script.display()));
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str(&line) {
                    if tx.send(v).is_err() {
                        break;
                    }
                }
            }
        });
        Self {
            child,
            first: first.trim().to_owned(),
            lines,
        }
    }

    fn port(&self) -> u16 {
        self.first
            .parse()
            .unwrap_or_else(|_| panic!("expected a port, got {:?}", self.first))
    }

    fn next(&self, timeout: Duration, what: &str) -> serde_json::Value {
        self.lines
            .recv_timeout(timeout)
            .unwrap_or_else(|_| panic!("no {what} within {timeout:?}"))
    }

    /// The next line `wanted` accepts, others skipped.
    fn next_where(
        &self,
        what: &str,
        wanted: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        loop {
            let line = self.next(READY_TIMEOUT, what);
            if wanted(&line) {
                return line;
            }
        }
    }

    /// One JSON line on its control input.
    fn send(&mut self, order: &serde_json::Value) {
        let stdin = self
            .child
            .stdin
            .as_mut()
            .unwrap_or_else(|| panic!("no stdin"));
        stdin
            .write_all(format!("{order}\n").as_bytes())
            .and_then(|()| stdin.flush())
            .unwrap_or_else(|e| panic!("control input: {e}"));
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An SMTP server on loopback (aiosmtpd, `tests/smtp/sink.py`) that accepts
/// every message and hands `(recipients, data)` to the test.
pub struct SmtpSink {
    /// Its port.
    pub port: u16,
    helper: Helper,
}

impl SmtpSink {
    /// Starts it on a free port.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// Starts it requiring AUTH as `user` with `password`.
    pub fn with_login(user: &str, password: &str) -> Self {
        Self::start_with(&["--user", user, "--password", password])
    }

    fn start_with(args: &[&str]) -> Self {
        let helper = Helper::start(&venv_python(), "smtp/sink.py", args);
        Self {
            port: helper.port(),
            helper,
        }
    }

    /// The next message received.
    pub fn next(&self) -> (Vec<String>, String) {
        let m = self.helper.next(READY_TIMEOUT, "e-mail");
        let to = m["to"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        (to, m["data"].as_str().unwrap_or_default().to_owned())
    }

    /// The next message with the login that sent it.
    pub fn next_with_login(&self) -> (Option<String>, String) {
        let m = self.helper.next(READY_TIMEOUT, "e-mail");
        (
            m["login"].as_str().map(str::to_owned),
            m["data"].as_str().unwrap_or_default().to_owned(),
        )
    }
}

/// A webhook receiver on loopback (`tests/webhook/receiver.py`, Python's
/// `http.server` and `hmac`): each POST with its signature checked.
pub struct WebhookReceiver {
    /// Where argus should POST.
    pub url: String,
    helper: Helper,
}

impl WebhookReceiver {
    /// Starts it; `secret` checks signatures; the first `fail` POSTs get 503.
    pub fn start(secret: &str, fail: u32) -> Self {
        let fail = fail.to_string();
        let helper = Helper::start(
            Path::new("python3"),
            "webhook/receiver.py",
            &["--secret", secret, "--fail", &fail],
        );
        Self {
            url: format!("http://127.0.0.1:{}/hook", helper.port()),
            helper,
        }
    }

    /// The next request it saw.
    pub fn next(&self) -> serde_json::Value {
        self.helper.next(READY_TIMEOUT, "webhook request")
    }
}

/// Rock7's MT endpoint (`tests/rockblock/mt_server.py`): checks the
/// password, fails the first `fail` messages with code 99, prints each one.
pub struct Rock7Mt {
    /// Its URL (`nodes/rockblock.mt_url`).
    pub url: String,
    helper: Helper,
}

impl Rock7Mt {
    /// Starts it.
    pub fn start(password: &str, fail: u32) -> Self {
        let fail = fail.to_string();
        let helper = Helper::start(
            Path::new("python3"),
            "rockblock/mt_server.py",
            &["--password", password, "--fail", &fail],
        );
        Self {
            url: format!("http://127.0.0.1:{}/rockblock/MT", helper.port()),
            helper,
        }
    }

    /// The next message it accepted.
    pub fn next(&self) -> serde_json::Value {
        self.helper.next(READY_TIMEOUT, "MT message")
    }
}

/// A remote node on argus's WebSocket (`tests/nodes/ws_node.py`, the
/// `websockets` library in `tests/.venv`).
pub struct WsNode {
    helper: Helper,
}

impl WsNode {
    /// Connects to `url` (`ws://…/nodes`) with `token`.
    pub fn connect(url: &str, token: &str) -> Self {
        Self {
            helper: Helper::start(&venv_python(), "nodes/ws_node.py", &[url, token]),
        }
    }

    /// Connects to `url` (`wss://…/nodes`) trusting the certificate authority `ca`.
    pub fn connect_tls(url: &str, token: &str, ca: &Path) -> Self {
        let ca = ca.display().to_string();
        Self {
            helper: Helper::start(&venv_python(), "nodes/ws_node.py", &[url, token, &ca]),
        }
    }

    /// The HTTP status the upgrade was refused with, if it was.
    pub fn refused(&self) -> Option<u64> {
        serde_json::from_str::<serde_json::Value>(&self.helper.first)
            .ok()?
            .get("refused")?
            .as_u64()
    }

    /// The next message from argus (or `{"closed": code}`).
    pub fn next(&self) -> serde_json::Value {
        self.helper.next(READY_TIMEOUT, "node message")
    }

    /// Sends a message.
    pub fn send(&mut self, message: &serde_json::Value) {
        self.helper.send(message);
    }
}

/// An alarm receiving centre: pysiaalarm's SIA DC-09 server
/// (`tests/sia/receiver.py`, in `tests/.venv`).
pub struct SiaReceiver {
    /// Its TCP port.
    pub port: u16,
    helper: Helper,
}

impl SiaReceiver {
    /// Starts it for `account`, encrypted with `key` if given.
    pub fn start(account: &str, key: Option<&str>) -> Self {
        let mut args = vec!["--account", account];
        if let Some(key) = key {
            args.extend(["--key", key]);
        }
        let helper = Helper::start(&venv_python(), "sia/receiver.py", &args);
        Self {
            port: helper.port(),
            helper,
        }
    }

    /// The next event it acknowledged.
    pub fn next(&self) -> serde_json::Value {
        self.helper.next(READY_TIMEOUT, "SIA event")
    }

    /// The next event with `code`, skipping others (link tests, say).
    pub fn next_code(&self, code: &str) -> serde_json::Value {
        self.helper.next_where("SIA event", |e| e["code"] == code)
    }
}

/// A private mosquitto on a free loopback port, anonymous, no persistence.
pub struct Mosquitto {
    /// Its port.
    pub port: u16,
    /// Its TLS port, if it has one ([`Mosquitto::start_tls`]).
    pub tls_port: Option<u16>,
    child: Option<Child>,
    conf: PathBuf,
    _dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("a free port: {e}"))
}

impl Mosquitto {
    /// Starts it and waits until it accepts connections.
    pub fn start() -> Self {
        Self::start_with(None)
    }

    /// Starts it with a second listener speaking TLS with `cert`.
    pub fn start_tls(cert: &crate::ServerCert) -> Self {
        Self::start_with(Some(cert))
    }

    fn start_with(cert: Option<&crate::ServerCert>) -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let port = free_port();
        let conf = dir.path().join("mosquitto.conf");
        let mut text =
            format!("listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n");
        let tls_port = cert.map(|cert| {
            // Run as root, mosquitto reads its certificate after becoming
            // the `mosquitto` user: a readable copy of this test's key.
            use std::os::unix::fs::PermissionsExt;
            let readable = std::fs::Permissions::from_mode(0o755);
            std::fs::set_permissions(dir.path(), readable.clone())
                .unwrap_or_else(|e| panic!("chmod: {e}"));
            let (cert_file, key_file) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
            for (from, to) in [(&cert.cert, &cert_file), (&cert.key, &key_file)] {
                std::fs::copy(from, to).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
                std::fs::set_permissions(to, readable.clone())
                    .unwrap_or_else(|e| panic!("chmod: {e}"));
            }
            let tls_port = free_port();
            text.push_str(&format!(
                "listener {tls_port} 127.0.0.1\ncertfile {}\nkeyfile {}\n",
                cert_file.display(),
                key_file.display()
            ));
            tls_port
        });
        std::fs::write(&conf, text).unwrap_or_else(|e| panic!("mosquitto.conf: {e}"));
        let mut broker = Self {
            port,
            tls_port,
            child: None,
            conf,
            _dir: dir,
        };
        broker.restart();
        broker
    }

    /// (Re)starts the broker on the same port.
    pub fn restart(&mut self) {
        self.stop();
        let child = Command::new("/usr/sbin/mosquitto")
            .arg("-c")
            .arg(&self.conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("mosquitto (scripts/test.sh installs it): {e}"));
        self.child = Some(child);
        let ports = [Some(self.port), self.tls_port];
        let up = crate::wait_until(READY_TIMEOUT, || {
            ports
                .iter()
                .flatten()
                .all(|&p| std::net::TcpStream::connect(("127.0.0.1", p)).is_ok())
        });
        assert!(up, "mosquitto did not listen on {ports:?}");
    }

    /// Kills the broker.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Home Assistant's side (`tests/mqtt/ha.py`, paho-mqtt): every message on
/// the discovery prefix and argus's topics, and publishes on request.
pub struct HomeAssistant {
    helper: Helper,
}

impl HomeAssistant {
    /// Connects to `broker` and subscribes.
    pub fn connect(broker: &Mosquitto) -> Self {
        let port = broker.port.to_string();
        let helper = Helper::start(&venv_python(), "mqtt/ha.py", &[&port]);
        assert_eq!(helper.first, "ready", "paho-mqtt did not subscribe");
        Self { helper }
    }

    /// The next message (`topic`, `payload`, `retain`).
    pub fn next(&self) -> serde_json::Value {
        self.helper.next(READY_TIMEOUT, "MQTT message")
    }

    /// The next message on `topic` (others skipped).
    pub fn next_on(&self, topic: &str) -> serde_json::Value {
        self.helper
            .next_where("MQTT message", |m| m["topic"] == topic)
    }

    /// Waits for `payload` on `topic`.
    pub fn until(&self, topic: &str, payload: &str) {
        while self.next_on(topic)["payload"] != payload {}
    }

    /// Publishes `payload` on `topic`.
    pub fn publish(&mut self, topic: &str, payload: &str, retain: bool) {
        self.helper
            .send(&serde_json::json!({"topic": topic, "payload": payload, "retain": retain}));
    }
}

/// A private Redis on a free loopback port, no persistence; messages are
/// published with Redis's own `redis-cli`.
pub struct Redis {
    /// Its port.
    pub port: u16,
    child: Child,
}

impl Redis {
    /// Starts it and waits until it accepts connections.
    pub fn start() -> Self {
        let port = free_port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("redis-server (scripts/test.sh installs it): {e}"));
        let up = crate::wait_until(READY_TIMEOUT, || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        assert!(up, "redis did not listen on {port}");
        Self { port, child }
    }

    /// Its URL.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Publishes `payload` on `channel`; how many subscribers got it.
    pub fn publish(&self, channel: &str, payload: &[u8]) -> u32 {
        let mut cli = Command::new("redis-cli")
            .args(["-p", &self.port.to_string(), "-x", "PUBLISH", channel])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("redis-cli: {e}"));
        let mut stdin = cli
            .stdin
            .take()
            .unwrap_or_else(|| panic!("redis-cli stdin"));
        stdin
            .write_all(payload)
            .unwrap_or_else(|e| panic!("redis-cli: {e}"));
        drop(stdin);
        let out = cli
            .wait_with_output()
            .unwrap_or_else(|e| panic!("redis-cli: {e}"));
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("redis-cli: {:?}", String::from_utf8_lossy(&out.stdout)))
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
