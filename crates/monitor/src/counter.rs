//! A count that only grows, bumped with a relaxed atomic add: cheap enough
//! for hot paths, and importing nothing, so any layer (the database helper
//! as well as the runtime) can own one for `/metrics` to read.

use std::sync::atomic::{AtomicU64, Ordering};

/// A count that only grows.
#[derive(Debug)]
pub struct Count(AtomicU64);

impl Count {
    /// A count at zero, usable in a `static`.
    pub const fn new() -> Self {
        Self(AtomicU64::new(0))
    }

    /// Adds one.
    pub fn bump(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    /// The count so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

impl Default for Count {
    fn default() -> Self {
        Self::new()
    }
}
