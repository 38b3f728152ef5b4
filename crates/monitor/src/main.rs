//! `argus-monitor`: reads its configuration and runs the monitor.

use argus_monitor::MonitorConfig;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    argus_db::logging::init();
    let config = MonitorConfig::from_env()?;
    argus_monitor::run(config).await
}
