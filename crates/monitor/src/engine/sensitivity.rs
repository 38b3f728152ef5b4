//! The debounce window ("sensitivity", contract §9.7) in time terms: a sensor
//! is alerting when it was active for at least `threshold` % of the last
//! `period` seconds, whatever the sampling rate.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

use super::model::{Millis, Sensitivity};

/// How often a sensor inside a window is re-evaluated.
pub const CHECK_STEP_MS: Millis = 100;

/// The recent history of one sensor's active/idle level.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// Level changes `(time, active)`, oldest first; the first entry may lie
    /// before the window and gives the level at its start.
    changes: VecDeque<(Millis, bool)>,
}

impl Window {
    /// Records the level at `at` (only changes are kept).
    pub fn record(&mut self, at: Millis, active: bool) {
        if self.changes.back().map(|&(_, a)| a) != Some(active) {
            self.changes.push_back((at, active));
        }
    }

    /// Milliseconds of activity within `[now - period, now]`.
    pub fn active_ms(&self, now: Millis, period_ms: Millis) -> Millis {
        let start = now - period_ms;
        let mut total = 0;
        for (i, &(at, active)) in self.changes.iter().enumerate() {
            let until = self
                .changes
                .get(i + 1)
                .map_or(now, |&(next, _)| next)
                .min(now);
            if active {
                total += (until - at.max(start)).max(0);
            }
        }
        total
    }

    /// Whether the window is past its threshold at `now`.
    pub fn alerting(&mut self, now: Millis, s: Sensitivity) -> bool {
        let period_ms = Millis::from(s.period) * 1000;
        self.prune(now - period_ms);
        let needed = period_ms * Millis::from(s.threshold) / 100;
        let active = self.active_ms(now, period_ms);
        // A threshold of 0 % means any activity, from its first instant.
        let active_now = self.changes.back().is_some_and(|&(_, a)| a);
        active >= needed && (active > 0 || (needed == 0 && active_now))
    }

    /// Drops changes that no longer affect the window, keeping the level at its start.
    fn prune(&mut self, start: Millis) {
        while self.changes.get(1).is_some_and(|&(at, _)| at <= start) {
            self.changes.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Sensitivity = Sensitivity {
        period: 2,
        threshold: 50,
    };

    #[test]
    fn alerts_after_threshold_share_of_the_window() {
        let mut w = Window::default();
        w.record(0, false);
        w.record(10_000, true);
        assert!(!w.alerting(10_500, S), "0.5 s of 2 s is 25 %");
        assert!(w.alerting(11_000, S), "1 s of 2 s is 50 %");
    }

    #[test]
    fn a_short_blip_is_filtered_and_slides_out() {
        let mut w = Window::default();
        w.record(0, false);
        w.record(1_000, true);
        w.record(1_300, false);
        assert!(!w.alerting(1_500, S));
        assert_eq!(w.active_ms(3_400, 2_000), 0, "the blip left the window");
    }

    #[test]
    fn the_window_forgets_what_slid_out_of_it() {
        let mut w = Window::default();
        for i in 0..1_000 {
            w.record(i * 1_000, i % 2 == 0);
            w.alerting(i * 1_000, S);
        }
        assert!(w.changes.len() <= 4, "{} changes kept", w.changes.len());
        assert_eq!(
            w.active_ms(999_000, 2_000),
            1_000,
            "one active second of the last two"
        );
    }

    #[test]
    fn activity_that_started_before_the_window_counts_from_its_start() {
        let mut w = Window::default();
        w.record(0, true);
        assert!(w.alerting(10_000, S), "active all along");
        assert_eq!(w.active_ms(10_000, 2_000), 2_000);
    }

    #[test]
    fn a_threshold_of_zero_is_any_activity_and_no_activity_is_no_alert() {
        let zero = Sensitivity {
            period: 2,
            threshold: 0,
        };
        let mut w = Window::default();
        w.record(0, false);
        assert!(!w.alerting(5_000, zero), "idle all along");
        w.record(5_000, true);
        assert!(w.alerting(5_000, zero), "from its first instant");
        w.record(5_100, false);
        assert!(w.alerting(6_000, zero), "still inside the window");
        assert!(!w.alerting(7_200, zero), "slid out");
    }

    #[test]
    fn full_threshold_needs_continuous_activity() {
        let s = Sensitivity {
            period: 1,
            threshold: 100,
        };
        let mut w = Window::default();
        w.record(0, false);
        w.record(5_000, true);
        assert!(!w.alerting(5_900, s));
        assert!(w.alerting(6_000, s));
    }
}
