//! Logging set-up shared by the argus binaries: `RUST_LOG` (default
//! [`DEFAULT_FILTER`]), compact lines, colours only on a terminal, no
//! timestamps under systemd (the journal adds its own).

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// `info`, without actix-http's connection dispatcher, which logs a client's
/// malformed request ("stream error: …") at ERROR although it is answered
/// with 400 and is no fault of ours; `RUST_LOG=actix_http=debug` shows it.
pub const DEFAULT_FILTER: &str = "info,actix_http::h1::dispatcher=off";

/// Installs the global subscriber writing to standard output.
pub fn init() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stdout().is_terminal())
        .with_target(false)
        .compact();
    if std::env::var_os("JOURNAL_STREAM").is_some() {
        builder.without_time().init();
    } else {
        builder.init();
    }
}
