//! Starts the monitor's tasks and stops them on SIGTERM or Ctrl-C.
//!
//! Start-up order: the journal (last known state), the database (current
//! configuration; optional, so the house stays protected while PostgreSQL is
//! down), the engine (restored or fresh), the board, the writers, the IPC
//! server.

use anyhow::Context;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

use crate::devices::board;
use crate::engine::{AreaRuntime, Engine, Input, Snapshot};
use crate::installation::{self, Installation};
use crate::interfaces::dispatch::Dispatcher;
use crate::interfaces::ipc;
use crate::interfaces::running::Running;
use crate::runtime::actor::{self, now_ms, Outlets};
use crate::runtime::journal::Journal;
use crate::runtime::{live, persist};
use crate::MonitorConfig;

/// How long start-up waits for the database before running on the journal.
const DB_START_TIMEOUT: Duration = Duration::from_secs(5);

async fn load_installation(pool: &argus_db::DbPool, input_number: u8) -> Option<Installation> {
    let load = crate::db::blocking(pool, move |conn| installation::load(conn, input_number));
    match tokio::time::timeout(DB_START_TIMEOUT, load).await {
        Ok(Ok(inst)) => Some(inst),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "cannot load the configuration from the database");
            None
        }
        _ => {
            tracing::warn!("the database did not answer in time");
            None
        }
    }
}

/// The engine at start: restored from the journal when there is one, else
/// fresh, with areas the database stores as armed armed again.
fn start_engine(
    installation: &Installation,
    snapshot: Option<Snapshot>,
) -> (Engine, Vec<crate::engine::Effect>) {
    let config = installation.config.clone();
    match snapshot {
        Some(snapshot) => Engine::restore(config, snapshot),
        None => {
            let now = now_ms();
            let mut snapshot = Snapshot {
                now,
                ..Snapshot::default()
            };
            for (&area, &mode) in &installation.armed {
                snapshot.areas.insert(
                    area,
                    AreaRuntime {
                        mode: Some(mode),
                        armed_at: now,
                        watch_mark: now,
                        ..AreaRuntime::default()
                    },
                );
            }
            if snapshot.areas.is_empty() {
                let mut engine = Engine::new();
                let effects = engine.handle(Input::Configure(Box::new(config)), now);
                (engine, effects)
            } else {
                Engine::restore(config, snapshot)
            }
        }
    }
}

/// Runs the monitor until a termination signal arrives.
pub async fn run(config: MonitorConfig) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let pool = argus_db::pool::build_pool(&config.db, 4);
    let mut journal = Journal::new(&config.state_dir);
    let journaled = journal.load();
    let from_db = load_installation(&pool, config.input_number).await;
    let installation = match (from_db, &journaled) {
        (Some(inst), _) => inst,
        (None, Some(j)) => {
            tracing::warn!(
                "running on the configuration in the state journal until the database is back"
            );
            j.installation.clone()
        }
        (None, None) => {
            tracing::error!(
                "no configuration: neither the database nor a state journal is available"
            );
            Installation::default()
        }
    };
    let (snapshot, notices) = match journaled {
        Some(j) => (Some(j.snapshot), j.notices),
        None => (None, Vec::new()),
    };
    let had_alert = snapshot.as_ref().is_some_and(|s| s.alert.is_some());
    let (engine, initial) = start_engine(&installation, snapshot);

    let (board_tx, board_events) = mpsc::unbounded_channel();
    let board = if config.use_simulator {
        let idle: Vec<(u8, f64)> = installation
            .channels()
            .into_iter()
            .map(|(ch, sensors)| {
                (
                    ch,
                    sensors[0]
                        .1
                        .level_for(crate::engine::Reading::Idle, sensors[0].2),
                )
            })
            .collect();
        board::sim::spawn(idle, board_tx)
    } else {
        board::gpio::spawn(config.board_version, config.sample_rate, board_tx)
            .context("starting the board")?
    };

    let persist = persist::spawn(pool.clone());
    if !had_alert {
        persist.send(persist::Op::CloseStaleAlerts { time: now_ms() });
    }
    let live = live::hub();
    // Before the engine's first effects, so the start-up state is in it.
    let latest = live::track(&live);
    let (journal_tx, journal_rx) = watch::channel(None);
    let journal_saved = crate::runtime::journal::spawn_writer(journal, journal_rx);
    let (keypad_tx, keypad_rx) = mpsc::unbounded_channel();
    let gsm = crate::devices::gsm::service::spawn(crate::devices::gsm::GsmSettings {
        port: config.gsm_port.clone(),
        baud: config.gsm_baud,
        pin: None,
    });
    let notify = crate::runtime::notify::start(
        pool.clone(),
        crate::runtime::notify::deliver::Outlets {
            pool: pool.clone(),
            gsm: gsm.clone(),
            live: live.clone(),
            backoff: config.notify_backoff,
        },
    );
    let outlets = Outlets {
        notify,
        keypad: keypad_tx,
        board: board.clone(),
        board_events,
        persist,
        live: live.clone(),
        journal: journal_tx,
        journal_saved,
    };
    let (engine_handle, published) = actor::spawn(engine, installation, initial, notices, outlets);

    let gate = crate::interfaces::sio::gate::Gate::new(
        config.secret.clone().map(|s| s.0.into_bytes()),
        Some(published.installation.clone()),
        config.trusted_proxies.clone(),
        crate::interfaces::sio::gate::Limits {
            per_address: config.live_per_address,
            total: config.live_sessions,
            pending_for: std::time::Duration::from_secs(10),
        },
    );
    let (nodes, nodes_inbox) = crate::interfaces::nodes::hub::channel(
        engine_handle.clone(),
        published.journal_saved.clone(),
    );
    let links = crate::interfaces::nodes::NodeLinks {
        hub: nodes.clone(),
        sockets: crate::interfaces::nodes::socket::Sockets::default(),
    };
    let scrape = crate::interfaces::sio::Scrape::default();
    let node_route = crate::interfaces::sio::NodeRoute {
        installation: published.installation.clone(),
        links: links.clone(),
    };
    let (live_addr, _live_task) = crate::interfaces::sio::serve(
        config.live_bind,
        gate,
        Arc::clone(&latest),
        live.clone(),
        node_route,
        Arc::clone(&scrape),
    )
    .await
    .with_context(|| format!("binding Socket.IO on {}", config.live_bind))?;
    if config.secret.is_none() {
        tracing::warn!("SECRET is not set: every Socket.IO client will be refused");
    }
    tracing::info!(addr = %live_addr, "live events listening");

    let listener = ipc::bind(&config.ipc_socket, config.ipc_mode)
        .with_context(|| format!("binding the IPC socket {}", config.ipc_socket.display()))?;
    let modem = crate::devices::gsm::supervise::spawn(gsm.clone(), pool.clone(), config.gsm_check);
    let (mqtt_tx, mqtt) = watch::channel(argus_protocol::wire::MqttStatus::default());
    let (telemetry, telemetry_outlets) = crate::interfaces::telemetry::intake::channel();
    let running = Running {
        jobs: Arc::default(),
        mqtt,
        modem,
        keypad: Arc::default(),
        live: live.clone(),
        salt: config.salt.as_ref().map(|s| s.0.clone()),
        manage_ssh: !config.use_simulator && config.use_ssh_connection,
        gsm,
        clock: if config.use_simulator {
            crate::devices::clock::ClockBackend::Simulated
        } else {
            crate::devices::clock::ClockBackend::System
        },
        engine: engine_handle,
        board,
        db: pool,
        input_number: config.input_number,
        journal_saved: published.journal_saved.clone(),
        installation: published.installation.clone(),
        lockouts: Arc::default(),
        card_window: Arc::default(),
        latest,
    };
    crate::interfaces::access::spawn_keypad(running.clone(), published.state.clone(), keypad_rx);
    crate::interfaces::sms::spawn(running.clone(), published.state.clone(), config.sms_poll);
    crate::interfaces::mqtt::client::spawn(
        running.clone(),
        published.view.clone(),
        config.mqtt_internal.clone(),
        mqtt_tx,
        crate::interfaces::mqtt::client::Inlets {
            nodes: nodes.clone(),
            telemetry: telemetry.clone(),
        },
    );
    crate::interfaces::nodes::hub::spawn(running.clone(), nodes_inbox);
    crate::interfaces::telemetry::spawn(&running, &telemetry, telemetry_outlets);
    spawn_jobs(&running, &nodes);
    let _ = scrape.set(scraper(&published, &running, &links, &telemetry));
    let dispatcher = Dispatcher::running(&published, running, links, telemetry);
    let dispatcher = Arc::new(dispatcher);
    let ipc_task = tokio::spawn(ipc::serve(listener, dispatcher));
    tracing::info!(
        ipc.socket = %config.ipc_socket.display(),
        board.version = config.board_version,
        board.simulated = config.use_simulator,
        state = published.state.borrow().as_str(),
        startup_ms = started.elapsed().as_millis() as u64,
        "argus-monitor ready"
    );

    if let Err(e) = crate::runtime::systemd::notify("READY=1") {
        tracing::warn!(error = %e, "cannot notify systemd");
    }
    if let Some(period) = crate::runtime::systemd::watchdog_period() {
        crate::runtime::systemd::spawn_watchdog(period, published.heartbeat.clone(), now_ms);
    }

    shutdown_signal().await?;
    let _ = crate::runtime::systemd::notify("STOPPING=1");
    ipc_task.abort();
    let _ = std::fs::remove_file(&config.ipc_socket);
    tracing::info!("argus-monitor stopped");
    Ok(())
}

/// Resolves on SIGTERM or SIGINT.
pub async fn shutdown_signal() -> anyhow::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    Ok(())
}

/// The job worker with a handler per kind.
fn spawn_jobs(running: &Running, nodes: &crate::interfaces::nodes::hub::NodesHandle) {
    use crate::runtime::jobs::{self, Handler};
    let mut handlers: std::collections::BTreeMap<&'static str, Handler> =
        std::collections::BTreeMap::new();
    let (r, nodes) = (running.clone(), nodes.clone());
    handlers.insert(
        argus_protocol::nodes::JOB_NODE_EVENTS,
        Arc::new(move |batch| {
            let (r, nodes) = (r.clone(), nodes.clone());
            Box::pin(async move { crate::interfaces::nodes::intake::run(&r, &nodes, batch).await })
        }),
    );
    let r = running.clone();
    handlers.insert(
        argus_protocol::nodes::JOB_ROCKBLOCK_MT,
        jobs::each(move |job| {
            let r = r.clone();
            async move { crate::interfaces::nodes::outbound::satellite(&r, &job).await }
        }),
    );
    jobs::spawn(
        running.db.clone(),
        handlers,
        Arc::clone(&running.jobs),
        jobs::Pace::default(),
    );
}

/// What `/metrics` reads when scraped.
fn scraper(
    published: &crate::runtime::actor::Published,
    running: &Running,
    links: &crate::interfaces::nodes::NodeLinks,
    telemetry: &crate::interfaces::telemetry::intake::Intake,
) -> Box<dyn Fn() -> String + Send + Sync> {
    let (state, power) = (published.state.clone(), published.power.clone());
    let (modem, mqtt) = (running.modem.clone(), running.mqtt.clone());
    let (hub, telemetry) = (links.hub.clone(), telemetry.clone());
    Box::new(move || {
        let modem = modem.borrow().clone();
        let mqtt = mqtt.borrow().clone();
        let nodes = hub.status();
        crate::runtime::metrics::render(&crate::runtime::metrics::Gauges {
            state: state.borrow().as_str().to_owned(),
            battery: *power.borrow() == argus_protocol::constants::PowerState::Battery,
            modem: (modem.enabled, modem.reachable, modem.signal),
            mqtt: (mqtt.enabled, mqtt.connected),
            nodes: (nodes.iter().filter(|n| n.online).count(), nodes.len()),
            telemetry: telemetry.status(),
        })
    })
}

#[cfg(test)]
mod tests {
    //! Here because only start-up knows every module that reads a section.
    use argus_protocol::options::typed;

    use crate::devices::gsm::commands::GsmOption;
    use crate::runtime::notify::queue::PowerOption;
    use crate::services::email::SmtpOption;
    use crate::services::remote::DyndnsOption;
    use crate::services::sia::SiaOption;
    use crate::services::ssh::AccessOption;
    use crate::services::webhook::WebhookOption;

    #[test]
    fn every_section_the_monitor_reads_fits_the_registry_unsaved() {
        let gsm: GsmOption = typed("notifications", "gsm", None).unwrap();
        assert!(!gsm.enabled);
        let smtp: SmtpOption = typed("notifications", "smtp", None).unwrap();
        assert!(!smtp.enabled);
        let dyndns: DyndnsOption = typed("network", "dyndns", None).unwrap();
        assert!(dyndns.hostname.is_none());
        let hook: WebhookOption = typed("notifications", "webhook", None).unwrap();
        assert!(!hook.enabled);
        let power: PowerOption = typed("notifications", "power", None).unwrap();
        assert_eq!(power.report_delay_seconds, 60);
        let ha: crate::interfaces::mqtt::settings::HomeAssistantOption =
            typed("mqtt", "homeassistant", None).unwrap();
        assert_eq!(ha.discovery_prefix.as_deref(), Some("homeassistant"));
        let sia: SiaOption = typed("notifications", "sia", None).unwrap();
        assert_eq!(
            (sia.protocol.as_str(), sia.link_test_seconds),
            ("SIA-DCS", 3600)
        );
        let satellite: crate::services::rockblock::SatelliteOption =
            typed("notifications", "satellite", None).unwrap();
        assert_eq!(satellite, Default::default());
        let mt: crate::services::rockblock::MtOption = typed("nodes", "rockblock", None).unwrap();
        assert!(mt.mt_username.is_none());
        let access: AccessOption = typed("network", "access", None).unwrap();
        assert_eq!(
            access,
            AccessOption {
                service_enabled: true,
                restrict_local_network: false,
                password_authentication_enabled: true,
            },
            "ArPI's defaults"
        );
    }

    #[test]
    fn a_partial_or_mistyped_section_keeps_the_defaults_of_the_rest() {
        let stored = serde_json::json!({"enabled": true, "smtp_port": "x", "stray": 1});
        let smtp: SmtpOption = typed("notifications", "smtp", Some(&stored)).unwrap();
        assert!(smtp.enabled);
        assert_eq!(
            smtp.smtp_port, None,
            "the default: the mailer then uses 587"
        );
    }
}
