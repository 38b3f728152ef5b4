//! The parts of a running monitor that IPC commands, the keypad and the
//! card reader act on, handed to every handler.

use argus_db::DbPool;
use argus_protocol::ipc::OpenSensor;
use argus_protocol::lockout::Lockouts;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

use crate::devices::board::BoardHandle;
use crate::installation::Installation;
use crate::runtime::actor::EngineHandle;

/// How long arm and disarm wait for the journal before answering anyway.
pub(crate) const DURABLE_WAIT: Duration = Duration::from_secs(2);

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
    pub gsm: crate::devices::gsm::GsmHandle,
    /// The modem's health as last checked.
    pub modem: watch::Receiver<argus_protocol::wire::ModemStatus>,
    /// The MQTT session's state.
    pub mqtt: watch::Receiver<argus_protocol::wire::MqttStatus>,
    /// How clock changes are applied.
    pub clock: crate::devices::clock::ClockBackend,
    /// The keypad's input state.
    pub keypad: std::sync::Arc<std::sync::Mutex<crate::devices::keypad::Keypad>>,
    /// The live-event hub (card learning events).
    pub live: tokio::sync::broadcast::Sender<crate::runtime::live::LiveEvent>,
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
    pub latest: Arc<Mutex<crate::runtime::live::Latest>>,
    /// Wakes the job worker (jobs were queued).
    pub jobs: Arc<tokio::sync::Notify>,
}

impl Running {
    /// The sensors `ids` as a refusal names them (unknown ids are left out).
    pub(crate) fn open_sensors(&self, ids: &[i32]) -> Vec<OpenSensor> {
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

    pub(crate) fn set_card_window(&self, until: Option<Instant>) {
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
