//! The Debian package (`scripts/package.sh --from-debug`, which
//! scripts/test.sh runs after the build) unpacked with `dpkg-deb -x` into a
//! temporary root, never installed: its files and control fields, the
//! maintainer scripts under shellcheck, and the packaged units under
//! `systemd-analyze verify` inside that root.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{program} {args:?}: {said}");
    said
}

/// This architecture's package, as `scripts/package.sh` names it.
fn package() -> PathBuf {
    let arch = run("dpkg", &["--print-architecture"]);
    let version = env!("CARGO_PKG_VERSION");
    let deb = repo().join(format!(
        "target/debian/argus_{version}-1_{}.deb",
        arch.trim()
    ));
    assert!(
        deb.exists(),
        "{} is missing: scripts/package.sh --from-debug builds it (scripts/test.sh does)",
        deb.display()
    );
    deb
}

const BINARIES: [&str; 4] = ["argus-server", "argus-monitor", "argus-sim", "argus-manage"];

#[test]
fn the_package_holds_the_binaries_units_site_and_examples_and_its_units_verify_inside_it() {
    let deb = package();
    let deb = deb.to_str().unwrap();
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    run("dpkg-deb", &["-x", deb, r.to_str().unwrap()]);

    for b in BINARIES {
        let path = r.join("usr/bin").join(b);
        let mode = std::fs::metadata(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755, "{b}");
    }
    assert!(run(
        r.join("usr/bin/argus-manage").to_str().unwrap(),
        &["--help"]
    )
    .contains("migrate"));
    for f in [
        "usr/lib/systemd/system/argus-monitor.service",
        "usr/lib/systemd/system/argus-server.service",
        "usr/lib/tmpfiles.d/argus.conf",
        "etc/nginx/sites-available/argus.conf",
        "etc/nginx/snippets/argus-locations.conf",
        "usr/share/argus/config.env.example",
        "usr/share/argus/secrets.env.example",
        "usr/lib/argus/setup.sh",
        "usr/share/doc/argus/MIGRATING-FROM-ARPI.md",
        "usr/share/doc/argus/copyright",
    ] {
        assert!(r.join(f).is_file(), "{f} is in the package");
    }
    let everything = run("dpkg-deb", &["-c", deb]);
    assert!(
        !everything.contains(".key"),
        "no private key is ever packaged"
    );
    assert!(!everything.contains("secrets.env\n"), "nor any secrets");

    // The packaged units are the repository's, running the package's binaries.
    for u in ["argus-monitor.service", "argus-server.service"] {
        let packaged = std::fs::read_to_string(r.join("usr/lib/systemd/system").join(u)).unwrap();
        let source = std::fs::read_to_string(repo().join("deploy/systemd").join(u)).unwrap();
        assert_eq!(
            packaged,
            source.replace("/usr/local/bin/", "/usr/bin/"),
            "{u}"
        );
    }
    // verify needs the targets the units order against: the machine's own.
    let units = r.join("usr/lib/systemd/system");
    for entry in std::fs::read_dir("/usr/lib/systemd/system").unwrap() {
        let entry = entry.unwrap();
        let to = units.join(entry.file_name());
        if !to.exists() && entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to).unwrap();
        }
    }
    let out = Command::new("systemd-analyze")
        .args(["verify", &format!("--root={}", r.display())])
        .args(["argus-monitor.service", "argus-server.service"])
        .output()
        .unwrap();
    let said =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "systemd-analyze verify: {said}");
    assert!(
        !said.contains("argus-"),
        "no complaint about the units: {said}"
    );
}

#[test]
fn the_control_fields_conffiles_and_maintainer_scripts_are_what_a_debian_system_expects() {
    let deb = package();
    let deb = deb.to_str().unwrap();
    let field = |name: &str| run("dpkg-deb", &["-f", deb, name]).trim().to_owned();
    assert_eq!(field("Package"), "argus");
    assert_eq!(
        field("Architecture"),
        run("dpkg", &["--print-architecture"]).trim()
    );
    let depends = field("Depends");
    for d in ["libpq5", "postgresql", "nginx", "openssl"] {
        assert!(depends.contains(d), "Depends: {depends}");
    }

    let control = tempfile::tempdir().unwrap();
    let c = control.path();
    run("dpkg-deb", &["-e", deb, c.to_str().unwrap()]);
    let conffiles = std::fs::read_to_string(c.join("conffiles")).unwrap();
    assert!(
        conffiles.contains("/etc/nginx/sites-available/argus.conf"),
        "{conffiles}"
    );
    assert!(
        conffiles.contains("/etc/nginx/snippets/argus-locations.conf"),
        "{conffiles}"
    );

    let postinst = std::fs::read_to_string(c.join("postinst")).unwrap();
    assert!(
        postinst.contains("/usr/lib/argus/setup.sh"),
        "postinst runs the shared set-up"
    );
    assert!(
        postinst.contains("deb-systemd-helper enable argus-monitor.service")
            && postinst.contains("deb-systemd-helper enable argus-server.service"),
        "postinst enables both units"
    );
    let prerm = std::fs::read_to_string(c.join("prerm")).unwrap();
    assert!(
        prerm.contains("argus-monitor.service"),
        "prerm stops the units"
    );

    let root = tempfile::tempdir().unwrap();
    run("dpkg-deb", &["-x", deb, root.path().to_str().unwrap()]);
    let setup = root.path().join("usr/lib/argus/setup.sh");
    let setup = std::fs::read_to_string(setup).unwrap();
    assert!(
        setup.contains("useradd --system") && setup.contains("migrate"),
        "the user and the migrations"
    );
    let scripts: Vec<PathBuf> = ["postinst", "prerm", "postrm"]
        .iter()
        .map(|s| c.join(s))
        .chain([root.path().join("usr/lib/argus/setup.sh")])
        .collect();
    let out = Command::new("shellcheck")
        .args(["--shell=sh", "--severity=style"])
        .args(&scripts)
        .output()
        .expect("shellcheck (scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "shellcheck: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// `scripts/install.sh --check` on a root holding the unpacked package and
/// an installation's /etc/argus reports the package's layout in place, and
/// the packaged `argus-manage` finds the database migrated.
#[test]
fn install_check_recognises_an_installation_from_the_package() {
    let deb = package();
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    run(
        "dpkg-deb",
        &["-x", deb.to_str().unwrap(), r.to_str().unwrap()],
    );
    let db = argus_db::test_db::TestDb::new();
    let put = |path: &str, text: &str| {
        let p = r.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
    };
    put(
        "etc/argus/config.env",
        &format!("DATABASE_URL={}\n{}", db.url(), crate::deploy::libpq()),
    );
    put("etc/argus/secrets.env", "SECRET=staged\n");
    put("etc/argus/tls/argus.crt", "cert");
    put("etc/argus/tls/argus.key", "key");
    let out = Command::new("bash")
        .arg(repo().join("scripts/install.sh"))
        .arg("--check")
        .env("ARGUS_ROOT", r)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    for what in [
        "/usr/bin/argus-server",
        "/usr/bin/argus-manage",
        "/usr/lib/systemd/system/argus-monitor.service",
        "/usr/lib/tmpfiles.d/argus.conf",
        "nginx site",
        "database migrated",
    ] {
        let line = report
            .lines()
            .find(|l| l.contains(what))
            .unwrap_or_else(|| panic!("{what} not reported: {report}"));
        assert!(line.starts_with("ok"), "{line}\n{report}");
    }
}
