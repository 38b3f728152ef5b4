//! Checks on files a user copies or deploys: they must stay usable.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::path::Path;

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn secrets_example_parses_and_holds_no_values() {
    let text = read("secrets.env.example");
    let mut names = Vec::new();
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (name, value) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("not NAME=value: {line}"));
        assert!(
            name.chars().all(|c| c.is_ascii_uppercase() || c == '_'),
            "{name}"
        );
        assert!(value.is_empty(), "{name} must not ship a value");
        names.push(name);
    }
    assert_eq!(
        names,
        [
            "SECRET",
            "SALT",
            "ARGUS_MQTT_PASSWORD",
            "ARGUS_READER_MQTT_PASSWORD",
            "MCP_SECRET"
        ]
    );
    assert!(
        read(".gitignore").lines().any(|l| l == "secrets.env"),
        "secrets.env is never committed"
    );
}

#[test]
fn systemd_units_start_the_binaries_this_workspace_builds() {
    for (unit, binary) in [
        ("argus-server", "argus-server"),
        ("argus-monitor", "argus-monitor"),
    ] {
        let text = read(&format!("deploy/systemd/{unit}.service"));
        assert!(
            text.contains(&format!("ExecStart=/usr/local/bin/{binary}")),
            "{unit}"
        );
        assert!(
            text.contains("EnvironmentFile=/etc/argus/secrets.env"),
            "{unit}"
        );
        assert!(text.contains("Restart=always"), "{unit}");
    }
}
