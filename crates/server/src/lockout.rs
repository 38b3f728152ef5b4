//! The server's lock-out table (the shared policy of
//! [`argus_protocol::lockout`], one per process, shared by every worker) and
//! the client identity its attempts are built from: the verified device
//! claims and the address believed under `ARGUS_TRUSTED_PROXIES`.

use actix_web::HttpRequest;
use argus_protocol::jwt::DeviceClaims;
use argus_protocol::lockout::{Attempt, Key, LockoutView, Lockouts as Table, Verdict};
use argus_protocol::peer::TrustedProxies;
use std::net::IpAddr;
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

/// The process's counters.
#[derive(Debug, Default)]
pub struct Lockouts(Mutex<Table>);

impl Lockouts {
    fn with<T>(&self, f: impl FnOnce(&mut Table) -> T) -> T {
        let mut guard = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }

    /// Charges the attempt, or refuses it (see [`Table::attempt`]).
    pub fn attempt(&self, attempt: &Attempt) -> Verdict {
        self.with(|t| t.attempt(attempt, Instant::now()))
    }

    /// The attempt was right.
    pub fn succeeded(&self, attempt: &Attempt) {
        self.with(|t| t.succeeded(attempt));
    }

    /// Every counter with failures.
    pub fn list(&self) -> Vec<LockoutView> {
        self.with(|t| t.list(Instant::now()))
    }

    /// Clears the counters `filter` accepts.
    pub fn clear(&self, filter: impl Fn(&Key) -> bool) -> usize {
        self.with(|t| t.clear(filter))
    }
}
