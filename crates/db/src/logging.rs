//! Logging set-up shared by the argus binaries: `RUST_LOG` (default
//! [`DEFAULT_FILTER`]), compact lines, colours only on a terminal. Under
//! systemd (`JOURNAL_STREAM` set) events go to the journal natively, each
//! level its priority and each field its own journal field (`F_ERROR`,
//! `F_DELIVERY`, …), so `journalctl -p warning` and field matches work;
//! without the journal's socket, lines without timestamps (the journal
//! adds its own). The filter can be changed while running
//! ([`set_filter`]); there is one global subscriber, so its control is
//! process-wide too.

use std::io::IsTerminal;
use std::sync::{Mutex, OnceLock};
use tracing_subscriber::EnvFilter;

/// `info`, without actix-http's connection dispatcher, which logs a client's
/// malformed request ("stream error: …") at ERROR although it is answered
/// with 400 and is no fault of ours; `RUST_LOG=actix_http=debug` shows it.
pub const DEFAULT_FILTER: &str = "info,actix_http::h1::dispatcher=off";

type Reload = Box<dyn Fn(EnvFilter) -> Result<(), String> + Send + Sync>;

static RELOAD: OnceLock<Reload> = OnceLock::new();
static CURRENT: Mutex<String> = Mutex::new(String::new());

/// Installs the global subscriber: the journal under systemd when its
/// socket opens, standard output otherwise.
pub fn init() {
    let text = std::env::var("RUST_LOG")
        .ok()
        .filter(|f| EnvFilter::try_new(f).is_ok())
        .unwrap_or_else(|| DEFAULT_FILTER.to_owned());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(&text))
        .with_ansi(std::io::stdout().is_terminal())
        .with_target(false)
        .compact();
    // Each arm has its own subscriber type; the handle is kept as a closure.
    let under_systemd = std::env::var_os("JOURNAL_STREAM").is_some();
    let journal = under_systemd
        .then(tracing_journald::layer)
        .and_then(Result::ok);
    if let Some(journal) = journal {
        use tracing_subscriber::layer::SubscriberExt;
        use tracing_subscriber::util::SubscriberInitExt;
        let (filter, handle) = tracing_subscriber::reload::Layer::new(EnvFilter::new(&text));
        let _ = RELOAD.set(Box::new(move |f| {
            handle.reload(f).map_err(|e| e.to_string())
        }));
        tracing_subscriber::registry()
            .with(filter)
            .with(journal)
            .init();
    } else if under_systemd {
        let builder = builder.without_time().with_filter_reloading();
        let handle = builder.reload_handle();
        let _ = RELOAD.set(Box::new(move |f| {
            handle.reload(f).map_err(|e| e.to_string())
        }));
        builder.init();
    } else {
        let builder = builder.with_filter_reloading();
        let handle = builder.reload_handle();
        let _ = RELOAD.set(Box::new(move |f| {
            handle.reload(f).map_err(|e| e.to_string())
        }));
        builder.init();
    }
    if let Ok(mut current) = CURRENT.lock() {
        *current = text;
    }
}

/// The filter in force.
pub fn current_filter() -> String {
    CURRENT.lock().map(|c| c.clone()).unwrap_or_default()
}

/// Replaces the filter (`RUST_LOG` syntax, e.g. `debug` or
/// `info,argus_monitor=debug`); an invalid one changes nothing.
pub fn set_filter(filter: &str) -> Result<(), String> {
    let parsed = EnvFilter::try_new(filter).map_err(|e| format!("invalid log filter: {e}"))?;
    let reload = RELOAD.get().ok_or("logging is not set up")?;
    reload(parsed)?;
    if let Ok(mut current) = CURRENT.lock() {
        filter.clone_into(&mut current);
    }
    tracing::warn!(filter, "log filter changed");
    Ok(())
}
