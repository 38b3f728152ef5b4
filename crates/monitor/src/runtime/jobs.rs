//! The job queue's worker (`argus_job`): claims due jobs with a lease
//! (`FOR UPDATE SKIP LOCKED`, so several workers never share one, and a job
//! whose worker died is claimed again when its lease ends), hands each
//! kind's share of a claimed batch to its handler at once (so a handler
//! reads and journals a batch in one go), then marks the batch's successes
//! done in one write, and retries each failure with a doubling wait or fails
//! it for good with its error kept. Woken at once when the server says jobs
//! were queued; otherwise it looks every second. It also keeps the intake's
//! tables bounded over years: every ten minutes it forgets done jobs after a
//! week, failed ones (and their errors) and node changes after 30 days.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use argus_db::models::{JobRow, NodeEventRow};
use argus_db::DbPool;
use chrono::Utc;
use tokio::sync::Notify;

/// Jobs finished between two vacuums of the queue (each leaves two dead
/// rows that every claim would otherwise step over).
const VACUUM_AFTER: usize = 10_000;
/// How often finished jobs and old node changes are forgotten.
const PRUNE_EVERY: Duration = Duration::from_secs(600);
/// How long a done job is kept (its errors with it, for the API).
const KEEP_DONE: chrono::Duration = chrono::Duration::days(7);
/// How long a failed job and a node change are kept.
const KEEP_LONG: chrono::Duration = chrono::Duration::days(30);

/// Why a job did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobFailure {
    /// Worth another attempt (the database, the alarm, a peer was busy).
    Retry(String),
    /// Never going to work (a malformed payload).
    Permanent(String),
}

/// The outcome of each job of a batch, in the batch's order.
pub type Outcomes = Vec<Result<(), JobFailure>>;

/// What runs the claimed jobs of one kind.
pub type Handler =
    Arc<dyn Fn(Vec<JobRow>) -> Pin<Box<dyn Future<Output = Outcomes> + Send>> + Send + Sync>;

/// A handler that runs each job of a batch by itself (all at once).
pub fn each<F, Fut>(run: F) -> Handler
where
    F: Fn(JobRow) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), JobFailure>> + Send + 'static,
{
    let run = Arc::new(run);
    Arc::new(move |jobs: Vec<JobRow>| {
        let runs: Vec<Fut> = jobs.into_iter().map(|job| run(job)).collect();
        Box::pin(futures_util::future::join_all(runs))
    })
}

/// How the worker paces itself.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// How long a claim lasts before another worker may take the job.
    pub lease: Duration,
    /// The first retry's wait (doubling, at most `longest`).
    pub first_retry: Duration,
    /// The longest wait between attempts.
    pub longest: Duration,
    /// Attempts in all before the job fails.
    pub attempts: i32,
    /// How often the queue is looked at without a wake-up.
    pub poll: Duration,
}

impl Default for Pace {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(30),
            first_retry: Duration::from_secs(1),
            longest: Duration::from_secs(300),
            attempts: 10,
            poll: Duration::from_secs(1),
        }
    }
}

impl Pace {
    /// The wait after attempt `attempt` failed, or `None` when it was the last.
    pub fn retry_after(&self, attempt: i32) -> Option<Duration> {
        if attempt >= self.attempts {
            return None;
        }
        let doublings = u32::try_from(attempt.saturating_sub(1))
            .unwrap_or(0)
            .min(20);
        Some(
            self.first_retry
                .saturating_mul(1 << doublings)
                .min(self.longest),
        )
    }
}

/// Starts the worker; `wake` makes it look at the queue now.
pub fn spawn(db: DbPool, handlers: BTreeMap<&'static str, Handler>, wake: Arc<Notify>, pace: Pace) {
    tokio::spawn(async move {
        let mut prune_at = tokio::time::Instant::now();
        let mut since_vacuum = 0usize;
        loop {
            if since_vacuum >= VACUUM_AFTER {
                since_vacuum = 0;
                if let Err(e) = crate::db::blocking(&db, JobRow::vacuum).await {
                    tracing::debug!(error = %e, "the job queue was not vacuumed");
                }
            }
            if tokio::time::Instant::now() >= prune_at {
                prune(&db).await;
                prune_at += PRUNE_EVERY;
            }
            let claimed = crate::db::blocking(&db, move |c| {
                JobRow::claim(
                    c,
                    Utc::now(),
                    i64::try_from(pace.lease.as_millis()).unwrap_or(i64::MAX),
                    256,
                )
            })
            .await;
            match claimed {
                Ok(jobs) if !jobs.is_empty() => {
                    since_vacuum += jobs.len();
                    run_batch(&db, &handlers, jobs, &pace).await;
                    continue;
                }
                Ok(_) => {}
                Err(e) => tracing::debug!(error = %e, "the job queue is out of reach"),
            }
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(pace.poll) => {}
            }
        }
    });
}

async fn prune(db: &DbPool) {
    let pruned = crate::db::blocking(db, |c| {
        let now = Utc::now();
        let jobs = JobRow::prune(c, now - KEEP_DONE, now - KEEP_LONG)?;
        let changes = NodeEventRow::prune(c, now - KEEP_LONG)?;
        diesel::QueryResult::Ok((jobs, changes))
    })
    .await;
    match pruned {
        Ok((0, 0)) => {}
        Ok((jobs, changes)) => tracing::info!(jobs, changes, "old jobs and node changes forgotten"),
        Err(e) => tracing::debug!(error = %e, "old jobs were not pruned this time"),
    }
}

async fn mark_done(db: &DbPool, ids: Vec<i64>) {
    if ids.is_empty() {
        return;
    }
    let count = ids.len();
    let written = crate::db::blocking(db, move |c| JobRow::done(c, &ids, Utc::now())).await;
    if let Err(e) = written {
        // The leases run out and the jobs are claimed again: handlers are idempotent.
        tracing::warn!(jobs = count, error = %e, "finished jobs were not recorded");
    }
}

/// Runs a claimed batch, each kind's jobs by its handler, the kinds
/// together; records what became of every job.
async fn run_batch(
    db: &DbPool,
    handlers: &BTreeMap<&'static str, Handler>,
    jobs: Vec<JobRow>,
    pace: &Pace,
) {
    let mut by_kind: BTreeMap<String, Vec<JobRow>> = BTreeMap::new();
    for job in jobs {
        by_kind.entry(job.kind.clone()).or_default().push(job);
    }
    let runs = by_kind.into_iter().map(|(kind, jobs)| async move {
        let outcomes = match handlers.get(kind.as_str()) {
            Some(handler) => handler(jobs.clone()).await,
            None => Vec::new(),
        };
        let mut outcomes = outcomes.into_iter();
        jobs.into_iter()
            .map(|job| {
                let outcome = outcomes.next().unwrap_or_else(|| {
                    Err(JobFailure::Permanent(format!("no handler for {kind}")))
                });
                (job, outcome)
            })
            .collect::<Vec<_>>()
    });
    let mut done = Vec::new();
    for (job, outcome) in futures_util::future::join_all(runs)
        .await
        .into_iter()
        .flatten()
    {
        match outcome {
            Ok(()) => done.push(job.id),
            Err(failure) => failed(db, job, failure, pace).await,
        }
    }
    mark_done(db, done).await;
}

/// Records a failed attempt: retried later, or failed for good.
async fn failed(db: &DbPool, job: JobRow, failure: JobFailure, pace: &Pace) {
    let (id, kind, attempt) = (job.id, job.kind.clone(), job.attempts);
    let (error, retry) = match failure {
        JobFailure::Retry(e) => (e, pace.retry_after(attempt)),
        JobFailure::Permanent(e) => (e, None),
    };
    tracing::warn!(job = id, kind = %kind, attempt, error = %error, retry = retry.is_some(), "a job failed");
    let written = crate::db::blocking(db, move |c| {
        let now = Utc::now();
        let at = retry
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .map(|d| now + d);
        JobRow::failed(c, &job, &error, at, now)
    })
    .await;
    if let Err(e) = written {
        // The lease runs out and the job is claimed again: handlers are idempotent.
        tracing::warn!(job = id, error = %e, "a job's outcome was not recorded");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_up_to_the_longest_wait_then_stop() {
        let pace = Pace {
            first_retry: Duration::from_secs(1),
            longest: Duration::from_secs(5),
            attempts: 5,
            ..Pace::default()
        };
        let waits: Vec<_> = (1..=5).map(|a| pace.retry_after(a)).collect();
        assert_eq!(
            waits,
            [1, 2, 4, 5]
                .map(|s| Some(Duration::from_secs(s)))
                .into_iter()
                .chain([None])
                .collect::<Vec<_>>()
        );
    }
}
