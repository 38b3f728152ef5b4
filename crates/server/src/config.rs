//! The server's configuration, from environment variables.

use argus_db::DbConfig;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use argus_db::config::{env_bool, env_mode, env_parse as parse};

/// A variable that is set but cannot be used.
pub use argus_db::config::EnvError as ConfigError;

/// Where the server listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bind {
    /// A Unix socket (production, behind nginx).
    Unix(PathBuf),
    /// A TCP address (development and tests).
    Tcp(SocketAddr),
}

impl std::str::FromStr for Bind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.strip_prefix("unix:") {
            Some(path) if !path.is_empty() => Ok(Self::Unix(PathBuf::from(path))),
            Some(_) => Err("unix: needs a path".into()),
            None => s
                .parse()
                .map(Self::Tcp)
                .map_err(|e| format!("{s:?}: {e} (use unix:/path or host:port)")),
        }
    }
}

/// Settings of `argus-server`.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `ARGUS_BIND` | `unix:/run/argus/argus_server.sock` | `unix:/path` or `host:port` |
/// | `ARGUS_SOCKET_MODE` | `660` | mode of the Unix socket (octal) |
/// | `MONITOR_INPUT_SOCKET` | `/run/argus/argus_monitor.sock` | the monitor's IPC socket |
/// | `ARGUS_IPC_TIMEOUT_MS` | `5000` | how long an IPC call may take |
/// | `BOARD_VERSION` | `3` | shown by `/api/board_version` |
/// | `ARGUS_WORKERS` | number of CPUs | HTTP worker threads |
/// | `ARGUS_DB_POOL` | `4` | PostgreSQL connections |
/// | `ARGUS_HASHING` | CPUs − 1 (at least 1) | concurrent bcrypt checks (PINs, codes) |
/// | `DATABASE_URL` or `DB_USER`/`DB_SCHEMA` | `postgresql:///argus` | see `argus_db::DbConfig` |
/// | `SECRET` | required | HS256 key of device and user tokens |
/// | `SALT` | none | ArPI's legacy hash salt |
/// | `MCP_SECRET` | none | HS256 key of MCP tokens (unset: none are issued) |
/// | `INPUT_NUMBER` | `15` | sensor channels are `-1..INPUT_NUMBER-1` |
/// | `OUTPUT_NUMBER` | `8` | output channels are `1..OUTPUT_NUMBER-1` (0 is the siren) |
/// | `USE_SSH_CONNECTION` | `false` | let `network/*` changes reconfigure SSH and remote access |
/// | `ARGUS_AUTHORIZED_KEYS` | `/home/argus/.ssh/authorized_keys` | the keys `/api/user/<id>/ssh_key` manages |
/// | `ARGUS_PUBLIC_CERT` | `/etc/letsencrypt/live/arpi/fullchain.pem` | its existence is `public_access` |
/// | `ARGUS_READER_MQTT_PASSWORD` | empty | shown in `mqtt/internal_read` for Home Assistant |
/// | `ARGUS_CORS_ORIGINS` | `localhost,127.0.0.1,*.arpi.local,app.arpi-security.info` | hosts whose pages may call the API from another origin (nginx adds no CORS header) |
/// | `ARGUS_TRUSTED_PROXIES` | `127.0.0.0/8,::1` | peers whose `X-Real-IP`/`X-Forwarded-For` are believed (the Unix socket always is) |
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Listener.
    pub bind: Bind,
    /// Unix socket mode.
    pub socket_mode: u32,
    /// The monitor's IPC socket.
    pub monitor_socket: PathBuf,
    /// IPC call timeout.
    pub ipc_timeout: Duration,
    /// Board generation shown to clients.
    pub board_version: u8,
    /// HTTP workers (None = one per CPU).
    pub workers: Option<usize>,
    /// PostgreSQL connections.
    pub db_pool: u32,
    /// Concurrent bcrypt checks: they are CPU-bound by design, so one core
    /// stays free for everything else.
    pub hashing: usize,
    /// The database.
    pub db: DbConfig,
    /// `SECRET`: the key of every token.
    pub secret: Option<Secret>,
    /// ArPI's legacy `SALT` (old PIN hashes).
    pub salt: Option<Secret>,
    /// `MCP_SECRET`: the key of MCP tokens, distinct from `SECRET`.
    pub mcp_secret: Option<Secret>,
    /// Number of sensor inputs.
    pub input_number: i32,
    /// Number of output channels (channel 0 drives the siren).
    pub output_number: i32,
    /// Whether `network/*` option changes reach SSH and remote access.
    pub use_ssh_connection: bool,
    /// The `authorized_keys` file of the maintenance account.
    pub authorized_keys: PathBuf,
    /// The public TLS certificate; it exists once remote access is set up.
    pub public_cert: PathBuf,
    /// The read-only MQTT broker password (meant to be copied into Home Assistant).
    pub reader_mqtt_password: Secret,
    /// Proxies whose forwarding headers name the client (lock-out by address).
    pub trusted_proxies: argus_protocol::peer::TrustedProxies,
    /// Pages on these hosts may call the API from another origin.
    pub cors_origins: crate::cors::AllowedOrigins,
    /// Where firmware bundles for remote nodes are kept (`ARGUS_FIRMWARE_DIR`).
    pub firmware_dir: PathBuf,
}

/// A secret whose `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl ServerConfig {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads any variable lookup (tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let socket_mode = env_mode(&lookup, "ARGUS_SOCKET_MODE", 0o660)?;
        let workers: usize = parse(&lookup, "ARGUS_WORKERS", 0)?;
        Ok(Self {
            bind: parse(
                &lookup,
                "ARGUS_BIND",
                Bind::Unix(PathBuf::from("/run/argus/argus_server.sock")),
            )?,
            socket_mode,
            monitor_socket: parse(
                &lookup,
                "MONITOR_INPUT_SOCKET",
                PathBuf::from("/run/argus/argus_monitor.sock"),
            )?,
            ipc_timeout: Duration::from_millis(parse(&lookup, "ARGUS_IPC_TIMEOUT_MS", 5000u64)?),
            board_version: parse(&lookup, "BOARD_VERSION", 3u8)?,
            workers: (workers > 0).then_some(workers),
            db_pool: parse(&lookup, "ARGUS_DB_POOL", 4u32)?.max(1),
            hashing: parse(
                &lookup,
                "ARGUS_HASHING",
                std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1)),
            )?
            .max(1),
            db: DbConfig::from_lookup(&lookup),
            secret: lookup("SECRET").filter(|s| !s.is_empty()).map(Secret),
            salt: lookup("SALT").filter(|s| !s.is_empty()).map(Secret),
            mcp_secret: lookup("MCP_SECRET").filter(|s| !s.is_empty()).map(Secret),
            input_number: parse(&lookup, "INPUT_NUMBER", 15)?,
            output_number: parse(&lookup, "OUTPUT_NUMBER", 8)?,
            use_ssh_connection: env_bool(&lookup, "USE_SSH_CONNECTION", false)?,
            authorized_keys: parse(
                &lookup,
                "ARGUS_AUTHORIZED_KEYS",
                PathBuf::from("/home/argus/.ssh/authorized_keys"),
            )?,
            public_cert: parse(
                &lookup,
                "ARGUS_PUBLIC_CERT",
                PathBuf::from("/etc/letsencrypt/live/arpi/fullchain.pem"),
            )?,
            reader_mqtt_password: Secret(lookup("ARGUS_READER_MQTT_PASSWORD").unwrap_or_default()),
            trusted_proxies: parse(&lookup, "ARGUS_TRUSTED_PROXIES", Default::default())?,
            cors_origins: parse(&lookup, "ARGUS_CORS_ORIGINS", Default::default())?,
            firmware_dir: parse(
                &lookup,
                "ARGUS_FIRMWARE_DIR",
                PathBuf::from("/var/lib/argus/firmware"),
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<ServerConfig, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        ServerConfig::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn binds_parse() {
        assert_eq!(
            config(&[]).unwrap().bind,
            Bind::Unix("/run/argus/argus_server.sock".into())
        );
        assert_eq!(
            config(&[("ARGUS_BIND", "127.0.0.1:8080")]).unwrap().bind,
            Bind::Tcp(SocketAddr::from(([127, 0, 0, 1], 8080)))
        );
        assert_eq!(
            config(&[("ARGUS_BIND", "unix:/tmp/a.sock")]).unwrap().bind,
            Bind::Unix("/tmp/a.sock".into())
        );
        assert!(config(&[("ARGUS_BIND", "unix:")]).is_err());
        assert!(config(&[("ARGUS_BIND", "localhost")])
            .unwrap_err()
            .to_string()
            .contains("ARGUS_BIND"));
    }

    #[test]
    fn defaults() {
        let c = config(&[]).unwrap();
        assert_eq!(
            (c.socket_mode, c.board_version, c.workers),
            (0o660, 3, None)
        );
        assert_eq!(c.ipc_timeout, Duration::from_secs(5));
    }
}
