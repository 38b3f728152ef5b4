//! `argus_outbox`: notifications waiting to be delivered, one row per
//! (event, channel, recipient slot). Queueing is idempotent by `key`, so the
//! monitor may queue an event again after a restart without doubling it.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::argus_outbox;

/// A row of `argus_outbox`. `Debug` hides the recipient and the body.
#[derive(Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = argus_outbox, check_for_backend(diesel::pg::Pg))]
pub struct OutboxRow {
    pub id: i64,
    pub key: String,
    pub kind: String,
    pub channel: String,
    pub slot: i32,
    pub recipient: String,
    pub body: String,
    pub state: String,
    pub attempts: i32,
    pub next_attempt: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created: DateTime<Utc>,
    pub sent: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for OutboxRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxRow")
            .field("id", &self.id)
            .field("key", &self.key)
            .field("state", &self.state)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// A message to queue.
#[derive(Clone, Insertable)]
#[diesel(table_name = argus_outbox)]
pub struct NewOutbox<'a> {
    pub key: &'a str,
    pub kind: &'a str,
    pub channel: &'a str,
    pub slot: i32,
    pub recipient: &'a str,
    pub body: &'a str,
}

impl OutboxRow {
    /// Queues `rows`; a key already queued is left as it is. Returns how many
    /// were new.
    pub fn enqueue(conn: &mut PgConnection, rows: &[NewOutbox<'_>]) -> QueryResult<usize> {
        diesel::insert_into(argus_outbox::table)
            .values(rows)
            .on_conflict(argus_outbox::key)
            .do_nothing()
            .execute(conn)
    }

    /// Pending rows of `channels` whose attempt is due at `now`, oldest
    /// first (queue order within one instant: call 1 before call 2).
    pub fn due(
        conn: &mut PgConnection,
        channels: &[&str],
        now: DateTime<Utc>,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        argus_outbox::table
            .filter(argus_outbox::state.eq("pending"))
            .filter(argus_outbox::channel.eq_any(channels))
            .filter(argus_outbox::next_attempt.le(now))
            .order((argus_outbox::next_attempt, argus_outbox::id))
            .limit(limit)
            .select(Self::as_select())
            .load(conn)
    }

    /// When the next pending row of `channels` is due.
    pub fn next_due(
        conn: &mut PgConnection,
        channels: &[&str],
    ) -> QueryResult<Option<DateTime<Utc>>> {
        argus_outbox::table
            .filter(argus_outbox::state.eq("pending"))
            .filter(argus_outbox::channel.eq_any(channels))
            .select(diesel::dsl::min(argus_outbox::next_attempt))
            .first(conn)
    }

    /// Rows waiting (pending) in all.
    pub fn backlog(conn: &mut PgConnection) -> QueryResult<i64> {
        argus_outbox::table
            .filter(argus_outbox::state.eq("pending"))
            .count()
            .get_result(conn)
    }

    /// Someone acknowledged the call `answered`: the event's other pending
    /// calls are `skipped`. Returns how many.
    pub fn skip_other_calls(conn: &mut PgConnection, answered: &Self) -> QueryResult<usize> {
        diesel::update(
            argus_outbox::table
                .filter(argus_outbox::state.eq("pending"))
                .filter(argus_outbox::channel.eq("call"))
                .filter(argus_outbox::kind.eq(&answered.kind))
                .filter(argus_outbox::key.like(format!("{}%", answered.event_prefix())))
                .filter(argus_outbox::id.ne(answered.id)),
        )
        .set(argus_outbox::state.eq("skipped"))
        .execute(conn)
    }

    /// `<event>:<kind>:`, the part of the key every delivery of one event shares.
    pub fn event_prefix(&self) -> &str {
        match self.key.rfind(':') {
            Some(i) => &self.key[..=i],
            None => &self.key,
        }
    }

    /// Delivered at `time`.
    pub fn mark_sent(conn: &mut PgConnection, id: i64, time: DateTime<Utc>) -> QueryResult<()> {
        diesel::update(argus_outbox::table.find(id))
            .set((
                argus_outbox::state.eq("sent"),
                argus_outbox::sent.eq(Some(time)),
                argus_outbox::attempts.eq(argus_outbox::attempts + 1),
            ))
            .execute(conn)
            .map(drop)
    }

    /// An attempt at `now` failed with `error`: tried again at `retry`, or
    /// given up (`failed`) when `retry` is `None`.
    pub fn mark_attempt_failed(
        conn: &mut PgConnection,
        id: i64,
        error: &str,
        now: DateTime<Utc>,
        retry: Option<DateTime<Utc>>,
    ) -> QueryResult<()> {
        let state = if retry.is_some() { "pending" } else { "failed" };
        diesel::update(argus_outbox::table.find(id))
            .set((
                argus_outbox::state.eq(state),
                argus_outbox::attempts.eq(argus_outbox::attempts + 1),
                argus_outbox::last_error.eq(Some(error)),
                argus_outbox::next_attempt.eq(retry.unwrap_or(now)),
            ))
            .execute(conn)
            .map(drop)
    }
}
