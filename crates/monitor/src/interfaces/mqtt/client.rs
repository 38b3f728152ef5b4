//! The MQTT session: connects to the broker `mqtt/connection` chooses (the
//! internal mosquitto as user `argus`, or `mqtt/external_publish`), announces
//! argus to Home Assistant (availability with a last will, discovery),
//! publishes every state change (retained, only what changed), republishes
//! all when HA says `online` or after a reconnect, and obeys commands whose
//! code is a PIN under the shared lock-out. Publishing never waits: a full
//! queue drops the message (the next change or reconnect sends the state
//! again). A broker that is down or refuses us costs reconnect attempts with
//! a doubling wait, never the alarm.

use rumqttc::{
    AsyncClient, Event, LastWill, MqttOptions, Packet, QoS, TlsConfiguration, Transport,
};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, watch};

use super::command::{self, Action};
use super::discovery::{self as d, Panel};
use super::settings::{settings, Broker, HomeAssistantOption};
use super::{arpi, attributes, devices, tls};
use crate::engine::model::ArmMode;
use crate::engine::{ArmState, Effect, Input, Origin};
use crate::interfaces::access::{self, Refusal};
use crate::interfaces::nodes::hub::NodesHandle;
use crate::interfaces::running::{Running, DURABLE_WAIT};
use crate::interfaces::telemetry::intake::{Intake, Source};
use crate::runtime::live::LiveEvent;
use crate::runtime::view::StateView;
use argus_protocol::constants::PowerState;
use argus_protocol::lockout::Attempt;
use argus_protocol::telemetry::parse_topic;
use argus_protocol::wire::MqttStatus;

/// The largest MQTT packet read (a bigger one costs a reconnect).
const MAX_INCOMING: usize = 2 * 1024 * 1024;

/// Telemetry readings come in on `argus/telemetry/<sensor>`.
const TELEMETRY_IN: &str = "argus/telemetry/+";
const TELEMETRY_PREFIX: &str = "argus/telemetry/";

/// Where what devices publish goes.
#[derive(Debug, Clone)]
pub struct Inlets {
    /// Node inputs and availability (Zigbee2MQTT, ESPHome, …).
    pub nodes: NodesHandle,
    /// Telemetry readings.
    pub telemetry: Intake,
}

/// Starts the MQTT task.
pub fn spawn(
    r: Running,
    view: watch::Receiver<StateView>,
    internal: Broker,
    status: watch::Sender<MqttStatus>,
    inlets: Inlets,
) {
    tokio::spawn(async move {
        let mut installation = r.installation.clone();
        loop {
            let settings = settings(&r, &internal).await;
            let mut status_now = MqttStatus {
                enabled: settings.is_some(),
                broker: settings
                    .as_ref()
                    .map(|(b, _)| format!("{}:{}", b.host, b.port)),
                ..MqttStatus::default()
            };
            let transport = settings
                .as_ref()
                .map(|(broker, _)| transport(broker))
                .transpose();
            match (settings, transport) {
                (Some((broker, ha)), Ok(Some(transport))) => {
                    status.send_replace(status_now);
                    Session::new(&r, &broker, transport, ha, status.clone(), inlets.clone())
                        .run(view.clone(), &mut installation, &internal)
                        .await;
                    continue;
                }
                (_, Err(e)) => {
                    tracing::warn!(error = %e, "MQTT TLS cannot be set up");
                    status_now.last_error = Some(e.to_string());
                    status.send_replace(status_now);
                }
                _ => {
                    status.send_replace(status_now);
                }
            }
            // Off, misconfigured or the database unreachable: look again
            // after a reload (or a minute).
            let again = tokio::time::sleep(Duration::from_secs(60));
            tokio::select! {
                changed = installation.changed() => if changed.is_err() { return },
                () = again => {}
            }
        }
    });
}

/// Plain TCP, or TLS trusting what the broker's settings say.
fn transport(broker: &Broker) -> Result<Transport, tls::TlsError> {
    if !broker.tls {
        return Ok(Transport::Tcp);
    }
    let config = tls::client_config(&broker.trust)?;
    Ok(Transport::tls_with_config(TlsConfiguration::Rustls(config)))
}

struct Session {
    r: Running,
    broker: Broker,
    ha: HomeAssistantOption,
    client: AsyncClient,
    eventloop: rumqttc::EventLoop,
    /// The last payload sent on each retained topic.
    sent: BTreeMap<String, Vec<u8>>,
    /// Discovery topics announced.
    announced: BTreeSet<String>,
    /// Each panel's last command and its outcome (an attribute).
    last: BTreeMap<Panel, serde_json::Value>,
    /// Command outcomes from their tasks.
    outcomes: mpsc::UnboundedSender<Outcome>,
    outcomes_rx: mpsc::UnboundedReceiver<Outcome>,
    /// What `/api/health` shows.
    status: watch::Sender<MqttStatus>,
    /// Where device inputs and readings go.
    inlets: Inlets,
}

/// A panel and what its last command did.
type Outcome = (Panel, serde_json::Value);

impl Session {
    fn new(
        r: &Running,
        broker: &Broker,
        transport: Transport,
        ha: HomeAssistantOption,
        status: watch::Sender<MqttStatus>,
        inlets: Inlets,
    ) -> Self {
        let mut options = MqttOptions::new("argus-monitor", broker.host.clone(), broker.port);
        options.set_keep_alive(Duration::from_secs(15));
        // rumqttc drops the connection on a packet over its limit (10 KB by
        // default), and a retained one would come back on every reconnect:
        // room for any device's message, which the topic's reader then
        // judges (a telemetry payload over 4 KB is counted and skipped).
        options.set_max_packet_size(MAX_INCOMING, 64 * 1024);
        options.set_last_will(LastWill::new(
            d::AVAILABILITY,
            "offline",
            QoS::AtLeastOnce,
            true,
        ));
        if let Some(user) = &broker.username {
            options.set_credentials(user.clone(), broker.password.clone().unwrap_or_default());
        }
        options.set_transport(transport);
        let (client, eventloop) = AsyncClient::new(options, 256);
        let (outcomes, outcomes_rx) = mpsc::unbounded_channel();
        Self {
            r: r.clone(),
            broker: broker.clone(),
            ha,
            client,
            eventloop,
            sent: BTreeMap::new(),
            announced: BTreeSet::new(),
            last: BTreeMap::new(),
            outcomes,
            outcomes_rx,
            status,
            inlets,
        }
    }

    /// Until the settings change (then the caller connects anew).
    async fn run(
        mut self,
        mut view: watch::Receiver<StateView>,
        installation: &mut watch::Receiver<std::sync::Arc<crate::installation::Installation>>,
        internal: &Broker,
    ) {
        let mut connected = false;
        let mut wait = Duration::from_secs(1);
        let mut modem = self.r.modem.clone();
        let mut modem_enabled = modem.borrow().enabled;
        let mut modem_alive = true;
        let mut live = self.r.live.subscribe();
        // The back-off is waited for in the select, so a reload (a corrected
        // broker) is obeyed at once rather than after the wait.
        let mut retry_at: Option<tokio::time::Instant> = None;
        loop {
            tokio::select! {
                () = async { tokio::time::sleep_until(retry_at.unwrap_or_else(tokio::time::Instant::now)).await }, if retry_at.is_some() => {
                    retry_at = None;
                }
                event = self.eventloop.poll(), if retry_at.is_none() => match event {
                    Ok(Event::Incoming(Packet::ConnAck(_))) => {
                        wait = Duration::from_secs(1);
                        if !connected {
                            connected = true;
                            self.status.send_modify(|s| {
                                s.connected = true;
                                s.last_error = None;
                            });
                            tracing::info!(broker = ?self.broker, "MQTT connected");
                            crate::db::record_event(&self.r.db, "mqtt_status", None, None, "system", Some("connected".into()));
                        }
                        let _ = self.client.try_subscribe(format!("{}/panel/+/set", d::BASE), QoS::AtLeastOnce);
                        let _ = self.client.try_subscribe(format!("{}/status", self.ha.prefix()), QoS::AtLeastOnce);
                        self.subscribe_devices();
                        let _ = self.client.try_subscribe(TELEMETRY_IN, QoS::AtMostOnce);
                        self.sent.clear();
                        self.announce(&view.borrow().clone());
                    }
                    Ok(Event::Incoming(Packet::Publish(p))) => self.incoming(p, &view.borrow().clone()),
                    Ok(_) => {}
                    Err(e) => {
                        let error = e.to_string();
                        if connected {
                            connected = false;
                            self.status.send_modify(|s| s.connected = false);
                            crate::db::record_event(&self.r.db, "mqtt_status", None, None, "system", Some("disconnected".into()));
                        } else if self.status.borrow().last_error.as_ref() != Some(&error) {
                            // Each new reason once (a refused login, no broker), not every retry.
                            crate::db::record_event(&self.r.db, "mqtt_status", None, None, "system", Some(format!("cannot connect: {error}")));
                        }
                        tracing::warn!(error = %e, retry_s = wait.as_secs(), "MQTT broker unavailable");
                        self.status.send_modify(|s| s.last_error = Some(error));
                        retry_at = Some(tokio::time::Instant::now() + wait);
                        wait = (wait * 2).min(Duration::from_secs(60));
                    }
                },
                event = live.recv() => match event {
                    Ok(event) if event.name == "telemetry_change" => self.telemetry_state(&event),
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                Some((panel, report)) = self.outcomes_rx.recv() => {
                    self.last.insert(panel, report);
                    self.states(&view.borrow().clone());
                }
                changed = view.changed() => {
                    if changed.is_err() { return }
                    let state = view.borrow_and_update().clone();
                    self.states(&state);
                }
                changed = modem.changed(), if modem_alive => {
                    // A stopped modem task leaves its last status, never the session.
                    if changed.is_err() { modem_alive = false; continue }
                    let enabled = modem.borrow_and_update().enabled;
                    if enabled == modem_enabled {
                        self.states(&view.borrow().clone());
                    } else {
                        modem_enabled = enabled;
                        self.announce(&view.borrow().clone());
                    }
                }
                changed = installation.changed() => {
                    if changed.is_err() { return }
                    installation.borrow_and_update();
                    match settings(&self.r, internal).await {
                        Some((broker, ha)) if broker == self.broker && ha == self.ha => {
                            self.subscribe_devices();
                            self.announce(&view.borrow().clone());
                        }
                        _ => {
                            let _ = self.client.try_publish(d::AVAILABILITY, QoS::AtLeastOnce, true, "offline");
                            let _ = self.client.try_disconnect();
                            return;
                        }
                    }
                }
            }
        }
    }

    /// Publishes a retained payload unless it is what was sent last.
    fn retained(&mut self, topic: String, payload: Vec<u8>) {
        if self.sent.get(&topic) == Some(&payload) {
            return;
        }
        match self
            .client
            .try_publish(topic.clone(), QoS::AtLeastOnce, true, payload.clone())
        {
            Ok(()) => {
                self.sent.insert(topic, payload);
            }
            Err(_) => tracing::debug!("MQTT queue full; the state goes out with the next change"),
        }
    }

    /// Availability, discovery (and removal of what is gone), then every state.
    fn announce(&mut self, state: &StateView) {
        let installation = self.r.installation.borrow().clone();
        let prefix = self.ha.prefix();
        let mut configs = vec![d::panel_config(&prefix, Panel::System, "argus")];
        for (&id, area) in &installation.areas {
            configs.push(d::panel_config(&prefix, Panel::Area(id), &area.name));
        }
        for (&id, s) in &installation.sensors {
            let enabled = installation
                .config
                .sensors
                .get(&id)
                .is_some_and(|c| c.enabled);
            if enabled {
                let type_name = installation
                    .sensor_types
                    .get(&s.type_id)
                    .map_or("", String::as_str);
                configs.push(d::sensor_config(&prefix, id, &s.name, type_name));
            }
        }
        configs.extend(d::fixed_configs(&prefix, self.r.modem.borrow().enabled));
        if self.ha.arpi_topics {
            configs.extend(
                installation
                    .areas
                    .values()
                    .map(|a| arpi::area_config(&a.name)),
            );
            for (&id, s) in &installation.sensors {
                let type_name = installation
                    .sensor_types
                    .get(&s.type_id)
                    .map_or("", String::as_str);
                configs.push(arpi::sensor_config(id, &s.name, d::device_class(type_name)));
            }
        }
        let _ = self
            .client
            .try_publish(d::AVAILABILITY, QoS::AtLeastOnce, true, "online");
        let topics: BTreeSet<String> = configs.iter().map(|(t, _)| t.clone()).collect();
        for gone in self
            .announced
            .difference(&topics)
            .cloned()
            .collect::<Vec<_>>()
        {
            let _ = self
                .client
                .try_publish(gone, QoS::AtLeastOnce, true, Vec::new());
        }
        for (topic, payload) in configs {
            let _ = self
                .client
                .try_publish(topic, QoS::AtLeastOnce, true, payload.to_string());
        }
        self.announced = topics;
        self.sent.clear();
        self.states(state);
    }

    fn states(&mut self, state: &StateView) {
        let installation = self.r.installation.borrow().clone();
        let system = state.system;
        let mut panels = vec![(Panel::System, system)];
        panels.extend(installation.areas.keys().map(|&a| {
            (
                Panel::Area(a),
                state.areas.get(&a).copied().unwrap_or(ArmState::Disarm),
            )
        }));
        for (panel, arm) in panels {
            let word = d::ha_state(state.monitoring, arm, panel == Panel::System);
            self.retained(panel.state_topic(), word.as_bytes().to_vec());
            let attributes = attributes::panel(
                panel,
                state,
                &installation,
                self.last.get(&panel),
                crate::runtime::actor::now_ms(),
            );
            self.retained(
                panel.attributes_topic(),
                attributes.to_string().into_bytes(),
            );
        }
        for &id in installation.sensors.keys() {
            let on = if state.alerting.contains(&id) {
                "ON"
            } else {
                "OFF"
            };
            self.retained(d::sensor_state_topic(id), on.into());
        }
        if self.ha.arpi_topics {
            for (id, area) in &installation.areas {
                let arm = state.areas.get(id).copied().unwrap_or(ArmState::Disarm);
                let (topic, word) = arpi::area_state(&area.name, arm);
                self.retained(topic, word.into());
            }
            for (id, s) in &installation.sensors {
                let on = if state.alerting.contains(id) {
                    "ON"
                } else {
                    "OFF"
                };
                self.retained(arpi::sensor_state_topic(&s.name), on.into());
            }
        }
        self.retained(
            d::SIREN_STATE.into(),
            if state.siren { "ON" } else { "OFF" }.into(),
        );
        let modem = self.r.modem.borrow().clone();
        if modem.enabled {
            let on = if d::modem_online(&modem) { "ON" } else { "OFF" };
            self.retained(d::MODEM_STATE.into(), on.into());
        }
        if let Some(power) = state.power {
            let on = if power == PowerState::Network {
                "ON"
            } else {
                "OFF"
            };
            self.retained(d::POWER_STATE.into(), on.into());
        }
    }

    /// Every device topic a node input or availability is read from.
    fn subscribe_devices(&mut self) {
        for topic in devices::topics(&self.r.installation.borrow()) {
            let _ = self.client.try_subscribe(topic, QoS::AtLeastOnce);
        }
    }

    /// A telemetry sensor's latest value, retained at
    /// `argus/telemetry/<sensor>/state` (one level below the inputs, so it
    /// is never read back as a reading).
    fn telemetry_state(&mut self, event: &LiveEvent) {
        let Some(payload) = &event.payload else {
            return;
        };
        let Some(sensor) = payload["sensor"].as_str() else {
            return;
        };
        let topic = format!("{}/telemetry/{sensor}/state", d::BASE);
        self.retained(topic, payload.to_string().into_bytes());
    }

    fn incoming(&mut self, p: rumqttc::Publish, state: &StateView) {
        if let Some(sensor) = p.topic.strip_prefix(TELEMETRY_PREFIX) {
            let parsed = parse_topic(sensor, &p.payload, chrono::Utc::now());
            self.inlets.telemetry.message(Source::Mqtt, parsed);
            return;
        }
        let installation = self.r.installation.borrow().clone();
        if devices::route(&installation, &self.inlets.nodes, &p.topic, &p.payload) {
            return;
        }
        if p.topic == format!("{}/status", self.ha.prefix()) {
            if p.payload.as_ref() == b"online" {
                self.announce(state);
            }
            return;
        }
        let Some(panel) = Panel::of_command_topic(&p.topic) else {
            return;
        };
        // A PIN check costs a bcrypt: off the event loop.
        let (r, results, force) = (self.r.clone(), self.outcomes.clone(), self.ha.force_arm);
        tokio::spawn(async move {
            let parsed = command::parse(&p.payload, p.retain);
            let action = parsed.as_ref().ok().map(|req| req.action.as_str());
            let outcome = match parsed {
                Ok(request) => obey(&r, panel, request, force).await,
                Err(rejected) => Err(rejected.to_string()),
            };
            let user = outcome.as_ref().ok().copied().flatten();
            let detail = match &outcome {
                Ok(_) => "done".to_owned(),
                Err(why) => why.clone(),
            };
            crate::db::record_event(
                &r.db,
                "mqtt_command",
                user,
                None,
                "mqtt",
                Some(detail.clone()),
            );
            let report = json!({
                "action": action,
                "result": if outcome.is_ok() { "done" } else { "refused" },
                "reason": detail,
                "time": argus_protocol::wire::local_time(chrono::Utc::now()),
            });
            let _ = results.send((panel, report));
        });
    }
}

/// Checks and performs a command; the PIN's owner, or why not.
async fn obey(
    r: &Running,
    panel: Panel,
    request: command::Request,
    force: bool,
) -> Result<Option<i32>, String> {
    let code = request.code.as_deref().ok_or("a code is required")?;
    let attempt = Attempt {
        device: Some("mqtt".into()),
        ..Attempt::default()
    };
    let user = access::owner_under_lockout(r, &attempt, code)
        .await
        .map_err(|refusal| match refusal {
            Refusal::Locked => "too many wrong codes; locked out".to_owned(),
            Refusal::Wrong => "wrong code".to_owned(),
            Refusal::Unavailable => "the code cannot be checked now".to_owned(),
        })?;
    let area = match panel {
        Panel::System => None,
        Panel::Area(a) => Some(a),
    };
    let origin = Origin::Mqtt { user: Some(user) };
    let input = match request.action {
        Action::Disarm => Input::Disarm {
            area,
            origin,
            duress: false,
        },
        Action::ArmAway | Action::ArmHome => Input::Arm {
            mode: if request.action == Action::ArmHome {
                ArmMode::Stay
            } else {
                ArmMode::Away
            },
            area,
            origin,
            use_delay: true,
            force,
        },
    };
    let effects = r
        .engine
        .input_durable(input, &r.journal_saved, DURABLE_WAIT)
        .await
        .ok_or("the alarm is not answering")?;
    if let Some(open) = effects.iter().find_map(|e| match e {
        Effect::ArmRefused { open } => Some(open.clone()),
        _ => None,
    }) {
        let installation = r.installation.borrow().clone();
        let names: Vec<&str> = open
            .iter()
            .filter_map(|s| installation.sensors.get(s).map(|i| i.name.as_str()))
            .collect();
        return Err(format!("not armed: open sensors: {}", names.join(", ")));
    }
    Ok(Some(user))
}
