//! The server's lock-out counters (the policy of [`argus_protocol::lockout`],
//! kept in PostgreSQL so every instance sees every attempt, with a
//! per-process table while the database is gone) and the client identity
//! attempts are built from: the verified device claims and the address
//! believed under `ARGUS_TRUSTED_PROXIES`.

use actix_web::HttpRequest;
use argus_db::DbPool;
use argus_protocol::jwt::DeviceClaims;
use argus_protocol::lockout::{Attempt, Key, LockoutView, Lockouts as Table, Policy, Verdict};
use argus_protocol::peer::TrustedProxies;
use diesel::PgConnection;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// The client's address: the peer, or what a trusted proxy says it saw.
/// Requests through the Unix socket without a header share one bucket.
pub fn client_address(req: &HttpRequest, trusted: &TrustedProxies) -> IpAddr {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    trusted
        .client(
            req.peer_addr().map(|a| a.ip()),
            header("x-real-ip"),
            header("x-forwarded-for"),
        )
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
}

/// A device's counter: `<user id>:<digest of its claims>`, so an
/// administrator can clear one user's devices.
pub fn device_key(device: &DeviceClaims) -> String {
    format!("{}:{}", device.user_id, device.identity())
}

/// A PIN attempt on behalf of `device` from `address`.
pub fn login_attempt(device: &DeviceClaims, address: IpAddr) -> Attempt {
    Attempt {
        user: i32::try_from(device.user_id).ok(),
        device: Some(device_key(device)),
        address: Some(address),
        keypad: None,
    }
}

/// The counters: in PostgreSQL, shared by every instance on the database
/// ([`argus_db::lockout`]); while it cannot be reached, this process's own
/// table, so a guesser is held either way.
#[derive(Debug, Default)]
pub struct Lockouts {
    fallback: Mutex<Table>,
    /// Attempts since the last prune of the shared table.
    since_prune: AtomicU32,
}

/// Attempts between two prunes of the shared table.
const PRUNE_EVERY: u32 = 256;

impl Lockouts {
    fn local<T>(&self, f: impl FnOnce(&mut Table) -> T) -> T {
        let mut guard = self
            .fallback
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }

    /// Runs `f` on a pooled connection off the workers' threads.
    async fn shared<T: Send + 'static>(
        pool: &DbPool,
        f: impl FnOnce(&mut PgConnection) -> diesel::QueryResult<T> + Send + 'static,
    ) -> Result<T, String> {
        let pool = pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            f(&mut conn).map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| e.to_string())?
    }

    /// Charges the attempt, or refuses it (see [`Policy::charge`]).
    pub async fn attempt(&self, pool: &DbPool, attempt: &Attempt) -> Verdict {
        let prune = self
            .since_prune
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(PRUNE_EVERY);
        let a = attempt.clone();
        let shared = Self::shared(pool, move |conn| {
            let policy = Policy::default();
            if prune {
                argus_db::lockout::prune(conn, &policy)?;
            }
            argus_db::lockout::attempt(conn, &policy, &a)
        })
        .await;
        match shared {
            Ok(verdict) => verdict,
            Err(e) => {
                tracing::warn!(error = %e, "lock-out counters unreachable: this process counts alone");
                self.local(|t| t.attempt(attempt, Instant::now()))
            }
        }
    }

    /// The attempt was right.
    pub async fn succeeded(&self, pool: &DbPool, attempt: &Attempt) {
        self.local(|t| t.succeeded(attempt));
        let a = attempt.clone();
        let shared = Self::shared(pool, move |conn| {
            argus_db::lockout::succeeded(conn, &Policy::default(), &a)
        })
        .await;
        if let Err(e) = shared {
            tracing::warn!(error = %e, "lock-out counters unreachable: a success not recorded");
        }
    }

    /// Every counter with failures (this process's own while the database
    /// cannot be reached).
    pub async fn list(&self, pool: &DbPool) -> Vec<LockoutView> {
        match Self::shared(pool, argus_db::lockout::list).await {
            Ok(views) => views,
            Err(_) => self.local(|t| t.list(Instant::now())),
        }
    }

    /// Clears every counter, or one user's and their devices' ([`device_key`]);
    /// returns how many had failures.
    pub async fn clear(&self, pool: &DbPool, user: Option<i32>) -> Result<usize, String> {
        let prefix = user.map(|u| format!("{u}:"));
        self.local(|t| {
            t.clear(|k| match (user, k) {
                (None, _) => true,
                (Some(u), Key::User(id)) => *id == u,
                (Some(_), Key::Device(d)) => prefix.as_deref().is_some_and(|p| d.starts_with(p)),
                (Some(_), Key::Address(_) | Key::Keypad(_)) => false,
            })
        });
        Self::shared(pool, move |conn| argus_db::lockout::clear(conn, user)).await
    }
}
