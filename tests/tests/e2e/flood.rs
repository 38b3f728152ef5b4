//! Floods of the monitor's Socket.IO, bounded in count and sent to loopback
//! only: handshakes without a valid token are refused before a session
//! exists and leave the alarm process's memory where it was; authenticated
//! sessions are capped per client address and in all.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use argus_db::seed::{seed, Dataset};
use argus_db::test_db::TestDb;
use argus_e2e::{Argus, TEST_SECRET};
use argus_protocol::jwt::{sign, DeviceClaims};
use std::io::{Read, Write};

const PAGE: &str = "http://localhost:4200";
/// Unauthenticated handshakes in the flood.
const FLOOD: usize = 5_000;
/// What the flood may add to the monitor's resident memory (allocator noise).
const ALLOWED_GROWTH_KIB: u64 = 4 * 1024;

fn system(extra: Vec<(&'static str, String)>) -> (TestDb, Argus) {
    let db = TestDb::new();
    seed(&mut db.conn(), Dataset::Demo, false).unwrap();
    let argus = Argus::start_with(db.url(), extra);
    (db, argus)
}

/// One Engine.IO polling handshake; the status code.
fn handshake(addr: &str, query: &str, headers: &str) -> u16 {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET /socket.io/?EIO=4&transport=polling{query} HTTP/1.1\r\nHost: {addr}\r\n{headers}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out.split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

fn token() -> String {
    sign(
        &DeviceClaims {
            ip: None,
            origin: Some(PAGE.into()),
            user_id: 1,
        },
        TEST_SECRET.as_bytes(),
    )
    .unwrap()
}

#[test]
fn unauthenticated_handshakes_leave_no_session_and_no_memory() {
    let (_db, argus) = system(Vec::new());
    let addr = argus.live_addr();
    let referer = format!("Referer: {PAGE}/\r\n");
    let tries = [
        (String::new(), referer.clone()),
        ("&token=undefined".to_owned(), referer.clone()),
        (
            format!("&token={}", token()),
            "Referer: http://evil.example/\r\n".to_owned(),
        ),
    ];
    // Warm up the allocator and the connection path first.
    for (query, headers) in tries.iter().cycle().take(500) {
        assert_eq!(handshake(&addr, query, headers), 403);
    }
    let monitor = argus.monitor.as_ref().unwrap();
    let before = monitor.rss_kib();
    for (query, headers) in tries.iter().cycle().take(FLOOD) {
        assert_eq!(handshake(&addr, query, headers), 403);
    }
    let after = monitor.rss_kib();
    eprintln!("monitor RSS {before} KiB before, {after} KiB after {FLOOD} refused handshakes");
    assert!(
        after <= before + ALLOWED_GROWTH_KIB,
        "RSS grew from {before} to {after} KiB"
    );
    assert_eq!(argus.state(), "monitoring_ready", "the alarm kept running");
}

#[test]
fn authenticated_sessions_are_capped_per_address_and_in_all() {
    let (_db, argus) = system(vec![
        ("ARGUS_LIVE_MAX_PER_ADDRESS", "3".to_owned()),
        ("ARGUS_LIVE_MAX_SESSIONS", "5".to_owned()),
    ]);
    let addr = argus.live_addr();
    let query = format!("&token={}", token());
    let from = |ip: &str| format!("Referer: {PAGE}/\r\nX-Real-IP: {ip}\r\n");
    for _ in 0..3 {
        assert_eq!(handshake(&addr, &query, &from("10.0.0.1")), 200);
    }
    assert_eq!(
        handshake(&addr, &query, &from("10.0.0.1")),
        429,
        "per address"
    );
    assert_eq!(
        handshake(&addr, &query, &from("10.0.0.2")),
        200,
        "another client"
    );
    assert_eq!(handshake(&addr, &query, &from("10.0.0.3")), 200);
    assert_eq!(handshake(&addr, &query, &from("10.0.0.4")), 429, "in all");
}
