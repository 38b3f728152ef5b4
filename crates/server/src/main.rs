//! `argus-server`: reads its configuration and serves the REST API.

use argus_server::ServerConfig;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    argus_db::logging::init();
    argus_server::run(ServerConfig::from_env()?).await
}
