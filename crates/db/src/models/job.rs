//! `argus_job`: the durable job queue (intake processing, outbound sends).
//! A worker claims due rows with `FOR UPDATE SKIP LOCKED` and a lease, so two
//! workers never take the same job and a crashed worker's job is claimed
//! again when its lease ends. Every failed attempt is kept in
//! `argus_job_error` for the API.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamptz};

use crate::schema::{argus_job, argus_job_error};

/// A row of `argus_job`.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName, Queryable, Selectable)]
#[diesel(table_name = argus_job, check_for_backend(diesel::pg::Pg))]
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub state: String,
    pub attempts: i32,
    pub run_after: DateTime<Utc>,
    pub leased_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created: DateTime<Utc>,
    pub finished: Option<DateTime<Utc>>,
}

/// A failed attempt.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = argus_job_error, check_for_backend(diesel::pg::Pg))]
pub struct JobErrorRow {
    pub id: i64,
    pub job_id: i64,
    pub kind: String,
    pub attempt: i32,
    pub error: String,
    pub time: DateTime<Utc>,
}

impl JobRow {
    /// Queues a job; its id.
    pub fn enqueue(conn: &mut PgConnection, kind: &str, payload: &str) -> QueryResult<i64> {
        diesel::insert_into(argus_job::table)
            .values((argus_job::kind.eq(kind), argus_job::payload.eq(payload)))
            .returning(argus_job::id)
            .get_result(conn)
    }

    /// Claims up to `limit` due jobs (new and due, or processing with a lease
    /// that ended) for `lease_ms`, oldest first.
    pub fn claim(
        conn: &mut PgConnection,
        now: DateTime<Utc>,
        lease_ms: i64,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        diesel::sql_query(
            "UPDATE argus_job SET state = 'processing', attempts = attempts + 1, \
                 leased_until = $1 + make_interval(secs => $2::float8 / 1000) \
             WHERE id IN (SELECT id FROM argus_job \
                 WHERE (state = 'new' AND run_after <= $1) \
                    OR (state = 'processing' AND leased_until < $1) \
                 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) \
             RETURNING *",
        )
        .bind::<Timestamptz, _>(now)
        .bind::<BigInt, _>(lease_ms)
        .bind::<BigInt, _>(limit)
        .load(conn)
    }

    /// Marks claimed jobs done, in one statement (one commit for a batch).
    pub fn done(conn: &mut PgConnection, ids: &[i64], now: DateTime<Utc>) -> QueryResult<()> {
        diesel::update(argus_job::table.filter(argus_job::id.eq_any(ids)))
            .set((
                argus_job::state.eq("done"),
                argus_job::finished.eq(now),
                argus_job::leased_until.eq(None::<DateTime<Utc>>),
            ))
            .execute(conn)
            .map(drop)
    }

    /// Records a failed attempt: again at `retry_at`, or `failed` when there
    /// is none.
    pub fn failed(
        conn: &mut PgConnection,
        job: &Self,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> QueryResult<()> {
        diesel::insert_into(argus_job_error::table)
            .values((
                argus_job_error::job_id.eq(job.id),
                argus_job_error::kind.eq(&job.kind),
                argus_job_error::attempt.eq(job.attempts),
                argus_job_error::error.eq(error),
                argus_job_error::time.eq(now),
            ))
            .execute(conn)?;
        let target = argus_job::table.find(job.id);
        let leased_until = argus_job::leased_until.eq(None::<DateTime<Utc>>);
        let last_error = argus_job::last_error.eq(error);
        match retry_at {
            Some(at) => diesel::update(target)
                .set((
                    argus_job::state.eq("new"),
                    argus_job::run_after.eq(at),
                    leased_until,
                    last_error,
                ))
                .execute(conn),
            None => diesel::update(target)
                .set((
                    argus_job::state.eq("failed"),
                    argus_job::finished.eq(now),
                    leased_until,
                    last_error,
                ))
                .execute(conn),
        }
        .map(drop)
    }

    /// Jobs not finished, and the oldest one's creation.
    pub fn backlog(conn: &mut PgConnection) -> QueryResult<(i64, Option<DateTime<Utc>>)> {
        argus_job::table
            .filter(argus_job::state.eq_any(["new", "processing"]))
            .select((
                diesel::dsl::count_star(),
                diesel::dsl::min(argus_job::created),
            ))
            .first(conn)
    }

    /// Forgets finished jobs: done ones finished before `done_before`,
    /// failed ones (with their errors) before `failed_before`. How many went.
    pub fn prune(
        conn: &mut PgConnection,
        done_before: DateTime<Utc>,
        failed_before: DateTime<Utc>,
    ) -> QueryResult<usize> {
        diesel::delete(
            argus_job::table.filter(
                (argus_job::state
                    .eq("done")
                    .and(argus_job::finished.lt(done_before)))
                .or(argus_job::state
                    .eq("failed")
                    .and(argus_job::finished.lt(failed_before))),
            ),
        )
        .execute(conn)
    }

    /// Vacuums the queue: a claim's index scan skips what a vacuum removed,
    /// and autovacuum's minute is thousands of jobs late under a flood.
    pub fn vacuum(conn: &mut PgConnection) -> QueryResult<()> {
        diesel::sql_query("VACUUM (ANALYZE) argus_job")
            .execute(conn)
            .map(drop)
    }

    /// When the next job is due (to sleep until then).
    pub fn next_due(conn: &mut PgConnection) -> QueryResult<Option<DateTime<Utc>>> {
        argus_job::table
            .filter(argus_job::state.eq("new"))
            .select(diesel::dsl::min(argus_job::run_after))
            .first(conn)
    }
}

impl JobErrorRow {
    /// The newest `limit` failed attempts.
    pub fn latest(conn: &mut PgConnection, limit: i64) -> QueryResult<Vec<Self>> {
        argus_job_error::table
            .order(argus_job_error::id.desc())
            .limit(limit)
            .select(Self::as_select())
            .load(conn)
    }
}
