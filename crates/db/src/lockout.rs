//! The lock-out counters in PostgreSQL (`argus_lockout`, `argus_lockout_known`),
//! so that every server instance on one database charges the same attempts.
//! The policy is [`argus_protocol::lockout`]'s; this module only loads the
//! counters an attempt names, locked for the transaction, and writes back
//! what the policy made of them. Time is the database's clock, shared by all.

use argus_protocol::lockout::{
    views, Attempt, Counter, EpochMillis, Key, LockoutView, Policy, Verdict,
};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Nullable, Text};
use std::time::Duration;

/// Known (user, device) pairs are forgotten after this long without a login.
const KNOWN_FOR: Duration = Duration::from_secs(400 * 24 * 3600);

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Integer)]
    failures: i32,
    #[diesel(sql_type = BigInt)]
    last_ms: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    locked_until_ms: Option<i64>,
}

impl Row {
    fn counter(&self) -> Option<(Key, Counter<EpochMillis>)> {
        Some((
            Key::from_parts(&self.kind, &self.id)?,
            Counter {
                failures: u32::try_from(self.failures).unwrap_or(0),
                last: EpochMillis(self.last_ms),
                locked_until: self.locked_until_ms.map(EpochMillis),
            },
        ))
    }
}

#[derive(QueryableByName)]
struct Now {
    #[diesel(sql_type = BigInt)]
    ms: i64,
}

/// The database's clock.
fn now(conn: &mut PgConnection) -> QueryResult<EpochMillis> {
    diesel::sql_query("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms")
        .get_result::<Now>(conn)
        .map(|n| EpochMillis(n.ms))
}

fn parts(keys: &[Key]) -> (Vec<String>, Vec<String>) {
    keys.iter()
        .map(|k| {
            let (kind, id) = k.to_parts();
            (kind.to_owned(), id)
        })
        .unzip()
}

/// The rows of `keys`, created when missing and locked until the
/// transaction ends; keys are taken in order so that two instances never
/// wait on each other in a circle.
fn lock(conn: &mut PgConnection, keys: &[Key], now: EpochMillis) -> QueryResult<Vec<Row>> {
    let (kinds, ids) = parts(keys);
    diesel::sql_query(
        "INSERT INTO argus_lockout (kind, id, last_ms) \
         SELECT k, i, $3 FROM unnest($1::text[], $2::text[]) AS t(k, i) ORDER BY k, i \
         ON CONFLICT (kind, id) DO UPDATE SET kind = EXCLUDED.kind \
         RETURNING kind, id, failures, last_ms, locked_until_ms",
    )
    .bind::<Array<Text>, _>(kinds)
    .bind::<Array<Text>, _>(ids)
    .bind::<BigInt, _>(now.0)
    .load(conn)
}

/// The existing rows of `keys`, locked until the transaction ends.
fn existing(conn: &mut PgConnection, keys: &[Key]) -> QueryResult<Vec<Row>> {
    let (kinds, ids) = parts(keys);
    diesel::sql_query(
        "SELECT kind, id, failures, last_ms, locked_until_ms FROM argus_lockout \
         WHERE (kind, id) IN (SELECT * FROM unnest($1::text[], $2::text[])) \
         ORDER BY kind, id FOR UPDATE",
    )
    .bind::<Array<Text>, _>(kinds)
    .bind::<Array<Text>, _>(ids)
    .load(conn)
}

fn write(conn: &mut PgConnection, counters: &[(Key, Counter<EpochMillis>)]) -> QueryResult<()> {
    if counters.is_empty() {
        return Ok(());
    }
    let keys: Vec<Key> = counters.iter().map(|(k, _)| k.clone()).collect();
    let (kinds, ids) = parts(&keys);
    let ms = |t: EpochMillis| t.0;
    diesel::sql_query(
        "UPDATE argus_lockout AS l SET failures = v.f, last_ms = v.l, locked_until_ms = v.u \
         FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::bigint[]) AS v(k, i, f, l, u) \
         WHERE l.kind = v.k AND l.id = v.i",
    )
    .bind::<Array<Text>, _>(kinds)
    .bind::<Array<Text>, _>(ids)
    .bind::<Array<Integer>, _>(
        counters
            .iter()
            .map(|(_, c)| i32::try_from(c.failures).unwrap_or(i32::MAX))
            .collect::<Vec<_>>(),
    )
    .bind::<Array<BigInt>, _>(counters.iter().map(|(_, c)| ms(c.last)).collect::<Vec<_>>())
    .bind::<Array<Nullable<BigInt>>, _>(
        counters
            .iter()
            .map(|(_, c)| c.locked_until.map(ms))
            .collect::<Vec<_>>(),
    )
    .execute(conn)
    .map(drop)
}

fn known(conn: &mut PgConnection, attempt: &Attempt) -> QueryResult<bool> {
    let Some((user, device)) = attempt.proves() else {
        return Ok(false);
    };
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        found: bool,
    }
    diesel::sql_query(
        "SELECT EXISTS (SELECT 1 FROM argus_lockout_known WHERE user_id = $1 AND device = $2) AS found",
    )
    .bind::<Integer, _>(user)
    .bind::<Text, _>(device)
    .get_result::<Found>(conn)
    .map(|f| f.found)
}

/// Charges `attempt`'s counters, or refuses it while one is locked
/// ([`Policy::charge`]), in one transaction.
pub fn attempt(
    conn: &mut PgConnection,
    policy: &Policy,
    attempt: &Attempt,
) -> QueryResult<Verdict> {
    conn.transaction(|conn| {
        let now = now(conn)?;
        let mut keys = attempt.charged(known(conn, attempt)?);
        keys.sort();
        keys.dedup();
        if keys.is_empty() {
            return Ok(Verdict::Allowed { locked: vec![] });
        }
        let mut counters: Vec<(Key, Option<Counter<EpochMillis>>)> = lock(conn, &keys, now)?
            .iter()
            .filter_map(Row::counter)
            .map(|(k, c)| (k, Some(c)))
            .collect();
        let verdict = policy.charge(&mut counters, now);
        if let Verdict::Allowed { .. } = verdict {
            let charged: Vec<_> = counters
                .into_iter()
                .filter_map(|(k, c)| Some((k, c?)))
                .collect();
            write(conn, &charged)?;
        }
        Ok(verdict)
    })
}

/// The attempt was right ([`Policy::give_back`] on each counter it names),
/// and its (user, device) pair becomes known.
pub fn succeeded(conn: &mut PgConnection, policy: &Policy, attempt: &Attempt) -> QueryResult<()> {
    conn.transaction(|conn| {
        let mut keys = attempt.named();
        keys.sort();
        keys.dedup();
        let mut kept = Vec::new();
        let mut gone = Vec::new();
        for (key, counter) in existing(conn, &keys)?.iter().filter_map(Row::counter) {
            match policy.give_back(&key, counter) {
                Some(c) => kept.push((key, c)),
                None => gone.push(key),
            }
        }
        write(conn, &kept)?;
        let (kinds, ids) = parts(&gone);
        diesel::sql_query(
            "DELETE FROM argus_lockout USING unnest($1::text[], $2::text[]) AS g(k, i) \
             WHERE kind = g.k AND id = g.i",
        )
        .bind::<Array<Text>, _>(kinds)
        .bind::<Array<Text>, _>(ids)
        .execute(conn)?;
        if let Some((user, device)) = attempt.proves() {
            diesel::sql_query(
                "INSERT INTO argus_lockout_known (user_id, device) VALUES ($1, $2) \
                 ON CONFLICT (user_id, device) DO UPDATE SET seen = now()",
            )
            .bind::<Integer, _>(user)
            .bind::<Text, _>(device)
            .execute(conn)?;
        }
        Ok(())
    })
}

/// Every counter with a failure, locked ones first.
pub fn list(conn: &mut PgConnection) -> QueryResult<Vec<LockoutView>> {
    let now = now(conn)?;
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT kind, id, failures, last_ms, locked_until_ms FROM argus_lockout WHERE failures > 0",
    )
    .load(conn)?;
    Ok(views(rows.iter().filter_map(Row::counter), now))
}

/// Clears every counter, or only user `user`'s and those of devices whose
/// key starts `"<user>:"`; returns how many had a failure.
pub fn clear(conn: &mut PgConnection, user: Option<i32>) -> QueryResult<usize> {
    let query = diesel::sql_query(
        "WITH gone AS (DELETE FROM argus_lockout WHERE $1::int IS NULL \
            OR (kind = 'user' AND id = $1::text) \
            OR (kind = 'device' AND starts_with(id, $1::text || ':')) \
         RETURNING failures) \
         SELECT count(*) AS ms FROM gone WHERE failures > 0",
    )
    .bind::<Nullable<Integer>, _>(user);
    query
        .get_result::<Now>(conn)
        .map(|n| usize::try_from(n.ms).unwrap_or(0))
}

/// Deletes counters that are neither locked nor charged within
/// `policy.forget`, and known pairs unused for over a year; returns how many
/// counters went.
pub fn prune(conn: &mut PgConnection, policy: &Policy) -> QueryResult<usize> {
    let now = now(conn)?;
    let forget = i64::try_from(policy.forget.as_millis()).unwrap_or(i64::MAX);
    let pruned = diesel::sql_query(
        "DELETE FROM argus_lockout WHERE coalesce(locked_until_ms, 0) <= $1 \
         AND (last_ms < $1 - $2 OR failures = 0)",
    )
    .bind::<BigInt, _>(now.0)
    .bind::<BigInt, _>(forget)
    .execute(conn)?;
    diesel::sql_query(
        "DELETE FROM argus_lockout_known WHERE seen < now() - $1 * interval '1 second'",
    )
    .bind::<BigInt, _>(i64::try_from(KNOWN_FOR.as_secs()).unwrap_or(i64::MAX))
    .execute(conn)?;
    Ok(pruned)
}
