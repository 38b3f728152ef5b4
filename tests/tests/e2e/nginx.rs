//! The deployed nginx locations (`deploy/nginx/argus-locations.conf`) in
//! front of the real argus-server: one `Access-Control-Allow-Origin` for a
//! page on the allow-list, none for any other, preflights answered by argus,
//! and the client address passed on for the lock-out.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use argus_db::seed::{seed, Dataset};
use argus_db::test_db::TestDb;
use argus_e2e::{http_with, wait_until, Argus, Process};
use std::path::Path;
use std::time::Duration;

/// nginx on a free loopback port with the deployed locations, proxying to
/// `server` (TCP here; a Unix socket in production).
fn nginx(dir: &Path, server: &str, live: &str) -> (Process, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let locations =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/nginx/argus-locations.conf");
    let d = dir.display();
    let conf = format!(
        "worker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{}}\nhttp {{\n\
         access_log off;\nclient_body_temp_path {d}/body;\nproxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fastcgi;\nuwsgi_temp_path {d}/uwsgi;\nscgi_temp_path {d}/scgi;\n\
         upstream argus_server {{ server {server}; }}\nupstream argus_live {{ server {live}; }}\n\
         server {{ listen 127.0.0.1:{port}; include {}; }}\n}}\n",
        locations.display()
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let process = Process::start_args(
        Path::new("/usr/sbin/nginx"),
        &[
            "-p",
            &d.to_string(),
            "-c",
            &format!("{d}/nginx.conf"),
            "-g",
            "daemon off;",
        ],
        &[],
    );
    let addr = format!("127.0.0.1:{port}");
    assert!(
        wait_until(Duration::from_secs(20), || std::net::TcpStream::connect(
            &addr
        )
        .is_ok()),
        "nginx did not start: {}",
        std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
    );
    (process, addr)
}

#[test]
fn nginx_and_argus_send_one_cors_header_and_only_for_allowed_pages() {
    let db = TestDb::new();
    seed(&mut db.conn(), Dataset::Demo, false).unwrap();
    let argus = Argus::start(db.url());
    let (_server, server) = argus.start_server();
    let (mut nginx, addr) = nginx(argus.dir.path(), &server, &argus.live_addr());

    let allowed = http_with(
        &addr,
        "GET",
        "/api/version",
        &[("Origin", "http://localhost:4200")],
        None,
    );
    assert_eq!(allowed.status, 200, "{}", allowed.body);
    let acao: Vec<&str> = allowed
        .headers
        .iter()
        .filter(|(n, _)| n == "access-control-allow-origin")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(
        acao,
        ["http://localhost:4200"],
        "one header: {:?}",
        allowed.headers
    );
    assert_eq!(
        allowed.header("access-control-expose-headers"),
        Some("User-Token")
    );

    let foreign = http_with(
        &addr,
        "GET",
        "/api/version",
        &[("Origin", "http://evil.example")],
        None,
    );
    assert_eq!(foreign.status, 200);
    assert!(
        !foreign
            .headers
            .iter()
            .any(|(n, _)| n.starts_with("access-control-allow-origin")),
        "{:?}",
        foreign.headers
    );

    let preflight = http_with(
        &addr,
        "OPTIONS",
        "/api/version",
        &[
            ("Origin", "https://home.arpi.local"),
            ("Access-Control-Request-Method", "GET"),
        ],
        None,
    );
    assert_eq!(preflight.status, 204);
    assert_eq!(
        preflight
            .headers
            .iter()
            .filter(|(n, _)| n == "access-control-allow-origin")
            .count(),
        1
    );
    // SIGTERM, so the master stops its workers (a SIGKILL would orphan them).
    assert!(nginx.terminate());
}
