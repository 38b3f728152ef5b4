//! Remote nodes over HTTP, on the real binaries and a private PostgreSQL: an
//! admin registers a node whose `door` input is a sensor without a channel;
//! its change raises the alarm in the armed area; a change sent again is
//! stored once and acknowledged each time; with PostgreSQL stopped the
//! intake answers 5xx and the retry after it returns is applied exactly
//! once; a node gone silent is offline, a notification and a tamper alarm
//! while armed.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use argus_db::seed::{seed, Dataset};
use argus_e2e::{count, wait_until, Argus, Cluster, HttpResponse};
use diesel::prelude::*;
use serde_json::{json, Value};
use std::time::Duration;

struct Site {
    cluster: Cluster,
    argus: Argus,
    _server: argus_e2e::Process,
    addr: String,
    admin: String,
    sensor: i64,
}

/// The demo data plus "Garage door", a sensor with no channel in the zone and
/// area of Test room 2 (no delays), and the whole system running on it.
fn site(port: u16) -> Site {
    let cluster = Cluster::start(port);
    let url = cluster.url("postgres");
    let mut conn = PgConnection::establish(&url).unwrap();
    argus_db::migrate::run_pending(&mut conn).unwrap();
    seed(&mut conn, Dataset::Demo, false).unwrap();
    diesel::sql_query(
        "INSERT INTO sensor (channel, channel_type, sensor_contact_type, sensor_eol_count, \
             reference_value, alert, error, enabled, deleted, name, zone_id, area_id, type_id, ui_hidden) \
         SELECT NULL, channel_type, sensor_contact_type, sensor_eol_count, NULL, false, false, true, \
             false, 'Garage door', zone_id, area_id, type_id, false FROM sensor WHERE name = 'Test room 2'",
    )
    .execute(&mut conn)
    .unwrap();
    let argus = Argus::start(url.clone());
    let (server, addr) = argus.start_server();
    let sensor: i32 = argus_db::schema::sensor::table
        .filter(argus_db::schema::sensor::name.eq("Garage door"))
        .select(argus_db::schema::sensor::id)
        .first(&mut conn)
        .unwrap();
    Site {
        cluster,
        argus,
        _server: server,
        addr,
        admin: argus_e2e::admin_bearer(),
        sensor: i64::from(sensor),
    }
}

impl Site {
    fn call(&self, method: &str, path: &str, auth: &str, body: Option<&Value>) -> HttpResponse {
        let body = body.map(Value::to_string);
        argus_e2e::http_with(
            &self.addr,
            method,
            path,
            &[
                ("Authorization", auth),
                ("Content-Type", "application/json"),
            ],
            body.as_deref(),
        )
    }

    /// Registers a node with `door` as the garage sensor; its id and token.
    fn register(&self, heartbeat: i32, timeout: i32) -> (i64, String) {
        let created = self.call(
            "POST",
            "/api/nodes",
            &self.admin,
            Some(&json!({"name": "garage", "heartbeat_seconds": heartbeat, "timeout_seconds": timeout,
                         "inputs": {"door": self.sensor}})),
        );
        assert_eq!(created.status, 201, "{}", created.body);
        let node = created.json();
        (
            node["id"].as_i64().unwrap(),
            format!("Bearer {}", node["token"].as_str().unwrap()),
        )
    }

    fn events(&self, node: i64, token: &str, events: &Value) -> HttpResponse {
        self.call(
            "POST",
            &format!("/api/nodes/{node}/events"),
            token,
            Some(&json!({ "events": events })),
        )
    }

    fn db(&self, sql: &str) -> i64 {
        count(&self.cluster.url("postgres"), sql)
    }

    fn alerting(&self) -> Vec<i64> {
        let live = self.argus.ipc(argus_protocol::Command::MonitorGetLive);
        serde_json::from_value(live.value.unwrap_or_default()["alerting"].clone())
            .unwrap_or_default()
    }
}

#[test]
fn a_node_reports_each_change_once_and_its_door_raises_the_alarm() {
    let site = site(5437);
    let (node, token) = site.register(15, 30);
    assert!(site.argus.arm(false));

    let open = json!([{"seq": 1, "input": "door", "state": "open"}]);
    let first = site.events(node, &token, &open);
    assert_eq!(
        (first.status, first.json()),
        (200, json!({"accepted": [1], "duplicates": []}))
    );
    site.argus.wait_state("monitoring_alert");
    assert!(
        site.argus.siren(),
        "a remote door sounds the siren like a wired one"
    );

    // Sent again (the node did not see the answer): acknowledged, stored once.
    let again = site.events(node, &token, &open);
    assert_eq!(
        (again.status, again.json()),
        (200, json!({"accepted": [], "duplicates": [1]}))
    );
    assert_eq!(site.db("SELECT 1 FROM argus_node_event"), 1);
    assert_eq!(site.db("SELECT 1 FROM argus_job"), 1);

    // Other callers.
    let stranger = site.events(node, "Bearer argn_0000", &open);
    assert_eq!(
        (stranger.status, stranger.json()["error"].as_str()),
        (401, Some("invalid node token"))
    );
    let other = site.events(node + 1, &token, &open);
    assert_eq!(
        (other.status, other.json()["error"].as_str()),
        (403, Some("token of another node"))
    );
    let garbage = site.call(
        "POST",
        &format!("/api/nodes/{node}/events"),
        &token,
        Some(&json!({"events": "x"})),
    );
    assert_eq!(garbage.status, 400, "{}", garbage.body);

    // PostgreSQL down: no 200 for what cannot be stored; the retry lands once.
    site.cluster.pg_stop();
    let closed = json!([{"seq": 2, "input": "door", "state": "closed"}]);
    let refused = site.events(node, &token, &closed);
    assert!(refused.status >= 500, "{} {}", refused.status, refused.body);
    site.cluster.pg_start();
    let mut retried = site.events(node, &token, &closed);
    while retried.status >= 500 {
        // The server's pool reconnects on its own; the node keeps retrying.
        retried = site.events(node, &token, &closed);
    }
    assert_eq!(retried.json(), json!({"accepted": [2], "duplicates": []}));
    assert!(wait_until(Duration::from_secs(20), || site
        .db("SELECT 1 FROM argus_job WHERE state = 'done'")
        == 2));
    assert!(wait_until(Duration::from_secs(20), || !site
        .alerting()
        .contains(&site.sensor)));
    assert_eq!(site.db("SELECT 1 FROM argus_node_event"), 2);
    assert_eq!(site.db("SELECT 1 FROM argus_job_error"), 0);

    // The monitor far behind (jobs another worker holds): changes are refused, not queued.
    let mut conn = PgConnection::establish(&site.cluster.url("postgres")).unwrap();
    diesel::sql_query(
        "INSERT INTO argus_job (kind, payload, state, leased_until) \
         SELECT 'held', '', 'processing', now() + interval '1 hour' FROM generate_series(1, 2001)",
    )
    .execute(&mut conn)
    .unwrap();
    let later = json!([{"seq": 3, "input": "door", "state": "open"}]);
    assert!(wait_until(Duration::from_secs(20), || site
        .events(node, &token, &later)
        .status
        == 503));
    diesel::sql_query("DELETE FROM argus_job WHERE kind = 'held'")
        .execute(&mut conn)
        .unwrap();
    assert!(wait_until(Duration::from_secs(20), || site
        .events(node, &token, &later)
        .status
        == 200));
}

#[test]
fn a_node_gone_silent_is_offline_a_satellite_message_and_a_tamper_alarm_while_armed() {
    let site = site(5438);
    let rock7 = argus_e2e::Rock7Mt::start("s3cret", 0);
    {
        let mut conn = PgConnection::establish(&site.cluster.url("postgres")).unwrap();
        crate::support::set_options(
            &mut conn,
            &[
                (
                    "nodes",
                    "rockblock",
                    json!({"mt_url": rock7.url, "mt_username": "argus", "mt_password": "s3cret"}),
                ),
                (
                    "notifications",
                    "satellite",
                    json!({"enabled": true, "imei": "300234010753370"}),
                ),
                (
                    "notifications",
                    "subscriptions",
                    json!({"satellite": {"node_offline": true, "node_online": true}}),
                ),
            ],
        );
    }
    let (node, token) = site.register(1, 2);
    let beat = site.call(
        "POST",
        &format!("/api/nodes/{node}/heartbeat"),
        &token,
        Some(&json!({"firmware": "1.2.0"})),
    );
    assert_eq!(
        (beat.status, beat.json()["timeout_seconds"].as_i64()),
        (200, Some(2)),
        "{}",
        beat.body
    );
    // The server tells the monitor after answering: the list follows shortly.
    let nodes = || site.call("GET", "/api/nodes", &site.admin, None).json();
    assert!(
        wait_until(Duration::from_secs(20), || nodes()[0]["online"] == true),
        "{}",
        nodes()
    );
    assert_eq!(nodes()[0]["firmware"], "1.2.0");
    assert!(site.argus.arm(false));

    // No more heartbeats: offline after two seconds, and the garage door reads cut.
    site.argus.wait_state("monitoring_alert");
    assert!(wait_until(Duration::from_secs(20), || site.db(
        "SELECT 1 FROM argus_event WHERE kind = 'node_offline' AND detail = 'garage'"
    ) == 1));
    assert_eq!(nodes()[0]["online"], false, "{}", nodes());
    // Told by satellite; its first heartbeat told nobody (this is the first message).
    let told = rock7.next();
    assert_eq!(told["imei"], "300234010753370");
    let text = told["text"].as_str().unwrap();
    assert!(
        text.starts_with("Remote node offline\nNode: garage\n"),
        "{text}"
    );

    // Back: online again (an event, as its first heartbeat was, and a message).
    let beat = site.call(
        "POST",
        &format!("/api/nodes/{node}/heartbeat"),
        &token,
        None,
    );
    assert_eq!(beat.status, 200);
    assert!(wait_until(Duration::from_secs(20), || site.db(
        "SELECT 1 FROM argus_event WHERE kind = 'node_online' AND detail = 'garage'"
    ) == 2));
    let back = rock7.next();
    assert!(
        back["text"]
            .as_str()
            .unwrap()
            .starts_with("Remote node back online\nNode: garage"),
        "{back}"
    );
}

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn a_rockblock_delivery_is_stored_once_and_its_changes_reach_the_alarm() {
    let site = site(5439);
    let created = site.call(
        "POST",
        "/api/nodes",
        &site.admin,
        Some(&json!({"name": "cabin", "imei": "300234010753370", "inputs": {"door": site.sensor}})),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(site.argus.arm(false));
    let post = |content_type: &str, body: &str| {
        argus_e2e::http_with(
            &site.addr,
            "POST",
            "/api/rockblock/incoming",
            &[("Content-Type", content_type)],
            Some(body),
        )
    };
    // RockBLOCK's form delivery, the transmit time URL-encoded.
    let form = format!(
        "imei=300234010753370&momsn=7&transmit_time=26-12-02%2010%3A41%3A50&serial=12345\
         &iridium_latitude=47.5&iridium_longitude=19.0&iridium_cep=3&device_type=ROCKBLOCK&data={}",
        hex("AR1;100:door=open")
    );
    let first = post("application/x-www-form-urlencoded", &form);
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(
        (
            first.json()["stored"].as_bool(),
            first.json()["accepted"].clone()
        ),
        (Some(true), json!([100]))
    );
    site.argus.wait_state("monitoring_alert");
    assert_eq!(
        site.db("SELECT 1 FROM argus_rockblock_message WHERE transmit_time = '26-12-02 10:41:50'"),
        1
    );

    // Rock7 retries a delivery it thinks failed: the same row, no second change.
    let again = post("application/x-www-form-urlencoded", &form);
    assert_eq!(
        (again.status, again.json()["stored"].as_bool()),
        (200, Some(false))
    );
    assert_eq!(site.db("SELECT 1 FROM argus_rockblock_message"), 1);

    // The JSON format, with PostgreSQL stopped first: 5xx, then stored once.
    let closed =
        json!({"imei": "300234010753370", "momsn": 8, "transmit_time": "26-12-02 10:45:00",
                        "data": hex("AR1;101:door=closed")})
        .to_string();
    site.cluster.pg_stop();
    let refused = post("application/json", &closed);
    assert!(refused.status >= 500, "{} {}", refused.status, refused.body);
    site.cluster.pg_start();
    let mut retried = post("application/json", &closed);
    while retried.status >= 500 {
        retried = post("application/json", &closed);
    }
    assert_eq!(retried.json()["accepted"], json!([101]), "{}", retried.body);
    assert!(wait_until(Duration::from_secs(20), || !site
        .alerting()
        .contains(&site.sensor)));
    assert_eq!(site.db("SELECT 1 FROM argus_rockblock_message"), 2);

    // Bad deliveries are refused with the reason; nothing is stored.
    let bad = post("application/x-www-form-urlencoded", "imei=1&momsn=1");
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert_eq!(site.db("SELECT 1 FROM argus_rockblock_message"), 2);
}

#[test]
fn a_command_reaches_a_satellite_node_through_rock7_retried_until_accepted() {
    let site = site(5440);
    let rock7 = argus_e2e::Rock7Mt::start("s3cret", 1);
    {
        let mut conn = PgConnection::establish(&site.cluster.url("postgres")).unwrap();
        crate::support::set_options(
            &mut conn,
            &[(
                "nodes",
                "rockblock",
                json!({"mt_url": rock7.url, "mt_username": "argus", "mt_password": "s3cret"}),
            )],
        );
    }
    let created = site.call(
        "POST",
        "/api/nodes",
        &site.admin,
        Some(&json!({"name": "cabin", "imei": "300234010753370"})),
    );
    let node = created.json()["id"].as_i64().unwrap();
    let sent = site.call(
        "POST",
        &format!("/api/nodes/{node}/commands"),
        &site.admin,
        Some(&json!({"command": "set_heartbeat", "seconds": 600})),
    );
    assert_eq!(sent.status, 202, "{}", sent.body);
    let id = sent.json()["id"].as_i64().unwrap();
    // Rock7's first answer is a system error (99): retried, then accepted.
    let message = rock7.next();
    assert_eq!(message["imei"], "300234010753370");
    assert_eq!(message["username"], "argus");
    assert_eq!(message["text"], format!("AR1;cmd;{id};set_heartbeat;600"));
    assert!(wait_until(Duration::from_secs(20), || site.db(
        "SELECT 1 FROM argus_job WHERE kind = 'rockblock_mt' AND state = 'done' AND attempts = 2"
    ) == 1));
    let errors = site
        .call("GET", "/api/jobs/errors", &site.admin, None)
        .json();
    assert_eq!(
        errors["errors"][0]["error"], "refused (99): System error",
        "{errors}"
    );

    let bad = site.call(
        "POST",
        &format!("/api/nodes/{node}/commands"),
        &site.admin,
        Some(&json!({"command": "set_heartbeat"})),
    );
    assert_eq!(bad.status, 400, "{}", bad.body);
}

#[test]
fn a_node_on_the_websocket_reports_takes_commands_and_a_newer_connection_replaces_it() {
    let site = site(5441);
    let (node, token) = site.register(15, 30);
    let token = token.trim_start_matches("Bearer ").to_owned();
    let url = format!("ws://{}/nodes", site.argus.live_addr());
    assert_eq!(
        argus_e2e::WsNode::connect(&url, "argn_0000").refused(),
        Some(401)
    );
    let mut ws = argus_e2e::WsNode::connect(&url, &token);
    assert_eq!(ws.refused(), None);
    assert!(site.argus.arm(false));

    let open = json!({"type": "events", "events": [{"seq": 5, "input": "door", "state": "open"}]});
    ws.send(&open);
    assert_eq!(
        ws.next(),
        json!({"type": "accepted", "accepted": [5], "duplicates": []})
    );
    site.argus.wait_state("monitoring_alert");
    ws.send(&open);
    assert_eq!(
        ws.next(),
        json!({"type": "accepted", "accepted": [], "duplicates": [5]})
    );
    ws.send(&json!({"type": "nonsense"}));
    assert_eq!(
        ws.next()["type"],
        "error",
        "a bad message is answered, the connection stays"
    );

    // An admin's command reaches it, and it acknowledges.
    let sent = site.call(
        "POST",
        &format!("/api/nodes/{node}/commands"),
        &site.admin,
        Some(&json!({"command": "test_siren"})),
    );
    assert_eq!(
        (sent.status, sent.json()["via"].as_str()),
        (202, Some("websocket")),
        "{}",
        sent.body
    );
    let command = ws.next();
    assert_eq!(
        (command["type"].as_str(), command["command"].as_str()),
        (Some("command"), Some("test_siren"))
    );
    assert_eq!(command["id"], sent.json()["id"]);
    ws.send(&json!({"type": "ack", "id": command["id"], "ok": true}));

    // The node reconnects (a reboot): the older connection is closed.
    let newer = argus_e2e::WsNode::connect(&url, &token);
    assert_eq!(newer.refused(), None);
    assert!(ws.next()["closed"].is_number(), "the older connection ends");
    // Revoked: the connection ends and a new one is refused.
    let revoked = site.call(
        "DELETE",
        &format!("/api/nodes/{node}/token"),
        &site.admin,
        None,
    );
    assert_eq!(revoked.status, 200);
    assert!(newer.next()["closed"].is_number());
    assert_eq!(
        argus_e2e::WsNode::connect(&url, &token).refused(),
        Some(401)
    );
}

#[test]
fn a_node_updates_from_a_bundle_whose_manifest_hashes_its_files_with_range_downloads() {
    use sha2::{Digest, Sha256};
    let site = site(5442);
    let (node, token) = site.register(15, 30);
    let created = site.call(
        "POST",
        "/api/firmware",
        &site.admin,
        Some(&json!({"name": "door-node", "version": "1.3.0"})),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let firmware = created.json()["id"].as_i64().unwrap();
    let files = [
        ("main.py", "import door\ndoor.run()\n"),
        ("lib/door.py", "def run():\n    pass\n"),
    ];
    for (path, text) in files {
        let put = argus_e2e::http_with(
            &site.addr,
            "PUT",
            &format!("/api/firmware/{firmware}/files?path={path}"),
            &[
                ("Authorization", &site.admin),
                ("Content-Type", "application/octet-stream"),
            ],
            Some(text),
        );
        assert_eq!(put.status, 200, "{}", put.body);
    }
    let traversal = argus_e2e::http_with(
        &site.addr,
        "PUT",
        &format!("/api/firmware/{firmware}/files?path=../../escape"),
        &[("Authorization", &site.admin)],
        Some("x"),
    );
    assert_eq!(traversal.status, 400, "{}", traversal.body);

    assert_eq!(
        site.call("GET", &format!("/api/nodes/{node}/ota"), &token, None)
            .json()["state"],
        "none"
    );
    let started = site.call(
        "POST",
        &format!("/api/nodes/{node}/ota"),
        &site.admin,
        Some(&json!({"firmware_id": firmware})),
    );
    assert_eq!(started.status, 201, "{}", started.body);
    let job = started.json()["job_id"].as_i64().unwrap();

    // The node reads its job and checks every file against the manifest.
    let update = site
        .call("GET", &format!("/api/nodes/{node}/ota"), &token, None)
        .json();
    assert_eq!(
        (update["job_id"].as_i64(), update["state"].as_str()),
        (Some(job), Some("ready"))
    );
    let total: usize = files.iter().map(|(_, t)| t.len()).sum();
    assert_eq!(update["manifest"]["size"], total);
    for (path, text) in files {
        let entry = &update["manifest"]["files"][path];
        assert_eq!(entry["size"], text.len());
        assert_eq!(
            entry["sha256"],
            format!("{:x}", Sha256::digest(text.as_bytes()))
        );
        let got = site.call(
            "GET",
            &format!("/api/nodes/{node}/ota/file?job={job}&path={path}"),
            &token,
            None,
        );
        assert_eq!((got.status, got.body.as_str()), (200, text));
    }
    // A download resumed where it broke off.
    let part = argus_e2e::http_with(
        &site.addr,
        "GET",
        &format!("/api/nodes/{node}/ota/file?job={job}&path=main.py"),
        &[("Authorization", &token), ("Range", "bytes=7-10")],
        None,
    );
    assert_eq!((part.status, part.body.as_str()), (206, "door"));
    assert_eq!(part.header("content-range"), Some("bytes 7-10/23"));
    // Out of the bundle: refused, however it is spelled.
    for bad in [
        "../../../etc/passwd",
        "%2e%2e/%2e%2e/secret",
        "/etc/passwd",
        "lib/../../x",
    ] {
        let refused = site.call(
            "GET",
            &format!("/api/nodes/{node}/ota/file?job={job}&path={bad}"),
            &token,
            None,
        );
        assert_eq!(refused.status, 400, "{bad}: {}", refused.body);
    }
    assert_eq!(
        site.call("GET", &format!("/api/nodes/{node}/ota"), &token, None)
            .json()["state"],
        "started"
    );
    let done = site.call(
        "POST",
        &format!("/api/nodes/{node}/ota/complete"),
        &token,
        Some(&json!({"job": job, "ok": true})),
    );
    assert_eq!(done.json()["state"], "succeeded", "{}", done.body);
    assert_eq!(
        site.db("SELECT 1 FROM argus_ota_job WHERE state = 'succeeded'"),
        1
    );
    assert_eq!(
        site.call("GET", &format!("/api/nodes/{node}/ota"), &token, None)
            .json()["state"],
        "none"
    );
}
