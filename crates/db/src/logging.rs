//! Logging set-up shared by the argus binaries: `RUST_LOG` (default `info`),
//! compact lines, colours only on a terminal, no timestamps under systemd
//! (the journal adds its own).

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber writing to standard output.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
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
