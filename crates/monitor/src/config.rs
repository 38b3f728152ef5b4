//! The monitor's configuration, from environment variables (ArPI's names).

use std::net::SocketAddr;
use std::path::PathBuf;

use argus_db::config::{env_bool as parse_bool, env_mode, env_parse as parse};

/// A variable that is set but cannot be used.
pub use argus_db::config::EnvError as ConfigError;

/// Settings of `argus-monitor`.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `MONITOR_INPUT_SOCKET` | `/run/argus/argus_monitor.sock` | IPC socket path |
/// | `PERMISSIONS` | `660` | IPC socket mode (octal) |
/// | `ARGUS_LIVE_BIND` | `127.0.0.1:8081` | Socket.IO listener |
/// | `USE_SIMULATOR` | `false` | use the simulated board |
/// | `BOARD_VERSION` | `3` | 2 or 3 |
/// | `INPUT_NUMBER` / `OUTPUT_NUMBER` | `15` / `8` | channels on the board |
/// | `SAMPLE_RATE` | `10` | ADC samples per second (board v3) |
/// | `ARGUS_STATE_DIR` | `/var/lib/argus` | where the arm-state journal lives |
/// | `DATABASE_URL` or `DB_USER`/`DB_SCHEMA` | `postgresql:///argus` | see `argus_db::DbConfig` |
/// | `SECRET` | none | key of device tokens (Socket.IO auth) |
/// | `GSM_PORT` / `GSM_PORT_BAUD` | `/dev/ttyAMA0` / `9600` | the GSM modem |
/// | `ARGUS_TRUSTED_PROXIES` | `127.0.0.0/8,::1` | peers whose `X-Real-IP`/`X-Forwarded-For` are believed |
/// | `ARGUS_LIVE_MAX_PER_ADDRESS` / `ARGUS_LIVE_MAX_SESSIONS` | `20` / `100` | Socket.IO sessions per client address / in all |
#[derive(Debug, Clone)]
pub struct MonitorConfig {
    /// IPC socket path.
    pub ipc_socket: PathBuf,
    /// IPC socket mode.
    pub ipc_mode: u32,
    /// Socket.IO listener address.
    pub live_bind: SocketAddr,
    /// Whether the simulated board is used.
    pub use_simulator: bool,
    /// Board generation (2 or 3).
    pub board_version: u8,
    /// Number of inputs.
    pub input_number: u8,
    /// Number of outputs.
    pub output_number: u8,
    /// Samples per second.
    pub sample_rate: u32,
    /// Directory for the local state journal.
    pub state_dir: PathBuf,
    /// The database.
    pub db: argus_db::DbConfig,
    /// `SECRET`, which signs device tokens (Socket.IO refuses every client without it).
    pub secret: Option<Secret>,
    /// The modem's serial device (`GSM_PORT`).
    pub gsm_port: PathBuf,
    /// Its baud rate (`GSM_PORT_BAUD`).
    pub gsm_baud: u32,
    /// Proxies whose forwarding headers name the client.
    pub trusted_proxies: argus_protocol::peer::TrustedProxies,
    /// Socket.IO sessions allowed per client address.
    pub live_per_address: usize,
    /// Socket.IO sessions allowed in all.
    pub live_sessions: usize,
    /// ArPI's legacy `SALT`, for PIN hashes made before bcrypt.
    pub salt: Option<Secret>,
    /// `USE_SSH_CONNECTION=true`: SSH and remote access are this system's to
    /// change (never with the simulated board).
    pub use_ssh_connection: bool,
    /// Notification retries (`ARGUS_NOTIFY_RETRY_MS`, the first wait;
    /// `ARGUS_NOTIFY_ATTEMPTS`).
    pub notify_backoff: crate::runtime::notify::deliver::Backoff,
    /// How often the SMS inbox is read for commands (`ARGUS_SMS_POLL_MS`).
    pub sms_poll: std::time::Duration,
    /// How often the modem's health is checked (`ARGUS_GSM_CHECK_MS`).
    pub gsm_check: std::time::Duration,
    /// The internal MQTT broker (`ARGUS_MQTT_HOST`, `ARGUS_MQTT_PORT`,
    /// `ARGUS_MQTT_TLS`, `ARGUS_MQTT_CA`, `ARGUS_MQTT_TLS_INSECURE`, user
    /// `argus` with `ARGUS_MQTT_PASSWORD`).
    pub mqtt_internal: crate::interfaces::mqtt::settings::Broker,
}

/// A secret string whose `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl MonitorConfig {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads any variable lookup (tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let ipc_mode = env_mode(&lookup, "PERMISSIONS", 0o660)?;
        let board_version = parse(&lookup, "BOARD_VERSION", 3u8)?;
        if !(2..=3).contains(&board_version) {
            return Err(ConfigError {
                name: "BOARD_VERSION",
                problem: format!("{board_version} (expected 2 or 3)"),
            });
        }
        let sample_rate = parse(&lookup, "SAMPLE_RATE", 10u32)?;
        if sample_rate == 0 {
            return Err(ConfigError {
                name: "SAMPLE_RATE",
                problem: "must be at least 1".into(),
            });
        }
        Ok(Self {
            ipc_socket: parse(
                &lookup,
                "MONITOR_INPUT_SOCKET",
                PathBuf::from("/run/argus/argus_monitor.sock"),
            )?,
            ipc_mode,
            live_bind: parse(
                &lookup,
                "ARGUS_LIVE_BIND",
                SocketAddr::from(([127, 0, 0, 1], 8081)),
            )?,
            use_simulator: parse_bool(&lookup, "USE_SIMULATOR", false)?,
            board_version,
            input_number: parse(&lookup, "INPUT_NUMBER", 15u8)?,
            output_number: parse(&lookup, "OUTPUT_NUMBER", 8u8)?,
            sample_rate,
            state_dir: parse(&lookup, "ARGUS_STATE_DIR", PathBuf::from("/var/lib/argus"))?,
            db: argus_db::DbConfig::from_lookup(&lookup),
            secret: lookup("SECRET").filter(|s| !s.is_empty()).map(Secret),
            gsm_port: parse(&lookup, "GSM_PORT", PathBuf::from("/dev/ttyAMA0"))?,
            gsm_baud: parse(&lookup, "GSM_PORT_BAUD", 9600u32)?,
            trusted_proxies: parse(&lookup, "ARGUS_TRUSTED_PROXIES", Default::default())?,
            live_per_address: parse(&lookup, "ARGUS_LIVE_MAX_PER_ADDRESS", 20usize)?.max(1),
            live_sessions: parse(&lookup, "ARGUS_LIVE_MAX_SESSIONS", 100usize)?.max(1),
            salt: lookup("SALT").filter(|s| !s.is_empty()).map(Secret),
            // ArPI compares with "true"; anything else leaves the system alone.
            use_ssh_connection: lookup("USE_SSH_CONNECTION")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true")),
            notify_backoff: crate::runtime::notify::deliver::Backoff {
                first: std::time::Duration::from_millis(
                    parse(&lookup, "ARGUS_NOTIFY_RETRY_MS", 10_000u64)?.max(1),
                ),
                attempts: parse(&lookup, "ARGUS_NOTIFY_ATTEMPTS", 12i32)?.max(1),
            },
            sms_poll: std::time::Duration::from_millis(
                parse(&lookup, "ARGUS_SMS_POLL_MS", 15_000u64)?.max(100),
            ),
            gsm_check: std::time::Duration::from_millis(
                parse(&lookup, "ARGUS_GSM_CHECK_MS", 60_000u64)?.max(100),
            ),
            mqtt_internal: crate::interfaces::mqtt::settings::Broker {
                host: lookup("ARGUS_MQTT_HOST")
                    .filter(|h| !h.is_empty())
                    .unwrap_or_else(|| "localhost".into()),
                port: parse(&lookup, "ARGUS_MQTT_PORT", 8883u16)?,
                username: Some("argus".into()),
                password: lookup("ARGUS_MQTT_PASSWORD").filter(|p| !p.is_empty()),
                tls: parse_bool(&lookup, "ARGUS_MQTT_TLS", true)?,
                trust: crate::interfaces::mqtt::settings::trust(
                    parse_bool(&lookup, "ARGUS_MQTT_TLS_INSECURE", false)?,
                    lookup("ARGUS_MQTT_CA").as_deref(),
                ),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<MonitorConfig, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        MonitorConfig::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn the_deployed_example_parses_to_its_documented_values() {
        let example = include_str!("../../../deploy/config.env.example");
        let vars: Vec<(&str, &str)> = example
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .collect();
        let c = config(&vars).unwrap();
        assert_eq!((c.mqtt_internal.port, c.mqtt_internal.tls), (8883, true));
        assert_eq!(
            c.mqtt_internal.trust,
            crate::interfaces::mqtt::tls::Trust::Insecure,
            "ArPI's broker has a self-signed certificate"
        );
        assert_eq!(c.notify_backoff.attempts, 12);
        assert_eq!(c.notify_backoff.first, std::time::Duration::from_secs(10));
        assert_eq!(c.sms_poll, std::time::Duration::from_secs(15));
        assert_eq!(c.gsm_check, std::time::Duration::from_secs(60));
    }

    #[test]
    fn defaults_match_arpi_production() {
        let c = config(&[]).unwrap();
        assert_eq!(c.ipc_socket, PathBuf::from("/run/argus/argus_monitor.sock"));
        assert_eq!(c.ipc_mode, 0o660);
        assert_eq!(c.live_bind.to_string(), "127.0.0.1:8081");
        assert!(!c.use_simulator);
        assert_eq!(
            (
                c.board_version,
                c.input_number,
                c.output_number,
                c.sample_rate
            ),
            (3, 15, 8, 10)
        );
    }

    #[test]
    fn the_secret_never_shows_in_debug() {
        let c = config(&[("SECRET", "hunter2"), ("SALT", "pepper")]).unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
        assert!(!format!("{c:?}").contains("pepper"));
        assert_eq!(c.secret.unwrap().0, "hunter2");
        assert_eq!(c.salt.unwrap().0, "pepper");
    }

    #[test]
    fn ssh_is_managed_only_when_asked_for() {
        assert!(!config(&[]).unwrap().use_ssh_connection);
        assert!(
            !config(&[("USE_SSH_CONNECTION", "yes")])
                .unwrap()
                .use_ssh_connection
        );
        assert!(
            config(&[("USE_SSH_CONNECTION", " True ")])
                .unwrap()
                .use_ssh_connection
        );
    }

    #[test]
    fn values_are_parsed_and_checked() {
        let c = config(&[
            ("USE_SIMULATOR", "True"),
            ("BOARD_VERSION", "2"),
            ("PERMISSIONS", "600"),
        ])
        .unwrap();
        assert!(c.use_simulator);
        assert_eq!((c.board_version, c.ipc_mode), (2, 0o600));
        for bad in [
            ("BOARD_VERSION", "4"),
            ("USE_SIMULATOR", "maybe"),
            ("PERMISSIONS", "9"),
            ("SAMPLE_RATE", "0"),
            ("ARGUS_LIVE_BIND", "nowhere"),
        ] {
            let err = config(&[bad]).unwrap_err().to_string();
            assert!(err.contains(bad.0), "{err}");
        }
    }
}
