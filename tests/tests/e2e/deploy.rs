//! The deployment files: both systemd units pass `systemd-analyze verify`
//! with the binaries this build made, and carry what running unattended
//! for years needs (readiness and a watchdog, restarts, their own user,
//! sockets in /run/argus, state in /var/lib/argus, configuration and
//! secrets from files, a read-only system, only the devices the monitor
//! drives).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::path::Path;
use std::process::Command;

fn unit(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../deploy/systemd")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn directives(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

#[test]
fn both_units_verify_and_run_hardened_under_their_own_user_with_a_watchdog() {
    let dir = tempfile::tempdir().unwrap();
    let bin = argus_e2e::binary("argus-monitor");
    let bin_dir = bin.parent().unwrap().display().to_string();
    let mut paths = Vec::new();
    for name in ["argus-monitor.service", "argus-server.service"] {
        let text = unit(name);
        let have = directives(&text);
        let has = |k: &str, v: &str| have.iter().any(|(hk, hv)| hk == k && hv == v);
        for (k, v) in [
            ("Type", "notify"),
            ("Restart", "always"),
            ("User", "argus"),
            ("RuntimeDirectory", "argus"),
            ("StateDirectory", "argus"),
            ("EnvironmentFile", "/etc/argus/config.env"),
            ("EnvironmentFile", "/etc/argus/secrets.env"),
            ("NoNewPrivileges", "yes"),
            ("ProtectSystem", "strict"),
            ("ProtectHome", "yes"),
            ("PrivateTmp", "yes"),
        ] {
            assert!(has(k, v), "{name}: {k}={v}");
        }
        assert!(
            have.iter().any(|(k, _)| k == "WatchdogSec"),
            "{name}: WatchdogSec"
        );
        // The one installed path, pointed at this build's binaries.
        let local = text.replace("/usr/local/bin", &bin_dir);
        let path = dir.path().join(name);
        std::fs::write(&path, local).unwrap();
        paths.push(path);
    }
    let monitor = directives(&unit("argus-monitor.service"));
    let devices: Vec<&str> = monitor
        .iter()
        .filter(|(k, _)| k == "DeviceAllow")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(
        devices,
        ["/dev/gpiochip0 rw", "/dev/ttyAMA0 rw", "/dev/rtc0 rw"],
        "GPIO, the modem's serial port, the RTC and nothing else"
    );
    assert!(
        directives(&unit("argus-server.service"))
            .contains(&("PrivateDevices".into(), "yes".into())),
        "the server needs no device"
    );
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .args(&paths)
        .output()
        .expect("systemd-analyze (systemd is on every Debian machine)");
    let said =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "systemd-analyze verify: {said}");
    assert!(
        !said.contains("argus-"),
        "no complaint about our units: {said}"
    );
}
