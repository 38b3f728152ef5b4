//! The one lock-out policy of every PIN and code entry point (REST login,
//! PIN changes, registration codes, the keypad, later SMS and MQTT codes).
//! Pure: the caller passes the time, so each process keeps its own table and
//! tests drive the clock.
//!
//! An attempt names what it can prove about who is trying: the target user,
//! the device (from a verified token's claims, never the raw string), the
//! client address (only when it is trustworthy) or the keypad. Every named
//! counter is charged *before* the check runs, so parallel guesses cannot
//! outrun it; a success gives back its own charge and clears only the
//! counters it proves (the user's and the device's), never the address's.
//! After [`Policy::free`] failures a counter locks for `base`, doubling with
//! each further failure up to `cap`, and forgets after `forget` without one.
//! A device that has logged in as a user before is held only by its own
//! counter, not by the user's or the address's, so an attacker's failures
//! cannot lock the owner's own devices out; a copy of the owner's very token
//! shares its counter, and then the keypad or an administrator lets them in.
//!
//! The steps ([`Policy::charge`], [`Policy::give_back`]) work on counters of
//! any clock ([`Moment`]): [`Lockouts`] keeps them in memory on [`Instant`]s,
//! the server keeps them in PostgreSQL on the database's clock
//! ([`EpochMillis`]) so that every instance sees the same attempts.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Entries kept before forgotten ones are swept (bounds memory under a flood).
const MAX_ENTRIES: usize = 10_000;

/// What a counter counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Key {
    /// Attempts at one user's PIN, from anywhere.
    User(i32),
    /// One device (a digest of its verified claims).
    Device(String),
    /// One client address (only a trustworthy one).
    Address(IpAddr),
    /// One keypad.
    Keypad(i32),
}

impl Key {
    /// The stored form: `(kind, id)` as text, the kind named as in JSON.
    pub fn to_parts(&self) -> (&'static str, String) {
        match self {
            Self::User(u) => ("user", u.to_string()),
            Self::Device(d) => ("device", d.clone()),
            Self::Address(a) => ("address", a.to_string()),
            Self::Keypad(k) => ("keypad", k.to_string()),
        }
    }

    /// Reads [`Self::to_parts`] back (`None` for what it never wrote).
    pub fn from_parts(kind: &str, id: &str) -> Option<Self> {
        Some(match kind {
            "user" => Self::User(id.parse().ok()?),
            "device" => Self::Device(id.to_owned()),
            "address" => Self::Address(id.parse().ok()?),
            "keypad" => Self::Keypad(id.parse().ok()?),
            _ => return None,
        })
    }
}

/// The counters an attempt charges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attempt {
    /// The user whose PIN is tried, when known beforehand.
    pub user: Option<i32>,
    /// The device.
    pub device: Option<String>,
    /// The client address.
    pub address: Option<IpAddr>,
    /// The keypad.
    pub keypad: Option<i32>,
}

impl Attempt {
    /// Every counter this attempt names (a success touches them all).
    pub fn named(&self) -> Vec<Key> {
        let mut keys = Vec::with_capacity(4);
        keys.extend(self.user.map(Key::User));
        keys.extend(self.device.clone().map(Key::Device));
        keys.extend(self.address.map(Key::Address));
        keys.extend(self.keypad.map(Key::Keypad));
        keys
    }

    /// The device is one this user has logged in from: the user's and the
    /// address's counters do not hold it (its own counter still does).
    fn known(&self, known: &HashSet<(i32, String)>) -> bool {
        self.proves().is_some_and(|pair| known.contains(&pair))
    }

    /// The (user, device) pair a success makes known.
    pub fn proves(&self) -> Option<(i32, String)> {
        Some((self.user?, self.device.clone()?))
    }

    /// The counters this attempt charges, `known` when [`Self::proves`]'s
    /// pair has logged in before.
    pub fn charged(&self, known: bool) -> Vec<Key> {
        let mut keys = self.named();
        if known {
            keys.retain(|k| !matches!(k, Key::User(_) | Key::Address(_)));
        }
        keys
    }
}

/// A point on the clock counters are kept on.
pub trait Moment: Copy + Ord {
    /// `d` later.
    fn after(self, d: Duration) -> Self;
    /// How long after `earlier` (zero when it is not later).
    fn since(self, earlier: Self) -> Duration;
}

impl Moment for Instant {
    fn after(self, d: Duration) -> Self {
        self + d
    }
    fn since(self, earlier: Self) -> Duration {
        self.saturating_duration_since(earlier)
    }
}

/// Milliseconds since the Unix epoch, as a shared clock tells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct EpochMillis(pub i64);

impl Moment for EpochMillis {
    fn after(self, d: Duration) -> Self {
        Self(
            self.0
                .saturating_add(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        )
    }
    fn since(self, earlier: Self) -> Duration {
        Duration::from_millis(u64::try_from(self.0.saturating_sub(earlier.0)).unwrap_or(0))
    }
}

/// One counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counter<T> {
    /// Failures counted.
    pub failures: u32,
    /// The last failure.
    pub last: T,
    /// Refuses attempts until then.
    pub locked_until: Option<T>,
}

impl<T: Moment> Counter<T> {
    /// Seconds until it accepts attempts again at `now` (0: not locked).
    pub fn locked_for(&self, now: T) -> u64 {
        self.locked_until.map_or(0, |t| t.since(now).as_secs())
    }
}

/// The numbers of the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures before the first lock.
    pub free: u32,
    /// The first lock.
    pub base: Duration,
    /// The longest lock.
    pub cap: Duration,
    /// A counter without a failure for this long starts again from zero.
    pub forget: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            free: 5,
            base: Duration::from_secs(30),
            cap: Duration::from_secs(15 * 60),
            forget: Duration::from_secs(24 * 60 * 60),
        }
    }
}

impl Policy {
    /// How long `failures` failures lock a counter (none below `free`).
    pub fn lock_for(&self, failures: u32) -> Option<Duration> {
        let beyond = failures.checked_sub(self.free)?;
        let factor = 1u32.checked_shl(beyond.min(31)).unwrap_or(u32::MAX);
        Some(self.base.saturating_mul(factor).min(self.cap))
    }

    /// Charges an attempt's counters (`(key, counter or none yet)`, from
    /// [`Attempt::charged`]), or refuses it without a charge while one of
    /// them is locked.
    pub fn charge<T: Moment>(&self, counters: &mut [(Key, Option<Counter<T>>)], now: T) -> Verdict {
        for (key, counter) in counters.iter() {
            if let Some(until) = counter.and_then(|c| c.locked_until) {
                if now < until {
                    return Verdict::Locked {
                        key: key.clone(),
                        retry_after: until.since(now),
                    };
                }
            }
        }
        let mut locked = Vec::new();
        for (key, counter) in counters.iter_mut() {
            let c = counter.get_or_insert(Counter {
                failures: 0,
                last: now,
                locked_until: None,
            });
            if now.since(c.last) >= self.forget {
                c.failures = 0;
            }
            c.failures = c.failures.saturating_add(1);
            c.last = now;
            if let Some(d) = self.lock_for(c.failures) {
                c.locked_until = Some(now.after(d));
                locked.push(key.clone());
            }
        }
        Verdict::Allowed { locked }
    }

    /// What a success leaves of `key`'s counter: the user's, the device's
    /// and the keypad's are cleared (the PIN proves them, `None`), the
    /// address's gives back this attempt's charge only.
    pub fn give_back<T: Moment>(&self, key: &Key, counter: Counter<T>) -> Option<Counter<T>> {
        match key {
            Key::User(_) | Key::Device(_) | Key::Keypad(_) => None,
            Key::Address(_) => {
                let mut c = counter;
                c.failures = c.failures.saturating_sub(1);
                if self.lock_for(c.failures).is_none() {
                    c.locked_until = None;
                }
                Some(c)
            }
        }
    }
}

type Entry = Counter<Instant>;

/// Counters as an administrator sees them at `now`: those with a failure,
/// locked ones first.
pub fn views<T: Moment>(
    counters: impl IntoIterator<Item = (Key, Counter<T>)>,
    now: T,
) -> Vec<LockoutView> {
    let mut views: Vec<LockoutView> = counters
        .into_iter()
        .filter(|(_, c)| c.failures > 0)
        .map(|(key, c)| LockoutView {
            key,
            failures: c.failures,
            locked_for: c.locked_for(now),
        })
        .collect();
    views.sort_by(|a, b| b.locked_for.cmp(&a.locked_for).then(a.key.cmp(&b.key)));
    views
}

/// The answer to an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Check the PIN; report the outcome with [`Lockouts::succeeded`] (a
    /// failure needs no report: it is already counted).
    Allowed {
        /// Counters this attempt's charge locked (a `lockout` event each).
        locked: Vec<Key>,
    },
    /// Refused without checking.
    Locked {
        /// The counter that refused.
        key: Key,
        /// How long until it accepts an attempt again.
        retry_after: Duration,
    },
}

impl Verdict {
    /// Whether the PIN may be checked.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Self::Allowed { .. })
    }
}

/// One counter as an administrator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockoutView {
    /// What it counts.
    #[serde(flatten)]
    pub key: Key,
    /// Failures counted.
    pub failures: u32,
    /// Seconds until it accepts attempts again (0: not locked).
    pub locked_for: u64,
}

/// A process's counters.
#[derive(Debug, Default)]
pub struct Lockouts {
    policy: Policy,
    entries: HashMap<Key, Entry>,
    known: HashSet<(i32, String)>,
}

impl Lockouts {
    /// Counters under `policy`.
    pub fn new(policy: Policy) -> Self {
        Self {
            policy,
            ..Self::default()
        }
    }

    /// Charges `attempt`'s counters, or refuses it while one is locked.
    pub fn attempt(&mut self, attempt: &Attempt, now: Instant) -> Verdict {
        self.sweep(now);
        let mut counters: Vec<(Key, Option<Entry>)> = attempt
            .charged(attempt.known(&self.known))
            .into_iter()
            .map(|k| {
                let c = self.entries.get(&k).copied();
                (k, c)
            })
            .collect();
        let verdict = self.policy.charge(&mut counters, now);
        if let Verdict::Allowed { .. } = verdict {
            for (key, c) in counters {
                self.entries.extend(c.map(|c| (key, c)));
            }
        }
        verdict
    }

    /// The attempt was right: its own charge is given back everywhere, the
    /// user's and the device's counters are cleared (the PIN proves them),
    /// and the device becomes one the user is known to log in from.
    pub fn succeeded(&mut self, attempt: &Attempt) {
        for key in attempt.named() {
            let Some(c) = self.entries.remove(&key) else {
                continue;
            };
            self.entries
                .extend(self.policy.give_back(&key, c).map(|c| (key, c)));
        }
        if let Some(pair) = attempt.proves() {
            if self.known.len() >= MAX_ENTRIES {
                self.known.clear();
            }
            self.known.insert(pair);
        }
    }

    /// Every counter with a failure, locked ones first.
    pub fn list(&self, now: Instant) -> Vec<LockoutView> {
        views(self.entries.iter().map(|(k, c)| (k.clone(), *c)), now)
    }

    /// Clears the counters `filter` accepts; returns how many.
    pub fn clear(&mut self, filter: impl Fn(&Key) -> bool) -> usize {
        let before = self.entries.len();
        self.entries.retain(|k, _| !filter(k));
        before - self.entries.len()
    }

    fn sweep(&mut self, now: Instant) {
        if self.entries.len() < MAX_ENTRIES {
            return;
        }
        let forget = self.policy.forget;
        self.entries.retain(|_, e| {
            e.locked_until.is_some_and(|t| now < t)
                || now.saturating_duration_since(e.last) < forget.min(Duration::from_secs(3600))
        });
        if self.entries.len() >= MAX_ENTRIES {
            // Still full of live counters: drop the unlocked ones.
            self.entries
                .retain(|_, e| e.locked_until.is_some_and(|t| now < t));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(user: i32, device: &str, address: &str) -> Attempt {
        Attempt {
            user: Some(user),
            device: Some(device.into()),
            address: Some(address.parse().unwrap()),
            keypad: None,
        }
    }

    #[test]
    fn five_free_failures_then_a_doubling_lock_up_to_the_cap() {
        let p = Policy::default();
        assert_eq!(p.lock_for(4), None);
        assert_eq!(p.lock_for(5), Some(Duration::from_secs(30)));
        assert_eq!(p.lock_for(6), Some(Duration::from_secs(60)));
        assert_eq!(p.lock_for(9), Some(Duration::from_secs(480)));
        assert_eq!(p.lock_for(10), Some(Duration::from_secs(900)));
        assert_eq!(p.lock_for(u32::MAX), Some(Duration::from_secs(900)));

        let mut l = Lockouts::default();
        let t0 = Instant::now();
        let a = login(1, "d", "10.0.0.1");
        for _ in 0..4 {
            assert_eq!(l.attempt(&a, t0), Verdict::Allowed { locked: vec![] });
        }
        let Verdict::Allowed { locked } = l.attempt(&a, t0) else {
            panic!("the fifth is checked")
        };
        assert_eq!(locked.len(), 3, "user, device and address lock together");
        assert!(!l.attempt(&a, t0 + Duration::from_secs(29)).is_allowed());
        assert!(l.attempt(&a, t0 + Duration::from_secs(30)).is_allowed());
        assert!(!l.attempt(&a, t0 + Duration::from_secs(89)).is_allowed());
        assert!(l.attempt(&a, t0 + Duration::from_secs(90)).is_allowed());
    }

    #[test]
    fn parallel_attempts_are_charged_before_any_is_checked() {
        let mut l = Lockouts::default();
        let t0 = Instant::now();
        let checked = (0..50)
            .filter(|i| {
                l.attempt(&login(1, &format!("d{i}"), "10.0.0.1"), t0)
                    .is_allowed()
            })
            .count();
        assert_eq!(checked, 5, "the user's counter bounds them");
    }

    #[test]
    fn success_clears_what_it_proves_and_not_the_address() {
        let mut l = Lockouts::default();
        let t0 = Instant::now();
        for _ in 0..4 {
            l.attempt(&login(2, "attacker", "10.0.0.1"), t0);
        }
        let owner = login(1, "owner", "10.0.0.1");
        assert!(l.attempt(&owner, t0).is_allowed());
        l.succeeded(&owner);
        // The owner's success gave back its own charge but kept the attacker's four.
        let view = l.list(t0);
        let address = view
            .iter()
            .find(|v| matches!(v.key, Key::Address(_)))
            .unwrap();
        assert_eq!(address.failures, 4);
        assert!(!view.iter().any(|v| v.key == Key::User(1)));
        assert!(l
            .attempt(&login(2, "attacker", "10.0.0.1"), t0)
            .is_allowed());
        assert!(
            !l.attempt(&login(2, "attacker", "10.0.0.1"), t0)
                .is_allowed(),
            "five from the address"
        );
    }

    #[test]
    fn an_attacker_cannot_lock_the_owners_known_device_out() {
        let mut l = Lockouts::default();
        let t0 = Instant::now();
        let owner = Attempt {
            user: Some(1),
            device: Some("phone".into()),
            address: None,
            keypad: None,
        };
        assert!(l.attempt(&owner, t0).is_allowed());
        l.succeeded(&owner);
        for i in 0..20 {
            l.attempt(&login(1, "stolen", &format!("10.0.1.{i}")), t0);
        }
        assert!(!l.attempt(&login(1, "other", "10.0.2.1"), t0).is_allowed());
        assert!(
            l.attempt(&owner, t0).is_allowed(),
            "the owner's phone still gets in"
        );
        // A stolen copy of the owner's own token shares its counter: the owner
        // then needs the keypad or an administrator.
        for _ in 0..5 {
            l.attempt(&owner, t0);
        }
        assert!(!l.attempt(&owner, t0).is_allowed());
        assert_eq!(l.clear(|k| *k == Key::Device("phone".into())), 1);
        assert!(l.attempt(&owner, t0).is_allowed());
    }

    #[test]
    fn counters_forget_and_memory_stays_bounded() {
        let mut l = Lockouts::default();
        let t0 = Instant::now();
        let a = login(1, "d", "10.0.0.1");
        for _ in 0..4 {
            l.attempt(&a, t0);
        }
        let later = t0 + Duration::from_secs(24 * 3600);
        l.attempt(&a, later);
        assert!(l.list(later).iter().all(|v| v.failures == 1));
        for i in 0..(MAX_ENTRIES as u32 + 10) {
            l.attempt(
                &Attempt {
                    device: Some(format!("flood{i}")),
                    ..Attempt::default()
                },
                later + Duration::from_secs(2 * 3600),
            );
        }
        assert!(l.entries.len() <= MAX_ENTRIES);
    }

    fn keypad(id: i32) -> Attempt {
        Attempt {
            keypad: Some(id),
            ..Attempt::default()
        }
    }

    fn keypads(l: &Lockouts, now: Instant) -> Vec<i32> {
        let mut ids: Vec<i32> = l
            .list(now)
            .iter()
            .filter_map(|v| match v.key {
                Key::Keypad(id) => Some(id),
                _ => None,
            })
            .collect();
        ids.sort_unstable();
        ids
    }

    const MIN: Duration = Duration::from_secs(60);

    /// Counters whose first failure is free and whose second locks for `lock`.
    fn second_failure_locks_for(lock: Duration) -> Lockouts {
        Lockouts::new(Policy {
            free: 2,
            base: lock,
            cap: lock,
            forget: Duration::from_secs(24 * 3600),
        })
    }

    #[test]
    fn a_full_table_forgets_stale_counters_first_and_keeps_locked_and_recent_ones() {
        let mut l = second_failure_locks_for(120 * MIN);
        let t0 = Instant::now();
        let sweep_at = t0 + 120 * MIN;
        for id in 1000..(1000 + MAX_ENTRIES as i32 - 5) {
            l.attempt(&keypad(id), t0); // stale by the sweep
        }
        l.attempt(&keypad(1), t0);
        l.attempt(&keypad(1), t0); // locked until exactly the sweep: then free
        l.attempt(&keypad(2), t0 + 30 * MIN);
        l.attempt(&keypad(2), t0 + 30 * MIN); // locked past the sweep
        l.attempt(&keypad(3), sweep_at - 10 * MIN); // recent
        l.attempt(&keypad(4), sweep_at - 60 * MIN); // exactly an hour old: stale
        l.attempt(&keypad(5), sweep_at - 59 * MIN); // recent
        assert_eq!(l.entries.len(), MAX_ENTRIES);
        l.attempt(&keypad(6), sweep_at);
        let kept = keypads(&l, sweep_at);
        assert!(kept.len() < 10, "{} counters kept", kept.len());
        assert_eq!(kept, [2, 3, 5, 6]);
    }

    #[test]
    fn a_table_full_of_live_counters_keeps_only_the_locked_ones() {
        let mut l = second_failure_locks_for(10 * MIN);
        let t0 = Instant::now();
        let sweep_at = t0 + 10 * MIN;
        l.attempt(&keypad(1), t0);
        l.attempt(&keypad(1), t0); // locked until exactly the sweep
        l.attempt(&keypad(2), t0 + MIN);
        l.attempt(&keypad(2), t0 + MIN); // still locked then
        for id in 1000..(1000 + MAX_ENTRIES as i32 - 2) {
            l.attempt(&keypad(id), t0 + MIN); // recent, unlocked
        }
        assert_eq!(l.entries.len(), MAX_ENTRIES);
        l.attempt(&keypad(3), sweep_at);
        let kept = keypads(&l, sweep_at);
        assert!(kept.len() < 10, "{} counters kept", kept.len());
        assert_eq!(kept, [2, 3]);
    }

    #[test]
    fn a_table_below_its_bound_forgets_only_after_the_forget_time() {
        let mut l = Lockouts::default();
        let t0 = Instant::now();
        for _ in 0..5 {
            l.attempt(&keypad(1), t0);
        }
        let later = t0 + 120 * MIN;
        l.attempt(&keypad(1), later);
        assert!(
            !l.attempt(&keypad(1), later).is_allowed(),
            "two hours later the sixth failure still counts, and locks"
        );
    }

    #[test]
    fn clearing_counts_what_it_cleared() {
        let mut l = Lockouts::default();
        let t0 = Instant::now();
        for id in 1..=3 {
            l.attempt(&keypad(id), t0);
        }
        assert_eq!(l.clear(|k| *k != Key::Keypad(1)), 2);
        assert_eq!(keypads(&l, t0), [1]);
    }

    #[test]
    fn every_owner_keeps_their_known_device() {
        let mut l = Lockouts::default();
        let t0 = Instant::now();
        let phone = |user: i32, device: &str| Attempt {
            user: Some(user),
            device: Some(device.into()),
            address: None,
            keypad: None,
        };
        for (user, device) in [(1, "alice"), (2, "bob")] {
            assert!(l.attempt(&phone(user, device), t0).is_allowed());
            l.succeeded(&phone(user, device));
        }
        for i in 0..20 {
            l.attempt(&login(1, "stolen", &format!("10.0.1.{i}")), t0);
        }
        assert!(
            l.attempt(&phone(1, "alice"), t0).is_allowed(),
            "the first owner's device is still known after the second logged in"
        );
    }
}
