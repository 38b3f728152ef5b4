//! The deployed nginx site (`deploy/nginx/argus.conf` and its locations,
//! `argus-locations.conf`) in front of the real argus-server and monitor:
//! `nginx -t` accepts it with a generated certificate; over TLS it reaches
//! `/api/version` on two servers in turn (whose lock-out counts wrong PINs
//! across both), Socket.IO and a node's WebSocket;
//! one `Access-Control-Allow-Origin` for a page on the allow-list, none for
//! any other, preflights answered by argus.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use argus_db::seed::{seed, Dataset};
use argus_db::test_db::TestDb;
use argus_e2e::{http_with, wait_until, Argus, LiveClient, Process, ServerCert, TestCa, WsNode};
use serde_json::json;
use std::path::Path;
use std::time::Duration;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs nginx in `dir` with `body` inside its `http` block, after `nginx -t`
/// has accepted the configuration; waits until `port` answers.
fn run_nginx(dir: &Path, body: &str, port: u16) -> Process {
    let d = dir.display();
    let conf = format!(
        "worker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{}}\nhttp {{\n\
         access_log off;\nclient_body_temp_path {d}/body;\nproxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fastcgi;\nuwsgi_temp_path {d}/uwsgi;\nscgi_temp_path {d}/scgi;\n\
         {body}\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let args = ["-p", &d.to_string(), "-c", &format!("{d}/nginx.conf")];
    let test = std::process::Command::new("/usr/sbin/nginx")
        .args(args)
        .arg("-t")
        .output()
        .unwrap();
    assert!(
        test.status.success(),
        "nginx -t: {}",
        String::from_utf8_lossy(&test.stderr)
    );
    let process = Process::start_args(
        Path::new("/usr/sbin/nginx"),
        &[args[0], args[1], args[2], args[3], "-g", "daemon off;"],
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
    process
}

fn locations() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/nginx/argus-locations.conf")
}

/// nginx on a free loopback port with the deployed locations, proxying to
/// `server` (TCP here; a Unix socket in production).
fn nginx(dir: &Path, server: &str, live: &str) -> (Process, String) {
    let port = free_port();
    let body = format!(
        "upstream argus_server {{ server {server}; }}\nupstream argus_live {{ server {live}; }}\n\
         server {{ listen 127.0.0.1:{port}; include {}; }}",
        locations().display()
    );
    (run_nginx(dir, &body, port), format!("127.0.0.1:{port}"))
}

/// The deployed site, `deploy/nginx/argus.conf`, with only what an
/// installation fixes replaced: its ports, its certificate, the server's
/// socket (here `servers`, balanced round robin) and the monitor's address.
/// Returns nginx and its HTTPS and HTTP ports.
fn site(dir: &Path, cert: &ServerCert, servers: &[String], live: &str) -> (Process, u16, u16) {
    let (https, http) = (free_port(), free_port());
    let upstreams: String = servers.iter().map(|s| format!("server {s}; ")).collect();
    let mut conf = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/nginx/argus.conf"),
    )
    .unwrap();
    for (installed, here) in [
        ("listen 80;", format!("listen 127.0.0.1:{http};")),
        ("listen 443 ssl;", format!("listen 127.0.0.1:{https} ssl;")),
        ("/etc/argus/tls/argus.crt", cert.cert.display().to_string()),
        ("/etc/argus/tls/argus.key", cert.key.display().to_string()),
        ("server unix:/run/argus/argus_server.sock;", upstreams),
        ("server 127.0.0.1:8081;", format!("server {live};")),
        (
            "/etc/nginx/snippets/argus-locations.conf",
            locations().display().to_string(),
        ),
    ] {
        assert!(
            conf.contains(installed),
            "argus.conf no longer has {installed:?}"
        );
        conf = conf.replace(installed, &here);
    }
    (run_nginx(dir, &conf, https), https, http)
}

/// `curl` over TLS trusting only `ca`: the status line's code, the headers
/// (lower-cased names) and the body.
fn curl(ca: &Path, url: &str, headers: &[&str]) -> (u16, String, String) {
    curl_with(ca, "GET", url, headers, None)
}

/// [`curl`] with a method and a body.
fn curl_with(
    ca: &Path,
    method: &str,
    url: &str,
    headers: &[&str],
    body: Option<&str>,
) -> (u16, String, String) {
    let mut command = std::process::Command::new("curl");
    command
        .args(["-sS", "--include", "-X", method, "--cacert"])
        .arg(ca);
    for h in headers {
        command.args(["-H", h]);
    }
    if let Some(body) = body {
        command.args(["--data-binary", body]);
    }
    let out = command.arg(url).output().unwrap();
    assert!(
        out.status.success(),
        "curl {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, head.to_lowercase(), body.to_owned())
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

#[test]
fn the_deployed_site_serves_the_api_socket_io_and_nodes_over_tls_from_two_servers() {
    let db = TestDb::new();
    seed(&mut db.conn(), Dataset::Demo, false).unwrap();
    let argus = Argus::start(db.url());
    let (server_a, a) = argus.start_server();
    let (_b, b) = argus.start_server();
    let ca = TestCa::new(argus.dir.path(), "site-ca");
    let cert = ca.issue("site");
    let (mut nginx, https, http) = site(
        argus.dir.path(),
        &cert,
        &[a.clone(), b.clone()],
        &argus.live_addr(),
    );
    let base = format!("https://localhost:{https}");

    let (status, head, body) = curl(&ca.cert, &format!("{base}/api/version"), &[]);
    assert_eq!(
        (status, body.trim().is_empty()),
        (200, false),
        "{head}{body}"
    );
    for header in [
        "strict-transport-security: max-age=31536000",
        "x-content-type-options: nosniff",
        "x-frame-options: deny",
    ] {
        assert!(head.contains(header), "{header} missing: {head}");
    }
    // Plain HTTP only redirects.
    let redirect = http_with(
        &format!("127.0.0.1:{http}"),
        "GET",
        "/api/version",
        &[],
        None,
    );
    assert_eq!(redirect.status, 301);
    assert!(redirect
        .header("location")
        .is_some_and(|l| l.starts_with("https://")));

    // Round robin: consecutive requests alternate between A and B, and the
    // administrator's token works on both; with A stopped, B answers alone.
    let admin = format!("Authorization: {}", argus_e2e::admin_bearer());
    let users = || curl(&ca.cert, &format!("{base}/api/users"), &[&admin]);
    for _ in 0..4 {
        let (status, _, body) = users();
        assert_eq!(status, 200, "{body}");
    }

    // Wrong PINs through the balancer reach both servers in turn and are
    // counted once: the fifth locks the device out on both.
    let device = argus_e2e::device_token(1, "http://localhost:4200");
    let bearer = format!("Authorization: Bearer {device}");
    let login = |pin: &str| {
        let body = json!({"device_token": device, "access_code": pin}).to_string();
        let (status, _, body) = curl_with(
            &ca.cert,
            "POST",
            &format!("{base}/api/user/authenticate"),
            &[
                &bearer,
                "Origin: http://localhost:4200",
                "Content-Type: application/json",
            ],
            Some(&body),
        );
        assert_eq!(status, 200, "{body}");
        body.contains("user_token")
    };
    assert!(login("1234"));
    for _ in 0..5 {
        assert!(!login("0000"));
    }
    assert!(
        !login("1234"),
        "locked out after five wrong PINs across both"
    );
    let (status, _, body) = curl_with(
        &ca.cert,
        "DELETE",
        &format!("{base}/api/lockouts?user_id=1"),
        &[&admin],
        None,
    );
    assert_eq!(status, 200, "{body}");
    assert!(
        login("1234"),
        "cleared through one, the other lets the owner in"
    );

    let created = http_with(
        &a,
        "POST",
        "/api/nodes",
        &[
            ("Authorization", &argus_e2e::admin_bearer()),
            ("Content-Type", "application/json"),
        ],
        Some(r#"{"name": "shed", "heartbeat_seconds": 30, "timeout_seconds": 90}"#),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    drop(server_a);
    for _ in 0..4 {
        let (status, _, body) = users();
        assert_eq!(status, 200, "{body}");
    }

    let live = LiveClient::connect_url(
        &base,
        &device,
        "http://localhost:4200/en/",
        "websocket",
        Some(&ca.cert),
    );
    let (event, args) = live.next();
    assert_eq!(
        (event.as_str(), args),
        ("connected", vec![json!("websocket")])
    );
    assert_eq!(
        live.next().0,
        "system_state_change",
        "the state arrives through nginx"
    );

    let token = created.json()["token"].as_str().unwrap().to_owned();
    let nodes = format!("wss://localhost:{https}/nodes");
    assert_eq!(
        WsNode::connect_tls(&nodes, "argn_0000", &ca.cert).refused(),
        Some(401)
    );
    let mut node = WsNode::connect_tls(&nodes, &token, &ca.cert);
    assert_eq!(node.refused(), None);
    node.send(&json!({"type": "nonsense"}));
    assert_eq!(
        node.next()["type"],
        "error",
        "the monitor answers through nginx"
    );
    assert!(nginx.terminate());
}
