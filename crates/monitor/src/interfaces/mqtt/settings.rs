//! Where MQTT goes and how Home Assistant is served: the broker
//! `mqtt/connection` chooses (the internal one from the environment, or
//! `mqtt/external_publish`) and `mqtt/homeassistant`, read fresh at each
//! (re)connection and after each reload.

use serde::Deserialize;

use super::tls::Trust;
use crate::interfaces::running::Running;

/// The internal broker (`ARGUS_MQTT_HOST`, `ARGUS_MQTT_PORT`,
/// `ARGUS_MQTT_TLS`, `ARGUS_MQTT_CA`, `ARGUS_MQTT_TLS_INSECURE`; user
/// `argus` with `ARGUS_MQTT_PASSWORD`).
#[derive(Clone, PartialEq, Eq)]
pub struct Broker {
    /// Host.
    pub host: String,
    /// Port.
    pub port: u16,
    /// User, if any.
    pub username: Option<String>,
    /// Password, if any (never logged).
    pub password: Option<String>,
    /// TLS.
    pub tls: bool,
    /// What vouches for the broker's certificate (with TLS).
    pub trust: Trust,
}

impl std::fmt::Debug for Broker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Broker")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("trust", &self.trust)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct ConnectionOption {
    enabled: bool,
    external: bool,
}

#[derive(Deserialize)]
struct ExternalOption {
    hostname: Option<String>,
    port: i64,
    username: Option<String>,
    password: Option<String>,
    tls_enabled: bool,
    tls_insecure: bool,
    ca_file: Option<String>,
}

/// `mqtt/homeassistant`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct HomeAssistantOption {
    /// Where Home Assistant reads discovery (`homeassistant`).
    pub discovery_prefix: Option<String>,
    /// Also ArPI's `arpi/...` topics.
    pub arpi_topics: bool,
    /// Arm despite open sensors, bypassing them.
    pub force_arm: bool,
}

impl HomeAssistantOption {
    /// The discovery prefix in force.
    pub fn prefix(&self) -> String {
        self.discovery_prefix
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .unwrap_or("homeassistant")
            .to_owned()
    }
}

/// The broker and HA settings in force, `None` when MQTT is off.
pub async fn settings(r: &Running, internal: &Broker) -> Option<(Broker, HomeAssistantOption)> {
    let connection: ConnectionOption = crate::db::option(&r.db, "mqtt", "connection")
        .await
        .ok()??;
    if !connection.enabled {
        return None;
    }
    let broker = if connection.external {
        let e: ExternalOption = crate::db::option(&r.db, "mqtt", "external_publish")
            .await
            .ok()??;
        Broker {
            host: e.hostname.filter(|h| !h.trim().is_empty())?,
            port: u16::try_from(e.port).ok()?,
            username: e.username.filter(|u| !u.is_empty()),
            password: e.password.filter(|p| !p.is_empty()),
            tls: e.tls_enabled,
            trust: trust(e.tls_insecure, e.ca_file.as_deref()),
        }
    } else {
        internal.clone()
    };
    let ha = crate::db::option(&r.db, "mqtt", "homeassistant")
        .await
        .ok()??;
    Some((broker, ha))
}

/// A CA file wins over the insecure flag: someone who names one wants it used.
pub fn trust(insecure: bool, ca_file: Option<&str>) -> Trust {
    match ca_file.map(str::trim).filter(|f| !f.is_empty()) {
        Some(file) => Trust::CaFile(file.into()),
        None if insecure => Trust::Insecure,
        None => Trust::System,
    }
}
