//! `argus-server`: reads its configuration and serves the REST API.

use argus_server::ServerConfig;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_ansi(std::io::stdout().is_terminal())
        .with_target(false)
        .compact()
        .init();
    argus_server::run(ServerConfig::from_env()?).await
}
