//! The job queue's worker (`argus_job`): claims due jobs with a lease
//! (`FOR UPDATE SKIP LOCKED`, so several workers never share one, and a job
//! whose worker died is claimed again when its lease ends), runs the
//! handlers of a claimed batch together, then marks each done, or retries
//! it with a doubling wait, or fails it for good with its error kept. Woken at once when the
//! server says jobs were queued; otherwise it looks every second.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use argus_db::models::JobRow;
use argus_db::DbPool;
use chrono::Utc;
use tokio::sync::Notify;

/// Why a job did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobFailure {
    /// Worth another attempt (the database, the alarm, a peer was busy).
    Retry(String),
    /// Never going to work (a malformed payload).
    Permanent(String),
}

/// What runs a job of one kind.
pub type Handler = Arc<
    dyn Fn(JobRow) -> Pin<Box<dyn Future<Output = Result<(), JobFailure>> + Send>> + Send + Sync,
>;

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
        loop {
            let claimed = crate::db::blocking(&db, move |c| {
                JobRow::claim(
                    c,
                    Utc::now(),
                    i64::try_from(pace.lease.as_millis()).unwrap_or(i64::MAX),
                    32,
                )
            })
            .await;
            match claimed {
                Ok(jobs) if !jobs.is_empty() => {
                    // Together: handlers that wait on the journal share its writes.
                    futures_util::future::join_all(
                        jobs.into_iter().map(|job| run(&db, &handlers, job, &pace)),
                    )
                    .await;
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

async fn run(db: &DbPool, handlers: &BTreeMap<&'static str, Handler>, job: JobRow, pace: &Pace) {
    let outcome = match handlers.get(job.kind.as_str()) {
        Some(handler) => handler(job.clone()).await,
        None => Err(JobFailure::Permanent(format!(
            "no handler for {}",
            job.kind
        ))),
    };
    let (id, kind, attempt) = (job.id, job.kind.clone(), job.attempts);
    let written = match outcome {
        Ok(()) => crate::db::blocking(db, move |c| JobRow::done(c, id, Utc::now())).await,
        Err(failure) => {
            let (error, retry) = match failure {
                JobFailure::Retry(e) => (e, pace.retry_after(attempt)),
                JobFailure::Permanent(e) => (e, None),
            };
            tracing::warn!(job = id, kind = %kind, attempt, error = %error, retry = retry.is_some(), "a job failed");
            crate::db::blocking(db, move |c| {
                let now = Utc::now();
                let at = retry
                    .and_then(|d| chrono::Duration::from_std(d).ok())
                    .map(|d| now + d);
                JobRow::failed(c, &job, &error, at, now)
            })
            .await
        }
    };
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
