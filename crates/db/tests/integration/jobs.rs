//! The job queue on a real PostgreSQL: claims never overlap, a lease that
//! ends hands the job to the next claim, failures retry then fail, and every
//! failed attempt is listed.

use argus_db::models::{JobErrorRow, JobRow};
use argus_db::test_db::TestDb;
use chrono::{Duration, Utc};

#[test]
fn two_workers_never_claim_the_same_job_and_a_lost_lease_is_claimed_again() {
    let db = TestDb::new();
    let mut a = db.conn();
    let mut b = db.conn();
    for n in 0..3 {
        JobRow::enqueue(&mut a, "test", &n.to_string()).unwrap();
    }
    let now = Utc::now();
    // Worker A holds its claim open in a transaction while B claims.
    let (first, second) = a
        .build_transaction()
        .run(|a| {
            let first = JobRow::claim(a, now, 1_000, 2)?;
            let second = JobRow::claim(&mut b, now, 1_000, 10)?;
            diesel::QueryResult::Ok((first, second))
        })
        .unwrap();
    assert_eq!(first.len(), 2);
    assert_eq!(
        second.len(),
        1,
        "the rows A locked are skipped, not waited for"
    );
    assert!(first.iter().all(|j| !second.iter().any(|s| s.id == j.id)));
    assert!(first
        .iter()
        .all(|j| j.state == "processing" && j.attempts == 1));

    // Nothing is due while the leases run; after them, all three again.
    assert!(JobRow::claim(&mut a, now, 1_000, 10).unwrap().is_empty());
    let later = now + Duration::seconds(2);
    let again = JobRow::claim(&mut a, later, 1_000, 10).unwrap();
    assert_eq!(again.len(), 3);
    assert!(again.iter().all(|j| j.attempts == 2));
    for j in &again {
        JobRow::done(&mut a, j.id, later).unwrap();
    }
    assert_eq!(JobRow::backlog(&mut a).unwrap().0, 0);
    assert!(JobRow::claim(&mut a, later + Duration::hours(1), 1_000, 10)
        .unwrap()
        .is_empty());
}

#[test]
fn a_failed_attempt_waits_for_its_retry_and_the_last_one_fails_the_job() {
    let db = TestDb::new();
    let mut c = db.conn();
    let id = JobRow::enqueue(&mut c, "send", "{}").unwrap();
    let now = Utc::now();
    let job = JobRow::claim(&mut c, now, 60_000, 1).unwrap().remove(0);
    let retry = now + Duration::seconds(10);
    JobRow::failed(&mut c, &job, "refused", Some(retry), now).unwrap();
    assert!(JobRow::claim(&mut c, now + Duration::seconds(9), 60_000, 1)
        .unwrap()
        .is_empty());
    assert_eq!(
        JobRow::next_due(&mut c)
            .unwrap()
            .map(|t| t.timestamp_micros()),
        Some(retry.timestamp_micros()),
        "PostgreSQL keeps microseconds"
    );
    let job = JobRow::claim(&mut c, retry, 60_000, 1).unwrap().remove(0);
    assert_eq!((job.id, job.attempts), (id, 2));
    JobRow::failed(&mut c, &job, "refused again", None, retry).unwrap();
    assert_eq!(JobRow::backlog(&mut c).unwrap().0, 0);
    let errors = JobErrorRow::latest(&mut c, 10).unwrap();
    assert_eq!(
        errors
            .iter()
            .map(|e| (e.job_id, e.attempt, e.error.as_str()))
            .collect::<Vec<_>>(),
        [(id, 2, "refused again"), (id, 1, "refused")]
    );
}
