//! systemd integration: `READY=1` once the monitor serves, and `WATCHDOG=1`
//! from a task that sends it only while the engine loop proves it is alive.
//! Speaks the `sd_notify` datagram protocol directly (no libsystemd).

use std::os::unix::net::UnixDatagram;
use std::time::Duration;
use tokio::sync::watch;

use crate::engine::model::Millis;

/// Sends `state` to `$NOTIFY_SOCKET`; `Ok(false)` when not under systemd.
pub fn notify(state: &str) -> std::io::Result<bool> {
    let Some(path) = std::env::var_os("NOTIFY_SOCKET") else {
        return Ok(false);
    };
    let socket = UnixDatagram::unbound()?;
    let bytes = path.as_encoded_bytes();
    if let Some(name) = bytes.strip_prefix(b"@") {
        use std::os::linux::net::SocketAddrExt;
        let addr = std::os::unix::net::SocketAddr::from_abstract_name(name)?;
        socket.send_to_addr(state.as_bytes(), &addr)?;
    } else {
        socket.send_to(state.as_bytes(), &path)?;
    }
    Ok(true)
}

/// The watchdog period systemd asked for (`WATCHDOG_USEC`), if any.
pub fn watchdog_period() -> Option<Duration> {
    let usec: u64 = std::env::var("WATCHDOG_USEC").ok()?.parse().ok()?;
    (usec > 0).then(|| Duration::from_micros(usec))
}

/// Pings the watchdog at half its period while the engine's heartbeat is
/// younger than the period.
pub fn spawn_watchdog(period: Duration, heartbeat: watch::Receiver<Millis>, now: fn() -> Millis) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period / 2);
        loop {
            tick.tick().await;
            let age = now() - *heartbeat.borrow();
            if u128::try_from(age).unwrap_or(0) < period.as_millis() {
                if let Err(e) = notify("WATCHDOG=1") {
                    tracing::warn!(error = %e, "systemd watchdog notification failed");
                }
            } else {
                tracing::error!(
                    age_ms = age,
                    "the engine loop is stuck; not feeding the watchdog"
                );
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_reaches_the_notify_socket() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let receiver = UnixDatagram::bind(&path).unwrap();
        // The variable is read, not changed, by other tests: set it only here.
        std::env::set_var("NOTIFY_SOCKET", &path);
        assert!(notify("READY=1").unwrap());
        std::env::remove_var("NOTIFY_SOCKET");
        let mut buf = [0u8; 64];
        let n = receiver.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"READY=1");
        assert!(
            !notify("READY=1").unwrap(),
            "not under systemd: nothing sent"
        );
    }
}
