//! Who exists and with which role, for the token guards: tokens are
//! stateless, so without this a deleted user's device and (endlessly
//! renewed) user tokens would keep working, and a demoted admin would keep
//! admin rights (ArPI behaved so). A snapshot of `user` (id, name, role) is
//! refreshed when older than [`FRESH`] or after a user write; if PostgreSQL
//! is unreachable the last snapshot stands, and with none the signature
//! alone decides, so the alarm can still be disarmed from the app. With
//! several server instances on one database, [`listen`] drops the snapshot
//! whenever PostgreSQL says `user` changed (`NOTIFY argus_users`, sent by a
//! trigger whoever writes), so a user deleted or demoted through one
//! instance is refused or limited by the others at once.

use argus_db::schema::user;
use diesel::prelude::*;
use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use crate::store::query;
use argus_db::DbPool;

/// How old a snapshot may be (the fallback when notifications are lost).
pub const FRESH: Duration = Duration::from_secs(60);
/// How often the listener looks for notifications (a non-blocking read).
const LISTEN_EVERY: Duration = Duration::from_millis(100);

/// A user as the guards see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// `user.name`.
    pub name: String,
    /// `user.role`.
    pub role: String,
}

/// What the directory knows about an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The user exists.
    Known(Person),
    /// No such user.
    Unknown,
    /// The database could not be asked and no snapshot exists.
    Unavailable,
}

#[derive(Debug)]
struct Snapshot {
    at: Instant,
    users: HashMap<i64, Person>,
}

/// The cached `user` table.
#[derive(Debug, Default)]
pub struct Directory {
    snapshot: RwLock<Option<Snapshot>>,
    /// Held while one request refreshes, so a stale snapshot costs one query,
    /// not one per request arriving meanwhile.
    refreshing: tokio::sync::Mutex<()>,
}

impl Directory {
    fn read<T>(&self, f: impl FnOnce(&Option<Snapshot>) -> T) -> T {
        f(&self
            .snapshot
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    fn fresh(&self, now: Instant) -> bool {
        self.read(|s| s.as_ref().is_some_and(|s| now.duration_since(s.at) < FRESH))
    }

    /// Forgets the snapshot (after a user was created, changed or deleted).
    pub fn invalidate(&self) {
        let mut guard = self
            .snapshot
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(s) = guard.as_mut() {
            s.at = Instant::now().checked_sub(FRESH).unwrap_or(s.at);
        }
    }

    /// Replaces the snapshot.
    pub fn store(&self, users: HashMap<i64, Person>, at: Instant) {
        *self
            .snapshot
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Snapshot { at, users });
    }

    fn get(&self, id: i64) -> Lookup {
        self.read(|s| match s {
            None => Lookup::Unavailable,
            Some(s) => s
                .users
                .get(&id)
                .cloned()
                .map_or(Lookup::Unknown, Lookup::Known),
        })
    }

    /// The user `id`, refreshing the snapshot first if it is stale. While
    /// another request refreshes, the current snapshot answers (or, with none
    /// yet, this request waits for the refresh).
    pub async fn lookup(&self, db: &DbPool, id: i64) -> Lookup {
        let now = Instant::now();
        if !self.fresh(now) {
            let has_snapshot = self.read(Option::is_some);
            let guard = match self.refreshing.try_lock() {
                Ok(guard) => Some(guard),
                Err(_) if has_snapshot => None,
                Err(_) => Some(self.refreshing.lock().await),
            };
            if guard.is_some() && !self.fresh(now) {
                self.refresh(db, now).await;
            }
        }
        self.get(id)
    }

    async fn refresh(&self, db: &DbPool, now: Instant) {
        let loaded = query(db, |conn| {
            user::table
                .select((user::id, user::name, user::role))
                .load::<(i32, String, String)>(conn)
        })
        .await;
        match loaded {
            Ok(rows) => self.store(
                rows.into_iter()
                    .map(|(id, name, role)| (i64::from(id), Person { name, role }))
                    .collect(),
                now,
            ),
            Err(e) => tracing::warn!(error = %e, "user directory not refreshed"),
        }
    }
}

/// Listens for `argus_users` on its own connection to `url`, for the
/// process's life, calling `invalidate` on each notification (and on every
/// reconnect, since notifications may have been missed meanwhile).
pub fn listen(url: String, invalidate: impl Fn() + Send + 'static) {
    std::thread::spawn(move || loop {
        match PgConnection::establish(&url) {
            Ok(mut conn) => {
                if diesel::sql_query("LISTEN argus_users")
                    .execute(&mut conn)
                    .is_ok()
                {
                    invalidate();
                    wait_for_changes(&mut conn, &invalidate);
                }
            }
            Err(e) => tracing::debug!(error = %e, "user notifications: no connection yet"),
        }
        std::thread::sleep(Duration::from_secs(2));
    });
}

/// Until the connection breaks.
fn wait_for_changes(conn: &mut PgConnection, invalidate: &dyn Fn()) {
    loop {
        let mut changed = false;
        for notification in conn.notifications_iter() {
            match notification {
                Ok(_) => changed = true,
                Err(e) => {
                    tracing::debug!(error = %e, "user notifications: connection lost");
                    return;
                }
            }
        }
        if changed {
            invalidate();
        }
        std::thread::sleep(LISTEN_EVERY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_follow_the_snapshot_and_invalidation_makes_it_stale() {
        let d = Directory::default();
        assert_eq!(d.get(1), Lookup::Unavailable);
        let t0 = Instant::now();
        let admin = Person {
            name: "a".into(),
            role: "admin".into(),
        };
        d.store(HashMap::from([(1, admin.clone())]), t0);
        assert_eq!(d.get(1), Lookup::Known(admin));
        assert_eq!(d.get(2), Lookup::Unknown);
        assert!(d.fresh(t0));
        assert!(!d.fresh(t0 + FRESH));
        d.invalidate();
        assert!(!d.fresh(Instant::now()));
    }
}
