//! Binds the listener (TCP, or a Unix socket with the configured mode) and
//! runs the HTTP server until SIGTERM or Ctrl-C.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;

use crate::config::Bind;
use crate::state::AppState;
use crate::{routes, ServerConfig};

/// Refuses to serve a database with pending migrations; tolerates an
/// unreachable one (health reports it, and requests get 503 until it is back).
fn check_migrations(db: &argus_db::DbPool) -> anyhow::Result<()> {
    match db.get() {
        Ok(mut conn) => {
            let pending = argus_db::migrate::pending(&mut conn)?;
            if !pending.is_empty() {
                anyhow::bail!(
                    "{} migration(s) pending ({}): run `manage migrate` first",
                    pending.len(),
                    pending.join(", ")
                );
            }
        }
        Err(e) => tracing::warn!(error = %e, "database unreachable at start; serving anyway"),
    }
    Ok(())
}

/// The application: state, middleware (`User-Token` renewal inside CORS)
/// and every route. Tests build exactly this.
pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::new(state))
        .app_data(web::Data::new(crate::state::ApiDocument(
            crate::openapi::document(crate::VERSION),
        )))
        .wrap(actix_web::middleware::from_fn(crate::storable::refuse_nul))
        .wrap(actix_web::middleware::from_fn(
            crate::auth::renew_user_token,
        ))
        .wrap(actix_web::middleware::from_fn(crate::cors::cors))
        .route("/metrics", web::get().to(crate::metrics::scrape))
        .configure(routes::config)
}

/// Runs the server until a termination signal.
pub async fn run(config: ServerConfig) -> anyhow::Result<()> {
    crate::routes::clock::started();
    let config = Arc::new(config);
    let db = argus_db::pool::build_untested_pool(&config.db, config.db_pool);
    {
        let db = db.clone();
        tokio::task::spawn_blocking(move || check_migrations(&db)).await??;
    }
    if config.secret.is_none() {
        anyhow::bail!(
            "SECRET is not set: tokens cannot be issued or checked (see secrets.env.example)"
        );
    }
    let factory_config = Arc::clone(&config);
    let shared = Arc::new(crate::state::Shared::new(config.hashing));
    let listening = Arc::clone(&shared);
    crate::directory::listen(config.db.url().to_owned(), move || {
        listening.directory.invalidate();
    });
    let server = HttpServer::new(move || {
        app(AppState::for_worker(
            db.clone(),
            Arc::clone(&factory_config),
            Arc::clone(&shared),
        ))
    })
    .workers(
        config
            .workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())),
    )
    .shutdown_timeout(5);
    let server = match &config.bind {
        Bind::Tcp(addr) => server
            .bind(addr)
            .with_context(|| format!("binding {addr}"))?,
        Bind::Unix(path) => {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                _ => {}
            }
            let server = server
                .bind_uds(path)
                .with_context(|| format!("binding {}", path.display()))?;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(config.socket_mode))?;
            server
        }
    };
    let addr = match &config.bind {
        Bind::Tcp(_) => server
            .addrs()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(","),
        Bind::Unix(path) => format!("unix:{}", path.display()),
    };
    tracing::info!(%addr, version = crate::VERSION, "argus-server listening");
    // Under systemd (Type=notify): ready once bound; the watchdog fed from
    // the server's own runtime, so a stuck runtime is restarted.
    if let Err(e) = argus_db::systemd::notify("READY=1") {
        tracing::warn!(error = %e, "systemd readiness notification failed");
    }
    if let Some(period) = argus_db::systemd::watchdog_period() {
        actix_web::rt::spawn(async move {
            let mut tick = actix_web::rt::time::interval(period / 2);
            loop {
                tick.tick().await;
                if let Err(e) = argus_db::systemd::notify("WATCHDOG=1") {
                    tracing::warn!(error = %e, "systemd watchdog notification failed");
                }
            }
        });
    }
    server.run().await?;
    let _ = argus_db::systemd::notify("STOPPING=1");
    if let Bind::Unix(path) = &config.bind {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}
