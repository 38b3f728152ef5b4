//! `manage status`: one screen on a running installation, gathered from
//! what each part already says about itself: systemd's view of both units,
//! the database and its pending migrations, the server's and the monitor's
//! `/metrics` (the monitoring state, modem, MQTT and nodes).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::time::Duration;

/// What was gathered; `Err` holds why a part could not be asked.
#[derive(Debug, Clone)]
pub struct Gathered {
    /// Each unit and what `systemctl is-active` said; empty without systemd.
    pub services: Vec<(String, String)>,
    /// Pending migrations, or why the database did not answer.
    pub database: Result<usize, String>,
    /// The server's `/metrics`.
    pub server: Result<String, String>,
    /// The monitor's `/metrics`.
    pub monitor: Result<String, String>,
}

/// Samples of a Prometheus text exposition: `name{labels}` → value.
pub fn samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit_once(' '))
        .filter_map(|(k, v)| Some((k.to_owned(), v.parse().ok()?)))
        .collect()
}

fn state_of(samples: &BTreeMap<String, f64>) -> Option<&str> {
    samples.iter().find_map(|(k, v)| {
        let state = k.strip_prefix("argus_monitoring_state{state=\"")?;
        (*v == 1.0).then(|| state.trim_end_matches("\"}"))
    })
}

/// The report being written: its lines and whether all of them are well.
#[derive(Default)]
struct Report {
    lines: Vec<(String, String)>,
    well: bool,
}

impl Report {
    fn add(&mut self, what: &str, says: impl Into<String>, ok: bool) {
        self.well &= ok;
        self.lines.push((what.to_owned(), says.into()));
    }

    fn server(&mut self, text: &str) {
        let s = samples(text);
        let up = |k: &str| if s.get(k) == Some(&1.0) { "up" } else { "DOWN" };
        let (monitor, database) = (up("argus_monitor_up"), up("argus_database_up"));
        self.add(
            "server",
            format!("answers; it sees the monitor {monitor}, the database {database}"),
            monitor == "up" && database == "up",
        );
    }

    fn monitor(&mut self, text: &str) {
        let s = samples(text);
        let state = state_of(&s).unwrap_or("unknown");
        self.add("monitor", format!("answers; {state}"), true);
        let flag = |k: &str| s.get(k) == Some(&1.0);
        match (flag("argus_modem_enabled"), flag("argus_modem_reachable")) {
            (false, _) => self.add("modem", "not enabled", true),
            (true, true) => {
                let says = s
                    .get("argus_modem_signal")
                    .map_or("answers".into(), |q| format!("answers; signal {q}/31"));
                self.add("modem", says, true);
            }
            (true, false) => self.add("modem", "does not answer", false),
        }
        let mqtt = if flag("argus_mqtt_connected") {
            "connected"
        } else {
            "not connected (off, or the broker is unreachable)"
        };
        self.add("mqtt", mqtt, true);
        if let (Some(online), Some(all)) = (s.get("argus_nodes_online"), s.get("argus_nodes")) {
            self.add("nodes", format!("{online} of {all} online"), online >= all);
        }
    }
}

/// The report's lines (`what`, `says`) and whether everything is well.
pub fn report(g: &Gathered) -> (Vec<(String, String)>, bool) {
    let mut r = Report {
        well: true,
        ..Report::default()
    };
    if g.services.is_empty() {
        r.add("services", "unknown (no running systemd here)", true);
    }
    for (unit, active) in &g.services {
        r.add(
            &format!("service {unit}"),
            active.clone(),
            active == "active",
        );
    }
    match &g.database {
        Ok(0) => r.add("database", "answers; migrations: none pending", true),
        Ok(n) => r.add(
            "database",
            format!("answers; migrations: {n} pending (run manage migrate)"),
            false,
        ),
        Err(e) => r.add("database", format!("does not answer: {e}"), false),
    }
    match &g.server {
        Ok(text) => r.server(text),
        Err(e) => r.add("server", format!("does not answer: {e}"), false),
    }
    match &g.monitor {
        Ok(text) => r.monitor(text),
        Err(e) => r.add("monitor", format!("does not answer: {e}"), false),
    }
    (r.lines, r.well)
}

/// `GET path` over HTTP/1.0 at `addr` (`unix:/path` or `host:port`), with a
/// two-second bound on each step; the body of a 200.
pub fn scrape(addr: &str, path: &str) -> Result<String, String> {
    let timeout = Some(Duration::from_secs(2));
    let request = format!("GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n");
    fn exchange(mut s: impl Read + Write, request: &str) -> std::io::Result<Vec<u8>> {
        let mut raw = Vec::new();
        s.write_all(request.as_bytes())?;
        s.read_to_end(&mut raw)?;
        Ok(raw)
    }
    let done = if let Some(socket) = addr.strip_prefix("unix:") {
        std::os::unix::net::UnixStream::connect(socket).and_then(|s| {
            s.set_read_timeout(timeout)?;
            exchange(s, &request)
        })
    } else {
        let to = std::net::ToSocketAddrs::to_socket_addrs(addr)
            .map_err(|e| format!("{addr}: {e}"))?
            .next()
            .ok_or_else(|| format!("{addr}: no address"))?;
        std::net::TcpStream::connect_timeout(&to, Duration::from_secs(2)).and_then(|s| {
            s.set_read_timeout(timeout)?;
            exchange(s, &request)
        })
    };
    let raw = done.map_err(|e| format!("{addr}: {e}"))?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("{addr}: not an HTTP answer"))?;
    let status = head.split_whitespace().nth(1).unwrap_or_default();
    if status != "200" {
        return Err(format!("{addr}: HTTP {status}"));
    }
    Ok(body.to_owned())
}

/// What `systemctl is-active` says of each unit; empty without a running systemd.
pub fn services(units: &[&str]) -> Vec<(String, String)> {
    if !std::path::Path::new("/run/systemd/system").is_dir() {
        return Vec::new();
    }
    units
        .iter()
        .map(|u| {
            let said = std::process::Command::new("systemctl")
                .args(["is-active", u])
                .output()
                .map_or_else(
                    |e| e.to_string(),
                    |o| String::from_utf8_lossy(&o.stdout).trim().to_owned(),
                );
            ((*u).to_owned(), said)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MONITOR: &str = "# HELP argus_monitoring_state x\n# TYPE argus_monitoring_state gauge\nargus_monitoring_state{state=\"monitoring_armed\"} 1\nargus_modem_enabled 1\nargus_modem_reachable 1\nargus_modem_signal 18\nargus_mqtt_connected 0\nargus_nodes_online 1\nargus_nodes 2\n";

    fn gathered() -> Gathered {
        Gathered {
            services: vec![],
            database: Ok(0),
            server: Ok("argus_monitor_up 1\nargus_database_up 1\n".into()),
            monitor: Ok(MONITOR.into()),
        }
    }

    fn says<'a>(lines: &'a [(String, String)], what: &str) -> &'a str {
        &lines.iter().find(|(w, _)| w == what).unwrap().1
    }

    #[test]
    fn a_healthy_installation_reads_as_such_and_an_offline_node_is_not_well() {
        let (lines, well) = report(&gathered());
        assert_eq!(says(&lines, "monitor"), "answers; monitoring_armed");
        assert_eq!(says(&lines, "modem"), "answers; signal 18/31");
        assert_eq!(says(&lines, "nodes"), "1 of 2 online");
        assert!(says(&lines, "mqtt").starts_with("not connected"));
        assert!(!well, "a node is offline");
        let mut all = gathered();
        all.monitor = Ok(MONITOR.replace("argus_nodes_online 1", "argus_nodes_online 2"));
        assert!(report(&all).1);
    }

    #[test]
    fn what_does_not_answer_says_why_and_is_not_well() {
        let mut g = gathered();
        g.monitor = Err("refused".into());
        g.database = Ok(2);
        g.services = vec![("argus-server".into(), "failed".into())];
        let (lines, well) = report(&g);
        assert!(!well);
        assert_eq!(says(&lines, "monitor"), "does not answer: refused");
        assert!(says(&lines, "database").contains("2 pending"));
        assert_eq!(says(&lines, "service argus-server"), "failed");
        assert!(!lines.iter().any(|(w, _)| w == "modem"));
    }
}
