//! Failed-login counting: per device and per address, `MAX_FAILURES` within
//! `WINDOW` lock that key out for `LOCKOUT`. Shared by every HTTP worker.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed within [`WINDOW`].
pub const MAX_FAILURES: usize = 5;
/// The counting window.
pub const WINDOW: Duration = Duration::from_secs(5 * 60);
/// How long a key stays locked.
pub const LOCKOUT: Duration = Duration::from_secs(90);

#[derive(Debug, Default)]
struct Entry {
    failures: VecDeque<Instant>,
    locked_until: Option<Instant>,
}

/// The table of keys (`device:…`, `ip:…`).
#[derive(Debug, Default)]
pub struct Lockouts {
    entries: Mutex<HashMap<String, Entry>>,
}

impl Lockouts {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, Entry>) -> T) -> T {
        let mut guard = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }

    /// Whether any of `keys` is locked at `now`.
    pub fn locked(&self, keys: &[String], now: Instant) -> bool {
        self.with(|m| {
            keys.iter().any(|k| {
                m.get(k)
                    .and_then(|e| e.locked_until)
                    .is_some_and(|t| now < t)
            })
        })
    }

    /// Counts a failure for each key; returns whether one became locked.
    pub fn fail(&self, keys: &[String], now: Instant) -> bool {
        self.with(|m| {
            if m.len() > 10_000 {
                // Bound memory under a flood: forget entries that are neither locked nor recent.
                m.retain(|_, e| {
                    e.locked_until.is_some_and(|t| now < t)
                        || e.failures
                            .back()
                            .is_some_and(|&t| now.duration_since(t) < WINDOW)
                });
            }
            let mut locked = false;
            for k in keys {
                let e = m.entry(k.clone()).or_default();
                e.failures.push_back(now);
                while e
                    .failures
                    .front()
                    .is_some_and(|&t| now.duration_since(t) > WINDOW)
                {
                    e.failures.pop_front();
                }
                if e.failures.len() >= MAX_FAILURES {
                    e.failures.clear();
                    e.locked_until = Some(now + LOCKOUT);
                    locked = true;
                }
            }
            locked
        })
    }

    /// A success clears the keys' failures.
    pub fn succeed(&self, keys: &[String]) {
        self.with(|m| {
            for k in keys {
                m.remove(k);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_for_90_seconds() {
        let l = Lockouts::default();
        let keys = vec!["ip:1.2.3.4".to_owned()];
        let t0 = Instant::now();
        for i in 0..4 {
            assert!(!l.fail(&keys, t0 + Duration::from_secs(i)));
        }
        assert!(l.fail(&keys, t0 + Duration::from_secs(4)));
        assert!(l.locked(&keys, t0 + Duration::from_secs(60)));
        assert!(!l.locked(&keys, t0 + Duration::from_secs(95)));
        assert!(
            !l.locked(&["ip:5.6.7.8".to_owned()], t0 + Duration::from_secs(60)),
            "per key"
        );
    }
}
