//! `/metrics` on the live listener (Prometheus text format, loopback only):
//! counters the hot paths bump with relaxed atomic adds (engine inputs and
//! how long each decision took, IPC requests and their time, sensor
//! readings, database errors, failed notifications), and gauges
//! read when scraped (the monitoring state, power, modem, MQTT, telemetry).

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::counter::Count;

/// Upper bounds of the histogram buckets, in seconds.
const BOUNDS: [f64; 9] = [
    0.000_01, 0.000_05, 0.000_1, 0.000_5, 0.001, 0.005, 0.01, 0.1, 1.0,
];

/// A latency histogram.
#[derive(Debug)]
pub struct Histogram {
    buckets: [AtomicU64; 9],
    count: AtomicU64,
    sum_ns: AtomicU64,
}

impl Histogram {
    const fn new() -> Self {
        Self {
            buckets: [const { AtomicU64::new(0) }; 9],
            count: AtomicU64::new(0),
            sum_ns: AtomicU64::new(0),
        }
    }

    /// Records one duration.
    pub fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        if let Some(i) = BOUNDS.iter().position(|b| secs <= *b) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        let ns = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.sum_ns.fetch_add(ns, Ordering::Relaxed);
    }

    fn render(&self, name: &str, help: &str, out: &mut String) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        let mut cumulative = 0;
        for (bound, bucket) in BOUNDS.iter().zip(&self.buckets) {
            cumulative += bucket.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        let count = self.count.load(Ordering::Relaxed);
        let sum = self.sum_ns.load(Ordering::Relaxed) as f64 / 1e9;
        let _ = writeln!(
            out,
            "{name}_bucket{{le=\"+Inf\"}} {count}\n{name}_sum {sum}\n{name}_count {count}"
        );
    }
}

/// The monitor's counters.
#[derive(Debug)]
pub struct Metrics {
    /// Engine decisions (every input, timer ticks included).
    pub decisions: Histogram,
    /// IPC requests answered.
    pub ipc: Histogram,
    /// Sensor readings the board reported and the engine took.
    pub sensor_events: Count,
    /// Delivery attempts of notifications that failed (each retry counts).
    pub notification_attempts_failed: Count,
    /// Notifications given up after their last attempt.
    pub notifications_failed: Count,
}

/// The one set of counters of this process.
pub static METRICS: Metrics = Metrics {
    decisions: Histogram::new(),
    ipc: Histogram::new(),
    sensor_events: Count::new(),
    notification_attempts_failed: Count::new(),
    notifications_failed: Count::new(),
};

/// What is read when scraped.
#[derive(Debug, Clone, Default)]
pub struct Gauges {
    /// The monitoring state (`monitoring_ready`, …).
    pub state: String,
    /// On battery.
    pub battery: bool,
    /// `(enabled, reachable, signal 0–31)`.
    pub modem: (bool, bool, Option<u8>),
    /// `(enabled, connected)`.
    pub mqtt: (bool, bool),
    /// Nodes: `(online, all)`.
    pub nodes: (usize, usize),
    /// The telemetry intake's counters.
    pub telemetry: argus_protocol::telemetry::Status,
}

fn gauge(out: &mut String, name: &str, help: &str, value: impl std::fmt::Display) {
    let _ = writeln!(
        out,
        "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
    );
}

fn counter(out: &mut String, name: &str, help: &str, rows: &[(&str, u64)]) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
    for (labels, value) in rows {
        let _ = writeln!(out, "{name}{labels} {value}");
    }
}

/// The exposition.
pub fn render(g: &Gauges) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP argus_monitoring_state The monitoring state (1 for the current one).\n# TYPE argus_monitoring_state gauge\nargus_monitoring_state{{state=\"{}\"}} 1",
        g.state
    );
    gauge(
        &mut out,
        "argus_on_battery",
        "Running on battery (mains lost).",
        u8::from(g.battery),
    );
    gauge(
        &mut out,
        "argus_modem_enabled",
        "The GSM modem is enabled.",
        u8::from(g.modem.0),
    );
    gauge(
        &mut out,
        "argus_modem_reachable",
        "The modem answered its last check.",
        u8::from(g.modem.1),
    );
    if let Some(signal) = g.modem.2 {
        gauge(
            &mut out,
            "argus_modem_signal",
            "Signal quality, 0-31.",
            signal,
        );
    }
    gauge(
        &mut out,
        "argus_mqtt_connected",
        "The MQTT session is connected.",
        u8::from(g.mqtt.1),
    );
    gauge(
        &mut out,
        "argus_nodes_online",
        "Remote nodes online.",
        g.nodes.0,
    );
    gauge(&mut out, "argus_nodes", "Remote nodes.", g.nodes.1);
    let t = &g.telemetry;
    for (what, help, pick) in [
        (
            "accepted",
            "Telemetry readings taken in.",
            (|s: &argus_protocol::telemetry::SourceCounts| s.accepted) as fn(&_) -> u64,
        ),
        (
            "malformed",
            "Telemetry messages skipped as malformed.",
            |s| s.malformed,
        ),
        ("shed", "Telemetry readings shed (buffer full).", |s| s.shed),
    ] {
        counter(
            &mut out,
            &format!("argus_telemetry_{what}_total"),
            help,
            &[
                ("{source=\"redis\"}", pick(&t.redis)),
                ("{source=\"mqtt\"}", pick(&t.mqtt)),
                ("{source=\"rest\"}", pick(&t.rest)),
            ],
        );
    }
    counter(
        &mut out,
        "argus_telemetry_stored_total",
        "Telemetry readings stored.",
        &[("", t.stored)],
    );
    counter(
        &mut out,
        "argus_telemetry_write_errors_total",
        "Telemetry batch writes that failed.",
        &[("", t.write_errors)],
    );
    for (name, help, count) in [
        (
            "argus_sensor_events_total",
            "Sensor readings the engine took.",
            &METRICS.sensor_events,
        ),
        (
            "argus_database_errors_total",
            "Database work that failed.",
            &crate::db::DATABASE_ERRORS,
        ),
        (
            "argus_notification_attempts_failed_total",
            "Notification delivery attempts that failed.",
            &METRICS.notification_attempts_failed,
        ),
        (
            "argus_notifications_failed_total",
            "Notifications given up after their last attempt.",
            &METRICS.notifications_failed,
        ),
    ] {
        counter(&mut out, name, help, &[("", count.get())]);
    }
    METRICS.decisions.render(
        "argus_engine_decision_seconds",
        "Time the engine took per input.",
        &mut out,
    );
    METRICS.ipc.render(
        "argus_ipc_request_seconds",
        "Time to answer an IPC request.",
        &mut out,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_is_cumulative_and_counts_everything() {
        let h = Histogram::new();
        h.observe(Duration::from_micros(30));
        h.observe(Duration::from_millis(3));
        h.observe(Duration::from_secs(5));
        let mut out = String::new();
        h.render("x", "help", &mut out);
        assert!(out.contains("x_bucket{le=\"0.00005\"} 1\n"), "{out}");
        assert!(out.contains("x_bucket{le=\"0.005\"} 2\n"), "{out}");
        assert!(out.contains("x_bucket{le=\"1\"} 2\n"), "{out}");
        assert!(
            out.contains("x_bucket{le=\"+Inf\"} 3\nx_sum 5.00303\nx_count 3\n"),
            "{out}"
        );
    }
}
