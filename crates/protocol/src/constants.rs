//! String constants of the ArPI contract (§9.1).

/// The monitoring state, as `monitor_get_state` and `system_state_change` show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonitoringState {
    /// `monitoring_startup`
    MonitoringStartup,
    /// `monitoring_updating_config`
    MonitoringUpdatingConfig,
    /// `monitoring_invalid_config`
    MonitoringInvalidConfig,
    /// `monitoring_ready`
    MonitoringReady,
    /// `monitoring_arm_delay`
    MonitoringArmDelay,
    /// `monitoring_armed`
    MonitoringArmed,
    /// `monitoring_alert_delay`
    MonitoringAlertDelay,
    /// `monitoring_alert`
    MonitoringAlert,
    /// `monitoring_sabotage`
    MonitoringSabotage,
    /// `monitoring_error`
    MonitoringError,
    /// `monitoring_stopped`
    MonitoringStopped,
}

impl MonitoringState {
    /// The contract string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MonitoringStartup => "monitoring_startup",
            Self::MonitoringUpdatingConfig => "monitoring_updating_config",
            Self::MonitoringInvalidConfig => "monitoring_invalid_config",
            Self::MonitoringReady => "monitoring_ready",
            Self::MonitoringArmDelay => "monitoring_arm_delay",
            Self::MonitoringArmed => "monitoring_armed",
            Self::MonitoringAlertDelay => "monitoring_alert_delay",
            Self::MonitoringAlert => "monitoring_alert",
            Self::MonitoringSabotage => "monitoring_sabotage",
            Self::MonitoringError => "monitoring_error",
            Self::MonitoringStopped => "monitoring_stopped",
        }
    }
}

/// Power source, as `power_get_state` and `power_state_change` show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PowerState {
    /// Mains power (`network`).
    Network,
    /// Running on the battery (`battery`).
    Battery,
}

/// The 503 body the REST server sends when the monitor does not answer.
pub const MONITOR_UNAVAILABLE: &str = "No response from monitoring service";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_serialise_as_contract_strings() {
        for s in [
            MonitoringState::MonitoringReady,
            MonitoringState::MonitoringAlertDelay,
            MonitoringState::MonitoringStopped,
        ] {
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::json!(s.as_str())
            );
        }
        assert_eq!(
            serde_json::to_string(&PowerState::Network).unwrap(),
            "\"network\""
        );
    }
}
