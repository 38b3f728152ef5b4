//! Setting the clock (`monitor_set_clock`, `monitor_sync_clock`): the time
//! zone and date are validated first, then applied with `timedatectl` and
//! written to the RTC with `hwclock`, always as argument vectors (never a
//! shell). With the simulated board the machine's clock is left alone.

use std::path::Path;
use std::process::Command;

/// The contract's failure message.
pub const FAILED: &str = "Failed to update date/time and zone";

/// A request that cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// Not an installed IANA zone name.
    #[error("unknown time zone")]
    Zone,
    /// Not `YYYY-MM-DD HH:MM:SS`.
    #[error("invalid date and time (YYYY-MM-DD HH:MM:SS)")]
    DateTime,
    /// A system tool failed.
    #[error("{0}")]
    Apply(String),
}

/// Checks a zone name: IANA characters only, no `..`, installed under `zoneinfo`.
pub fn check_zone(zone: &str, zoneinfo: &Path) -> Result<(), ClockError> {
    let plain = !zone.is_empty()
        && !zone.starts_with('/')
        && !zone
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..")
        && zone
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'));
    if plain && zoneinfo.join(zone).is_file() {
        Ok(())
    } else {
        Err(ClockError::Zone)
    }
}

/// Checks `YYYY-MM-DD HH:MM:SS`.
pub fn check_datetime(datetime: &str) -> Result<chrono::NaiveDateTime, ClockError> {
    chrono::NaiveDateTime::parse_from_str(datetime.trim(), "%Y-%m-%d %H:%M:%S")
        .map_err(|_| ClockError::DateTime)
}

fn run(program: &str, args: &[&str]) -> Result<(), ClockError> {
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| ClockError::Apply(format!("{program}: {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(ClockError::Apply(format!(
            "{program} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// How clock changes are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockBackend {
    /// `timedatectl` and `hwclock` on the real machine.
    System,
    /// Validated only (simulated board: never change a developer's clock).
    Simulated,
}

impl ClockBackend {
    /// Sets the zone and/or the local date and time.
    pub fn set(self, zone: Option<&str>, datetime: Option<&str>) -> Result<(), ClockError> {
        if let Some(z) = zone {
            check_zone(z, Path::new("/usr/share/zoneinfo"))?;
        }
        let datetime = datetime.map(check_datetime).transpose()?;
        if self == Self::Simulated {
            return Ok(());
        }
        if let Some(z) = zone {
            run("timedatectl", &["set-timezone", z])?;
        }
        if let Some(dt) = datetime {
            run("timedatectl", &["set-ntp", "false"])?;
            run(
                "timedatectl",
                &["set-time", &dt.format("%Y-%m-%d %H:%M:%S").to_string()],
            )?;
            run("hwclock", &["--systohc"])?;
        }
        Ok(())
    }

    /// Returns to network time and writes the RTC.
    pub fn sync(self) -> Result<(), ClockError> {
        if self == Self::Simulated {
            return Ok(());
        }
        run("timedatectl", &["set-ntp", "true"])?;
        run("hwclock", &["--systohc"])
    }
}

/// `monitor_set_clock` on the blocking pool: 400 for a zone or date that
/// does not parse, 500 when the system refuses.
pub async fn set(
    backend: ClockBackend,
    zone: Option<String>,
    datetime: Option<String>,
) -> argus_protocol::Reply {
    use argus_protocol::Reply;
    let done =
        tokio::task::spawn_blocking(move || backend.set(zone.as_deref(), datetime.as_deref()))
            .await;
    match done {
        Ok(Ok(())) => Reply::ok(),
        Ok(Err(e @ (ClockError::Zone | ClockError::DateTime))) => {
            tracing::info!(error = %e, "clock change refused");
            Reply::invalid(FAILED)
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "clock change refused");
            Reply::error(FAILED)
        }
        Err(e) => Reply::error(format!("{FAILED}: {e}")),
    }
}

/// `monitor_sync_clock` on the blocking pool.
pub async fn sync(backend: ClockBackend) -> argus_protocol::Reply {
    use argus_protocol::Reply;
    match tokio::task::spawn_blocking(move || backend.sync()).await {
        Ok(Ok(())) => Reply::ok(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "clock sync failed");
            Reply::error("Failed to synchronize the clock")
        }
        Err(e) => Reply::error(format!("Failed to synchronize the clock: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_are_checked_against_zoneinfo() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("Europe")).unwrap();
        std::fs::write(dir.path().join("Europe/Budapest"), b"TZif").unwrap();
        assert_eq!(check_zone("Europe/Budapest", dir.path()), Ok(()));
        for bad in [
            "Mars/Olympus",
            "../../etc/passwd",
            "/etc/passwd",
            "Europe/../Europe/Budapest",
            "UTC; rm -rf /",
            "",
            "Europe",
        ] {
            assert_eq!(check_zone(bad, dir.path()), Err(ClockError::Zone), "{bad}");
        }
    }

    #[test]
    fn datetimes_are_checked() {
        assert!(check_datetime("2026-11-24 10:00:00").is_ok());
        for bad in [
            "2026-13-01 00:00:00",
            "yesterday",
            "2026-11-24T10:00:00",
            "2026-11-24 10:00:00; reboot",
        ] {
            assert_eq!(check_datetime(bad), Err(ClockError::DateTime), "{bad}");
        }
    }

    #[test]
    fn the_simulated_backend_validates_but_changes_nothing() {
        assert_eq!(
            ClockBackend::Simulated.set(Some("Nowhere/Land"), None),
            Err(ClockError::Zone)
        );
        assert_eq!(
            ClockBackend::Simulated.set(None, Some("2026-11-24 10:00:00")),
            Ok(())
        );
        assert_eq!(ClockBackend::Simulated.sync(), Ok(()));
    }
}
