//! What each IPC command does: a thin match from the command to its handler,
//! kept beside what it drives (the engine actor here; the modem, e-mail,
//! SSH, remote access and the clock in their own modules). State queries
//! answer from what the actor publishes; slow work (the siren test, remote
//! access) runs as its own task so IPC stays responsive.

use argus_protocol::constants::{MonitoringState, PowerState};
use argus_protocol::ipc::{ArmRequest, DisarmRequest, OpenSensor};
use argus_protocol::{Command, Reply};
use serde_json::json;
use std::time::Duration;
use tokio::sync::watch;

use crate::db;
use crate::devices::{clock, gsm};
use crate::engine::model::ArmMode;
use crate::engine::{Effect, Input, Origin};
use crate::interfaces::access;
use crate::interfaces::ipc::Handler;
use crate::interfaces::nodes::NodeLinks;
use crate::interfaces::running::{Running, DURABLE_WAIT};
use crate::interfaces::telemetry::intake::{Intake, Source};
use crate::interfaces::{sim, trials};
use crate::runtime::actor::Published;
use crate::runtime::notify::plan::WebhookOption;
use crate::runtime::notify::queue::LocationOption;
use crate::services::{email, remote, ssh, webhook};

/// The default length of a siren test, in seconds.
pub const TEST_SIREN_SECONDS: u32 = 5;

/// Answers IPC commands.
#[derive(Debug, Clone)]
pub struct Dispatcher {
    state: watch::Receiver<MonitoringState>,
    power: watch::Receiver<PowerState>,
    running: Option<Running>,
    nodes: Option<NodeLinks>,
    telemetry: Option<Intake>,
}

impl Dispatcher {
    /// A dispatcher that only answers state queries (tests of the IPC layer).
    pub fn new(
        state: watch::Receiver<MonitoringState>,
        power: watch::Receiver<PowerState>,
        _simulator: bool,
    ) -> Self {
        Self {
            state,
            power,
            running: None,
            nodes: None,
            telemetry: None,
        }
    }

    /// The dispatcher of a running monitor.
    pub fn running(
        published: &Published,
        running: Running,
        nodes: NodeLinks,
        telemetry: Intake,
    ) -> Self {
        Self {
            state: published.state.clone(),
            power: published.power.clone(),
            running: Some(running),
            nodes: Some(nodes),
            telemetry: Some(telemetry),
        }
    }

    fn state_reply(&self) -> Reply {
        Reply::ok_value(json!({ "state": *self.state.borrow() }))
    }

    fn power_reply(&self) -> Reply {
        Reply::ok_value(json!({ "state": *self.power.borrow() }))
    }
}

impl Handler for Dispatcher {
    async fn handle(&self, command: Command) -> Reply {
        // The action only: commands may carry a PIN.
        tracing::debug!(action = %command.action(), "ipc command");
        let Some(r) = &self.running else {
            return match command {
                Command::MonitorGetState => self.state_reply(),
                Command::PowerGetState => self.power_reply(),
                Command::Sim(_) => Reply::error(sim::NOT_SIMULATED),
                other => Reply::error(format!("{} needs a running monitor", other.action())),
            };
        };
        match command {
            Command::MonitorGetState => self.state_reply(),
            Command::PowerGetState => self.power_reply(),
            Command::MonitorArmAway(a) => arm(r, ArmMode::Away, a).await,
            Command::MonitorArmStay(a) => arm(r, ArmMode::Stay, a).await,
            Command::MonitorDisarm(d) => disarm(r, d).await,
            Command::MonitorUpdateConfig => reload(r).await,
            Command::ActivateOutput { output_id } => button(r, output_id, true).await,
            Command::DeactivateOutput { output_id } => button(r, output_id, false).await,
            Command::MonitorGetLive => live_state(r).await,
            Command::SendTestSyren { duration } => test_siren(r, duration),
            Command::Sim(s) => {
                let armed = access::is_armed(*self.state.borrow());
                sim::handle(r, armed, s).await
            }
            Command::MonitorUpdateKeypad => Reply::ok(),
            Command::MonitorCheckPin {
                user_id,
                access_code,
            } => access::check_pin(r, user_id, access_code).await,
            Command::MonitorUpdateCredentials => access::reload_credentials(r).await,
            Command::MonitorRegisterCard => access::open_card_window(r),
            Command::SendTestSms | Command::MakeTestCall => {
                let call = matches!(command, Command::MakeTestCall);
                match gsm_enabled(r).await {
                    Ok(option) => {
                        let gsm = r.gsm.clone();
                        let (name, failed) = if call {
                            ("call", "Error in call sending!")
                        } else {
                            ("sms", "Error in SMS sending!")
                        };
                        trials::run(r, name, failed, async move {
                            gsm::commands::test(&gsm, &option, call).await
                        })
                        .await
                    }
                    Err(reply) => reply,
                }
            }
            Command::GetSmsMessages => match gsm_enabled(r).await {
                Ok(_) => gsm::commands::list_sms(&r.gsm).await,
                Err(reply) => reply,
            },
            Command::DeleteSmsMessage { message_id } => match gsm_enabled(r).await {
                Ok(_) => gsm::commands::delete_sms(&r.gsm, message_id).await,
                Err(reply) => reply,
            },
            Command::SendTestEmail => email_test(r).await,
            Command::SendTestWebhook => webhook_test(r).await,
            Command::GsmGetStatus => Reply::ok_value(json!(*r.modem.borrow())),
            Command::MqttGetStatus => Reply::ok_value(json!(*r.mqtt.borrow())),
            Command::NodeJobs => {
                r.jobs.notify_one();
                Reply::ok()
            }
            Command::NodeSeen { node_id } => {
                if let Some(nodes) = &self.nodes {
                    nodes.hub.seen(node_id);
                }
                Reply::ok()
            }
            Command::SetLogFilter { filter } => match argus_db::logging::set_filter(&filter) {
                Ok(()) => Reply::ok(),
                Err(e) => Reply::invalid(e),
            },
            Command::Telemetry { readings } => match &self.telemetry {
                Some(telemetry) if readings.len() <= argus_protocol::telemetry::MAX_BATCH => {
                    let total = readings.len();
                    let accepted = readings
                        .into_iter()
                        .filter(|reading| telemetry.submit(Source::Rest, reading.clone()))
                        .count();
                    Reply::ok_value(json!({"accepted": accepted, "shed": total - accepted}))
                }
                Some(_) => Reply::invalid("too many readings"),
                None => Reply::conflict("telemetry is not running"),
            },
            Command::TelemetryGetStatus => {
                Reply::ok_value(json!(self.telemetry.as_ref().map(Intake::status)))
            }
            Command::NodesGetStatus => {
                Reply::ok_value(json!(self.nodes.as_ref().map(|n| n.hub.status())))
            }
            Command::SendNodeCommand { node_id, command } => {
                let sent = self
                    .nodes
                    .as_ref()
                    .is_some_and(|n| n.sockets.command(node_id, command));
                if sent {
                    Reply::ok()
                } else {
                    Reply::conflict("the node is not connected")
                }
            }
            Command::MonitorUpdateSecureConnection => secure_connection(r).await,
            Command::UpdateSsh => update_ssh(r).await,
            Command::MonitorSetClock { timezone, datetime } => {
                clock::set(r.clock, timezone, datetime).await
            }
            Command::MonitorSyncClock => clock::sync(r.clock).await,
        }
    }
}

fn origin(user: Option<i32>, keypad: Option<i32>) -> Origin {
    match (user, keypad) {
        (user, Some(keypad)) => Origin::Keypad { keypad, user },
        (Some(user), None) => Origin::User(user),
        (None, None) => Origin::System,
    }
}

const STOPPED: &str = "the engine has stopped";

/// Arms once the journal holds it (or [`DURABLE_WAIT`] passed); a refusal
/// names the open sensors.
async fn arm(r: &Running, mode: ArmMode, a: ArmRequest) -> Reply {
    let input = Input::Arm {
        mode,
        area: a.area_id,
        origin: origin(a.user_id, a.keypad_id),
        use_delay: a.use_delay,
        force: a.force,
    };
    let Some(effects) = r
        .engine
        .input_durable(input, &r.journal_saved, DURABLE_WAIT)
        .await
    else {
        return Reply::error(STOPPED);
    };
    match effects.iter().find_map(|e| match e {
        Effect::ArmRefused { open } => Some(open.clone()),
        _ => None,
    }) {
        Some(open) => refusal(r.open_sensors(&open)),
        None => Reply::ok(),
    }
}

async fn disarm(r: &Running, d: DisarmRequest) -> Reply {
    let input = Input::Disarm {
        area: d.area_id,
        origin: origin(d.user_id, d.keypad_id),
        duress: false,
    };
    match r.engine.input(input).await {
        Some(_) => Reply::ok(),
        None => Reply::error(STOPPED),
    }
}

async fn button(r: &Running, output: i32, pressed: bool) -> Reply {
    match r.engine.input(Input::Button { output, pressed }).await {
        Some(_) => Reply::ok(),
        None => Reply::error(STOPPED),
    }
}

/// What clients were last told, with the sensors alerting now.
async fn live_state(r: &Running) -> Reply {
    let alerting = r.engine.alerting().await.unwrap_or_default();
    match r.latest.lock() {
        Ok(l) => {
            Reply::ok_value(json!({ "arm": l.arm(), "alert": l.alert(), "alerting": alerting }))
        }
        Err(_) => Reply::error("the live state is unavailable"),
    }
}

/// The siren for a few seconds, in its own task.
fn test_siren(r: &Running, duration: Option<u32>) -> Reply {
    let seconds = duration.unwrap_or(TEST_SIREN_SECONDS).clamp(1, 60);
    let board = r.board.clone();
    tokio::spawn(async move {
        board.set_output(0, true);
        tokio::time::sleep(Duration::from_secs(u64::from(seconds))).await;
        board.set_output(0, false);
    });
    Reply::ok()
}

async fn reload(r: &Running) -> Reply {
    let inputs = r.input_number;
    let loaded = db::blocking(&r.db, move |conn| crate::installation::load(conn, inputs)).await;
    match loaded {
        Ok(installation) => {
            if r.engine.reload(installation).await {
                Reply::ok()
            } else {
                Reply::error(STOPPED)
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "configuration reload failed");
            Reply::error("Failed to load the configuration")
        }
    }
}

/// `notifications/gsm` when enabled (the SIM's PIN handed to the modem),
/// else the refusal to answer with.
async fn gsm_enabled(r: &Running) -> Result<gsm::commands::GsmOption, Reply> {
    match db::option::<gsm::commands::GsmOption>(&r.db, "notifications", "gsm").await {
        Ok(Some(o)) if o.enabled => {
            r.gsm.set_pin(o.pin_code.clone().filter(|p| !p.is_empty()));
            Ok(o)
        }
        Ok(_) => Err(Reply::conflict("GSM notifications are not enabled")),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the GSM options");
            Err(Reply::error("Cannot read the GSM options"))
        }
    }
}

async fn email_test(r: &Running) -> Reply {
    let option = match db::option::<email::SmtpOption>(&r.db, "notifications", "smtp").await {
        Ok(Some(o)) if o.enabled => o,
        Ok(_) => return Reply::conflict("E-mail notifications are not enabled"),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the SMTP options");
            return Reply::error("Cannot read the SMTP options");
        }
    };
    let location = db::option::<LocationOption>(&r.db, "system", "location")
        .await
        .ok()
        .flatten()
        .and_then(|l| l.name);
    trials::run(r, "email", "Error in email sending!", async move {
        email::send_test(&option, location.as_deref()).await
    })
    .await
}

async fn webhook_test(r: &Running) -> Reply {
    let option = match db::option::<WebhookOption>(&r.db, "notifications", "webhook").await {
        Ok(Some(o)) if o.enabled && o.url.as_deref().is_some_and(|u| !u.trim().is_empty()) => o,
        Ok(_) => return Reply::conflict("Webhook notifications are not enabled"),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the webhook options");
            return Reply::error("Cannot read the webhook options");
        }
    };
    trials::run(r, "webhook", "Error in webhook sending!", async move {
        vec![("webhook", Some(webhook::send_test(&option).await))]
    })
    .await
}

/// The answer where the system is not ours to change (simulated board, or
/// `USE_SSH_CONNECTION` is not true).
fn not_managed(what: &str) -> Reply {
    Reply {
        result: true,
        message: Some(format!(
            "{what} is not managed here (USE_SSH_CONNECTION is not true, or the board is simulated)"
        )),
        value: None,
        other: None,
    }
}

async fn secure_connection(r: &Running) -> Reply {
    if !r.manage_ssh {
        return not_managed("Remote access");
    }
    let option = match db::option::<remote::DyndnsOption>(&r.db, "network", "dyndns").await {
        Ok(o) => o.unwrap_or_default(),
        Err(e) => return Reply::error(format!("Cannot read the dyndns options: {e}")),
    };
    let live = r.live.clone();
    remote::update_in_background(option, move |public| {
        let _ = live.send(crate::runtime::live::LiveEvent {
            name: "public_access_change",
            payload: Some(public.into()),
        });
    });
    Reply::ok()
}

async fn update_ssh(r: &Running) -> Reply {
    if !r.manage_ssh {
        return not_managed("SSH");
    }
    match db::option::<ssh::AccessOption>(&r.db, "network", "access").await {
        Ok(Some(o)) => ssh::update(o).await,
        Ok(None) => Reply::error("The access options do not fit network/access"),
        Err(e) => Reply::error(format!("Cannot read the access options: {e}")),
    }
}

/// How many open sensors a refusal's message names (all are in its value).
const NAMED_OPEN_SENSORS: usize = 3;

/// An arm refused for open sensors: the message names the first few
/// ("Kitchen (CH04)"), `value.open_sensors` lists them all.
fn refusal(open: Vec<OpenSensor>) -> Reply {
    let mut names: Vec<String> = open
        .iter()
        .take(NAMED_OPEN_SENSORS)
        .map(|s| match s.channel {
            Some(c) => format!("{} (CH{:02})", s.name, c + 1),
            None => s.name.clone(),
        })
        .collect();
    if open.len() > NAMED_OPEN_SENSORS {
        names.push(format!("{} more", open.len() - NAMED_OPEN_SENSORS));
    }
    Reply {
        result: false,
        message: Some(format!(
            "Arming refused: sensors are open: {}",
            names.join(", ")
        )),
        value: Some(json!({ "open_sensors": open })),
        other: None,
    }
}
