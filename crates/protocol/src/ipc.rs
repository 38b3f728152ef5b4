//! IPC requests and replies between `argus-server` (and `argus-sim`) and
//! `argus-monitor`. Every ArPI IPC command (contract §1.5) is a [`Command`]
//! variant; the wire tag is ArPI's action string. A [`Request`] carries an id
//! that its [`Response`] echoes, so one connection can carry many calls at once.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::constants::PowerState;

/// One call: an id chosen by the caller and the command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Echoed in the response.
    pub id: u64,
    /// What to do.
    #[serde(flatten)]
    pub command: Command,
}

/// Arm the system or one area (`monitor_arm_away` / `monitor_arm_stay`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArmRequest {
    /// Who arms (REST: the token's user).
    #[serde(default)]
    pub user_id: Option<i32>,
    /// The area; `None` arms the whole system.
    #[serde(default)]
    pub area_id: Option<i32>,
    /// The keypad that armed, if any.
    #[serde(default)]
    pub keypad_id: Option<i32>,
    /// Run the exit delay (the zones' arm delays) before arming.
    #[serde(default)]
    pub use_delay: bool,
    /// Arm even with open sensors, bypassing them for this armed period.
    #[serde(default)]
    pub force: bool,
}

/// Disarm the system or one area (`monitor_disarm`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisarmRequest {
    /// Who disarms.
    #[serde(default)]
    pub user_id: Option<i32>,
    /// The area; `None` disarms the whole system.
    #[serde(default)]
    pub area_id: Option<i32>,
    /// The keypad that disarmed, if any.
    #[serde(default)]
    pub keypad_id: Option<i32>,
}

/// The commands of ArPI's IPC, plus `sim` for the simulated board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Command {
    /// Arm away.
    MonitorArmAway(ArmRequest),
    /// Arm stay.
    MonitorArmStay(ArmRequest),
    /// Disarm.
    MonitorDisarm(DisarmRequest),
    /// The monitoring state: `value: {"state": "monitoring_…"}`.
    MonitorGetState,
    /// The power source: `value: {"state": "network"|"battery"}`.
    PowerGetState,
    /// Reload configuration from the database.
    MonitorUpdateConfig,
    /// Reconfigure the keypad.
    MonitorUpdateKeypad,
    /// Open the card-learning window.
    MonitorRegisterCard,
    /// Start dyndns and certificate renewal.
    MonitorUpdateSecureConnection,
    /// Apply the SSH access options.
    UpdateSsh,
    /// Send a test e-mail to both addresses.
    SendTestEmail,
    /// POST a test message to the webhook (argus addition).
    SendTestWebhook,
    /// The modem's registration, signal and last error (argus addition).
    GsmGetStatus,
    /// Whether the MQTT session is connected (argus addition).
    MqttGetStatus,
    /// Send a test SMS to both numbers.
    SendTestSms,
    /// Make a test call.
    MakeTestCall,
    /// List the modem's SMS inbox.
    GetSmsMessages,
    /// Delete one SMS from the inbox.
    DeleteSmsMessage {
        /// The modem's message index.
        message_id: i64,
    },
    /// Sound the siren for `duration` seconds (default: a short test).
    SendTestSyren {
        /// Seconds.
        #[serde(default)]
        duration: Option<u32>,
    },
    /// Synchronise the clock from NTP and write the RTC.
    MonitorSyncClock,
    /// Set the time zone and/or the date and time.
    MonitorSetClock {
        /// An IANA zone name, e.g. `Europe/Budapest`.
        #[serde(default)]
        timezone: Option<String>,
        /// `YYYY-MM-DD HH:MM:SS` local time.
        #[serde(default)]
        datetime: Option<String>,
    },
    /// Press a button-triggered output.
    ActivateOutput {
        /// `output.id`.
        output_id: i32,
    },
    /// Release a button-triggered output.
    DeactivateOutput {
        /// `output.id`.
        output_id: i32,
    },
    /// argus: check user `user_id`'s PIN against the monitor's copy of the
    /// hashes (the REST login while PostgreSQL is down). `value: {"id",
    /// "name", "role"}` when it is theirs, else `result: false`.
    MonitorCheckPin {
        /// The user the device belongs to.
        user_id: i32,
        /// The PIN typed.
        access_code: Pin,
    },
    /// argus: users or cards changed; reload the PIN and card hashes.
    MonitorUpdateCredentials,
    /// argus: what the monitor knows live, for REST while PostgreSQL is
    /// down: `value: {"arm": "arm_away"|…, "alert": Alert|null, "alerting":
    /// [sensor ids]}`.
    MonitorGetLive,
    /// argus: jobs were queued (node events); claim them now rather than at
    /// the next poll.
    NodeJobs,
    /// argus: a remote node showed a sign of life through the server (an
    /// HTTP heartbeat or event batch).
    NodeSeen {
        /// `argus_node.id`.
        node_id: i32,
    },
    /// argus: replace the monitor's log filter (`RUST_LOG` syntax).
    SetLogFilter {
        /// E.g. `debug`, `info,argus_monitor=debug`.
        filter: String,
    },
    /// argus: a command to a node connected by WebSocket (`result: false`
    /// when it is not connected).
    SendNodeCommand {
        /// `argus_node.id`.
        node_id: i32,
        /// The command.
        command: crate::nodes::NodeCommand,
    },
    /// argus: each node as supervision sees it: `value: [{"id", "online",
    /// "last_seen"}]`.
    NodesGetStatus,
    /// argus: telemetry readings from `POST /api/telemetry`, already
    /// parsed: `value: {"accepted", "shed"}`.
    Telemetry {
        /// At most [`crate::telemetry::MAX_BATCH`].
        readings: Vec<crate::telemetry::Reading>,
    },
    /// argus: the telemetry sources' counters: `value`:
    /// [`crate::telemetry::Status`].
    TelemetryGetStatus,
    /// Drive the simulated board (accepted only when the simulator is in use).
    Sim(SimCommand),
}

/// A PIN in transit: never shown by `Debug`, so no log line can carry it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Pin(pub String);

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(***)")
    }
}

impl Command {
    /// Every action name the IPC accepts.
    pub const ACTIONS: &'static [&'static str] = &[
        "monitor_arm_away",
        "monitor_arm_stay",
        "monitor_disarm",
        "monitor_get_state",
        "power_get_state",
        "monitor_update_config",
        "monitor_update_keypad",
        "monitor_register_card",
        "monitor_update_secure_connection",
        "update_ssh",
        "send_test_email",
        "send_test_webhook",
        "gsm_get_status",
        "mqtt_get_status",
        "send_test_sms",
        "make_test_call",
        "get_sms_messages",
        "delete_sms_message",
        "send_test_syren",
        "monitor_sync_clock",
        "monitor_set_clock",
        "activate_output",
        "deactivate_output",
        "monitor_check_pin",
        "monitor_update_credentials",
        "monitor_get_live",
        "node_jobs",
        "node_seen",
        "nodes_get_status",
        "set_log_filter",
        "send_node_command",
        "telemetry",
        "telemetry_get_status",
        "sim",
    ];

    /// The wire name of the command (ArPI's action string).
    pub fn action(&self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.get("action").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default()
    }
}

/// A level to put on a simulated input.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SimLevel {
    /// The sensor's active (alarm) level for its wiring.
    Active,
    /// The sensor's idle (normal) level for its wiring.
    Idle,
    /// An open circuit (wire cut).
    Cut,
    /// A short circuit.
    Short,
    /// A raw input level as a ratio of the ADC reference, 0.0–1.0 (the
    /// board v3 wiring table); on board v2, ≥ 0.5 reads high.
    Level(f64),
}

/// Commands for the simulated board (`argus-sim`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "sim", rename_all = "snake_case")]
pub enum SimCommand {
    /// Set an input: a channel name (`CH01`) or a 0-based index.
    Input {
        /// `CH01`…`CH15` or `0`…`14`.
        channel: String,
        /// The level.
        level: SimLevel,
    },
    /// Switch the power source.
    Power {
        /// Mains or battery.
        source: PowerState,
    },
    /// Type keys on the simulated keypad.
    Keys {
        /// The keys, e.g. `1234#`.
        keys: String,
    },
    /// Present a card to the simulated reader.
    Card {
        /// The card number.
        number: String,
    },
    /// Read output and siren states.
    Outputs,
}

/// A sensor that keeps an area from arming, as an arm refusal names it in
/// `value.open_sensors` (REST: the 409 body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenSensor {
    /// `sensor.id`.
    pub id: i32,
    /// `sensor.name`.
    pub name: String,
    /// Its input channel (0-based, as the REST shapes), if connected.
    pub channel: Option<i32>,
}

/// ArPI's reply envelope: `result`, and optionally `message`, `value`, `other`.
/// The REST server merges `message`, `value` and `other` into one JSON object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// Success.
    pub result: bool,
    /// A human-readable message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The command's value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// Extra details (e.g. per-recipient results of a test message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<Value>,
}

impl Reply {
    /// `{"result": true}`.
    pub fn ok() -> Self {
        Self {
            result: true,
            ..Self::default()
        }
    }

    /// `{"result": true, "value": …}`.
    pub fn ok_value(value: Value) -> Self {
        Self {
            result: true,
            value: Some(value),
            ..Self::default()
        }
    }

    /// `{"result": false, "message": …}`.
    pub fn error(message: impl Into<String>) -> Self {
        Self {
            result: false,
            message: Some(message.into()),
            ..Self::default()
        }
    }

    /// A refusal caused by what the request asked for (an unknown time zone,
    /// say), as opposed to a failure: the REST server answers 400.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self {
            other: Some(serde_json::json!({ "invalid": true })),
            ..Self::error(message)
        }
    }

    /// A refusal because of the system's state (notifications not
    /// enabled, say): nothing is broken, the REST server answers 409.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self {
            other: Some(serde_json::json!({ "conflict": true })),
            ..Self::error(message)
        }
    }

    /// ArPI's answer to a test message for each recipient slot:
    /// `{"phone1": true, "phone2": false}` in `other` (`None`, a slot with no
    /// recipient, shows `false` without failing the test), and `failed` as
    /// the message unless every configured one was sent.
    pub fn per_recipient(sent: &[(&str, Option<bool>)], failed: &str) -> Self {
        let all = sent.iter().all(|(_, ok)| ok.unwrap_or(true));
        let other: serde_json::Map<String, serde_json::Value> = sent
            .iter()
            .map(|(key, ok)| ((*key).to_owned(), ok.unwrap_or(false).into()))
            .collect();
        Self {
            result: all,
            message: Some(if all {
                String::new()
            } else {
                failed.to_owned()
            }),
            value: None,
            other: Some(other.into()),
        }
    }

    fn marked(&self, mark: &str) -> bool {
        !self.result
            && self
                .other
                .as_ref()
                .and_then(|o| o.get(mark))
                .and_then(serde_json::Value::as_bool)
                == Some(true)
    }

    /// Whether this is an [`Reply::invalid`] refusal.
    pub fn is_invalid(&self) -> bool {
        self.marked("invalid")
    }

    /// Whether this is a [`Reply::conflict`] refusal.
    pub fn is_conflict(&self) -> bool {
        self.marked("conflict")
    }
}

/// The answer to one [`Request`]. `id` is `None` when the request was too
/// malformed to carry one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// The request's id.
    pub id: Option<u64>,
    /// The reply.
    #[serde(flatten)]
    pub reply: Reply,
}

/// Best effort: the id of a request line that failed to parse as a [`Request`].
pub fn salvage_id(line: &[u8]) -> Option<u64> {
    serde_json::from_slice::<Value>(line)
        .ok()?
        .get("id")?
        .as_u64()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_test_message_reply_counts_only_configured_recipients() {
        let sent = Reply::per_recipient(&[("phone1", Some(true)), ("phone2", None)], "failed");
        assert!(sent.result);
        assert_eq!(sent.message.as_deref(), Some(""));
        assert_eq!(
            sent.other,
            Some(serde_json::json!({"phone1": true, "phone2": false}))
        );
        let failed =
            Reply::per_recipient(&[("email1", Some(false)), ("email2", Some(true))], "failed");
        assert!(!failed.result);
        assert_eq!(failed.message.as_deref(), Some("failed"));
    }

    use super::*;
    use serde_json::json;

    fn wire(command: Command) -> Value {
        serde_json::to_value(Request { id: 7, command }).unwrap()
    }

    #[test]
    fn commands_use_arpi_action_names() {
        assert_eq!(
            wire(Command::MonitorArmAway(ArmRequest {
                user_id: Some(1),
                ..ArmRequest::default()
            })),
            json!({"id": 7, "action": "monitor_arm_away", "user_id": 1, "area_id": null, "keypad_id": null, "use_delay": false, "force": false})
        );
        assert_eq!(
            wire(Command::MonitorGetState),
            json!({"id": 7, "action": "monitor_get_state"})
        );
        assert_eq!(
            wire(Command::SendTestSyren { duration: Some(3) }),
            json!({"id": 7, "action": "send_test_syren", "duration": 3})
        );
        assert_eq!(
            wire(Command::Sim(SimCommand::Input {
                channel: "CH01".into(),
                level: SimLevel::Level(0.5)
            })),
            json!({"id": 7, "action": "sim", "sim": "input", "channel": "CH01", "level": {"level": 0.5}})
        );
        assert_eq!(
            Command::ActivateOutput { output_id: 3 }.action(),
            "activate_output"
        );
    }

    #[test]
    fn every_arpi_command_parses() {
        let needs_fields = [
            "delete_sms_message",
            "monitor_set_clock",
            "activate_output",
            "deactivate_output",
            "monitor_check_pin",
            "node_seen",
            "set_log_filter",
            "send_node_command",
            "telemetry",
            "sim",
        ];
        let names = Command::ACTIONS
            .iter()
            .filter(|n| !needs_fields.contains(n));
        for name in names {
            let r: Request = serde_json::from_value(json!({"id": 1, "action": name})).unwrap();
            assert_eq!(r.command.action(), *name);
        }
        let r: Request = serde_json::from_value(
            json!({"id": 1, "action": "monitor_check_pin", "user_id": 2, "access_code": "1111"}),
        )
        .unwrap();
        assert_eq!(
            r.command,
            Command::MonitorCheckPin {
                user_id: 2,
                access_code: Pin("1111".into())
            }
        );
        assert!(!format!("{r:?}").contains("1111"), "never in a log line");
        let r: Request = serde_json::from_value(
            json!({"id": 1, "action": "delete_sms_message", "message_id": 4}),
        )
        .unwrap();
        assert_eq!(r.command, Command::DeleteSmsMessage { message_id: 4 });
        let r: Request = serde_json::from_value(
            json!({"id": 1, "action": "monitor_set_clock", "timezone": "UTC"}),
        )
        .unwrap();
        assert_eq!(
            r.command,
            Command::MonitorSetClock {
                timezone: Some("UTC".into()),
                datetime: None
            }
        );
    }

    #[test]
    fn unknown_and_malformed_requests_fail_to_parse() {
        assert!(serde_json::from_value::<Request>(json!({"id": 1, "action": "rm_rf"})).is_err());
        assert!(
            serde_json::from_value::<Request>(json!({"id": 1, "action": "activate_output"}))
                .is_err()
        );
        assert_eq!(salvage_id(br#"{"id": 9, "action": "rm_rf"}"#), Some(9));
        assert_eq!(salvage_id(b"not json"), None);
    }

    #[test]
    fn replies_use_arpi_envelope() {
        let r = Response {
            id: Some(7),
            reply: Reply::ok_value(json!({"state": "monitoring_ready"})),
        };
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"id": 7, "result": true, "value": {"state": "monitoring_ready"}})
        );
        let e = Response {
            id: None,
            reply: Reply::error("Unknown command: x"),
        };
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            json!({"id": null, "result": false, "message": "Unknown command: x"})
        );
    }
}
