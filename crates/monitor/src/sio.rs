//! Socket.IO for browsers (socketioxide on hyper, Engine.IO v4, polling and
//! WebSocket, path `/socket.io/`). A client connects with `?token=<device
//! token>`: HS256 with `SECRET`, and the token's `origin` must match the
//! `Referer`'s scheme and host (contract §2.1). Anything else is refused.
//! One task forwards the live-event hub to every socket; an emit never waits
//! for a browser.

use argus_protocol::jwt::{self, DeviceClaims};
use hyper_util::rt::TokioIo;
use socketioxide::extract::{SocketRef, State};
use socketioxide::handler::ConnectHandler;
use socketioxide::SocketIo;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::broadcast;

use crate::live::LiveEvent;

/// Why a connection was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConnectRefused {
    /// No `token` query parameter.
    #[error("missing token")]
    MissingToken,
    /// The token does not verify with `SECRET`.
    #[error("invalid token")]
    InvalidToken,
    /// The token's origin is not the page's.
    #[error("origin mismatch")]
    OriginMismatch,
    /// The monitor has no `SECRET` configured.
    #[error("live events are disabled (no SECRET)")]
    NoSecret,
    /// The token's user no longer exists.
    #[error("unknown user")]
    UnknownUser,
}

fn query_param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query.split('&').find_map(|pair| {
        pair.split_once('=')
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v)
    })
}

/// Checks a connect request's token and origin.
pub fn authorize(
    query: Option<&str>,
    referer: Option<&str>,
    secret: Option<&[u8]>,
) -> Result<DeviceClaims, ConnectRefused> {
    let secret = secret.ok_or(ConnectRefused::NoSecret)?;
    let token = query
        .and_then(|q| query_param(q, "token"))
        .filter(|t| !t.is_empty())
        .ok_or(ConnectRefused::MissingToken)?;
    let token = percent_decode(token);
    let claims: DeviceClaims =
        jwt::verify(&token, secret).map_err(|_| ConnectRefused::InvalidToken)?;
    let origin = claims.origin.as_deref().and_then(jwt::scheme_and_netloc);
    let page = referer.and_then(jwt::scheme_and_netloc);
    if origin.is_none() || origin != page {
        return Err(ConnectRefused::OriginMismatch);
    }
    Ok(claims)
}

/// Decodes `%XX` escapes (tokens are base64url, so only stray escapes matter).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What the connect middleware needs: `SECRET`, and the database to check
/// that a token's user still exists (as the REST server does).
#[derive(Clone)]
struct LiveSecret(Arc<Option<Vec<u8>>>, Option<argus_db::DbPool>);

/// Whether user `id` exists; `None` when the database cannot say (then the
/// signature alone decides, so live events keep flowing without PostgreSQL).
async fn user_exists(pool: &argus_db::DbPool, id: i64) -> Option<bool> {
    use diesel::prelude::*;
    let id = i32::try_from(id).ok()?;
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().ok()?;
        diesel::select(diesel::dsl::exists(argus_db::schema::user::table.find(id)))
            .get_result::<bool>(&mut conn)
            .ok()
    })
    .await
    .ok()
    .flatten()
}

async fn on_connect(socket: SocketRef) {
    tracing::debug!(socket.id = %socket.id, "live client connected");
}

async fn check_token(
    socket: SocketRef,
    State(secret): State<LiveSecret>,
) -> Result<(), ConnectRefused> {
    let parts = socket.req_parts();
    let referer = parts.headers.get("referer").and_then(|v| v.to_str().ok());
    let checked = authorize(parts.uri.query(), referer, secret.0.as_deref());
    let checked = match (checked, &secret.1) {
        (Ok(claims), Some(pool)) if user_exists(pool, claims.user_id).await == Some(false) => {
            Err(ConnectRefused::UnknownUser)
        }
        (other, _) => other,
    };
    checked.map(|_| ()).inspect_err(|e| {
        tracing::info!(reason = %e, "live client refused");
    })
}

/// Serves Socket.IO on `bind` until the task is dropped; returns the bound
/// address. With `users`, a token whose user was deleted is refused.
pub async fn serve(
    bind: SocketAddr,
    secret: Option<String>,
    users: Option<argus_db::DbPool>,
    hub: broadcast::Sender<LiveEvent>,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind(bind).await?;
    let addr = listener.local_addr()?;
    let secret = LiveSecret(Arc::new(secret.map(String::into_bytes)), users);
    let (svc, io) = SocketIo::builder()
        .req_path("/socket.io")
        .with_state(secret)
        .build_svc();
    io.ns("/", on_connect.with(check_token));

    let forward_io = io.clone();
    let mut rx = hub.subscribe();
    let task = tokio::spawn(async move {
        let accept = async {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                // Small frames: send them now, not after a delayed ACK.
                let _ = stream.set_nodelay(true);
                let svc = svc.clone();
                tokio::spawn(async move {
                    let conn = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .with_upgrades();
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %e, "live connection ended");
                    }
                });
            }
        };
        let forward = async {
            loop {
                match rx.recv().await {
                    Ok(event) => emit(&forward_io, &event).await,
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(skipped = n, "live events skipped")
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        };
        tokio::join!(accept, forward);
    });
    Ok((addr, task))
}

/// Emits one event to every client; `None` goes out with no argument.
async fn emit(io: &SocketIo, event: &LiveEvent) {
    let result = match &event.payload {
        Some(value) => io.emit(event.name, &(value,)).await,
        None => io.emit(event.name, &[(); 0]).await,
    };
    if let Err(e) = result {
        tracing::debug!(event = event.name, error = %e, "live event not delivered to every client");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(origin: &str) -> String {
        jwt::sign(
            &DeviceClaims {
                ip: None,
                origin: Some(origin.into()),
                user_id: 1,
            },
            b"s",
        )
        .unwrap()
    }

    #[test]
    fn a_device_token_from_the_same_origin_is_accepted() {
        let q = format!(
            "EIO=4&transport=polling&token={}",
            token("http://localhost:4200")
        );
        assert!(authorize(Some(&q), Some("http://localhost:4200/en/"), Some(b"s")).is_ok());
    }

    #[test]
    fn everything_else_is_refused() {
        let q = format!("token={}", token("http://localhost:4200"));
        assert!(matches!(
            authorize(None, None, Some(b"s")),
            Err(ConnectRefused::MissingToken)
        ));
        assert!(matches!(
            authorize(Some("token="), None, Some(b"s")),
            Err(ConnectRefused::MissingToken)
        ));
        assert!(matches!(
            authorize(Some(&q), Some("http://localhost:4200/"), Some(b"x")),
            Err(ConnectRefused::InvalidToken)
        ));
        assert!(matches!(
            authorize(Some(&q), Some("http://evil.example/"), Some(b"s")),
            Err(ConnectRefused::OriginMismatch)
        ));
        assert!(matches!(
            authorize(Some(&q), None, Some(b"s")),
            Err(ConnectRefused::OriginMismatch)
        ));
        assert!(matches!(
            authorize(Some(&q), Some("http://localhost:4200/"), None),
            Err(ConnectRefused::NoSecret)
        ));
    }
}
