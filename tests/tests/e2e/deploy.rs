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
    assert!(monitor.contains(&("ProtectHome".into(), "yes".into())));
    let server = directives(&unit("argus-server.service"));
    assert!(
        server.contains(&("ProtectHome".into(), "tmpfs".into()))
            && server.contains(&("BindPaths".into(), "-/home/argus/.ssh".into())),
        "the server sees no home but the .ssh whose keys it manages"
    );
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

/// `scripts/install.sh --check` on a staged tree (`ARGUS_ROOT`): first
/// everything is missing, then what was put in place is reported so, the
/// database check included; it changes nothing and exits 3 while anything
/// is missing.
#[test]
fn install_check_reports_what_is_missing_and_what_is_in_place() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let root = tempfile::tempdir().unwrap();
    let check = || {
        let out = Command::new("bash")
            .arg(repo.join("scripts/install.sh"))
            .arg("--check")
            .env("ARGUS_ROOT", root.path())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let line = |report: &str, what: &str| {
        report
            .lines()
            .find(|l| l.contains(what))
            .unwrap_or_else(|| panic!("{what} not reported: {report}"))
            .split_whitespace()
            .next()
            .unwrap()
            .to_owned()
    };
    let (code, before) = check();
    assert_eq!(code, Some(3), "{before}");
    for what in [
        "binary",
        "config.env",
        "secrets.env",
        "TLS certificate",
        "argus-monitor.service",
        "nginx site",
        "database",
    ] {
        assert_eq!(line(&before, what), "missing", "{what}: {before}");
    }
    assert_eq!(
        std::fs::read_dir(root.path()).unwrap().count(),
        0,
        "--check changed nothing"
    );

    // Put an installation in place under the root, its database a real one.
    let r = root.path();
    let db = argus_db::test_db::TestDb::new();
    let put = |path: &str, text: &str| {
        let p = r.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
    };
    for b in ["argus-server", "argus-monitor", "argus-sim", "manage"] {
        let to = r.join("usr/local/bin").join(b);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(argus_e2e::binary(b), &to).unwrap();
    }
    put(
        "/etc/argus/config.env",
        &format!("DATABASE_URL={}\n{}", db.url(), libpq()),
    );
    put("/etc/argus/secrets.env", "SECRET=staged\n");
    put("/etc/argus/tls/argus.crt", "cert");
    put("/etc/argus/tls/argus.key", "key");
    for u in ["argus-monitor.service", "argus-server.service"] {
        put(&format!("/etc/systemd/system/{u}"), &unit(u));
    }
    put(
        "/etc/tmpfiles.d/argus.conf",
        "d /run/argus 0770 argus www-data -\n",
    );
    put("/etc/nginx/sites-available/argus.conf", "server {}\n");
    let (code, after) = check();
    for what in [
        "binary /",
        "config.env",
        "secrets.env",
        "TLS certificate",
        "argus-monitor.service",
        "argus-server.service",
        "tmpfiles",
        "nginx site",
        "database migrated",
    ] {
        assert_eq!(line(&after, what), "ok", "{what}: {after}");
    }
    let user_exists = Command::new("getent")
        .args(["passwd", "argus"])
        .output()
        .unwrap()
        .status
        .success();
    assert_eq!(
        line(&after, "user argus"),
        if user_exists { "ok" } else { "missing" }
    );
    assert_eq!(code == Some(0), !after.contains("missing"), "{after}");
}

/// libpq's variables that reach the tests' cluster, as config.env lines (an
/// installation's config.env may reach its database the same way).
pub(crate) fn libpq() -> String {
    ["PGHOST", "PGPORT", "PGUSER"]
        .iter()
        .filter_map(|v| std::env::var(v).ok().map(|value| format!("{v}={value}\n")))
        .collect()
}

/// Under systemd (`JOURNAL_STREAM` set) but with no journal socket to write
/// to, as in a container, the monitor still starts and logs its lines,
/// without timestamps (the journal stamps what it captures).
#[test]
fn a_monitor_under_systemd_without_the_journals_socket_logs_plain_lines() {
    assert!(
        !Path::new("/run/systemd/journal/socket").exists(),
        "this machine has a journal: the fallback cannot be seen here"
    );
    let db = crate::support::demo_with(&[]);
    let argus = argus_e2e::Argus::start_with(db.url(), vec![("JOURNAL_STREAM", "8:4242".into())]);
    assert!(
        !argus.live_addr().is_empty(),
        "it started and said where it listens"
    );
    let log = &argus.monitor.as_ref().unwrap().log;
    let listening = log
        .iter()
        .find(|l| l.contains("live events listening"))
        .unwrap();
    assert!(
        !listening.starts_with("20"),
        "no timestamp under systemd: {listening}"
    );
}
