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

/// Runs `scripts/check-layers.py` on `root` (the repository when `None`).
fn check_layers(root: Option<&Path>) -> (bool, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/check-layers.py");
    let mut command = std::process::Command::new("python3");
    command.arg(script);
    if let Some(root) = root {
        command.arg("--root").arg(root);
    }
    let out = command.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn the_layer_check_passes_here_and_catches_a_route_import_and_a_circle() {
    let (ok, report) = check_layers(None);
    assert!(ok, "{report}");

    let bad = tempfile::tempdir().unwrap();
    let server = bad.path().join("crates/server/src");
    std::fs::create_dir_all(server.join("routes")).unwrap();
    std::fs::write(
        server.join("lib.rs"),
        "pub mod routes;\npub mod a;\npub mod b;\n",
    )
    .unwrap();
    std::fs::write(server.join("routes.rs"), "pub mod x;\npub mod y;\n").unwrap();
    std::fs::write(
        server.join("routes/x.rs"),
        "use crate::routes::y::shared;\n",
    )
    .unwrap();
    std::fs::write(server.join("routes/y.rs"), "pub fn shared() {}\n").unwrap();
    std::fs::write(server.join("a.rs"), "use crate::b::B;\npub struct A;\n").unwrap();
    std::fs::write(server.join("b.rs"), "use crate::a::A;\npub struct B;\n").unwrap();
    let (ok, report) = check_layers(Some(bad.path()));
    assert!(!ok);
    assert!(
        report.contains("routes/x.rs: a route imports another route module (routes::y)"),
        "{report}"
    );
    assert!(report.contains("import circle among a → b"), "{report}");
}
