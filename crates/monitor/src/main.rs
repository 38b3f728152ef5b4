//! `argus-monitor`: reads its configuration and runs the monitor.

use argus_monitor::MonitorConfig;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_ansi(std::io::stdout().is_terminal())
        .with_target(false)
        .compact()
        .init();
    let config = MonitorConfig::from_env()?;
    argus_monitor::run(config).await
}
