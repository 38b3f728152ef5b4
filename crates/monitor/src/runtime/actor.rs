//! The engine actor: one task owns the [`Engine`], takes inputs from the
//! board, IPC and its own deadlines, and applies the effects in order:
//! siren and outputs first, then live events, then the database queue and
//! the journal. Nothing it does waits on a client, PostgreSQL or the disk.

use argus_protocol::constants::{MonitoringState, PowerState};
use argus_protocol::ipc::SimLevel;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{broadcast, mpsc, oneshot, watch};

use crate::devices::board::wiring::Wiring;
use crate::devices::board::{BoardCommand, BoardEvent, BoardHandle};
use crate::engine::model::Millis;
use crate::engine::{Effect, Engine, Input, Reading, Snapshot};
use crate::installation::credentials::Credentials;
use crate::installation::Installation;
use crate::runtime::journal::JournalState;
use crate::runtime::live::LiveEvent;
use crate::runtime::notify::notice::{self, Notice};
use crate::runtime::notify::plan::Kind;

/// The most notices the journal keeps while PostgreSQL is away.
const MAX_NOTICES: usize = 500;
use crate::runtime::notify::Pipeline;
use crate::runtime::persist::PersistHandle;
use crate::runtime::view::{ChangedBy, StateView};

/// Wall-clock milliseconds since the epoch.
pub fn now_ms() -> Millis {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| {
        Millis::try_from(d.as_millis()).unwrap_or(Millis::MAX)
    })
}

/// A request to the actor.
#[derive(Debug)]
pub enum Request {
    /// Feed an input; the effects come back (for arm refusals) with the
    /// journal generation that holds their result.
    Input(Input, oneshot::Sender<(Vec<Effect>, u64)>),
    /// Replace the installation (configuration reload).
    Reload(Box<Installation>, oneshot::Sender<()>),
    /// Simulated board: put `level` on `channel`.
    Simulate(u8, SimLevel, oneshot::Sender<Result<f64, String>>),
    /// Replace the PIN and card hashes (users or cards changed).
    Credentials(Box<Credentials>, oneshot::Sender<()>),
    /// Which enabled sensors are alerting now.
    Alerting(oneshot::Sender<Vec<i32>>),
    /// Tell people about something the engine does not decide (a remote
    /// node's supervision), journaled like the engine's own notices.
    Notice(Box<Notice>),
}

/// The sending side of the actor.
#[derive(Debug, Clone)]
pub struct EngineHandle {
    tx: mpsc::Sender<Request>,
}

impl EngineHandle {
    /// Feeds an input and waits for its effects.
    pub async fn input(&self, input: Input) -> Option<Vec<Effect>> {
        let (tx, rx) = oneshot::channel();
        self.tx.send(Request::Input(input, tx)).await.ok()?;
        rx.await.ok().map(|(effects, _)| effects)
    }

    /// Feeds an input, then waits (at most `timeout`) until its result is in
    /// the journal, so a crash right after the reply cannot lose it.
    pub async fn input_durable(
        &self,
        input: Input,
        saved: &watch::Receiver<u64>,
        timeout: Duration,
    ) -> Option<Vec<Effect>> {
        let (tx, rx) = oneshot::channel();
        self.tx.send(Request::Input(input, tx)).await.ok()?;
        let (effects, generation) = rx.await.ok()?;
        let mut saved = saved.clone();
        if tokio::time::timeout(timeout, saved.wait_for(|&g| g >= generation))
            .await
            .is_err()
        {
            tracing::warn!("the state journal is slow; answering before it is written");
        }
        Some(effects)
    }

    /// Replaces the installation.
    pub async fn reload(&self, installation: Installation) -> bool {
        let (tx, rx) = oneshot::channel();
        if self
            .tx
            .send(Request::Reload(Box::new(installation), tx))
            .await
            .is_err()
        {
            return false;
        }
        rx.await.is_ok()
    }

    /// Replaces the PIN and card hashes (kept in the journal too).
    pub async fn set_credentials(&self, credentials: Credentials) -> bool {
        let (tx, rx) = oneshot::channel();
        if self
            .tx
            .send(Request::Credentials(Box::new(credentials), tx))
            .await
            .is_err()
        {
            return false;
        }
        rx.await.is_ok()
    }

    /// Hands `notice` to the notification pipeline through the journal.
    pub async fn notify(&self, notice: Notice) -> bool {
        self.tx
            .send(Request::Notice(Box::new(notice)))
            .await
            .is_ok()
    }

    /// Enabled sensors alerting now (REST's `?alerting=true` without PostgreSQL).
    pub async fn alerting(&self) -> Option<Vec<i32>> {
        let (tx, rx) = oneshot::channel();
        self.tx.send(Request::Alerting(tx)).await.ok()?;
        rx.await.ok()
    }

    /// Simulated board: sets a channel's level; returns the level applied.
    pub async fn simulate(&self, channel: u8, level: SimLevel) -> Result<f64, String> {
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(Request::Simulate(channel, level, tx))
            .await
            .map_err(|_| "the engine has stopped".to_owned())?;
        rx.await.map_err(|_| "the engine has stopped".to_owned())?
    }
}

/// What the actor publishes for IPC queries.
#[derive(Debug, Clone)]
pub struct Published {
    /// Monitoring state.
    pub state: watch::Receiver<MonitoringState>,
    /// Power source.
    pub power: watch::Receiver<PowerState>,
    /// A proof of life for the watchdog: the time of the last loop turn.
    pub heartbeat: watch::Receiver<Millis>,
    /// The last journal generation written to disk.
    pub journal_saved: watch::Receiver<u64>,
    /// The installation in force (names, the keypad, PIN and card hashes).
    pub installation: watch::Receiver<Arc<Installation>>,
    /// The whole state, replaced after every change.
    pub view: watch::Receiver<StateView>,
}

/// Everything the actor drives.
pub struct Outlets {
    /// The board.
    pub board: BoardHandle,
    /// Board events.
    pub board_events: mpsc::UnboundedReceiver<BoardEvent>,
    /// The database queue.
    pub persist: PersistHandle,
    /// The live-event hub.
    pub live: broadcast::Sender<LiveEvent>,
    /// The journal writer's input (latest state wins), with its generation.
    pub journal: watch::Sender<Option<(u64, JournalState)>>,
    /// What the journal writer has saved.
    pub journal_saved: watch::Receiver<u64>,
    /// Keypad input from the board, for the keypad task.
    pub keypad: mpsc::UnboundedSender<BoardEvent>,
    /// The notification pipeline.
    pub notify: Pipeline,
}

struct Actor {
    engine: Engine,
    installation: Installation,
    channels: BTreeMap<u8, Vec<(i32, Wiring, Option<f64>)>>,
    references: BTreeMap<i32, f64>,
    /// The last level seen on each input channel.
    levels: BTreeMap<u8, f64>,
    outlets: Outlets,
    state_tx: watch::Sender<MonitoringState>,
    power_tx: watch::Sender<PowerState>,
    heartbeat_tx: watch::Sender<Millis>,
    installation_tx: watch::Sender<Arc<Installation>>,
    view_tx: watch::Sender<StateView>,
    /// Who last armed or disarmed (for the view).
    changed_by: ChangedBy,
    generation: u64,
    /// Notices handed to the pipeline and not yet in the outbox (journaled).
    notices: Vec<Notice>,
}

/// Starts the actor with an engine already configured (or restored) and
/// the notices a previous run left unqueued.
pub fn spawn(
    engine: Engine,
    installation: Installation,
    initial: Vec<Effect>,
    notices: Vec<Notice>,
    outlets: Outlets,
) -> (EngineHandle, Published) {
    let (tx, rx) = mpsc::channel(256);
    let (state_tx, state) = watch::channel(engine.monitoring_state());
    let (power_tx, power) = watch::channel(engine.snapshot().power.unwrap_or(PowerState::Network));
    let (heartbeat_tx, heartbeat) = watch::channel(now_ms());
    let (installation_tx, installation_rx) = watch::channel(Arc::new(installation.clone()));
    let (view_tx, view) = watch::channel(StateView::of(&engine, &ChangedBy::default()));
    let mut actor = Actor {
        channels: installation.channels(),
        references: BTreeMap::new(),
        levels: BTreeMap::new(),
        engine,
        installation,
        outlets,
        state_tx,
        power_tx,
        heartbeat_tx,
        installation_tx,
        view_tx,
        changed_by: ChangedBy::default(),
        generation: 0,
        notices: Vec::new(),
    };
    for n in notices {
        actor.hand_over(n);
    }
    let mut initial = initial;
    // After a restart the board starts dark: drive it (and tell clients) as the state says.
    let snapshot = actor.engine.snapshot().clone();
    if snapshot.siren.sounding {
        initial.push(Effect::Siren(Some(true)));
    }
    for (&output, o) in &snapshot.outputs {
        if !initial
            .iter()
            .any(|e| matches!(e, Effect::Output { output: id, .. } if *id == output))
        {
            initial.push(Effect::Output {
                output,
                state: o.state,
            });
        }
    }
    if let Some(alert) = actor.engine.alert() {
        initial.push(Effect::AlertState(Some(alert.clone())));
    }
    actor.apply(initial);
    let journal_saved = actor.outlets.journal_saved.clone();
    tokio::spawn(actor.run(rx));
    (
        EngineHandle { tx },
        Published {
            state,
            power,
            heartbeat,
            journal_saved,
            installation: installation_rx,
            view,
        },
    )
}

impl Actor {
    async fn run(mut self, mut rx: mpsc::Receiver<Request>) {
        loop {
            let deadline = self.engine.next_deadline();
            let sleep =
                deadline.map(|d| Duration::from_millis(u64::try_from(d - now_ms()).unwrap_or(0)));
            tokio::select! {
                request = rx.recv() => match request {
                    Some(r) => self.on_request(r),
                    None => break,
                },
                Some(event) = self.outlets.board_events.recv() => self.on_board(event),
                Some(done) = self.outlets.notify.done.recv() => self.forget(&done),
                () = tokio::time::sleep(sleep.unwrap_or(Duration::from_secs(3600))), if sleep.is_some() => {
                    self.handle(Input::Tick);
                }
                () = tokio::time::sleep(Duration::from_secs(5)) => {}
            }
            self.heartbeat_tx.send_replace(now_ms());
        }
    }

    fn handle(&mut self, input: Input) -> Vec<Effect> {
        let started = std::time::Instant::now();
        let effects = self.engine.handle(input, now_ms());
        super::metrics::METRICS.decisions.observe(started.elapsed());
        self.apply(effects.clone());
        effects
    }

    fn on_request(&mut self, request: Request) {
        match request {
            Request::Input(input, reply) => {
                let effects = self.handle(input);
                let _ = reply.send((effects, self.generation));
            }
            Request::Reload(installation, reply) => {
                self.state_tx
                    .send_replace(MonitoringState::MonitoringUpdatingConfig);
                self.live(
                    "system_state_change",
                    Some(MonitoringState::MonitoringUpdatingConfig.as_str().into()),
                );
                self.live("sensors_state_change", None);
                self.installation = *installation;
                self.installation_tx
                    .send_replace(Arc::new(self.installation.clone()));
                self.channels = self.installation.channels();
                let config = self.installation.config.clone();
                let mut effects = self
                    .engine
                    .handle(Input::Configure(Box::new(config)), now_ms());
                // Clients saw "updating": tell them the state again, and every area.
                let state = self.engine.monitoring_state();
                effects.push(Effect::MonitoringState(state));
                for &area in self.installation.areas.keys() {
                    if let Some(s) = self.engine.area_state(area) {
                        effects.push(Effect::AreaState { area, state: s });
                    }
                }
                self.apply(effects);
                // Sensors new to a channel start from its current level (a
                // baseline, never an alarm); the simulated board puts an idle
                // level on channels it never drove.
                let channels: Vec<(u8, Wiring, Option<f64>)> = self
                    .channels
                    .iter()
                    .map(|(&ch, sensors)| (ch, sensors[0].1, sensors[0].2))
                    .collect();
                for (channel, wiring, reference) in channels {
                    match self.levels.get(&channel) {
                        Some(&level) => self.on_board(BoardEvent::Level { channel, level }),
                        None if self.outlets.board.simulated() => {
                            let level = wiring.level_for(Reading::Idle, reference);
                            self.outlets
                                .board
                                .send(BoardCommand::SimulateLevel { channel, level });
                        }
                        None => {}
                    }
                }
                let _ = reply.send(());
            }
            Request::Simulate(channel, level, reply) => {
                let _ = reply.send(self.simulate(channel, level));
            }
            Request::Alerting(reply) => {
                let _ = reply.send(self.engine.alerting_sensors());
            }
            Request::Notice(n) => {
                self.hand_over(*n);
                self.save_journal();
            }
            Request::Credentials(credentials, reply) => {
                self.installation.credentials = *credentials;
                self.installation_tx
                    .send_replace(Arc::new(self.installation.clone()));
                self.save_journal();
                let _ = reply.send(());
            }
        }
    }

    /// Turns a symbolic level into the wiring's voltage for `channel`.
    fn simulate(&mut self, channel: u8, level: SimLevel) -> Result<f64, String> {
        if !self.outlets.board.simulated() {
            return Err("the simulated board is not in use".into());
        }
        let wiring = self
            .channels
            .get(&channel)
            .map(|sensors| (sensors.len(), sensors[0].1, sensors[0].2));
        let value = match (level, wiring) {
            (SimLevel::Level(v), _) if (0.0..=1.0).contains(&v) => v,
            (SimLevel::Level(v), _) => return Err(format!("level {v} is outside 0.0–1.0")),
            (SimLevel::Cut, _) => crate::devices::board::wiring::OPEN,
            (SimLevel::Short, _) => crate::devices::board::wiring::SHORT,
            (_, None) => {
                return Err(format!(
                    "no sensor is wired to channel CH{:02}",
                    channel + 1
                ))
            }
            (SimLevel::Idle, Some((_, w, r))) => w.level_for(Reading::Idle, r),
            (SimLevel::Active, Some((n, w, r))) => match (n, w.levels().and_then(|l| l.both)) {
                (2.., Some(both)) => both,
                _ => w.level_for(Reading::Active, r),
            },
        };
        self.outlets.board.send(BoardCommand::SimulateLevel {
            channel,
            level: value,
        });
        Ok(value)
    }

    fn on_board(&mut self, event: BoardEvent) {
        match event {
            BoardEvent::Level { channel, level } => {
                self.levels.insert(channel, level);
                let sensors = self.channels.get(&channel).cloned().unwrap_or_default();
                for (sensor, wiring, reference) in sensors {
                    // `basic` inputs without a stored reference calibrate on their first level.
                    let reference =
                        reference.or_else(|| Some(*self.references.entry(sensor).or_insert(level)));
                    let reading = wiring.classify(level, reference);
                    super::metrics::METRICS.sensor_events.bump();
                    self.handle(Input::Sensor { sensor, reading });
                }
            }
            BoardEvent::Power(power) => {
                self.handle(Input::Power(power));
            }
            BoardEvent::Key(_) | BoardEvent::Card(_) => {
                // Keys and cards cost a bcrypt check each (~0.2 s): the keypad
                // task handles them, never the engine's loop.
                if self.outlets.keypad.send(event).is_err() {
                    tracing::warn!("the keypad task has stopped; input dropped");
                }
            }
        }
    }

    fn live(&self, name: &'static str, payload: Option<serde_json::Value>) {
        // No receiver is fine (no browser connected).
        let _ = self.outlets.live.send(LiveEvent { name, payload });
    }

    /// Applies effects: hardware, then live events, then storage.
    fn apply(&mut self, effects: Vec<Effect>) {
        self.changed_by.note(&effects);
        for e in &effects {
            match e {
                Effect::Siren(s) => self.outlets.board.set_output(0, *s == Some(true)),
                Effect::Output { output, state } => {
                    if let Some(&ch) = self.installation.output_channels.get(output) {
                        self.outlets.board.set_output(ch, *state);
                    }
                }
                _ => {}
            }
        }
        for e in &effects {
            self.publish(e);
        }
        for e in effects {
            self.store(e);
        }
        let view = StateView::of(&self.engine, &self.changed_by);
        self.view_tx.send_if_modified(|v| {
            let changed = *v != view;
            *v = view;
            changed
        });
        self.save_journal();
    }

    /// Hands the latest state to the journal writer.
    fn save_journal(&mut self) {
        let snapshot: Snapshot = self.engine.snapshot().clone();
        self.generation += 1;
        let state = JournalState {
            installation: self.installation.clone(),
            snapshot,
            notices: self.notices.clone(),
        };
        self.outlets
            .journal
            .send_replace(Some((self.generation, state)));
    }

    /// Tells the watchers (IPC state queries) and browsers what changed.
    fn publish(&self, e: &Effect) {
        match e {
            Effect::MonitoringState(s) => {
                self.state_tx.send_replace(*s);
            }
            Effect::Power(p) => {
                self.power_tx.send_replace(*p);
            }
            _ => {}
        }
        if let Some(event) = crate::runtime::live::event_of(e, &self.installation) {
            // No receiver is fine (no browser connected).
            let _ = self.outlets.live.send(event);
        }
    }

    /// Queues the effect's database writes, or hands its notice over.
    fn store(&mut self, e: Effect) {
        let told = match &e {
            Effect::Notify(n) => notice::of(n, &self.engine, &self.installation),
            Effect::Record(r) => notice::of_record(r, &self.installation),
            _ => None,
        };
        if let Some(n) = told {
            self.hand_over(n);
        }
        for op in crate::runtime::persist::ops::of(e, &self.engine, &self.installation) {
            self.outlets.persist.send(op);
        }
    }

    /// Keeps `n` (journaled with the state that caused it) and hands it to
    /// the pipeline. A long database outage cannot grow the journal without
    /// bound: past [`MAX_NOTICES`] the oldest arm or disarm report goes
    /// first, an alarm only when nothing else is left.
    fn hand_over(&mut self, n: Notice) {
        if self.outlets.notify.notices.send(n.clone()).is_err() {
            tracing::error!("the notification queue has stopped; the notice stays in the journal");
        }
        self.notices.push(n);
        if self.notices.len() > MAX_NOTICES {
            let routine = self
                .notices
                .iter()
                .position(|n| matches!(n.kind, Kind::Armed | Kind::Disarmed))
                .unwrap_or(0);
            self.notices.remove(routine);
            tracing::warn!(
                kept = MAX_NOTICES,
                "too many notices waiting for the database; the oldest dropped"
            );
        }
    }

    /// The pipeline has these notices in the outbox: the journal drops them.
    fn forget(&mut self, done: &[String]) {
        let before = self.notices.len();
        self.notices.retain(|n| !done.contains(&n.id()));
        if self.notices.len() != before {
            self.save_journal();
        }
    }
}
