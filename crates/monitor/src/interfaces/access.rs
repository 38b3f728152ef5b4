//! Who may disarm: keys typed on the keypad, cards at the reader and the REST
//! login's PIN check while PostgreSQL is down. PINs and cards are checked
//! against the installation's credential cache on the blocking pool, never
//! against the database, so a disarm within the entry delay does not wait
//! for PostgreSQL; the keypad's attempts go through the shared lock-out
//! (one counter per keypad). The database is still used to learn a card
//! while a learning window is open, and for PINs with ArPI's legacy hash.

use argus_protocol::ipc::Pin;
use argus_protocol::lockout::{Attempt, Verdict};
use argus_protocol::Reply;
use serde_json::json;
use std::time::{Duration, Instant};

use crate::devices::keypad::KeyAction;
use crate::engine::{Effect, Input, Origin};
use crate::interfaces::running::{Running, CARD_WINDOW, DURABLE_WAIT};

/// `monitor_register_card`: the server opened the learning window in the
/// database; the monitor learns the next card presented, and closes the
/// window (telling clients) when it runs out unused.
pub fn open_card_window(r: &Running) -> Reply {
    r.set_card_window(Some(Instant::now() + CARD_WINDOW));
    let (db, live) = (r.db.clone(), r.live.clone());
    tokio::spawn(async move {
        tokio::time::sleep(CARD_WINDOW + Duration::from_secs(1)).await;
        let expired = crate::db::blocking(&db, |conn| {
            argus_db::models::Card::expire_windows(conn, chrono::Utc::now())
        })
        .await;
        if matches!(expired, Ok(true)) {
            let _ = live.send(crate::runtime::live::LiveEvent {
                name: "card_registration_expired",
                payload: None,
            });
        }
    });
    Reply::ok()
}

/// Reloads the PIN and card hashes from the database into the engine's
/// installation (and so the journal).
pub async fn reload_credentials(r: &Running) -> Reply {
    match crate::db::blocking(&r.db, crate::installation::credentials::Credentials::load).await {
        Ok(credentials) => {
            if r.engine.set_credentials(credentials).await {
                Reply::ok()
            } else {
                Reply::error("the engine has stopped")
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot reload the credentials; the cached ones stay");
            Reply::error("Failed to load the credentials")
        }
    }
}

/// `monitor_check_pin`: whether `pin` is user `user_id`'s, from the cache.
/// The REST server counts the attempt under its own lock-out first.
pub async fn check_pin(r: &Running, user_id: i32, pin: Pin) -> Reply {
    let installation = r.installation.borrow().clone();
    let found = tokio::task::spawn_blocking(move || {
        installation
            .credentials
            .user_with_pin(user_id, &pin.0)
            .map(|u| json!({"id": u.id, "name": u.name, "role": u.role}))
    })
    .await;
    match found {
        Ok(Some(user)) => Reply::ok_value(user),
        Ok(None) => Reply {
            result: false,
            message: Some("wrong PIN".into()),
            ..Reply::default()
        },
        Err(e) => Reply::error(format!("cannot check the PIN: {e}")),
    }
}

/// The keypad's counter for the shared lock-out.
fn keypad_attempt(keypad: i32) -> Attempt {
    Attempt {
        keypad: Some(keypad),
        ..Attempt::default()
    }
}

fn charge(r: &Running, attempt: &Attempt) -> Verdict {
    r.lockouts
        .lock()
        .map_or(Verdict::Allowed { locked: vec![] }, |mut l| {
            l.attempt(attempt, Instant::now())
        })
}

fn succeeded(r: &Running, attempt: &Attempt) {
    if let Ok(mut l) = r.lockouts.lock() {
        l.succeeded(attempt);
    }
}

/// Why a remote PIN (SMS, MQTT) was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Too many wrong PINs from this counter.
    Locked,
    /// Nobody's PIN.
    Wrong,
    /// It could not be checked now.
    Unavailable,
}

/// The owner of `pin`, charged to the counters of `attempt` (the shared
/// lock-out; a success clears them).
pub(crate) async fn owner_under_lockout(
    r: &Running,
    attempt: &Attempt,
    pin: &str,
) -> Result<i32, Refusal> {
    if let Verdict::Locked { .. } = charge(r, attempt) {
        return Err(Refusal::Locked);
    }
    match pin_owner(r, pin.to_owned()).await {
        Ok(Some(user)) => {
            succeeded(r, attempt);
            Ok(user)
        }
        Ok(None) => Err(Refusal::Wrong),
        Err(e) => {
            tracing::warn!(error = %e, "cannot check a remote PIN");
            Err(Refusal::Unavailable)
        }
    }
}

/// The user whose PIN this is: the cache first; the database only for
/// legacy hashes (which it upgrades, so the cache is refreshed after).
async fn pin_owner(r: &Running, pin: String) -> Result<Option<i32>, String> {
    let installation = r.installation.borrow().clone();
    let legacy = installation.credentials.has_legacy();
    let typed = pin.clone();
    let cached = tokio::task::spawn_blocking(move || {
        installation.credentials.user_by_pin(&typed).map(|u| u.id)
    })
    .await
    .map_err(|e| e.to_string())?;
    if cached.is_some() || !legacy {
        return Ok(cached);
    }
    let salt = r.salt.clone();
    let found = crate::db::blocking(&r.db, move |c| {
        argus_db::models::User::find_by_pin(c, &pin, salt.as_deref()).map(|u| u.map(|u| u.id))
    })
    .await
    .map_err(|e| e.to_string())?;
    if found.is_some() {
        reload_credentials(r).await;
    }
    Ok(found)
}

/// Keys typed on the (simulated) keypad; one outcome per finished entry.
pub async fn keys(r: &Running, keys: &str) -> Reply {
    let keypad = r.installation.borrow().keypad.unwrap_or(1);
    let mut outcomes = Vec::new();
    for key in keys.chars() {
        let action = match r.keypad.lock() {
            Ok(mut k) => k.key(key, Instant::now()),
            Err(_) => return Reply::error("the keypad state is unavailable"),
        };
        match action {
            KeyAction::Pending => {}
            KeyAction::Invalid => outcomes.push("invalid"),
            KeyAction::Arm(mode) => {
                let input = Input::Arm {
                    mode,
                    area: None,
                    origin: Origin::Keypad { keypad, user: None },
                    use_delay: true,
                    force: false,
                };
                let refused = r
                    .engine
                    .input(input)
                    .await
                    .is_some_and(|e| e.iter().any(|e| matches!(e, Effect::ArmRefused { .. })));
                outcomes.push(if refused { "arm_refused" } else { "armed" });
            }
            KeyAction::CheckPin(pin) => outcomes.push(keypad_pin(r, keypad, pin).await),
        }
    }
    Reply::ok_value(json!({ "outcomes": outcomes }))
}

async fn keypad_pin(r: &Running, keypad: i32, pin: String) -> &'static str {
    let attempt = keypad_attempt(keypad);
    let locked = match charge(r, &attempt) {
        Verdict::Locked { .. } => return "locked_out",
        Verdict::Allowed { locked } => locked,
    };
    match pin_owner(r, pin).await {
        Ok(Some(user)) => {
            succeeded(r, &attempt);
            disarm(
                r,
                Origin::Keypad {
                    keypad,
                    user: Some(user),
                },
            )
            .await;
            "disarmed"
        }
        Ok(None) if locked.is_empty() => "wrong_pin",
        Ok(None) => {
            tracing::warn!(keypad.id = keypad, "too many wrong PINs: keypad locked out");
            record_lockout(r, keypad);
            "wrong_pin_locked_out"
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot check a keypad PIN");
            "unavailable"
        }
    }
}

/// Disarms, answering once the journal holds it.
async fn disarm(r: &Running, origin: Origin) {
    let input = Input::Disarm {
        area: None,
        origin,
        duress: false,
    };
    let _ = r
        .engine
        .input_durable(input, &r.journal_saved, DURABLE_WAIT)
        .await;
}

/// A `lockout` event (best effort, off the keypad's path).
fn record_lockout(r: &Running, keypad: i32) {
    crate::db::record_event(&r.db, "lockout", None, Some(keypad), "keypad", None);
}

/// A card at the (simulated) reader: learning while a window is open, else
/// a disarm when armed (a known, enabled card from the cache).
pub async fn card(r: &Running, armed: bool, number: String) -> Reply {
    let keypad = r.installation.borrow().keypad.unwrap_or(1);
    if r.card_window_open() {
        if let Some(reply) = learn_card(r, number.clone()).await {
            return reply;
        }
    }
    let attempt = keypad_attempt(keypad);
    if let Verdict::Locked { .. } = charge(r, &attempt) {
        return Reply::ok_value(json!({ "outcome": "locked_out" }));
    }
    let installation = r.installation.borrow().clone();
    let owner =
        tokio::task::spawn_blocking(move || installation.credentials.card_owner(&number)).await;
    match owner {
        Ok(Some(user)) => {
            succeeded(r, &attempt);
            if !armed {
                return Reply::ok_value(json!({ "outcome": "ignored_while_disarmed" }));
            }
            disarm(r, Origin::Card { keypad, user }).await;
            Reply::ok_value(json!({ "outcome": "disarmed" }))
        }
        Ok(None) => Reply::ok_value(json!({ "outcome": "unknown_card" })),
        Err(e) => Reply::error(format!("cannot check the card: {e}")),
    }
}

/// Attaches the card to the user whose learning window is open; `None`
/// when no window was open after all (or the database cannot say), so the
/// card is treated as presented.
async fn learn_card(r: &Running, number: String) -> Option<Reply> {
    use argus_db::models::card::Registration;
    let registered = crate::db::blocking(&r.db, move |c| {
        argus_db::models::Card::register(c, &number, chrono::Utc::now())
    })
    .await;
    let (registered, outcome) = match registered {
        Ok(Registration::Registered(_)) => (true, "registered"),
        Ok(Registration::Duplicate) => (false, "duplicate"),
        Ok(Registration::NoWindow) => return None,
        Err(e) => {
            tracing::warn!(error = %e, "cannot learn the card; treated as presented");
            return None;
        }
    };
    r.close_card_window();
    let _ = r.live.send(crate::runtime::live::LiveEvent {
        name: "card_registered",
        payload: Some(registered.into()),
    });
    if registered {
        reload_credentials(r).await;
    }
    Some(Reply::ok_value(json!({ "outcome": outcome })))
}

/// Handles the real keypad's keys and cards, one at a time, off the engine's loop.
pub fn spawn_keypad(
    r: Running,
    state: tokio::sync::watch::Receiver<argus_protocol::constants::MonitoringState>,
    mut input: tokio::sync::mpsc::UnboundedReceiver<crate::devices::board::BoardEvent>,
) {
    tokio::spawn(async move {
        while let Some(event) = input.recv().await {
            match event {
                crate::devices::board::BoardEvent::Key(k) => {
                    keys(&r, &k.to_string()).await;
                }
                crate::devices::board::BoardEvent::Card(number) => {
                    let armed = is_armed(*state.borrow());
                    card(&r, armed, number).await;
                }
                _ => {}
            }
        }
    });
}

/// Whether a card should disarm in this state (anything but ready/disarmed).
pub fn is_armed(state: argus_protocol::constants::MonitoringState) -> bool {
    state != argus_protocol::constants::MonitoringState::MonitoringReady
}
