//! What each IPC command does: state queries answer from what the engine
//! actor publishes; commands go to the actor; slow ones (the siren test) run
//! as their own tasks so IPC stays responsive.

use argus_db::DbPool;
use argus_protocol::constants::{MonitoringState, PowerState};
use argus_protocol::ipc::{ArmRequest, DisarmRequest, OpenSensor};
use argus_protocol::lockout::Lockouts;
use argus_protocol::{Command, Reply, SimCommand};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

use crate::actor::{EngineHandle, Published};
use crate::board::{BoardCommand, BoardHandle, OUTPUT_NAMES};
use crate::engine::model::ArmMode;
use crate::engine::{Effect, Input, Origin};
use crate::installation::Installation;
use crate::ipc::Handler;

/// The default length of a siren test, in seconds.
pub const TEST_SIREN_SECONDS: u32 = 5;

/// Answers IPC commands.
#[derive(Debug, Clone)]
pub struct Dispatcher {
    state: watch::Receiver<MonitoringState>,
    power: watch::Receiver<PowerState>,
    running: Option<Running>,
}

/// The parts of a running monitor commands act on.
#[derive(Debug, Clone)]
pub struct Running {
    /// The engine actor.
    pub engine: EngineHandle,
    /// The board.
    pub board: BoardHandle,
    /// The database, for configuration reloads.
    pub db: DbPool,
    /// Number of inputs (for channel names).
    pub input_number: u8,
    /// The journal generation on disk (arm and disarm answer once theirs is).
    pub journal_saved: watch::Receiver<u64>,
    /// The GSM modem.
    pub gsm: crate::gsm::GsmHandle,
    /// How clock changes are applied.
    pub clock: crate::clock::ClockBackend,
    /// The keypad's input state.
    pub keypad: std::sync::Arc<std::sync::Mutex<crate::keypad::Keypad>>,
    /// The live-event hub (card learning events).
    pub live: tokio::sync::broadcast::Sender<crate::live::LiveEvent>,
    /// ArPI's legacy `SALT`, for old PIN hashes.
    pub salt: Option<String>,
    /// `USE_SSH_CONNECTION=true` on a real board: `update_ssh` changes the system.
    pub manage_ssh: bool,
    /// The installation in force (names, the keypad, PIN and card hashes).
    pub installation: watch::Receiver<Arc<Installation>>,
    /// The keypad's lock-out counters.
    pub lockouts: Arc<Mutex<Lockouts>>,
    /// Until when the card-learning window the server opened is open.
    pub card_window: Arc<Mutex<Option<Instant>>>,
    /// The live state as clients were last told it.
    pub latest: Arc<Mutex<crate::live::Latest>>,
}

impl Running {
    /// The sensors `ids` as a refusal names them (unknown ids are left out).
    fn open_sensors(&self, ids: &[i32]) -> Vec<OpenSensor> {
        let installation = self.installation.borrow();
        ids.iter()
            .filter_map(|&id| {
                let info = installation.sensors.get(&id)?;
                Some(OpenSensor {
                    id,
                    name: info.name.clone(),
                    channel: info.channel.map(i32::from),
                })
            })
            .collect()
    }

    fn set_card_window(&self, until: Option<Instant>) {
        if let Ok(mut w) = self.card_window.lock() {
            *w = until;
        }
    }

    /// Whether a presented card should be learnt rather than checked.
    pub fn card_window_open(&self) -> bool {
        self.card_window
            .lock()
            .is_ok_and(|w| w.is_some_and(|t| Instant::now() < t))
    }

    /// A card was learnt: the window closes (one card per window).
    pub fn close_card_window(&self) {
        self.set_card_window(None);
    }
}

/// How long a card-learning window stays open (one window, contract §16 item 39).
pub const CARD_WINDOW: Duration = Duration::from_secs(60);

/// `notifications/gsm` (contract §6). Never logged: it holds the PIN and numbers.
#[derive(Default, serde::Deserialize)]
struct GsmOption {
    #[serde(default)]
    enabled: bool,
    #[serde(default)]
    pin_code: Option<String>,
    #[serde(default)]
    phone_number_1: Option<String>,
    #[serde(default)]
    phone_number_2: Option<String>,
}

/// ArPI's test SMS text.
pub const TEST_SMS: &str = "ArPI Test Message";
/// DTMF tones played in a test call.
pub const TEST_CALL_TONES: &str = "5";

/// How long arm and disarm wait for the journal before answering anyway.
pub(crate) const DURABLE_WAIT: Duration = Duration::from_secs(2);

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
        }
    }

    /// The dispatcher of a running monitor.
    pub fn running(published: &Published, running: Running) -> Self {
        Self {
            state: published.state.clone(),
            power: published.power.clone(),
            running: Some(running),
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

/// `CH01`…`CH15` or a 0-based index.
pub fn parse_channel(text: &str, input_number: u8) -> Result<u8, String> {
    let t = text.trim();
    let channel = match t.get(..2).filter(|p| p.eq_ignore_ascii_case("CH")) {
        Some(_) => t[2..].parse::<u8>().ok().and_then(|n| n.checked_sub(1)),
        None => t.parse::<u8>().ok(),
    };
    channel.filter(|&c| c < input_number).ok_or_else(|| {
        format!(
            "unknown channel {t:?}: use CH01–CH{input_number:02} or 0–{}",
            input_number.saturating_sub(1)
        )
    })
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

impl Dispatcher {
    async fn arm(&self, r: &Running, mode: ArmMode, a: ArmRequest) -> Reply {
        let input = Input::Arm {
            mode,
            area: a.area_id,
            origin: origin(a.user_id, a.keypad_id),
            use_delay: a.use_delay,
            force: a.force,
        };
        match r
            .engine
            .input_durable(input, &r.journal_saved, DURABLE_WAIT)
            .await
        {
            Some(effects) => match effects.iter().find_map(|e| match e {
                Effect::ArmRefused { open } => Some(open.clone()),
                _ => None,
            }) {
                Some(open) => refusal(r.open_sensors(&open)),
                None => Reply::ok(),
            },
            None => Reply::error("the engine has stopped"),
        }
    }

    async fn reload(&self, r: &Running) -> Reply {
        let db = r.db.clone();
        let inputs = r.input_number;
        let loaded = tokio::task::spawn_blocking(move || -> Result<_, String> {
            let mut conn = db.get().map_err(|e| e.to_string())?;
            crate::installation::load(&mut conn, inputs).map_err(|e| e.to_string())
        })
        .await;
        match loaded {
            Ok(Ok(installation)) => {
                if r.engine.reload(installation).await {
                    Reply::ok()
                } else {
                    Reply::error("the engine has stopped")
                }
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "configuration reload failed");
                Reply::error("Failed to load the configuration")
            }
            Err(e) => Reply::error(format!("configuration reload failed: {e}")),
        }
    }

    /// Reads an option's JSON from the database.
    async fn option<T: serde::de::DeserializeOwned + Send + 'static>(
        r: &Running,
        name: &'static str,
        section: &'static str,
    ) -> Result<Option<T>, String> {
        let db = r.db.clone();
        tokio::task::spawn_blocking(move || -> Result<Option<T>, String> {
            let mut conn = db.get().map_err(|e| e.to_string())?;
            let row = argus_db::models::OptionRow::find(&mut conn, name, section)
                .map_err(|e| e.to_string())?;
            Ok(row
                .and_then(|o| o.value)
                .and_then(|v| serde_json::from_str(&v).ok()))
        })
        .await
        .map_err(|e| e.to_string())?
    }

    async fn gsm_option(r: &Running) -> Result<GsmOption, Reply> {
        match Self::option::<GsmOption>(r, "notifications", "gsm").await {
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

    /// Test SMS or test call to both numbers; ArPI's reply shape.
    async fn gsm_test(&self, r: &Running, call: bool) -> Reply {
        let option = match Self::gsm_option(r).await {
            Ok(o) => o,
            Err(reply) => return reply,
        };
        let mut other = serde_json::Map::new();
        let mut all_ok = true;
        for (key, number) in [
            ("phone1", &option.phone_number_1),
            ("phone2", &option.phone_number_2),
        ] {
            let Some(number) = number.as_deref().filter(|n| !n.trim().is_empty()) else {
                other.insert(key.into(), false.into());
                continue;
            };
            let ok = if call {
                r.gsm.call(number, TEST_CALL_TONES).await.is_ok()
            } else {
                r.gsm.send_sms(number, TEST_SMS).await.is_ok()
            };
            all_ok &= ok;
            other.insert(key.into(), ok.into());
        }
        let what = if call { "call" } else { "SMS" };
        Reply {
            result: all_ok,
            message: Some(if all_ok {
                String::new()
            } else {
                format!("Error in {what} sending!")
            }),
            value: None,
            other: Some(other.into()),
        }
    }

    /// Test e-mail to both addresses; ArPI's reply shape.
    async fn email_test(&self, r: &Running) -> Reply {
        let option =
            match Self::option::<crate::email::SmtpOption>(r, "notifications", "smtp").await {
                Ok(Some(o)) if o.enabled => o,
                Ok(_) => return Reply::conflict("E-mail notifications are not enabled"),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the SMTP options");
                    return Reply::error("Cannot read the SMTP options");
                }
            };
        #[derive(serde::Deserialize)]
        struct Location {
            name: Option<String>,
        }
        let location = Self::option::<Location>(r, "system", "location")
            .await
            .ok()
            .flatten()
            .and_then(|l| l.name);
        let body = crate::email::test_body(location.as_deref());
        let mut other = serde_json::Map::new();
        let mut all_ok = true;
        for (key, address) in [
            ("email1", option.email_address_1.clone()),
            ("email2", option.email_address_2.clone()),
        ] {
            let Some(address) = address.filter(|a| !a.trim().is_empty()) else {
                other.insert(key.into(), false.into());
                continue;
            };
            let (option, body) = (option.clone(), body.clone());
            let sent = tokio::task::spawn_blocking(move || {
                crate::email::send(&option, &address, "[ArPI] [Test] Test message", &body)
            })
            .await;
            let ok = match sent {
                Ok(Ok(())) => true,
                Ok(Err(e)) => {
                    tracing::warn!(recipient = key, error = %e, "test e-mail failed");
                    false
                }
                Err(e) => {
                    tracing::warn!(error = %e, "test e-mail task failed");
                    false
                }
            };
            all_ok &= ok;
            other.insert(key.into(), ok.into());
        }
        Reply {
            result: all_ok,
            message: Some(if all_ok {
                String::new()
            } else {
                "Error in email sending!".into()
            }),
            value: None,
            other: Some(other.into()),
        }
    }

    async fn sim(&self, r: &Running, command: SimCommand) -> Reply {
        if !r.board.simulated() {
            return Reply::error("the simulated board is not in use (USE_SIMULATOR=false)");
        }
        match command {
            SimCommand::Input { channel, level } => {
                let channel = match parse_channel(&channel, r.input_number) {
                    Ok(c) => c,
                    Err(e) => return Reply::error(e),
                };
                match r.engine.simulate(channel, level).await {
                    Ok(v) => Reply::ok_value(
                        json!({ "channel": format!("CH{:02}", channel + 1), "level": v }),
                    ),
                    Err(e) => Reply::error(e),
                }
            }
            SimCommand::Power { source } => {
                r.board.send(BoardCommand::SimulatePower(source));
                Reply::ok()
            }
            SimCommand::Outputs => match r.board.outputs().await {
                Some(o) => {
                    let outputs: serde_json::Map<String, serde_json::Value> = OUTPUT_NAMES
                        .iter()
                        .zip(o.channels)
                        .map(|(n, s)| ((*n).to_owned(), s.into()))
                        .collect();
                    Reply::ok_value(json!({ "siren": o.channels[0], "outputs": outputs }))
                }
                None => Reply::error("the board has stopped"),
            },
            SimCommand::Keys { keys } => crate::access::keys(r, &keys).await,
            SimCommand::Card { number } => {
                let armed = crate::access::is_armed(*self.state.borrow());
                crate::access::card(r, armed, number).await
            }
        }
    }
}

impl Dispatcher {
    fn state_reply(&self) -> Reply {
        Reply::ok_value(json!({ "state": *self.state.borrow() }))
    }

    fn power_reply(&self) -> Reply {
        Reply::ok_value(json!({ "state": *self.power.borrow() }))
    }
}

impl Handler for Dispatcher {
    async fn handle(&self, command: Command) -> Reply {
        let Some(r) = &self.running else {
            return match command {
                Command::MonitorGetState => self.state_reply(),
                Command::PowerGetState => self.power_reply(),
                Command::Sim(_) => {
                    Reply::error("the simulated board is not in use (USE_SIMULATOR=false)")
                }
                other => Reply::error(format!("{} needs a running monitor", other.action())),
            };
        };
        match command {
            Command::MonitorArmAway(a) => self.arm(r, ArmMode::Away, a).await,
            Command::MonitorArmStay(a) => self.arm(r, ArmMode::Stay, a).await,
            Command::MonitorDisarm(DisarmRequest {
                user_id,
                area_id,
                keypad_id,
            }) => {
                let input = Input::Disarm {
                    area: area_id,
                    origin: origin(user_id, keypad_id),
                    duress: false,
                };
                match r.engine.input(input).await {
                    Some(_) => Reply::ok(),
                    None => Reply::error("the engine has stopped"),
                }
            }
            Command::MonitorUpdateConfig => self.reload(r).await,
            Command::ActivateOutput { output_id } | Command::DeactivateOutput { output_id } => {
                let pressed = matches!(command, Command::ActivateOutput { .. });
                match r
                    .engine
                    .input(Input::Button {
                        output: output_id,
                        pressed,
                    })
                    .await
                {
                    Some(_) => Reply::ok(),
                    None => Reply::error("the engine has stopped"),
                }
            }
            Command::SendTestSyren { duration } => {
                let seconds = duration.unwrap_or(TEST_SIREN_SECONDS).clamp(1, 60);
                let board = r.board.clone();
                tokio::spawn(async move {
                    board.set_output(0, true);
                    tokio::time::sleep(Duration::from_secs(u64::from(seconds))).await;
                    board.set_output(0, false);
                });
                Reply::ok()
            }
            Command::Sim(s) => self.sim(r, s).await,
            Command::SendTestSms => self.gsm_test(r, false).await,
            Command::SendTestEmail => self.email_test(r).await,
            Command::MonitorUpdateKeypad => Reply::ok(),
            Command::MonitorCheckPin {
                user_id,
                access_code,
            } => crate::access::check_pin(r, user_id, access_code).await,
            Command::MonitorUpdateCredentials => crate::access::reload_credentials(r).await,
            Command::MonitorGetLive => {
                let alerting = r.engine.alerting().await.unwrap_or_default();
                match r.latest.lock() {
                    Ok(l) => Reply::ok_value(
                        json!({ "arm": l.arm(), "alert": l.alert(), "alerting": alerting }),
                    ),
                    Err(_) => Reply::error("the live state is unavailable"),
                }
            }
            Command::MonitorUpdateSecureConnection => {
                if !r.manage_ssh {
                    return Reply {
                        result: true,
                        message: Some("Remote access is not managed here (USE_SSH_CONNECTION is not true, or the board is simulated)".into()),
                        value: None,
                        other: None,
                    };
                }
                let option =
                    match Self::option::<crate::remote::DyndnsOption>(r, "network", "dyndns").await
                    {
                        Ok(o) => o.unwrap_or_default(),
                        Err(e) => {
                            return Reply::error(format!("Cannot read the dyndns options: {e}"))
                        }
                    };
                // DNS and certbot take seconds to minutes: run in the background, as ArPI.
                let live = r.live.clone();
                tokio::spawn(async move {
                    match tokio::task::spawn_blocking(move || crate::remote::update(&option)).await
                    {
                        Ok(Ok(public)) => {
                            let _ = live.send(crate::live::LiveEvent {
                                name: "public_access_change",
                                payload: Some(public.into()),
                            });
                        }
                        Ok(Err(e)) => tracing::warn!(error = %e, "remote access setup failed"),
                        Err(e) => tracing::warn!(error = %e, "remote access task failed"),
                    }
                });
                Reply::ok()
            }
            Command::UpdateSsh => {
                if !r.manage_ssh {
                    return Reply {
                        result: true,
                        message: Some("SSH is not managed here (USE_SSH_CONNECTION is not true, or the board is simulated)".into()),
                        value: None,
                        other: None,
                    };
                }
                let option = match Self::option::<crate::ssh::AccessOption>(r, "network", "access")
                    .await
                {
                    Ok(o) => o.unwrap_or_default(),
                    Err(e) => return Reply::error(format!("Cannot read the access options: {e}")),
                };
                match tokio::task::spawn_blocking(move || {
                    crate::ssh::apply(
                        &option,
                        std::path::Path::new(crate::ssh::DROP_IN),
                        crate::ssh::systemctl,
                    )
                })
                .await
                {
                    Ok(Ok(())) => Reply::ok(),
                    Ok(Err(e)) => {
                        tracing::warn!(error = %e, "SSH update failed");
                        Reply::error("Failed to update the SSH service")
                    }
                    Err(e) => Reply::error(format!("Failed to update the SSH service: {e}")),
                }
            }
            Command::MonitorRegisterCard => {
                // The server opened the window in the database; close it when it runs out.
                r.set_card_window(Some(Instant::now() + CARD_WINDOW));
                let (db, live) = (r.db.clone(), r.live.clone());
                tokio::spawn(async move {
                    tokio::time::sleep(CARD_WINDOW + Duration::from_secs(1)).await;
                    let expired = tokio::task::spawn_blocking(move || {
                        db.get().ok().map(|mut c| {
                            argus_db::models::Card::expire_windows(&mut c, chrono::Utc::now())
                        })
                    })
                    .await;
                    if matches!(expired, Ok(Some(Ok(true)))) {
                        let _ = live.send(crate::live::LiveEvent {
                            name: "card_registration_expired",
                            payload: None,
                        });
                    }
                });
                Reply::ok()
            }
            Command::MonitorSetClock { timezone, datetime } => {
                let backend = r.clock;
                let done = tokio::task::spawn_blocking(move || {
                    backend.set(timezone.as_deref(), datetime.as_deref())
                })
                .await;
                match done {
                    Ok(Ok(())) => Reply::ok(),
                    Ok(Err(
                        e @ (crate::clock::ClockError::Zone | crate::clock::ClockError::DateTime),
                    )) => {
                        tracing::info!(error = %e, "clock change refused");
                        Reply::invalid(crate::clock::FAILED)
                    }
                    Ok(Err(e)) => {
                        tracing::warn!(error = %e, "clock change refused");
                        Reply::error(crate::clock::FAILED)
                    }
                    Err(e) => Reply::error(format!("{}: {e}", crate::clock::FAILED)),
                }
            }
            Command::MonitorSyncClock => {
                let backend = r.clock;
                match tokio::task::spawn_blocking(move || backend.sync()).await {
                    Ok(Ok(())) => Reply::ok(),
                    Ok(Err(e)) => {
                        tracing::warn!(error = %e, "clock sync failed");
                        Reply::error("Failed to synchronize the clock")
                    }
                    Err(e) => Reply::error(format!("Failed to synchronize the clock: {e}")),
                }
            }
            Command::MakeTestCall => self.gsm_test(r, true).await,
            Command::GetSmsMessages => {
                if let Err(reply) = Self::gsm_option(r).await {
                    return reply;
                }
                match r.gsm.list_sms().await {
                    Ok(list) => Reply::ok_value(json!(list)),
                    Err(e) => Reply::error(format!("Cannot read the SMS messages: {e}")),
                }
            }
            Command::DeleteSmsMessage { message_id } => {
                if let Err(reply) = Self::gsm_option(r).await {
                    return reply;
                }
                let Ok(idx) = u32::try_from(message_id) else {
                    return Reply::error("invalid message id");
                };
                match r.gsm.delete_sms(idx).await {
                    Ok(()) => Reply::ok(),
                    Err(e) => Reply::error(format!("Cannot delete the SMS message: {e}")),
                }
            }
            Command::MonitorGetState => self.state_reply(),
            Command::PowerGetState => self.power_reply(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_by_name_or_index() {
        assert_eq!(parse_channel("CH01", 15), Ok(0));
        assert_eq!(parse_channel("ch15", 15), Ok(14));
        assert_eq!(parse_channel("3", 15), Ok(3));
        assert!(parse_channel("CH00", 15).is_err());
        assert!(parse_channel("CH16", 15).is_err());
        assert!(parse_channel("15", 15).is_err());
        assert!(parse_channel("door", 15).is_err());
    }
}
